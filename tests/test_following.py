"""Following by email: double opt-in, one message per approved change followed, digests sent
once, one-click unsubscribe without an account, and addresses never confirmed forgotten."""

import html
import os
import re
import signal
import socket
import subprocess
import sys
from datetime import date, timedelta
from email import message_from_bytes, policy
from io import StringIO
from unittest import mock

import pytest
from aiosmtpd.controller import Controller
from django.core import mail, signing
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.db import connection
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import TaskResultStatus

from commitments.following import (
    CONFIRM_SALT,
    UNCONFIRMED_FOR,
    UNSUBSCRIBE_SALT,
    message_id,
    notify_followers,
    send_due,
    send_once,
    token,
)
from commitments.models import Action, Follower, FollowerDelivery, Frequency, Principle
from commitments.services import approve_update, propose_update
from tests.factories import CityFactory, EvidenceFactory, ProgressUpdateFactory, reviewer
from tests.test_review_rights import staff_with

SITE = "https://pledge.example.org"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def approve(django_capture_on_commit_callbacks):
    """Approve an update as a reviewer does, running what its commit runs (the followers'
    task among it)."""

    def approve(city, code="1.2", status="achieved"):
        update = ProgressUpdateFactory(
            city=city, action=Action.objects.get(code=code), status=status
        )
        with django_capture_on_commit_callbacks(execute=True):
            approved = approve_update(update, reviewer())
        # Only the followers' mail: not the submitter's review notice (`tasks.after_review`).
        mail.outbox[:] = [m for m in mail.outbox if m.to != [update.submitted_by.email]]
        return approved

    return approve


def follow(client, email="fan@example.org", frequency="immediately", prefix="", **subject):
    """Submit the follow form, sending what its transaction's commit sends."""
    query = "&".join(f"{key}={value}" for key, value in subject.items())
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(
            f"{prefix}{reverse('follow:follow')}?{query}",
            {"email": email, "frequency": frequency},
        )


def link_in(message, name):
    [url] = re.findall(rf"{SITE}(\S*/follow/{name}/\S+/)", message.body)
    return url


def signed(url):
    """The token of a signed link."""
    return url.rstrip("/").rsplit("/", 1)[1]


def unsubscribe_url(follower):
    return reverse("follow:unsubscribe", args=[token(follower, UNSUBSCRIBE_SALT)])


def followed(client, city, **options):
    """A confirmed follower of `city`, through the form and the emailed link."""
    follow(client, city=city.pk, **options)
    client.post(link_in(mail.outbox.pop(), "confirm"))
    return Follower.objects.get(city=city)


def test_following_sends_only_a_confirmation_until_confirmed(client, city, approve):
    response = follow(client, email="Fan@Example.org", city=city.pk)
    assert response.status_code == 302
    assert "Check your email" in client.get(response.url).text
    follower = Follower.objects.get()
    assert (follower.email, follower.city, follower.confirmed_at) == (
        "fan@example.org",
        city,
        None,
    )
    [confirmation] = mail.outbox
    assert confirmation.to == ["fan@example.org"]
    assert confirmation.subject == "Confirm that you follow Minneapolis, MN on Pledge Tracker"
    mail.outbox.clear()
    approve(city)
    assert mail.outbox == []  # nothing but the confirmation before confirming


def test_following_again_tells_nobody_who_already_follows(client, city):
    followed(client, city)
    again = follow(client, city=city.pk, frequency=Frequency.WEEKLY)
    newcomer = follow(client, email="new@example.org", city=city.pk, frequency=Frequency.WEEKLY)
    assert (again.status_code, again.url) == (newcomer.status_code, newcomer.url)
    assert Follower.objects.get(email="fan@example.org").frequency == Frequency.IMMEDIATELY


