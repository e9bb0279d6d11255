"""Every migration applies forwards and backwards on a database holding the demo data."""

import os
import subprocess
import sys
import uuid

import psycopg2
import pytest
from django.db import connection


@pytest.fixture
def scratch_database_url():
    """A new, empty PostgreSQL database."""
    name = f"migrations_{uuid.uuid4().hex}"
    admin = psycopg2.connect(dbname="postgres", user="postgres", host="127.0.0.1")
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    yield f"postgres://postgres@127.0.0.1:5432/{name}"
    admin.cursor().execute(f'DROP DATABASE "{name}"')
    admin.close()


# On PostgreSQL, the production database, where CI has the time: on SQLite this takes half a
# minute (run the same four commands by hand to check a new migration there).
@pytest.mark.skipif(connection.vendor != "postgresql", reason="half a minute on SQLite")
def test_every_migration_applies_backwards_and_forwards_with_the_demo_data(
    scratch_database_url,
):
    env = {**os.environ, "DEBUG": "true", "DATABASE_URL": scratch_database_url}

    def manage(*args):
        command = [sys.executable, "manage.py", *args, "-v0"]
        result = subprocess.run(command, env=env, capture_output=True, text=True)
        assert result.returncode == 0, f"{' '.join(args)}:\n{result.stderr[-3000:]}"

    manage("migrate")
    manage("seed_demo")
    manage("migrate", "commitments", "zero")  # commitments depends on cities: it goes first
    manage("migrate", "cities", "zero")
    manage("migrate")
