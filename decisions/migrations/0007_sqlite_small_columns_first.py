"""SQLite: rebuild the decision table with its large text columns last.

SQLite stores a row's columns in order and spills what does not fit in the page into a
chain of overflow pages. A filter column stored after the statement's text (is_published,
the kind bit sets, added later) could only be read by walking that chain: measured at
100,000 decisions, a filtered listing read 4,500 such rows per page. With the large
columns last, every column a filter or sort needs is in the row's first page.

PostgreSQL keeps large values out of line whatever the order: nothing to do there.
Django rebuilds this table in its own field order if a later migration alters it on
SQLite: such a migration should run ``rebuild_with_large_columns_last`` again, and the FTS
triggers with it (see 0003).
"""

import importlib
import re

from django.db import migrations

search_index = importlib.import_module("decisions.migrations.0003_search_index")

TABLE = "decisions_decision"
LARGE = ("summary", "headings", "full_text", "body", "source_text", "parse_warnings", "related_references")


def _split_definitions(body: str) -> list[str]:
    """The comma-separated parts of a CREATE TABLE body, ignoring commas inside brackets."""
    parts, depth, current = [], 0, []
    for char in body:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    if current:
        parts.append("".join(current).strip())
    return parts


def rebuild_with_large_columns_last(schema_editor) -> None:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE type='table' AND name=%s", [TABLE])
        create = cursor.fetchone()[0]
        cursor.execute("SELECT sql FROM sqlite_master WHERE type='index' AND tbl_name=%s AND sql IS NOT NULL", [TABLE])
        indexes = [row[0] for row in cursor.fetchall()]
    body = create.split("(", 1)[1]
    definitions = _split_definitions(body.rsplit(")", 1)[0])
    columns = [d for d in definitions if d.startswith('"')]
    constraints = [d for d in definitions if not d.startswith('"')]
    names = [re.match(r'"([^"]+)"', d).group(1) for d in columns]
    order = sorted(range(len(columns)), key=lambda i: (names[i] in LARGE, LARGE.index(names[i]) if names[i] in LARGE
                                                       else i))
    ordered = [columns[i] for i in order]
    column_list = ", ".join(f'"{names[i]}"' for i in order)
    new = f"{TABLE}__reordered"
    schema_editor.execute(f'CREATE TABLE "{new}" ({", ".join(ordered + constraints)})')
    schema_editor.execute(f'INSERT INTO "{new}" ({column_list}) SELECT {column_list} FROM "{TABLE}"')
    schema_editor.execute(f'DROP TABLE "{TABLE}"')
    schema_editor.execute(f'ALTER TABLE "{new}" RENAME TO "{TABLE}"')
    for statement in indexes:
        schema_editor.execute(statement)
    for statement in search_index.sqlite_triggers_sql():
        schema_editor.execute(statement)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        rebuild_with_large_columns_last(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("decisions", "0006_order_by_id")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
