"""Many numbers from the database in one value: what search and the listing columns read in bulk."""

from __future__ import annotations

import numpy as np
from django.db.models import Aggregate, TextField

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


def unpacked(value, kind: str = "int8") -> np.ndarray:
    """The numbers a Packed aggregate of this kind gave, in the order of its rows (int64 or float64)."""
    _, wire, dtype = KINDS[kind]
    if not value:
        return np.zeros(0, dtype=dtype)
    if isinstance(value, (bytes, memoryview)):  # PostgreSQL
        return np.frombuffer(value, dtype=wire).astype(dtype)
    return np.fromstring(value, dtype=dtype, sep=",")  # SQLite
