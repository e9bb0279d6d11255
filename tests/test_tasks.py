"""Background work: the email an advocate gets when a submission is reviewed, and the
police-violence import as a task; run at once in tests, and once by the real database worker."""

import logging
import signal
from io import StringIO

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import CommandError, call_command
from django.db import transaction
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from cities.models import PoliceKilling
from cities.tasks import import_police_violence
from commitments.models import Action, ReviewNotice, ReviewState
from commitments.services import approve_pledge, approve_update, reject_evidence, reject_update
from commitments.tasks import after_review, notify_reviewed
from tests.factories import (
    CityFactory,
    EvidenceFactory,
    PledgeFactory,
    ProgressUpdateFactory,
    UserFactory,
    reviewer,
)
from tests.test_police_violence_import import LONG, long_row, write_csv

SITE = "https://pledge.example.org"
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def review(django_capture_on_commit_callbacks):
    """Review an item as a reviewer does, through the review services: one transaction, whose
    commit queues the email (`services.review_act` calls `after_review`)."""

    def review(act, item, note=""):
        with django_capture_on_commit_callbacks(execute=True):
            return act(item, reviewer(), note)

    return review


def test_an_approved_update_emails_its_submitter_once(review, city, advocate):
    update = ProgressUpdateFactory(
        city=city, action=Action.objects.get(code="1.2"), submitted_by=advocate
    )
    review(approve_update, update, note="Thanks: the ordinance says it plainly.")
    [email] = mail.outbox
    assert email.to == ["advocate@example.org"]
    assert email.subject == "Approved: your submission for Minneapolis, MN"
    assert (
        "Your update on 1.2 Independent civilian review board in Minneapolis, MN, “Achieved”, "
        "was approved: it is now part of the city's public record." in email.body
    )
    assert "The reviewer's note:\nThanks: the ordinance says it plainly." in email.body
    assert f"{SITE}/cities/mn/minneapolis/#action-1-2" in email.body
    assert f"{SITE}/advocate/submissions/" in email.body


def test_a_rejection_says_why_and_how_to_correct_it_in_text_and_html(review, city, advocate):
    evidence = EvidenceFactory(city=city, submitted_by=advocate, title="Minutes <b>draft</b>")
    review(reject_evidence, evidence, note="The link shows <script>a 404</script> page.")
    [email] = mail.outbox
    assert email.subject == "Rejected: your submission for Minneapolis, MN"
    assert "Your evidence for Minneapolis, MN, “Minutes <b>draft</b>”, was rejected." in email.body
    assert "The link shows <script>a 404</script> page." in email.body  # plain text, as written
    assert f"workspace: {SITE}/advocate/cities/mn/minneapolis/" in email.body
    [(html, kind)] = email.alternatives
    assert kind == "text/html"
    assert "“Minutes &lt;b&gt;draft&lt;/b&gt;”" in html
    assert "&lt;script&gt;a 404&lt;/script&gt;" in html
    assert "<script>" not in html
    assert f'<a href="{SITE}/advocate/cities/mn/minneapolis/">' in html


def test_a_pledge_records_review_names_the_mayor_and_the_step(review, city, advocate):
    review(approve_pledge, PledgeFactory(mayor=city.mayors.get(), submitted_by=advocate))
    [email] = mail.outbox
    assert (
        "Your pledge record for Jo Mayor of Minneapolis, MN, “Urged” on March 1, 2023, "
        "was approved" in email.body
    )
    assert "reviewer's note" not in email.body
    assert f"page: {SITE}/cities/mn/minneapolis/\n" in email.body


def test_a_retried_task_sends_no_second_email(city, advocate):
    update = approve_update(ProgressUpdateFactory(city=city, submitted_by=advocate), reviewer())
    first = notify_reviewed.enqueue("commitments.progressupdate", update.pk)
    again = notify_reviewed.enqueue("commitments.progressupdate", update.pk)
    assert (first.return_value, again.return_value) == (True, False)
    assert len(mail.outbox) == 1


