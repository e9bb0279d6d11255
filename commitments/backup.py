"""Whole-database backups: PostgreSQL with pg_dump and pg_restore, SQLite with its backup API.

A backup restores only into an empty database (freshly created, never migrated), so a restore
can never mix two records. PostgreSQL's custom format loads the rows before it creates the
triggers, so the append-only guards do not refuse the restored history.
"""

import os
import sqlite3
import subprocess

from django.core.exceptions import ImproperlyConfigured


class NotEmpty(Exception):
    """The target database already holds tables."""


ToolFailed = subprocess.CalledProcessError  # pg_dump or pg_restore failed; `.stderr` says why


def _pg_command(connection, program, *args):
    settings = connection.settings_dict
    url = f"postgresql://{settings['USER']}@{settings['HOST']}:{settings['PORT'] or 5432}"
    env = {**os.environ, "PGPASSWORD": settings["PASSWORD"] or ""}
    command = [program, "--no-owner", "--no-privileges", *args]
    subprocess.run(
        [*command, f"--dbname={url}/{settings['NAME']}"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )


def backup(connection, path):
    """Write the whole database `connection` points at to the file `path`."""
    if connection.vendor == "postgresql":
        _pg_command(connection, "pg_dump", "--format=custom", f"--file={path}")
    elif connection.vendor == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(path) as target:
            connection.connection.backup(target)
        target.close()
    else:
        raise ImproperlyConfigured(f"No backup for {connection.vendor} databases.")


def restore(connection, path):
    """Load the backup `path` into the empty database `connection` points at."""
    if connection.introspection.table_names():
        raise NotEmpty(
            f"The database {connection.settings_dict['NAME']} is not empty: restore into a new, "
            "empty database (created, not migrated)."
        )
    if connection.vendor == "postgresql":
        _pg_command(connection, "pg_restore", "--exit-on-error", "--single-transaction", path)
    elif connection.vendor == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(path) as source:
            source.backup(connection.connection)
        source.close()
    else:
        raise ImproperlyConfigured(f"No restore for {connection.vendor} databases.")
