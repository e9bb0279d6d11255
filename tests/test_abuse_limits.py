"""Abuse limits: login lockout per username and address, request limits per client, 429 with
Retry-After, limits counted in the shared cache, and RATE_LIMITS=off for load tests."""

import os
import subprocess
import sys

import pytest
import redis
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.throttling import AnonRateThrottle

from commitments.models import ProgressUpdate
from pledge_tracker.limits import client_ip
from tests.factories import ApprovedUpdateFactory, UserFactory
from tests.test_advocates import proposal, propose_url

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
ELSEWHERE = "198.51.100.7"
THIRD = "192.0.2.44"


@pytest.fixture
def alice(db):
    user = UserFactory(username="alice", email="alice@example.org")
    user.set_password(PASSWORD)
    user.save()
    return user


def sign_in(client, password, username="alice", address="203.0.113.5"):
    data = {"username": username, "password": password}
    return client.post(reverse("login"), data, REMOTE_ADDR=address)


def signed_in(client):
    return "_auth_user_id" in client.session


def test_repeated_failures_lock_out_that_user_from_that_address_only(client, alice, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "wrong").status_code == 200  # the form again, with its error
    assert sign_in(client, "wrong").status_code == 429  # the failure that reaches the limit
    refused = sign_in(client, PASSWORD)
    assert refused.status_code == 429
    assert "Too many failed sign-ins" in refused.content.decode()
    assert int(refused["Retry-After"]) > 0
    assert not signed_in(client)

    assert sign_in(client, PASSWORD, address=ELSEWHERE).status_code == 302  # the real user
    assert signed_in(client)


def test_one_users_lockout_does_not_lock_out_another_user(client, alice, settings):
    bob = UserFactory(username="bob")
    bob.set_password(PASSWORD)
    bob.save()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "wrong")
    assert sign_in(client, PASSWORD, username="bob").status_code == 302


def test_fewer_failures_than_the_limit_still_let_the_user_in(client, alice, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "wrong")
    assert sign_in(client, PASSWORD).status_code == 302


def test_password_reset_mails_are_limited_per_address(client, alice, settings):
    settings.PASSWORD_RESET_RATE_LIMIT = "2/h"
    url = reverse("password_reset")
    for _ in range(2):
        assert client.post(url, {"email": alice.email}).status_code == 302
    refused = client.post(url, {"email": alice.email})
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "Too many requests" in refused.content.decode()
    assert len(mail.outbox) == 2
    assert client.get(url).status_code == 200  # the form itself is never limited


def test_downloads_are_limited_per_client_with_retry_after(client, settings):
    settings.DOWNLOAD_RATE_LIMIT = "2/m"
    url = reverse("data:cities_csv")
    assert [client.get(url).status_code for _ in range(2)] == [200, 200]
    refused = client.get(url)
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert refused["Content-Type"].startswith("text/plain")
    assert "try again in" in refused.content.decode()
    assert client.get(url, REMOTE_ADDR=ELSEWHERE).status_code == 200


def test_feeds_are_limited_too(client, settings):
    settings.DOWNLOAD_RATE_LIMIT = "1/m"
    url = reverse("data:updates_feed")
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 429


def test_a_client_streams_one_download_at_a_time(client, settings):
    """A second streamed download while the first is still streaming is refused, to that
    client alone, until the first ends; downloads sent whole are not held back."""
    settings.STREAMS_AT_ONCE = 2
    updates, evidence = reverse("data:updates_csv"), reverse("data:evidence_csv")
    first = client.get(updates)
    assert first.streaming
    refused = client.get(evidence)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "try again in" in refused.content.decode()
    elsewhere = client.get(evidence, REMOTE_ADDR=ELSEWHERE)
    assert elsewhere.status_code == 200
    b"".join(elsewhere.streaming_content)
    assert client.get(reverse("data:cities_csv")).status_code == 200
    b"".join(first.streaming_content)  # the first download ends
    assert client.get(evidence).status_code == 200


def test_the_site_streams_so_many_downloads_at_once(client, settings):
    """Downloads from every client together hold at most `STREAMS_AT_ONCE` workers, so others
    serve the pages: one more is told to come back (503: the site's limit, not the client's),
    holds nothing, and starts once a stream ends."""
    settings.STREAMS_AT_ONCE = 2
    updates, evidence = reverse("data:updates_csv"), reverse("data:evidence_csv")
    first, second = client.get(updates), client.get(evidence, REMOTE_ADDR=ELSEWHERE)
    assert first.streaming and second.streaming
    busy = client.get(updates, REMOTE_ADDR=THIRD)
    assert busy.status_code == 503 and int(busy["Retry-After"]) > 0
    assert "try again in" in busy.content.decode()
    assert client.get(reverse("data:cities_csv"), REMOTE_ADDR=THIRD).status_code == 200
    b"".join(second.streaming_content)
    third = client.get(updates, REMOTE_ADDR=THIRD)
    assert third.status_code == 200
    b"".join(third.streaming_content)
    b"".join(first.streaming_content)


