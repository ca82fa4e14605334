"""Django's Redis cache, made a help rather than a dependency: when Redis cannot be reached, a
read is a miss and a write is skipped (logged), so pages are computed instead of failing."""

from __future__ import annotations

import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
UNREACHABLE = (RedisConnectionError, RedisTimeoutError)


class ResilientRedisCache(RedisCache):
    def _unreachable(self, operation: str, error: Exception) -> None:
        logger.warning("cache %s skipped: Redis is unreachable (%s)", operation, error)

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except UNREACHABLE as error:
            self._unreachable("read", error)
            return default

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except UNREACHABLE as error:
            self._unreachable("read", error)
            return {}

    def set(self, key, value, timeout=None, version=None):  # noqa: A003 - Django's name
        try:
            super().set(key, value, timeout, version)
        except UNREACHABLE as error:
            self._unreachable("write", error)

    def add(self, key, value, timeout=None, version=None):
        try:
            return super().add(key, value, timeout, version)
        except UNREACHABLE as error:
            self._unreachable("write", error)
            return False

    def set_many(self, data, timeout=None, version=None):
        try:
            return super().set_many(data, timeout, version)
        except UNREACHABLE as error:
            self._unreachable("write", error)
            return list(data)

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except UNREACHABLE as error:
            self._unreachable("delete", error)
            return False
