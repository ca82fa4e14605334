"""Many numbers to and from the database in one value: ids and scores read in bulk, ids passed as one parameter."""

from __future__ import annotations

import json

import numpy as np
from django.db.models import Aggregate, BooleanField, Expression, QuerySet, TextField

# How each kind of number travels from PostgreSQL (its binary form), and what numpy makes of it.
KINDS = {
    "int8": ("int8send(({})::int8)", ">i8", np.int64),
    "int4": ("int4send(({})::int4)", ">i4", np.int64),  # half the bytes, for values that fit
    "float8": ("float8send(({})::float8)", ">f8", np.float64),
}


class Packed(Aggregate):
    """A column's values over the matching rows as one value numpy reads in one call: reading
    70,000 ids as rows made a Python object of each (120 ms at 100,000 decisions), and 500,000
    ids from PostgreSQL as decimal text took 90 ms to read.

    PostgreSQL: each value's binary form (int8send, int4send, float8send) joined into one bytea.
    SQLite, which has no binary form of a number: decimal text, comma-separated, which numpy
    parses in C (SQLite writes an id as decimal in half the time printf takes to write it in hex).
    Every Packed of one statement holds its rows in the same order."""

    output_field = TextField()

    def __init__(self, expression, *, kind: str = "int8"):
        super().__init__(expression)
        self.kind = kind

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.get_source_expressions()[0])
        return f"GROUP_CONCAT({sql}, ',')", params

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.get_source_expressions()[0])
        return f"STRING_AGG({KINDS[self.kind][0].format(sql)}, '')", params


class Joined(Aggregate):
    """A short text column's values over the matching rows, joined by ';' (which they never hold),
    in the same order as the statement's Packed columns: a few distinct values (payment purposes,
    a rate's period) are turned into numbers in Python faster than SQL tests each row for each."""

    output_field = TextField()

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.get_source_expressions()[0])
        return f"GROUP_CONCAT({sql}, ';')", params

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.get_source_expressions()[0])
        return f"STRING_AGG({sql}, ';')", params


def unjoined(value, rows: int) -> list[str]:
    """The values a Joined aggregate gave over ``rows`` rows (one empty value joins to '')."""
    return (value or "").split(";") if rows else []


def unpacked(value, kind: str = "int8") -> np.ndarray:
    """The numbers a Packed aggregate of this kind gave, in the order of its rows (int64 or float64)."""
    _, wire, dtype = KINDS[kind]
    if not value:
        return np.zeros(0, dtype=dtype)
    if isinstance(value, (bytes, memoryview)):  # PostgreSQL
        return np.frombuffer(value, dtype=wire).astype(dtype)
    return np.fromstring(value, dtype=dtype, sep=",")  # SQLite


def ids(queryset: QuerySet) -> np.ndarray:
    """The ids of a queryset's rows, read as one value."""
    return ids_and_scores(queryset, None)[0]


def ids_and_scores(queryset: QuerySet, score: str | None) -> tuple[np.ndarray, np.ndarray]:
    """The ids of a queryset's rows and, when named, a score of each (in the same order)."""
    packed = queryset.aggregate(packed_ids=Packed("pk"),
                                **({"packed_scores": Packed(score, kind="float8")} if score else {}))
    return unpacked(packed["packed_ids"]), unpacked(packed.get("packed_scores"), "float8")


def own_column(compiler, connection, column: str) -> str:
    """A column under the query's own alias for its table, so that an expression also works when
    its queryset becomes a subquery."""
    alias = compiler.query.get_initial_alias()
    return f"{compiler.quote_name_unless_alias(alias)}.{connection.ops.quote_name(column)}"


class AmongIds(Expression):
    """The row's id is one of these, passed as one parameter (an array on PostgreSQL, a JSON
    list on SQLite), however many there are."""

    output_field = BooleanField()

    def __init__(self, ids, column: str = "id"):
        super().__init__()
        self.ids, self.column = [int(pk) for pk in ids], column

    def as_postgresql(self, compiler, connection):
        return f"{own_column(compiler, connection, self.column)} = ANY(%s)", [self.ids]

    def as_sqlite(self, compiler, connection):
        # The unary plus keeps SQLite from handing the list to FTS5 as rowid lookups, each of which
        # would evaluate the whole query again (minutes for a phrase): the list only filters.
        return f"+{own_column(compiler, connection, self.column)} IN (SELECT value FROM json_each(%s))", [json.dumps(self.ids)]