def test_an_address_that_follows_already_is_told_how_often_and_how_to_change(client, city):
    follower = followed(client, city)
    follow(client, city=city.pk, frequency=Frequency.WEEKLY)
    [message] = mail.outbox
    assert message.to == ["fan@example.org"]
    assert message.subject == "You already follow Minneapolis, MN on Pledge Tracker"
    assert "It follows it already, and gets its updates immediately." in message.body
    unsubscribe = link_in(message, "unsubscribe")
    assert "unsubscribe with this link, then follow again: " in message.body
    assert f'<a href="{SITE}{unsubscribe}">' in message.alternatives[0][0]
    assert message.extra_headers["List-Unsubscribe"] == f"<{SITE}{unsubscribe}>"
    mail.outbox.clear()
    Follower.objects.update(stopped_at=timezone.now(), stop_reason="complained")
    follow(client, city=city.pk, frequency=Frequency.WEEKLY)
    assert mail.outbox == []  # an address that complained is sent nothing more
    assert Follower.objects.get() == follower


def test_a_confirmed_follower_gets_one_message_per_approved_change(client, city, approve):
    follower = followed(client, city)
    assert follower.confirmed_at is not None
    update = approve(city)
    [message] = mail.outbox
    assert message.to == ["fan@example.org"]
    assert message.subject == "Minneapolis, MN: action 1.2 is now “Achieved”"
    assert "Status: from “No information” to “Achieved”." in message.body
    assert "Score: from 0 (Incomplete) to 3 (Incomplete)." in message.body
    evidence = update.evidence.get()
    assert evidence.url in message.body
    [(html, kind)] = message.alternatives
    assert kind == "text/html"
    assert f'<a href="{evidence.url}">' in html
    unsubscribe = f"{SITE}{link_in(message, 'unsubscribe')}"
    assert message.extra_headers["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in message.message().as_string()


def test_an_update_published_on_entry_is_sent_at_once(
    client, city, django_capture_on_commit_callbacks
):
    followed(client, city)
    publisher = staff_with("publish_without_review")
    city.advocates.add(publisher)
    evidence = EvidenceFactory(city=city, submitted_by=publisher)
    with django_capture_on_commit_callbacks(execute=True):
        update = propose_update(publisher, city, Action.objects.get(code="1.2"), "achieved",
                                "Adopted.", date(2024, 5, 1), [evidence])  # fmt: skip
    assert update.review_state == "approved"
    [message] = [m for m in mail.outbox if m.to == ["fan@example.org"]]
    assert "action 1.2 is now “Achieved”" in message.subject


def test_followers_of_the_principle_and_the_tracker_are_told_others_not(
    client, city, other_city, approve
):
    follow(client, email="principle@example.org", principle=Principle.objects.get(number=1).slug)
    follow(client, email="all@example.org")
    follow(client, email="other@example.org", city=other_city.pk)
    for confirmation in list(mail.outbox):
        client.post(link_in(confirmation, "confirm"))
    mail.outbox.clear()
    approve(city)
    assert sorted(message.to[0] for message in mail.outbox) == [
        "all@example.org",
        "principle@example.org",
    ]


def test_an_address_following_a_city_and_the_tracker_gets_each_change_once(client, city, approve):
    follow(client, city=city.pk)
    follow(client, frequency=Frequency.DAILY)  # the whole tracker, from the same address
    for confirmation in list(mail.outbox):
        client.post(link_in(confirmation, "confirm"))
    mail.outbox.clear()
    approve(city)
    assert len(mail.outbox) == 1
    assert send_due(timezone.now() + timedelta(days=2)) == 0


def test_a_follower_is_written_to_in_the_language_they_followed_in(client, city, approve):
    follow(client, city=city.pk, prefix="/es")
    assert Follower.objects.get().language == "es"
    assert "/es/follow/confirm/" in mail.outbox[0].body
    client.post(link_in(mail.outbox.pop(), "confirm"))
    approve(city)
    [message] = mail.outbox
    assert f"{SITE}/es/follow/unsubscribe/" in message.extra_headers["List-Unsubscribe"]
    assert '<html lang="es">' in message.alternatives[0][0]
    assert "1 de mayo de 2024" in message.body  # when it happened, as Spanish writes dates
    with translation.override("es"):
        assert f"{SITE}{city.get_absolute_url()}#action-1-2" in message.body


def test_unsubscribing_asks_on_get_and_leaves_on_post_without_an_account(client, city, approve):
    followed(client, city)
    approve(city)
    url = link_in(mail.outbox[0], "unsubscribe")
    page = client.get(url)
    assert page.status_code == 200
    assert "Stop emails about Minneapolis, MN to fan@example.org?" in page.text
    assert Follower.objects.exists()
    # RFC 8058: the mail client POSTs to the List-Unsubscribe URL with no CSRF token.
    response = Client(enforce_csrf_checks=True).post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert not Follower.objects.exists()


def test_a_forged_link_neither_confirms_nor_unsubscribes(client, city):
    follow(client, city=city.pk)
    confirm = link_in(mail.outbox[0], "confirm")
    assert client.post(confirm.replace("/confirm/", "/confirm/x")).status_code == 404
    forged = reverse("follow:unsubscribe", args=["1:forged"])
    assert client.post(forged).status_code == 404
    assert Follower.objects.get().confirmed_at is None


def test_a_retried_task_sends_no_second_message(client, city, approve):
    followed(client, city)
    update = approve(city)
    assert notify_followers.enqueue(update.pk).return_value == 0
    assert len(mail.outbox) == 1
    assert FollowerDelivery.objects.count() == 1


class MailServerDown(BaseEmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("the mail server is down")


def test_a_failed_send_claims_nothing_and_the_retry_sends(settings, client, city, approve):
    followed(client, city)
    settings.EMAIL_BACKEND = f"{__name__}.MailServerDown"
    update = approve(city)
    assert not FollowerDelivery.objects.exists()
    assert notify_followers.enqueue(update.pk).status == TaskResultStatus.FAILED
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notify_followers.enqueue(update.pk).return_value == 1
    assert len(mail.outbox) == 1


def test_the_mail_loop_outlives_a_mail_server_that_is_down(settings, client, city, approve):
    followed(client, city, frequency=Frequency.DAILY)
    approve(city)
    settings.EMAIL_BACKEND = f"{__name__}.MailServerDown"
    errors = StringIO()
    stop = mock.patch("time.sleep", side_effect=[None, KeyboardInterrupt])
    with stop, pytest.raises(KeyboardInterrupt):
        call_command("send_follower_mail", every=60, stderr=errors)
    assert errors.getvalue().count("the mail server is down") == 2  # tried again after a minute
    with pytest.raises(ConnectionRefusedError):  # once, as cron runs it: the failure shows
        call_command("send_follower_mail")


def test_an_approved_update_that_does_not_change_the_rating_is_not_sent(client, city, approve):
    followed(client, city)
    approve(city, code="1.2")
    earlier = {"status": "in_progress", "happened_on": date(2020, 1, 1)}
    backdated = ProgressUpdateFactory(city=city, action=Action.objects.get(code="1.2"), **earlier)
    approve_update(backdated, reviewer())  # a later step stands: the rating stays Achieved
    assert send_due(timezone.now() + timedelta(days=1)) == 0
    assert len(mail.outbox) == 1


def test_subjects_are_plain_text_and_titles_escaped_once(client, db):
    city = CityFactory(name="Coeur d'Alene & Co", state="ID")
    follow(client, city=city.pk)
    [confirmation] = mail.outbox
    assert (
        confirmation.subject == "Confirm that you follow Coeur d'Alene & Co, ID on Pledge Tracker"
    )
    assert (
        "<title>Confirm that you follow Coeur d&#x27;Alene &amp; Co, ID"
        in (confirmation.alternatives[0][0])
    )


def test_a_stopped_follower_gets_nothing(client, city, approve):
    followed(client, city)
    Follower.objects.update(stopped_at=timezone.now(), stop_reason="bounced")
    approve(city)
    call_command("send_follower_mail")
    assert mail.outbox == []


def test_a_digest_sends_the_changes_once_and_at_most_once_a_day(client, city, approve):
    followed(client, city, frequency=Frequency.DAILY)
    approve(city, code="1.2")
    approve(city, code="1.3")
    assert mail.outbox == []  # a digest follower is not written to at each change
    call_command("send_follower_mail")
    [digest] = mail.outbox
    assert digest.subject == "Minneapolis, MN: 2 new updates"
    assert "action" not in digest.subject
    assert "1.2 " in digest.body and "1.3 " in digest.body
    assert "List-Unsubscribe" in digest.extra_headers
    # Each change with the score just before and just after it, not today's.
    assert "Score: from 0 (Incomplete) to 3 (Incomplete)." in digest.body
    assert "Score: from 3 (Incomplete) to 6 (Incomplete)." in digest.body
    call_command("send_follower_mail")
    assert len(mail.outbox) == 1
    approve(city, code="1.4")
    send_due(timezone.now() + timedelta(hours=22))
    assert len(mail.outbox) == 1  # not a day since the last digest
    send_due(timezone.now() + timedelta(days=1))
    assert len(mail.outbox) == 2
    assert "1.4 " in mail.outbox[1].body and "1.2 " not in mail.outbox[1].body


def test_a_burst_of_approvals_is_one_message_after_the_first(settings, client, city, approve):
    settings.FOLLOW_THROTTLE_MINUTES = 10
    followed(client, city)
    for code in ("1.2", "1.3", "1.4"):
        approve(city, code=code)
    [first] = mail.outbox
    assert "1.2" in first.subject
    assert send_due(timezone.now() + timedelta(minutes=9)) == 0
    assert send_due(timezone.now() + timedelta(minutes=10)) == 1
    second = mail.outbox[1]
    assert second.subject == "Minneapolis, MN: 2 new updates"
    assert "1.3 " in second.body and "1.4 " in second.body and "1.2 " not in second.body
    assert send_due(timezone.now() + timedelta(days=30)) == 0
    assert FollowerDelivery.objects.count() == 3


def test_a_message_tells_the_first_changes_and_counts_the_rest(settings, client, city, approve):
    settings.FOLLOW_UPDATES_PER_MESSAGE = 1
    followed(client, city, frequency=Frequency.WEEKLY)
    approve(city, code="1.2")
    approve(city, code="1.3")
    send_due()
    [digest] = mail.outbox
    assert digest.subject == "Minneapolis, MN: 2 new updates"
    assert "1.2 " in digest.body and "1.3 " not in digest.body
    log = f"{SITE}/updates/?state=MN&city=minneapolis"
    assert f"And 1 more change, on the public log: {log}" in digest.body
    assert f'<a href="{log.replace("&", "&amp;")}">the public log</a>' in digest.alternatives[0][0]
    assert FollowerDelivery.objects.count() == 2  # the counted change is not sent again
    assert send_due(timezone.now() + timedelta(days=8)) == 0


def test_the_same_changes_make_the_same_message_id(client, city, approve):
    follower = followed(client, city, frequency=Frequency.DAILY)
    update = approve(city)
    assert message_id(follower, [update.pk]) == message_id(follower, [update.pk])
    assert message_id(follower, [update.pk]) != message_id(follower, [update.pk, 1])
    send_due()
    assert mail.outbox[0].extra_headers["Message-ID"] == message_id(follower, [update.pk])


def test_addresses_never_confirmed_are_deleted_after_a_week(client, city, other_city):
    follow(client, email="old@example.org", city=city.pk)
    follow(client, email="new@example.org", city=city.pk)
    follow(client, email="kept@example.org", city=other_city.pk)
    week_ago = timezone.now() - timedelta(days=7, minutes=1)
    Follower.objects.exclude(email="new@example.org").update(created_at=week_ago)
    Follower.objects.filter(email="kept@example.org").update(confirmed_at=week_ago)
    call_command("send_follower_mail")
    assert sorted(Follower.objects.values_list("email", flat=True)) == [
        "kept@example.org",
        "new@example.org",
    ]


def test_the_public_pages_link_to_the_follow_form(client, city):
    page = client.get(city.get_absolute_url())
    assert f'<input type="hidden" name="city" value="{city.pk}">' in page.text
    assert 'name="csrfmiddlewaretoken"' not in page.text  # the cached page holds no token
    principle = Principle.objects.get(number=1)
    page = client.get(principle.get_absolute_url())
    assert f'name="principle" value="{principle.slug}"' in page.text
    assert 'action="/follow/"' in client.get(reverse("commitments:updates")).text


def test_the_follow_page_runs_a_fixed_number_of_queries(client, city, django_assert_num_queries):
    url = f"{reverse('follow:follow')}?city={city.pk}"
    with django_assert_num_queries(1):
        page = client.get(url)
    assert "Follow Minneapolis, MN by email" in page.text
    assert 'name="csrfmiddlewaretoken"' in page.text
    assert "no-cache" in page["Cache-Control"] or "max-age=0" in page["Cache-Control"]
    with django_assert_num_queries(0):
        assert client.get(reverse("follow:follow")).status_code == 200


def test_following_is_rate_limited(settings, client, city):
    settings.SUBMISSION_RATE_LIMIT = "1/h"
    assert follow(client, city=city.pk).status_code == 302
    assert follow(client, email="b@example.org", city=city.pk).status_code == 429


class Inbox:
    """An aiosmtpd handler keeping every message it accepts; it refuses the message to
    `refuse` (as a server going away mid-batch would) while `refuse` is set, and the
    recipients in `refused` with their reply."""

    def __init__(self):
        self.messages = []
        self.refuse = None
        self.refused = {}
        self.kill_sender_at, self.sender = None, None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return self.refused[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if envelope.rcpt_tos == [self.refuse]:
            return "451 Requested action aborted: local error in processing"
        if envelope.rcpt_tos == [self.kill_sender_at]:
            self.sender.kill()  # SIGKILL: the worker dies before the message is accepted
            self.sender.wait()
            return "451 The sender is gone"
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def smtp_inbox(settings):
    """A real SMTP server on a free local port, and Django's SMTP backend sending to it."""
    inbox = Inbox()
    with socket.socket() as probe:  # a free port (the controller's start check needs a real one)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox.port = port
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield inbox
    controller.stop()


def recipients(inbox):
    """Who the followers' messages went to (not the submitter's review notice)."""
    return [m["To"] for m in inbox.messages if m["To"] != "submitter@example.org"]


def test_messages_arrive_over_smtp_once_each_despite_a_failure_mid_batch(
    smtp_inbox, client, city, approve
):
    for email in ("a@example.org", "b@example.org", "c@example.org"):
        follow(client, email=email, city=city.pk)
    assert len(smtp_inbox.messages) == 3  # the confirmations, over SMTP
    for confirmation in smtp_inbox.messages:
        text = confirmation.get_body(("plain",)).get_content()
        client.post(re.search(rf"{SITE}(\S*/follow/confirm/\S+/)", text)[1])
    smtp_inbox.messages.clear()
    smtp_inbox.refuse = "b@example.org"  # the batch fails at its second recipient
    update = approve(city)
    assert recipients(smtp_inbox) == ["a@example.org"]
    smtp_inbox.refuse = None
    retried = notify_followers.enqueue(update.pk)
    assert retried.return_value == 2
    assert sorted(recipients(smtp_inbox)) == [
        "a@example.org",
        "b@example.org",
        "c@example.org",
    ]
    message = next(m for m in smtp_inbox.messages if m["To"] == "c@example.org")
    assert message["Subject"].strip() == "Minneapolis, MN: action 1.2 is now “Achieved”"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Unsubscribe"].strip().startswith(f"<{SITE}/follow/unsubscribe/")
    assert message.get_body(("html",)).get_content().startswith("<!DOCTYPE html>")
    assert (
        "Status: from “No information” to “Achieved”." in message.get_body(("plain",)).get_content()
    )


def confirmed_over_smtp(client, inbox, city, emails, frequency="immediately"):
    for email in emails:
        follow(client, email=email, city=city.pk, frequency=frequency)
    for confirmation in inbox.messages:
        text = confirmation.get_body(("plain",)).get_content()
        client.post(re.search(rf"{SITE}(\S*/follow/confirm/\S+/)", text)[1])
    inbox.messages.clear()


def test_an_address_refused_for_good_is_stopped_and_the_batch_goes_on(
    smtp_inbox, client, city, approve
):
    confirmed_over_smtp(client, smtp_inbox, city, ["a@example.org", "b@example.org", "c@x.org"])
    smtp_inbox.refused = {"b@example.org": "550 5.1.1 No such user"}
    approve(city)
    assert sorted(recipients(smtp_inbox)) == ["a@example.org", "c@x.org"]
    bounced = Follower.objects.get(email="b@example.org")
    assert (bounced.stop_reason, bounced.stopped_at is not None) == ("bounced", True)
    smtp_inbox.refused = {}
    assert send_due(timezone.now() + timedelta(days=1)) == 0


def test_an_address_refused_for_now_is_sent_to_by_the_next_run(smtp_inbox, client, city, approve):
    confirmed_over_smtp(client, smtp_inbox, city, ["a@example.org", "b@example.org", "c@x.org"])
    smtp_inbox.refused = {"b@example.org": "450 4.2.1 Mailbox busy, try later"}
    approve(city)
    assert sorted(recipients(smtp_inbox)) == ["a@example.org", "c@x.org"]
    assert Follower.objects.get(email="b@example.org").stopped_at is None
    smtp_inbox.refused = {}
    assert send_due() == 1
    assert sorted(recipients(smtp_inbox)) == ["a@example.org", "b@example.org", "c@x.org"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="another process shares the database on PostgreSQL"
)
def test_a_worker_killed_mid_batch_loses_and_repeats_nothing(smtp_inbox, client, city, approve):
    emails = ["a@example.org", "b@example.org", "c@example.org"]
    confirmed_over_smtp(client, smtp_inbox, city, emails, frequency=Frequency.DAILY)
    approve(city)
    smtp_inbox.kill_sender_at = "b@example.org"
    worker = {"DEBUG": "true", "DATABASE_URL": database_url(), "SITE_URL": SITE,
              "EMAIL_URL": f"smtp://127.0.0.1:{smtp_inbox.port}"}  # fmt: skip
    smtp_inbox.sender = subprocess.Popen(
        [sys.executable, "manage.py", "send_follower_mail"],
        env=os.environ | worker,
        stdout=subprocess.DEVNULL,
    )
    assert smtp_inbox.sender.wait(timeout=60) == -signal.SIGKILL
    assert recipients(smtp_inbox) == ["a@example.org"]
    smtp_inbox.kill_sender_at = None
    assert send_due() == 2  # the retry: the next run
    assert sorted(recipients(smtp_inbox)) == emails
    assert FollowerDelivery.objects.count() == 3


def database_url():
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def test_a_change_claimed_by_another_worker_is_not_sent_again(client, city, approve):
    follower = followed(client, city, frequency=Frequency.DAILY)
    update = approve(city)
    FollowerDelivery.objects.create(follower=follower, update=update)  # the other worker's claim
    assert send_once(follower, [update.pk]) is False
    assert mail.outbox == []


def test_the_confirmation_link_runs_a_fixed_number_of_queries(
    client, city, django_assert_num_queries
):
    follow(client, city=city.pk)
    confirm = link_in(mail.outbox.pop(), "confirm")
    with django_assert_num_queries(1):  # the follower
        assert client.get(confirm).status_code == 200
    # The follower, and marking it confirmed (followers are no part of the public record, so
    # nothing touches the record stamp: `caching.connect`).
    with django_assert_num_queries(2):
        assert client.post(confirm).status_code == 200
    with django_assert_num_queries(1):  # confirmed already: nothing to write
        assert client.get(confirm).status_code == 200


def test_opening_the_link_asks_and_only_the_button_confirms(client, city):
    follow(client, city=city.pk)
    confirm = link_in(mail.outbox.pop(), "confirm")
    page = Client(enforce_csrf_checks=True).get(confirm)  # as a mail scanner would open it
    assert "Send updates about Minneapolis, MN, immediately, to fan@example.org?" in page.text
    assert 'name="csrfmiddlewaretoken"' in page.text
    assert Follower.objects.get().confirmed_at is None
    assert "your address is confirmed" in client.post(confirm).text
    assert Follower.objects.get().confirmed_at is not None


def test_staff_record_a_bounce_in_the_admin_and_mail_stops(admin_client, client, city, approve):
    follower = followed(client, city)
    response = admin_client.post(
        reverse("admin:commitments_follower_changelist"),
        {"action": "mark_bounced", "_selected_action": [follower.pk]},
    )
    assert response.status_code == 302
    follower.refresh_from_db()
    assert (follower.stop_reason, follower.stopped_at is not None) == ("bounced", True)
    page = admin_client.get(reverse("admin:commitments_follower_change", args=[follower.pk]))
    assert 'name="email"' not in page.text  # the address is shown, never edited
    approve(city)
    assert mail.outbox == []


def test_a_link_carries_no_readable_address_and_dies_with_it(client, city):
    follow(client, city=city.pk)
    url = link_in(mail.outbox[0], "confirm")
    payload = signing.b64_decode(signed(url).split(":")[0].encode())
    assert b"fan@example.org" not in payload  # links land in access logs
    assert "fan@example.org" not in url
    assert client.get(url).status_code == 200
    Follower.objects.update(email="new@example.org")
    assert client.get(url).status_code == 404


def test_the_form_sends_on_to_a_page_naming_what_is_followed_and_a_reload_sends_nothing(
    client, city, django_assert_num_queries
):
    response = follow(client, city=city.pk)
    assert response.url == f"/follow/?city={city.pk}&sent=1"
    for _reload in range(2):
        with django_assert_num_queries(1):  # the city
            page = client.get(response.url)
        assert "If this address does not follow Minneapolis, MN yet, we have sent" in page.text
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("kind", ["city", "principle", "tracker"])
def test_each_page_and_the_confirmation_name_what_is_followed_and_how_often(client, city, kind):
    principle = Principle.objects.get(number=1)
    query = {"city": {"city": city.pk}, "principle": {"principle": principle.slug}, "tracker": {}}
    name = {"city": str(city), "principle": html.escape(str(principle))}.get(kind)
    back = {"city": city.get_absolute_url(), "principle": principle.get_absolute_url()}.get(kind)
    response = follow(client, frequency=Frequency.DAILY, **query[kind])
    check = client.get(response.url).text
    [confirmation] = mail.outbox
    how_often = "You asked for updates in a daily digest. A daily digest means at most one"
    assert f"{how_often} email a day, with every change since the last." in confirmation.body
    assert f"<title>{html.escape(confirmation.subject)}</title>" in confirmation.alternatives[0][0]
    url = link_in(confirmation, "confirm")
    asked, confirmed = client.get(url).text, client.post(url).text
    asked_for = f"Send updates about {name or 'all of Pledge Tracker'}, in a daily digest, to"
    assert f"{asked_for} fan@example.org?" in asked
    will_get = f"fan@example.org will get updates about {name or 'all of Pledge Tracker'} in a"
    assert f"{will_get} daily digest." in confirmed
    if name:
        assert f"If this address does not follow {name} yet" in check
        assert f'<a href="{back}">Back to {name}</a>' in confirmed
    else:
        assert "If this address does not follow Pledge Tracker yet" in check
        assert f'<a href="{reverse("commitments:home")}">Back to the home page</a>' in confirmed


def test_the_form_explains_each_frequency_and_how_to_change_it(settings, client):
    settings.FOLLOW_THROTTLE_MINUTES = 15
    page = client.get(reverse("follow:follow")).text
    immediately = "Immediately means one email per change, at most one every 15 minutes"
    assert f"{immediately} (the changes in between come together)." in page
    assert "A daily digest means at most one email a day, with every change since the" in page
    assert "A weekly digest means at most one email a week, with every change since the" in page
    assert "To change how often later, unsubscribe and follow again." in page


class SignedOverAWeekAgo(signing.TimestampSigner):
    def timestamp(self):
        then = timezone.now() - UNCONFIRMED_FOR - timedelta(minutes=1)
        return signing.b62_encode(int(then.timestamp()))


def test_an_expired_or_garbled_confirmation_link_says_so_and_how_to_follow_again(client, city):
    follow(client, city=city.pk)
    payload = signing.loads(signed(link_in(mail.outbox[0], "confirm")), salt=CONFIRM_SALT)
    expired = SignedOverAWeekAgo(salt=CONFIRM_SALT).sign_object(payload)
    for bad in (expired, "garbage"):
        for method in (client.get, client.post):
            response = method(reverse("follow:confirm", args=[bad]))
            assert response.status_code == 404
            assert "This link is not valid any more" in response.text
            assert '<a href="/follow/">follow all of Pledge Tracker</a>' in response.text
    assert Follower.objects.get().confirmed_at is None


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_garbled_unsubscribe_link_says_so_and_changes_nothing(client, city, method):
    url = unsubscribe_url(followed(client, city))
    for bad in (reverse("follow:unsubscribe", args=["garbage"]), url[:-6] + "/"):  # or cut
        response = getattr(client, method)(bad)
        assert response.status_code == 404
        assert "This unsubscribe link was cut or mistyped: nothing has changed." in response.text
        assert "open the link from the latest email we sent you again" in response.text
    assert Follower.objects.exists()


def test_leaving_says_what_stops_and_that_the_rest_goes_on(client, city):
    city_follower = followed(client, city)
    follow(client)  # the whole tracker, from the same address
    client.post(link_in(mail.outbox.pop(), "confirm"))
    url = unsubscribe_url(city_follower)
    page = Client(enforce_csrf_checks=True).post(url)
    assert page.status_code == 200
    left = "You no longer follow Minneapolis, MN: fan@example.org will get no more email"
    assert f"{left} about it." in page.text
    assert "If this address follows anything else, those emails go on" in page.text
    assert list(Follower.objects.values_list("city", flat=True)) == [None]  # the tracker's
    again = Client(enforce_csrf_checks=True).post(url)  # RFC 8058: a mail client may POST twice
    assert again.status_code == 200
    assert "You no longer follow this: the subscription had already ended" in again.text


def test_leaving_the_whole_tracker_names_it(db, client):
    follow(client)
    client.post(link_in(mail.outbox.pop(), "confirm"))
    url = unsubscribe_url(Follower.objects.get())
    assert "Stop emails about all of Pledge Tracker to fan@example.org?" in client.get(url).text
    assert "You no longer follow all of Pledge Tracker: fan@example.org" in client.post(url).text


def test_a_message_says_when_each_change_happened_where_to_see_it_and_why_it_came(
    client, city, approve
):
    followed(client, city)
    approve(city)
    [message] = mail.outbox
    row = f"{SITE}{city.get_absolute_url()}#action-1-2"
    assert "Happened on May 1, 2024." in message.body
    assert f"On the city's page: {row}" in message.body
    why = "You receive this email because you follow Minneapolis, MN on Pledge Tracker."
    assert f"{why} To change how often, unsubscribe and follow again." in message.body
    [(page, _kind)] = message.alternatives
    assert f"<title>{message.subject}</title>" in page
    assert "<p>A new update about Minneapolis, MN on Pledge Tracker:</p>" in page
    assert '<time datetime="2024-05-01">May 1, 2024</time>' in page
    assert f'<a href="{row}">See it on the city\'s page</a>' in page
    assert "because you follow Minneapolis, MN on Pledge Tracker. To change how often" in page


def test_a_digest_names_the_city_when_all_its_changes_are_of_one(client, city, other_city, approve):
    follow(client, frequency=Frequency.DAILY)  # the whole tracker
    client.post(link_in(mail.outbox.pop(), "confirm"))
    approve(city, code="1.2")
    approve(city, code="1.3")
    send_due()
    assert mail.outbox[-1].subject == "Minneapolis, MN: 2 new updates"
    approve(city, code="1.4")
    approve(other_city, code="1.2")
    send_due(timezone.now() + timedelta(days=1))
    digest = mail.outbox[-1]
    assert digest.subject == "Pledge Tracker: 2 new updates"
    assert "2 new updates on Pledge Tracker:" in digest.body
    assert "You receive this email because you follow Pledge Tracker's updates." in digest.body


def test_the_home_page_and_the_city_page_s_follow_and_share_offer_following(client, city):
    home = client.get(reverse("commitments:home")).text
    assert 'action="/follow/"><button type="submit">Follow by email</button>' in home
    page = client.get(city.get_absolute_url()).text
    share = page[page.index('id="reuse-heading"') :]
    assert f'<a href="/follow/?city={city.pk}">Follow Minneapolis\'s updates by email</a>' in share
