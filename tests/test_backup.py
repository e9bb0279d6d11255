"""`make backup` and `make restore`: a backup restores into an empty database with every row
equal, and never into one that holds a record already."""

import uuid

import psycopg2
import pytest
from django.core.management import CommandError, call_command
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.utils import truncate_name

from commitments import backup
from tests.factories import (
    ApprovedUpdateFactory,
    CityFactory,
    PoliceKillingFactory,
    ProgressUpdateFactory,
)

# SQLite's backup waits for an open write transaction to end, so there the test's rows are
# committed. pg_dump reads from a session of its own and sees only committed rows: there the
# test backs up what the migrations committed (the framework, groups, permissions), since a
# transactional test here leaves the next ones' content types in conflict. On SQLite it asks for
# the migrations' rows back (serialized_rollback), as the browser tests do: a transactional test
# without it finds them gone after another, and leaves re-created content types in the way of
# the next one's.
ON_SQLITE = connection.vendor == "sqlite"
pytestmark = pytest.mark.django_db(transaction=ON_SQLITE, serialized_rollback=ON_SQLITE)


def rows(db, table):
    with db.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {db.ops.quote_name(table)}")
        return sorted(map(repr, cursor.fetchall()))


def every_row(db):
    return {table: rows(db, table) for table in sorted(db.introspection.table_names())}


@pytest.fixture
def empty_database(tmp_path):
    """A second connection to a new, empty database of the same kind as the test database."""
    settings = dict(connection.settings_dict)
    if connection.vendor == "postgresql":
        settings["NAME"] = truncate_name(f"restore_{uuid.uuid4().hex}", 63)
        admin = psycopg2.connect(dbname="postgres", user=settings["USER"], host=settings["HOST"],
                                 port=settings["PORT"] or 5432)  # fmt: skip
        admin.autocommit = True
        admin.cursor().execute(f'CREATE DATABASE "{settings["NAME"]}"')
    else:
        settings["NAME"] = str(tmp_path / "restored.sqlite3")
    target = type(connections[DEFAULT_DB_ALIAS])(settings, alias="restored")
    yield target
    target.close()
    if connection.vendor == "postgresql":
        admin.cursor().execute(f'DROP DATABASE "{settings["NAME"]}"')
        admin.close()


def test_a_backup_restores_into_an_empty_database_with_every_row_equal(tmp_path, empty_database):
    if ON_SQLITE:
        city = CityFactory()
        ApprovedUpdateFactory.create_batch(3, city=city)
        ProgressUpdateFactory(city=city)
        PoliceKillingFactory(city=city)
    path = tmp_path / "pledge.dump"
    call_command("backup", str(path))
    backup.restore(empty_database, path)
    restored = every_row(empty_database)
    assert restored == every_row(connection)
    assert restored["commitments_action"], "the framework was backed up"
    if ON_SQLITE:
        assert restored["commitments_progressupdate"], "the record itself was backed up"


def test_restore_refuses_a_database_that_holds_a_record(tmp_path):
    path = tmp_path / "pledge.dump"
    call_command("backup", str(path))
    with pytest.raises(CommandError, match="is not empty"):
        call_command("restore", str(path))


def test_backup_never_overwrites_a_file(tmp_path):
    path = tmp_path / "pledge.dump"
    path.write_text("an older backup")
    with pytest.raises(CommandError, match="exists"):
        call_command("backup", str(path))
    assert path.read_text() == "an older backup"
