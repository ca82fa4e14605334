"""Django's Redis cache, made a help rather than a dependency: any error from Redis (unreachable,
hung, full, read-only) makes a read a miss and a write a no-op, logged once, so pages are
computed instead of failing; and after a connection error or a time-out the cache is skipped
for a while (a circuit breaker), so a hung Redis costs a few slow requests, not every request."""

from __future__ import annotations

import logging
import threading
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
SKIP_SECONDS = 30  # how long the cache is left alone after Redis could not be reached in time


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._skip_until = 0.0
        self._logged: set[str] = set()
        self._lock = threading.Lock()

    def _available(self) -> bool:
        return time.monotonic() >= self._skip_until

    def _failed(self, operation: str, error: Exception) -> None:
        kind = "unreachable" if isinstance(error, UNREACHABLE) else type(error).__name__
        if kind == "unreachable":
            with self._lock:
                self._skip_until = time.monotonic() + SKIP_SECONDS
        if kind not in self._logged:  # once a process for each kind of failure: not a line a request
            self._logged.add(kind)
            if kind == "unreachable":
                logger.warning("cache %s skipped: Redis is unreachable (%s); pages are computed, and the cache is "
                               "left alone for %s s at a time", operation, error, SKIP_SECONDS)
            else:
                logger.warning("cache %s skipped: Redis answered with an error (%s: %s); pages are computed",
                               operation, kind, error)

    def _guarded(self, operation: str, call, fallback):
        if not self._available():
            return fallback
        try:
            result = call()
        except RedisError as error:
            self._failed(operation, error)
            return fallback
        self._logged.discard("unreachable")  # it answered again: say so again if it goes away
        return result

    def get(self, key, default=None, version=None):
        return self._guarded("read", lambda: super(ResilientRedisCache, self).get(key, default, version), default)

    def get_many(self, keys, version=None):
        return self._guarded("read", lambda: super(ResilientRedisCache, self).get_many(keys, version), {})

    def has_key(self, key, version=None):
        return self._guarded("read", lambda: super(ResilientRedisCache, self).has_key(key, version), False)

    def set(self, key, value, timeout=None, version=None):  # noqa: A003 - Django's name
        self._guarded("write", lambda: super(ResilientRedisCache, self).set(key, value, timeout, version), None)

    def add(self, key, value, timeout=None, version=None):
        return self._guarded("write", lambda: super(ResilientRedisCache, self).add(key, value, timeout, version), False)

    def set_many(self, data, timeout=None, version=None):
        return self._guarded("write", lambda: super(ResilientRedisCache, self).set_many(data, timeout, version),
                             list(data))

    def touch(self, key, timeout=None, version=None):
        return self._guarded("write", lambda: super(ResilientRedisCache, self).touch(key, timeout, version), False)

    def delete(self, key, version=None):
        return self._guarded("delete", lambda: super(ResilientRedisCache, self).delete(key, version), False)

    def delete_many(self, keys, version=None):
        self._guarded("delete", lambda: super(ResilientRedisCache, self).delete_many(keys, version), None)

    def clear(self):
        return self._guarded("clear", lambda: super(ResilientRedisCache, self).clear(), False)