def test_a_stream_frees_only_what_it_still_holds(client):
    """A stream whose marks expired (its worker stalled) and were taken by another does not free
    the other's when it ends."""
    updates = reverse("data:updates_csv")
    stalled = client.get(updates)
    cache.delete_many(["streaming:127.0.0.1", "streaming-slot:0"])  # as if they had expired
    other = client.get(updates, REMOTE_ADDR=ELSEWHERE)
    b"".join(stalled.streaming_content)
    assert client.get(updates, REMOTE_ADDR=THIRD).status_code == 503
    b"".join(other.streaming_content)
    assert client.get(updates, REMOTE_ADDR=THIRD).status_code == 200


def test_a_stream_renews_its_marks_as_it_sends(client, settings, monkeypatch):
    """So a long download keeps its slot past `STREAM_SECONDS`, and one whose worker died frees
    it within them."""
    settings.STREAM_SECONDS = 3
    for _ in range(3):
        ApprovedUpdateFactory()
    clock = iter(range(0, 1000, 2))  # two seconds a line
    monkeypatch.setattr("pledge_tracker.limits.monotonic", lambda: next(clock))
    renewed = []
    touch = cache.touch
    monkeypatch.setattr(cache, "touch", lambda *args: renewed.append(args) or touch(*args))
    b"".join(client.get(reverse("data:updates_csv")).streaming_content)
    assert {key for key, _seconds in renewed} == {"streaming:127.0.0.1", "streaming-slot:0"}


def test_a_download_that_fails_does_not_hold_its_client(client, monkeypatch):
    def broken(queryset, *args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("commitments.open_data.filtered_csv", broken)
    with pytest.raises(RuntimeError):
        client.get(reverse("data:updates_csv"))
    monkeypatch.undo()
    assert client.get(reverse("data:updates_csv")).status_code == 200


def test_rate_limits_off_turns_the_request_limits_off(client, settings):
    settings.DOWNLOAD_RATE_LIMIT = "1/m"
    settings.RATELIMIT_ENABLE = False
    url = reverse("data:cities_csv")
    assert {client.get(url).status_code for _ in range(3)} == {200}


def test_anonymous_api_clients_are_throttled(client, settings, monkeypatch):
    settings.PAGE_CACHE_SECONDS = 0  # every request reaches the API view
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "2/m"})
    url = reverse("api:city-list")
    assert [client.get(url).status_code for _ in range(2)] == [200, 200]
    refused = client.get(url)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "throttled" in refused.json()["detail"]
    forged = client.get(url, HTTP_X_FORWARDED_FOR="192.0.2.1")  # no proxy trusted: still you
    assert forged.status_code == 429
    assert client.get(url, REMOTE_ADDR=ELSEWHERE).status_code == 200


def test_advocates_submissions_are_limited_per_user(advocate_client, city, settings):
    settings.SUBMISSION_RATE_LIMIT = "1/h"
    advocate_client.post(propose_url(city), proposal())
    assert ProgressUpdate.objects.count() == 1
    refused = advocate_client.post(propose_url(city, "1.2"), proposal(summary="Again."))
    assert refused.status_code == 429
    assert "Too many requests" in refused.content.decode()
    assert ProgressUpdate.objects.count() == 1
    assert advocate_client.get(propose_url(city)).status_code == 200  # reading is not limited


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "1.1.1.1", "10.0.0.1"),  # no proxy: the header is the client's own words
        (1, "1.1.1.1", "1.1.1.1"),
        (1, "6.6.6.6, 1.1.1.1", "1.1.1.1"),  # a forged entry sits to the left
        (2, "6.6.6.6, 1.1.1.1, 10.0.0.9", "1.1.1.1"),
        (2, "", "10.0.0.1"),
    ],
)
def test_the_client_address_reads_only_what_trusted_proxies_wrote(
    settings, proxies, forwarded, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


# Failed sign-ins for "alice" from one address, in a process of its own; prints the statuses.
FAILED_SIGN_INS = """
import os
from django.test import Client
client = Client(REMOTE_ADDR="203.0.113.5")
attempt = {"username": "alice", "password": "wrong"}
count = int(os.environ["ATTEMPTS"])
print(*[client.post("/accounts/login/", attempt).status_code for _ in range(count)])
"""


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs a database both processes see")
def test_the_lockout_counts_across_processes_sharing_redis(settings):
    """Two app servers (here two processes) share one count through Redis."""
    redis_url = "redis://127.0.0.1:6379/14"
    env = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{connection.settings_dict['NAME']}",
        "CACHE_URL": redis_url,
    }

    def fail_to_sign_in(times):
        command = [sys.executable, "manage.py", "shell", "-c", FAILED_SIGN_INS]
        result = subprocess.run(
            command, env={**env, "ATTEMPTS": str(times)}, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.splitlines()[-1].split()  # after the shell's own banner

    limit = settings.AXES_FAILURE_LIMIT
    shared = redis.Redis.from_url(redis_url)
    shared.flushdb()
    try:
        first = fail_to_sign_in(limit - 1)
        second = fail_to_sign_in(1)
    finally:
        shared.flushdb()
    assert first == ["200"] * (limit - 1)
    assert second == ["429"]  # alone, one failure would be 200: the count was shared


def test_the_counts_live_in_the_configured_cache(client, settings):
    settings.DOWNLOAD_RATE_LIMIT = "1/m"
    client.get(reverse("data:cities_csv"))
    cache.clear()  # a shared cache forgetting its counts is the only way to start over
    assert client.get(reverse("data:cities_csv")).status_code == 200