class MailServerDown(BaseEmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("the mail server is down")


def test_a_send_that_failed_is_sent_by_the_retry(settings, city, advocate):
    update = approve_update(ProgressUpdateFactory(city=city, submitted_by=advocate), reviewer())
    settings.EMAIL_BACKEND = f"{__name__}.MailServerDown"
    failed = notify_reviewed.enqueue("commitments.progressupdate", update.pk)
    assert failed.status == TaskResultStatus.FAILED
    assert not ReviewNotice.objects.exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notify_reviewed.enqueue("commitments.progressupdate", update.pk).return_value is True
    assert len(mail.outbox) == 1


def test_nothing_is_sent_for_a_review_that_is_rolled_back(
    django_capture_on_commit_callbacks, city, advocate
):
    update = ProgressUpdateFactory(city=city, submitted_by=advocate)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        after_review(reject_update(update, reviewer(), note="No source says so."))
        raise RuntimeError("the request fails after the review")
    assert callbacks == []
    assert mail.outbox == []
    update.refresh_from_db()
    assert update.review_state == ReviewState.PENDING


def test_a_submitter_without_an_email_address_gets_nothing(settings, review, city, advocate):
    settings.TASKS = DATABASE_TASKS
    advocate.email = ""
    advocate.save()
    update = review(approve_update, ProgressUpdateFactory(city=city, submitted_by=advocate))
    notices = DBTaskResult.objects.filter(task_path__endswith=".notify_reviewed")
    assert not notices.exists()  # nothing queued (its followers may still be told)
    # Nor when the address went after the task was queued.
    assert notify_reviewed.call("commitments.progressupdate", update.pk) is False
    assert mail.outbox == []


def test_nobody_is_emailed_about_their_own_review(review, city):
    review(approve_update, ProgressUpdateFactory(city=city, submitted_by=reviewer()))
    assert mail.outbox == []


@pytest.fixture
def export(tmp_path, city):
    return write_csv(tmp_path / "mpv.csv", LONG, [long_row("MPV1"), long_row("MPV2", name="B")])


def test_the_import_runs_as_a_task_and_reports_its_counts(export, city):
    result = import_police_violence.enqueue(str(export))
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == {"read": 2, "created": 2, "updated": 0, "unchanged": 0,
                                   "unmatched": 0, "skipped": 0, "problems": []}  # fmt: skip
    assert PoliceKilling.objects.filter(city=city).count() == 2


def test_the_command_queues_the_import_for_a_worker_instead_of_running_it(settings, export):
    settings.TASKS = DATABASE_TASKS
    out = StringIO()
    call_command("import_police_violence", str(export), "--background", stdout=out)
    queued = DBTaskResult.objects.get()
    assert out.getvalue() == f"Queued the import of {export} as task {queued.id}.\n"
    assert queued.args_kwargs == {"args": [str(export)], "kwargs": {"dry_run": False}}
    assert not PoliceKilling.objects.exists()


@pytest.mark.django_db
def test_the_command_refuses_to_queue_a_missing_file(settings, tmp_path):
    settings.TASKS = DATABASE_TASKS
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_police_violence", str(tmp_path / "missing.csv"), "--background")
    assert not DBTaskResult.objects.exists()


@pytest.fixture
def worker_leaves_no_trace():
    """The worker takes over the shutdown signals and its loggers; the test run gets them back."""
    numbers = (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)
    signals = {number: signal.getsignal(number) for number in numbers}
    loggers = [logging.getLogger(name) for name in ("django_tasks", "django_tasks_db")]
    kept = [(logger, logger.level, list(logger.handlers)) for logger in loggers]
    yield
    for number, handler in signals.items():
        signal.signal(number, handler)
    for logger, level, handlers in kept:
        logger.setLevel(level)
        logger.handlers[:] = handlers


# The worker claims and finishes each task in a transaction of its own and checks its database
# connection as in production, so the test cannot run inside one transaction; serialized_rollback
# restores the framework that the data migration seeded.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_database_worker_sends_a_queued_notice(settings, worker_leaves_no_trace):
    settings.TASKS = DATABASE_TASKS
    advocate = UserFactory(username="advocate")
    update = ProgressUpdateFactory(city=CityFactory(), submitted_by=advocate)
    update = reject_update(update, reviewer(), note="No source says so.")
    queued = notify_reviewed.enqueue("commitments.progressupdate", update.pk)
    assert notify_reviewed.get_result(queued.id).status == TaskResultStatus.READY
    assert mail.outbox == []
    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", stdout=StringIO())
    assert notify_reviewed.get_result(queued.id).status == TaskResultStatus.SUCCESSFUL
    [email] = mail.outbox
    assert email.to == ["advocate@example.org"]
    assert email.subject.startswith("Rejected: your submission for ")
