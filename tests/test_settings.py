"""Settings come from the environment, and production refuses to start without its secrets."""

import os
import subprocess
import sys

import pytest
from django.db import connection

CHECK = [sys.executable, "manage.py", "check"]


def run_check(**env):
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "ALLOWED_HOSTS")}
    return subprocess.run(CHECK, env={**clean, **env}, capture_output=True, text=True)


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({}, "SECRET_KEY and ALLOWED_HOSTS"),
        ({"SECRET_KEY": "x" * 50}, "ALLOWED_HOSTS"),
        ({"ALLOWED_HOSTS": "example.org"}, "SECRET_KEY"),
    ],
)
def test_production_needs_secret_key_and_allowed_hosts(env, missing):
    result = run_check(DEBUG="false", **env)
    assert result.returncode != 0
    assert f"DEBUG is off, so {missing} must be set" in result.stderr


def test_development_defaults_need_no_environment():
    assert run_check().returncode == 0


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL setting")
def test_postgresql_connections_do_not_jit_compile():
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
