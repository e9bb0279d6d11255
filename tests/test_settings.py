"""Settings come from the environment; production is the default and refuses to start without
its secrets; with production settings Django's deployment check passes."""

import json
import os
import subprocess
import sys

import pytest
from django.db import connection

PRODUCTION_VARIABLES = ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "EMAIL_URL")
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "a-long-random-production-secret-5f2b8c1e9d7a4e3b6c0f1a2d8e9b7c6d",
    "ALLOWED_HOSTS": "pledge.example.org",
    "EMAIL_URL": "smtp+tls://mailer:secret@mail.example.org:587",
    "CACHE_URL": "redis://127.0.0.1:6379/0",
}


def python(*args, **env):
    """Python run in a fresh process with the settings in `env` alone."""
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION_VARIABLES}
    command = [sys.executable, *args]
    return subprocess.run(command, env={**clean, **env}, capture_output=True, text=True)


def manage(*args, **env):
    return python("manage.py", *args, **env)


def test_without_any_environment_the_site_is_production_and_refuses_to_start():
    result = manage("check")
    assert result.returncode != 0
    assert "DEBUG is off, so SECRET_KEY, ALLOWED_HOSTS and EMAIL_URL must be set" in result.stderr


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "EMAIL_URL"])
def test_production_names_the_variable_it_lacks(missing):
    env = {name: value for name, value in PRODUCTION.items() if name != missing}
    result = manage("check", **env)
    assert result.returncode != 0
    assert f"DEBUG is off, so {missing} must be set" in result.stderr


def test_development_needs_only_debug():
    assert manage("check", DEBUG="true").returncode == 0


def test_the_deployment_check_passes_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL setting")
def test_postgresql_connections_do_not_jit_compile():
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)


GUNICORN_WORKER = """
import gc, json, runpy
from django.urls import get_resolver
from pledge_tracker.wsgi import application
runpy.run_path("gunicorn.conf.py")["post_worker_init"](None)
pattern = get_resolver().url_patterns[0]
collected = {id(thing) for thing in gc.get_objects()}
print(json.dumps({"frozen": gc.get_freeze_count(), "patterns_collected": id(pattern) in collected}))
"""


def test_a_gunicorn_worker_freezes_the_loaded_site_out_of_garbage_collection():
    """Left out of every collection, its modules and URL patterns are not walked again."""
    result = python("-c", GUNICORN_WORKER, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    worker = json.loads(result.stdout)
    assert worker["frozen"] > 50_000  # Django, the site's modules and its URL patterns
    assert not worker["patterns_collected"]
