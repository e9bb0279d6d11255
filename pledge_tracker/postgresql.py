"""SQL for PostgreSQL alone, run by migrations: SQLite, the tests' database, has no exclusion
constraints, no such triggers and no `NULLS LAST` in an index (each migration says what guards
or serves the same there)."""


def on_postgresql(sql):
    """A `RunPython` function that runs `sql` on PostgreSQL and does nothing on another database."""

    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run
