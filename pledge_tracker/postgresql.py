"""SQL for PostgreSQL alone, run by migrations and after bulk writes: SQLite, the tests'
database, has no exclusion constraints, no such triggers, no `NULLS LAST` in an index and no
planner statistics to refresh (each migration says what guards or serves the same there)."""

from django.db import connection


def on_postgresql(sql):
    """A `RunPython` function that runs `sql` on PostgreSQL and does nothing on another database."""

    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


def refresh_statistics(*tables):
    """After a bulk write, statistics for the planner (of `tables`, or of every table); outside
    a transaction also VACUUM: the rows a rewrite left dead would otherwise stay in the indexes'
    scans, and a fresh load has no visibility map (index-only scans would read the heap)."""
    if connection.vendor != "postgresql":
        return
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        cursor.execute(" ".join([command, ", ".join(map(connection.ops.quote_name, tables))]))
