"""The database itself refuses records that break the project's invariants."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from commitments.models import CurrentStatus, Evidence, Pledge, PledgeStatus, Principle
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


def violates(create):
    """True when creating the record raises IntegrityError (inside its own savepoint)."""
    try:
        with transaction.atomic():
            create()
    except IntegrityError:
        return True
    return False


def test_slug_is_unique_per_state_only():
    CityFactory(name="Springfield", state="IL")
    assert not violates(lambda: CityFactory(name="Springfield", state="MA"))
    assert violates(lambda: CityFactory(name="Springfield", state="IL"))


def test_state_must_be_a_usps_code():
    assert violates(lambda: CityFactory(state="ZZ"))


def test_city_website_must_be_http():
    assert violates(lambda: CityFactory(website="javascript:alert(1)"))


def test_one_sitting_mayor_per_city():
    city = CityFactory()
    MayorFactory(city=city)
    assert violates(lambda: MayorFactory(city=city))
    assert not violates(
        lambda: MayorFactory(city=city, term_start=date(2010, 1, 1), term_end=date(2014, 1, 1))
    )


def test_mayor_term_ends_after_it_starts():
    assert violates(lambda: MayorFactory(term_start=date(2020, 1, 1), term_end=date(2019, 1, 1)))


def test_principle_numbers_are_one_to_seven():
    assert violates(lambda: Principle.objects.create(number=8, slug="eight", title="Eight"))


def test_update_status_must_be_on_the_scale():
    assert violates(lambda: ProgressUpdateFactory(status="done"))


def test_update_review_state_must_be_known():
    assert violates(lambda: ProgressUpdateFactory(review_state="maybe"))


def test_reviewed_update_needs_a_reviewer():
    assert violates(lambda: ProgressUpdateFactory(review_state="approved"))


def test_rejection_needs_a_note():
    reviewer = StaffFactory()
    assert violates(
        lambda: ProgressUpdateFactory(
            review_state="rejected", reviewed_by=reviewer, reviewed_at=timezone.now()
        )
    )


def test_update_needs_a_summary():
    assert violates(lambda: ProgressUpdateFactory(summary=""))


def test_one_current_status_per_city_and_action():
    update = ApprovedUpdateFactory()
    other = ProgressUpdateFactory(city=update.city, action=update.action)
    assert violates(
        lambda: CurrentStatus.objects.create(city=update.city, action=update.action, update=other)
    )


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.org/x", "data:text/html,x"])
def test_evidence_url_must_be_http_or_https(url):
    assert violates(lambda: EvidenceFactory(url=url))
    with pytest.raises(ValidationError) as error:
        EvidenceFactory.build(url=url, city=CityFactory()).full_clean()
    assert "url" in error.value.message_dict


def test_evidence_accepts_https():
    evidence = EvidenceFactory(url="HTTPS://example.org/report.pdf")
    assert Evidence.objects.filter(pk=evidence.pk).exists()


def test_signed_pledge_needs_a_source():
    assert violates(lambda: PledgeFactory(status=PledgeStatus.SIGNED, source_url=""))


def test_pledge_status_must_be_known():
    assert violates(lambda: PledgeFactory(status="maybe"))


def test_new_mayor_starts_unsigned_and_old_record_stays():
    city = CityFactory()
    old = MayorFactory(city=city, term_start=date(2014, 1, 1), term_end=date(2021, 12, 31))
    PledgeFactory(mayor=old, status=PledgeStatus.SIGNED)
    new = MayorFactory(city=city, term_start=date(2022, 1, 1))
    assert not new.pledges.exists()
    assert Pledge.objects.filter(mayor=old, status=PledgeStatus.SIGNED).count() == 1
