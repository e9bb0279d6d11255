"""No lost updates: concurrent proposals and approvals end as if they ran one after the other.

Each test runs two real database connections in threads, released together by a barrier.  The city
row lock serialises them. They run on PostgreSQL, the production database (CI runs them there).
"""

import threading
from datetime import date

import pytest
from django.db import connection, connections, transaction
from django.db.models import F
from django.test import Client

from commitments.api_schema import SchemaView
from commitments.models import Action, CityScore, CurrentStatus, Pledge, ProgressUpdate
from commitments.scores import FIGURES
from commitments.services import (
    approve_update,
    propose_update,
    record_pledge,
    refresh_framework_totals,
    refresh_scores,
)
from tests.factories import (
    CityFactory,
    EvidenceFactory,
    MayorFactory,
    ProgressUpdateFactory,
    StaffFactory,
    UserFactory,
)

# serialized_rollback restores the framework that the data migration seeded. Real concurrent
# connections need a server: the SQLite test database lives in memory, one connection only.
pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrency is tested on PostgreSQL"
    ),
]

ROUNDS = 5


def run_together(*calls):
    """Run each call in its own thread and connection, starting them at the same moment."""
    barrier = threading.Barrier(len(calls))
    errors = []

    def run(call):
        try:
            barrier.wait()
            call()
        except Exception as error:  # reported below, in the test's own thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors


def test_concurrent_approvals_leave_the_latest_update_current():
    city, reviewer = CityFactory(), StaffFactory()
    for action in Action.objects.all()[:ROUNDS]:
        older = ProgressUpdateFactory(city=city, action=action, happened_on=date(2023, 1, 1))
        newer = ProgressUpdateFactory(city=city, action=action, happened_on=date(2025, 1, 1))
        run_together(
            lambda u=older: approve_update(u, reviewer), lambda u=newer: approve_update(u, reviewer)
        )
        assert CurrentStatus.objects.get(city=city, action=action).update == newer


def test_an_approval_during_a_change_of_weight_scores_its_city_with_the_new_weights():
    """The change rescores every city and is slow to commit; the approval begins meanwhile.
    Had it scored its city with the weights it could read then, the old ones, it would store
    that over the change's rescoring. It waits instead: each writes the record's stamp
    (`caching.touch`) before it scores, and the second waits there for the first to commit."""
    city, reviewer = CityFactory(), StaffFactory()
    action = Action.objects.get(code="1.1")
    update = ProgressUpdateFactory(city=city, action=action, status="achieved")
    rescored = threading.Event()

    def change_weight():
        with transaction.atomic():
            Action.objects.filter(pk=action.pk).update(weight=F("weight") + 2)
            refresh_framework_totals()
            rescored.set()
            threading.Event().wait(0.5)  # the approval begins before this commits

    def approve():
        rescored.wait()
        approve_update(update, reviewer)

    run_together(change_weight, approve)
    stored = CityScore.objects.filter(city=city).values(*FIGURES).get()
    refresh_scores(city.pk)
    assert CityScore.objects.filter(city=city).values(*FIGURES).get() == stored


def test_the_same_proposal_posted_twice_at_once_is_logged_once():
    city, advocate = CityFactory(), UserFactory()
    city.advocates.add(advocate)
    for action in Action.objects.all()[:ROUNDS]:
        evidence = EvidenceFactory(city=city, submitted_by=advocate)

        def propose(action=action, evidence=evidence):
            propose_update(
                advocate, city, action, "achieved", "Adopted.", date(2024, 1, 1), [evidence]
            )

        run_together(propose, propose)
        assert ProgressUpdate.objects.filter(city=city, action=action).count() == 1


def test_two_advocates_proposing_at_once_are_both_logged():
    city = CityFactory()
    advocates = [UserFactory(), UserFactory()]
    city.advocates.add(*advocates)
    action = Action.objects.get(code="1.1")
    evidence = [EvidenceFactory(city=city, submitted_by=user) for user in advocates]
    run_together(
        *[
            lambda user=user, item=item: propose_update(
                user, city, action, "in_progress", "Task force.", date(2024, 1, 1), [item]
            )
            for user, item in zip(advocates, evidence, strict=True)
        ]
    )
    assert ProgressUpdate.objects.filter(city=city, action=action).count() == 2


def test_eight_simultaneous_pledge_posts_record_one_step_without_error():
    city, advocate = CityFactory(), UserFactory()
    city.advocates.add(advocate)
    mayor = MayorFactory(city=city)

    def post():
        record_pledge(advocate, mayor, "signed", date(2023, 5, 1), "https://example.org/signed")

    run_together(*[post] * 8)  # fails the test if any post raised
    assert Pledge.objects.filter(mayor=mayor).count() == 1


def test_threads_of_a_worker_take_turns_generating_the_schema(monkeypatch):
    """drf-spectacular's generator is not thread-safe (it answered 500 under load): each thread
    waits for the one generating, however many ask at once."""
    generating, most, counting = 0, 0, threading.Lock()
    generate = SchemaView.generator_class.get_schema

    def watched(generator, *args, **kwargs):
        nonlocal generating, most
        with counting:
            generating += 1
            most = max(most, generating)
        try:
            threading.Event().wait(0.05)  # time for another thread to arrive, if it may
            return generate(generator, *args, **kwargs)
        finally:
            with counting:
                generating -= 1

    monkeypatch.setattr(SchemaView.generator_class, "get_schema", watched)
    statuses = []

    def fetch():
        statuses.append(Client().get("/api/schema/").status_code)

    run_together(*[fetch] * 4)
    assert statuses == [200] * 4 and most == 1
