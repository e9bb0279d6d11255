"""The database itself refuses records that break the project's invariants."""

from datetime import date, timedelta

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from commitments.models import Action, CurrentStatus, Evidence, Pledge, PledgeStatus, Principle
from commitments.scoring import MAX_WEIGHT
from tests.factories import (
    ApprovedUpdateFactory,
    CityFactory,
    EvidenceFactory,
    MayorFactory,
    PledgeFactory,
    ProgressUpdateFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db


def constraint_named(name):
    for model in apps.get_models():
        for constraint in model._meta.constraints:
            if constraint.name == name:
                return model, constraint
    raise LookupError(name)


def violates(name, create):
    """True when creating the record is refused by the database constraint `name`.

    PostgreSQL names the constraint in its error; SQLite names check constraints, and reports
    a unique one by its columns.
    """
    try:
        with transaction.atomic():
            create()
    except IntegrityError as error:
        model, constraint = constraint_named(name)
        message = str(error)
        if isinstance(constraint, models.UniqueConstraint) and connection.vendor == "sqlite":
            table = model._meta.db_table
            columns = [model._meta.get_field(field).column for field in constraint.fields]
            return message == "UNIQUE constraint failed: " + ", ".join(
                f"{table}.{column}" for column in columns
            )
        return name in message
    return False


def allowed(create):
    with transaction.atomic():
        create()
    return True


def test_slug_is_unique_per_state_only():
    CityFactory(name="Springfield", state="IL")
    assert allowed(lambda: CityFactory(name="Springfield", state="MA"))
    assert violates(
        "city_slug_unique_per_state",
        lambda: CityFactory(name="Springfield", state="IL"),
    )


def test_state_must_be_a_usps_code():
    assert violates("city_state_is_usps_code", lambda: CityFactory(state="ZZ"))


def test_city_website_must_be_http():
    assert violates("city_website_is_http", lambda: CityFactory(website="javascript:alert(1)"))


def test_one_sitting_mayor_per_city():
    city = CityFactory()
    MayorFactory(city=city)
    assert violates("one_sitting_mayor_per_city", lambda: MayorFactory(city=city))
    assert allowed(
        lambda: MayorFactory(city=city, term_start=date(2010, 1, 1), term_end=date(2014, 1, 1))
    )


def test_mayor_term_ends_after_it_starts():
    assert violates(
        "mayor_term_ends_after_it_starts",
        lambda: MayorFactory(term_start=date(2020, 1, 1), term_end=date(2019, 1, 1)),
    )


def test_principle_numbers_are_one_to_seven():
    assert violates(
        "principle_number_1_to_7",
        lambda: Principle.objects.create(number=8, slug="eight", title="Eight"),
    )


@pytest.mark.parametrize("weight", [0, MAX_WEIGHT + 1])
def test_action_weight_is_bounded(weight):
    assert violates(
        "action_weight_in_range", lambda: Action.objects.filter(code="1.1").update(weight=weight)
    )


def test_update_status_must_be_on_the_scale():
    assert violates("progress_update_status_valid", lambda: ProgressUpdateFactory(status="done"))


def test_update_review_state_must_be_known():
    assert violates(
        "progressupdate_review_state_valid", lambda: ProgressUpdateFactory(review_state="maybe")
    )


def test_reviewed_update_needs_a_reviewer():
    assert violates(
        "progressupdate_reviewed_has_reviewer",
        lambda: ProgressUpdateFactory(review_state="approved"),
    )


def test_rejection_needs_a_note():
    reviewer = StaffFactory()
    assert violates(
        "progressupdate_rejection_has_note",
        lambda: ProgressUpdateFactory(
            review_state="rejected",
            reviewed_by=reviewer,
            reviewed_at=timezone.now() + timedelta(minutes=1),  # only the note is missing
        ),
    )


def test_update_needs_a_summary():
    assert violates("progress_update_has_summary", lambda: ProgressUpdateFactory(summary=""))


def test_one_current_status_per_city_and_action():
    update = ApprovedUpdateFactory()
    other = ProgressUpdateFactory(city=update.city, action=update.action)
    assert violates(
        "one_current_status_per_city_action",
        lambda: CurrentStatus.objects.create(
            city=update.city,
            action=update.action,
            update=other,
            status="achieved",
            happened_on=other.happened_on,
        ),
    )


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.org/x", "data:text/html,x"])
def test_evidence_url_must_be_http_or_https(url):
    assert violates("evidence_url_is_http", lambda: EvidenceFactory(url=url))
    with pytest.raises(ValidationError) as error:
        EvidenceFactory.build(url=url, city=CityFactory()).full_clean()
    assert "url" in error.value.message_dict


def test_evidence_accepts_https():
    evidence = EvidenceFactory(url="HTTPS://example.org/report.pdf")
    assert Evidence.objects.filter(pk=evidence.pk).exists()


def test_signed_pledge_needs_a_source():
    assert violates(
        "signed_pledge_has_source", lambda: PledgeFactory(status=PledgeStatus.SIGNED, source_url="")
    )


def test_pledge_status_must_be_known():
    assert violates("pledge_status_valid", lambda: PledgeFactory(status="maybe"))


def test_new_mayor_starts_unsigned_and_old_record_stays():
    city = CityFactory()
    old = MayorFactory(city=city, term_start=date(2014, 1, 1), term_end=date(2021, 12, 31))
    PledgeFactory(mayor=old, status=PledgeStatus.SIGNED)
    new = MayorFactory(city=city, term_start=date(2022, 1, 1))
    assert not new.pledges.exists()
    assert Pledge.objects.filter(mayor=old, status=PledgeStatus.SIGNED).count() == 1
