"""The advocate's workspace, proposal form and submissions: a to-do list, a form that says its
rules before it is sent, and a record of what review made of each submission."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from commitments.models import Action, Follower, ProgressUpdate, ReviewState
from commitments.services import reject_update
from tests.factories import (
    ApprovedEvidenceFactory,
    ApprovedUpdateFactory,
    ProgressUpdateFactory,
    ReviewerFactory,
)
from tests.test_advocates import city_args, proposal, propose_url

pytestmark = pytest.mark.django_db


def workspace(client, city, **query):
    url = reverse("advocate:workspace", args=city_args(city))
    return client.get(url, query).content.decode()


def action(code):
    return Action.objects.get(code=code)


def row_codes(body):
    return re.findall(r'<tr id="row-(\d+)">', body)


@pytest.fixture
def worked_city(city, advocate):
    """A city with a fresh, a stale, a reversed and an unrated action, and two pending
    proposals (one the advocate's own)."""
    today = timezone.localdate()
    ApprovedUpdateFactory(city=city, action=action("1.1"), happened_on=today - timedelta(days=9))
    ApprovedUpdateFactory(city=city, action=action("2.1"), happened_on=today - timedelta(days=500))
    ApprovedUpdateFactory(city=city, action=action("3.1"), status="reversed",
                          happened_on=today - timedelta(days=20))  # fmt: skip
    ProgressUpdateFactory(city=city, action=action("4.1"), submitted_by=advocate)
    ProgressUpdateFactory(city=city, action=action("5.1"))
    return city


def test_the_workspace_groups_actions_by_principle_with_what_achieved_means(
    advocate_client, worked_city
):
    body = workspace(advocate_client, worked_city)
    headings = re.findall(r'<h2 class="h5" id="principle-(\d)">', body)
    assert headings == [str(number) for number in range(1, 8)]
    assert len(row_codes(body)) == 27
    first = action("1.1")
    assert f"Achieved when: {first.achieved_when}" in body
    evidence = first.progress_updates.get().evidence.get()
    assert f'<a href="{evidence.url}" rel="noopener noreferrer" target="_blank">' in body
    assert 'max="27" value="3"' in body  # rated on 3 of 27
    assert "Stale: nothing newer for over 12 months" in body


@pytest.mark.parametrize(
    ("show", "codes"),
    [("unrated", 24), ("stale", ["21"]), ("pending", ["41", "51"]), ("reversed", ["31"])],
)
def test_the_workspace_shows_one_kind_of_action_kept_in_the_url(
    advocate_client, worked_city, show, codes
):
    body = workspace(advocate_client, worked_city, show=show)
    shown = row_codes(body)
    assert (len(shown) if isinstance(codes, int) else shown) == codes
    assert f'href="?show={show}" aria-current="page"' in body
    assert "Unrated (24)" in body and "Stale (1)" in body and "Pending review (2)" in body


def test_the_workspace_runs_a_fixed_number_of_queries(
    advocate_client, worked_city, django_assert_num_queries
):
    workspace(advocate_client, worked_city)  # the session and permissions, loaded once
    with django_assert_num_queries(13):
        workspace(advocate_client, worked_city)
    for code in ("6.1", "6.2", "7.1"):
        ApprovedUpdateFactory(city=worked_city, action=action(code))
        ProgressUpdateFactory(city=worked_city, action=action(code))
    with django_assert_num_queries(13):
        workspace(advocate_client, worked_city)


def test_the_form_preselects_no_status_and_says_its_rules(advocate_client, city):
    ApprovedEvidenceFactory(city=city, title="Older", published_on=date(2023, 1, 1))
    newer = ApprovedEvidenceFactory(city=city, title="Newer", publisher="The Ledger",
                                    published_on=date(2024, 6, 1))  # fmt: skip
    ApprovedUpdateFactory(city=city, action=action("2.2"), evidence=[newer])
    body = advocate_client.get(propose_url(city)).content.decode()
    statuses = re.findall(r'<input [^>]*name="status"[^>]*>', body)
    assert len(statuses) == 5 and not [radio for radio in statuses if "checked" in radio]
    assert "Achieved: Done as the pledge asks." in body
    assert f"Achieved when: {action('1.1').achieved_when}" in body
    assert "tick at least one source already on record, add a new one below, or both" in body
    titles = re.findall(r"(Newer|Older) — ", body)
    assert titles == ["Newer", "Older"]
    assert "Newer — The Ledger, Jun 1, 2024 · backs 2.2" in body
    assert '<legend class="h6">New evidence</legend>' in body


def test_errors_are_summed_up_with_links_to_their_fields(advocate_client, city):
    response = advocate_client.post(propose_url(city), proposal(status="", summary=""))
    body = response.content.decode()
    assert '<a href="#id_status_0">Status: Choose the status that the evidence shows.</a>' in body
    assert '<a href="#id_summary">What happened: This field is required.</a>' in body
    assert 'id="id_status_0"' in body and 'id="id_summary"' in body
    assert not ProgressUpdate.objects.exists()


def test_a_second_proposal_waits_for_the_first_to_be_reviewed(advocate_client, city):
    assert advocate_client.post(propose_url(city), proposal()).status_code == 302
    first = ProgressUpdate.objects.get()
    again = advocate_client.post(propose_url(city), proposal(status="achieved"))
    body = again.content.decode()
    assert "still waits for review: a reviewer decides on it before you propose another" in body
    assert f'href="/advocate/submissions/#update-{first.pk}">See your pending proposal' in body
    assert ProgressUpdate.objects.count() == 1
    row = workspace(advocate_client, city)
    assert f'href="/advocate/submissions/#update-{first.pk}">Your proposal waits for review' in row
    reject_update(first, ReviewerFactory(), "No source for this.")
    assert advocate_client.post(propose_url(city), proposal(status="achieved")).status_code == 302


def test_a_saved_proposal_is_confirmed_in_place(advocate_client, city):
    response = advocate_client.post(propose_url(city), proposal(), headers={"HX-Request": "true"})
    body = response.content.decode()
    assert 'tabindex="-1" data-announce="Your proposal for 1.1 was saved for review."' in body
    assert '<p class="alert alert-success small py-1 mb-1">Your proposal for 1.1 was saved' in body
    assert "Your proposal waits for review" in body and "Propose a status" not in body
    plain = advocate_client.post(propose_url(city, "1.2"), proposal())
    assert plain.url.endswith("/advocate/cities/mn/minneapolis/#row-12")


def test_submissions_show_dates_links_notes_and_filter_by_outcome(advocate_client, advocate, city):
    advocate_client.post(propose_url(city), proposal())
    advocate_client.post(propose_url(city, "1.2"), proposal(summary="Second."))
    rejected = ProgressUpdate.objects.get(action__code="1.2")
    reject_update(rejected, ReviewerFactory(), "The source is a press release.")
    body = advocate_client.get(reverse("advocate:submissions")).content.decode()
    today = timezone.localdate()
    assert f'<time datetime="{today.isoformat()}' in body
    assert f'<tr id="update-{rejected.pk}">' in body
    assert f'href="{city.get_absolute_url()}#action-1-2">1.2' in body
    assert "https://example.org/resolution-2025-17" in body
    assert "The source is a press release." in body
    only_rejected = reverse("advocate:submissions") + "?outcome=rejected"
    body = advocate_client.get(only_rejected).content.decode()
    assert f'<tr id="update-{rejected.pk}">' in body and "Second." in body
    assert body.count('<tr id="update-') == 1
    assert "None with this outcome." in body  # no rejected pledge records
    assert str(ReviewState.REJECTED.label) in body


def test_advocates_see_how_many_follow_their_city_and_the_public_does_not(
    advocate_client, client, city
):
    Follower.objects.create(email="a@example.org", city=city, confirmed_at=timezone.now())
    Follower.objects.create(email="b@example.org", city=city)  # not confirmed: not counted
    assert "1 address follows this city by email" in workspace(advocate_client, city)
    assert "follows this city by email" not in client.get(city.get_absolute_url()).content.decode()
