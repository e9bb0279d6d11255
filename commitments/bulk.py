"""Rows written in bulk without model instances: COPY on PostgreSQL, plain INSERTs elsewhere.

For load data and tables derived again from the log, where building a model instance per row
costs more than writing it (582,000 rating periods: about a minute through `bulk_create`). No
`save()`, no signals, no defaults and no `auto_now` (which would stamp a loaded update's
`submitted_at` with the present moment): each row gives every column its table names.
"""

from dataclasses import dataclass
from datetime import date
from io import StringIO

from django.db import connection


@dataclass(frozen=True)
class Table:
    model: type
    columns: tuple

    @property
    def fields(self):
        return [self.model._meta.get_field(name) for name in self.columns]

    def row(self, values):
        """A row of this table from a mapping of column names to values."""
        return tuple(values[name] for name in self.columns)


def insert_rows(table, rows):
    """Write `rows`, tuples of values in the order of `table.columns`."""
    if connection.vendor == "postgresql":
        _copy(table, rows)
    else:
        _insert(table, rows)


COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(value):
    """A value in PostgreSQL's COPY text format."""
    if value is None:
        return r"\N"
    if isinstance(value, str):
        return value.translate(COPY_ESCAPES)
    if isinstance(value, date):  # and datetimes
        return value.isoformat()
    return str(value)


def _into(table):
    """The table's name and its columns, as in `INSERT INTO` and `COPY`."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in table.fields)
    return f"{quote(table.model._meta.db_table)} ({columns})"


def _copy(table, rows):
    lines = ("\t".join(map(copy_text, row)) + "\n" for row in rows)
    sql = f"COPY {_into(table)} FROM STDIN"
    with connection.cursor() as cursor:
        cursor.copy_expert(sql, StringIO("".join(lines)))


def _insert(table, rows):
    fields = table.fields
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {_into(table)} VALUES ({placeholders})"
    prepared = []
    for row in rows:
        values = zip(fields, row, strict=True)
        prepared.append([field.get_db_prep_save(value, connection) for field, value in values])
    with connection.cursor() as cursor:
        cursor.executemany(sql, prepared)
