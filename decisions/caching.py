"""Results that only change when the archive's data changes, cached under its data version.

The version (models.ArchiveState) is moved in the same transaction as every write to the data
the pages show: imports, admin saves and deletes, bulk updates. It is part of each key, so no
cached value is served after a write commits.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from contextvars import ContextVar
from typing import TypeVar

from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.dispatch import receiver

from decisions.models import ArchiveState

SECONDS = 300
# Part of every key: moved whenever a cached object's class changes or moves module (2: the
# statements/, search/ and harvest/ packages), so a running cache never hands back a pickle of
# a class that is no longer where it was (3: Query.filed, related decisions' summaries).
LAYOUT = 3
T = TypeVar("T")


_versions: ContextVar[list | None] = ContextVar("data_stamp", default=None)  # [] or [the stamp read]


@receiver(request_started)
def _new_request(**kwargs):
    """Each request reads the data version once, however many cached values it uses."""
    _versions.set([])


@receiver(request_finished)
def _request_done(**kwargs):
    """Outside a request (commands, shells), always read the version afresh."""
    _versions.set(None)


def data_stamp() -> tuple:
    """(data version, when it moved): the second tells apart two states that share a version,
    as tests rolled back to the same empty archive do."""
    seen = _versions.get()
    if seen:
        return seen[0]
    stamp = ArchiveState.stamp()
    if seen is not None:
        seen.append(stamp)
    return stamp


def data_version() -> int:
    return data_stamp()[0]


def cached(parts: tuple, compute: Callable[[], T]) -> T:
    """compute(), or its stored result for the same parts and the same data version."""
    digest = hashlib.sha256(repr((parts, data_version())).encode()).hexdigest()
    return cache.get_or_set(f"archive:{LAYOUT}:{digest}", compute, SECONDS)


def cached_for(queryset, label: str, compute: Callable[[], T], *extra) -> T:
    """compute(), cached under the SQL of the queryset it reads (and the data version)."""
    sql, params = queryset.query.sql_with_params()
    return cached((label, sql, tuple(params), *extra), compute)
