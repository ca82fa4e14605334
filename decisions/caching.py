"""Results that only change when the archive's data changes, cached under its data version.

Every write to a decision (import, admin save, publish/unpublish actions) moves the newest
``updated_at``, which is part of each key, so a cached value is never served after such a
write. Deleting a decision does not move it: values may then include the deleted decision
for up to SECONDS. Nor does a transaction that commits after another with later timestamps
(parallel import workers): its decisions may be missing from values cached in between, again
for up to SECONDS.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from contextvars import ContextVar
from typing import TypeVar

from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db.models import Max
from django.dispatch import receiver

SECONDS = 300
T = TypeVar("T")


_versions: ContextVar[dict | None] = ContextVar("data_versions", default=None)


@receiver(request_started)
def _new_request(**kwargs):
    """Each request reads the data version once, however many cached values it uses."""
    _versions.set({})


@receiver(request_finished)
def _request_done(**kwargs):
    """Outside a request (commands, shells), always read the version afresh."""
    _versions.set(None)


def data_version(using: str = "default") -> str:
    from decisions.models import Decision

    seen = _versions.get()
    if seen is not None and using in seen:
        return seen[using]
    version = str(Decision.objects.using(using).aggregate(newest=Max("updated_at"))["newest"])
    if seen is not None:
        seen[using] = version
    return version


def cached(parts: tuple, compute: Callable[[], T], using: str = "default") -> T:
    """compute(), or its stored result for the same parts and the same data version."""
    digest = hashlib.sha256(repr((parts, data_version(using))).encode()).hexdigest()
    key = f"archive:{digest}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, SECONDS)
    return value


def cached_for(queryset, label: str, compute: Callable[[], T], *extra) -> T:
    """compute(), cached under the SQL of the queryset it reads (and the data version)."""
    sql, params = queryset.query.sql_with_params()
    return cached((label, sql, tuple(params), *extra), compute, queryset.db)
