"""Property-based tests (hypothesis): whatever a person types into any form or filter, the site
answers with a page or a message, never a server error, and stores only what it accepted."""

from fractions import Fraction

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cities.models import City
from commitments.models import Action, Pledge, ProgressUpdate
from commitments.scoring import MAX_WEIGHT, Status, grade_for, points_for, rounded, score_share
from commitments.selectors import framework
from commitments.services import refresh_framework_totals
from tests.factories import CityFactory, rate
from tests.test_advocates import proposal, propose_url

pytestmark = pytest.mark.django_db

EXAMPLES = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Anything a browser can send: any text, and near-valid values (dates, URLs, choices).
ANYTHING = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["", " ", "2025-02-30", "1899-12-31", "9999-12-31", "2025-03-04",
                     "https://example.org/x", "javascript:alert(1)", "achieved", "signed",
                     "0", "-1", "1" * 40, "\x00", "＝1+1"]),
)  # fmt: skip


def fields_of(names):
    return st.fixed_dictionaries({}, optional=dict.fromkeys(names, ANYTHING))


@EXAMPLES
@given(changes=fields_of(list(proposal())))
def test_the_proposal_form_never_fails_and_stores_only_what_it_accepts(
    advocate_client, city, settings, changes
):
    settings.RATELIMIT_ENABLE = False
    before = ProgressUpdate.objects.count()
    response = advocate_client.post(propose_url(city), proposal(**changes))
    assert response.status_code in (200, 302)
    stored = ProgressUpdate.objects.count() - before
    # Accepted: stored once (or already stored, when the same proposal came before); refused:
    # nothing stored.
    assert stored in ((0, 1) if response.status_code == 302 else (0,))


@EXAMPLES
@given(data=fields_of(["status", "date", "source_url", "note"]))
def test_the_pledge_form_never_fails_and_stores_only_what_it_accepts(
    advocate_client, city, settings, data
):
    settings.RATELIMIT_ENABLE = False
    url = reverse("advocate:pledge", args=[city.state.lower(), city.slug])
    before = Pledge.objects.count()
    response = advocate_client.post(url, data)
    assert response.status_code in (200, 302)
    stored = Pledge.objects.count() - before
    assert stored in ((0, 1) if response.status_code == 302 else (0,))


FILTERED = ["commitments:scorecard", "commitments:updates", "data:updates_csv",
            "data:evidence_csv", "api:city-list", "api:update-list", "api:evidence-list",
            "api:pledge-list"]  # fmt: skip
PARAMETERS = ["q", "state", "city", "principle", "action", "status", "grade", "sort", "page",
              "cursor", "pledge_status", "kind", "from", "to", "order",
              "published_before"]  # fmt: skip


@EXAMPLES
@given(name=st.sampled_from(FILTERED), query=fields_of(PARAMETERS))
def test_no_filter_value_raises_a_server_error(client, record, settings, name, query):
    settings.RATELIMIT_ENABLE = False
    response = client.get(reverse(name), query)
    assert response.status_code in (200, 400, 404)


STATUS_OR_NONE = st.sampled_from([None, *Status])


@settings(EXAMPLES, max_examples=10)  # each example re-scores the framework
@given(weights=st.lists(st.integers(1, MAX_WEIGHT), min_size=27, max_size=27),
       statuses=st.lists(STATUS_OR_NONE, min_size=27, max_size=27))  # fmt: skip
def test_the_city_page_s_python_arithmetic_agrees_with_the_scored_queryset(weights, statuses):
    """The score history and "what would raise the score" add up actions' shares in Python;
    whatever the weights and statuses, they give the scored queryset's exact score and grade."""
    actions = list(Action.objects.order_by("principle__number", "position"))
    for action, weight in zip(actions, weights, strict=True):
        Action.objects.filter(pk=action.pk).update(weight=weight)
    refresh_framework_totals()
    city = CityFactory()
    rate(city, {action.code: status for action, status in zip(actions, statuses, strict=True)
                if status})  # fmt: skip
    scored = City.objects.with_scores().get(pk=city.pk)
    status_of = {action.pk: status for action, status in zip(actions, statuses, strict=True)}
    exact = sum(
        score_share(points_for(status_of[action.pk]), action, principle)
        for principle in framework()
        for action in principle.actions.all()
    )
    assert exact == Fraction(scored.score_numerator, scored.score_denominator)
    assert rounded(exact) == scored.score
    rated = sum(status is not None for status in statuses)
    assert grade_for(rounded(exact), rated, len(actions)) == scored.grade
