"""Property-based tests (hypothesis): whatever a person types into any form or filter, the site
answers with a page or a message, never a server error, and stores only what it accepted."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commitments.models import Pledge, ProgressUpdate
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


FILTERED = ["commitments:scorecard", "commitments:updates", "commitments:updates_csv",
            "commitments:evidence_csv", "api:city-list", "api:update-list", "api:evidence-list",
            "api:pledge-list"]  # fmt: skip
PARAMETERS = ["q", "state", "city", "principle", "action", "status", "grade", "sort", "page",
              "cursor", "pledge_status", "kind", "happened_after", "published_before"]  # fmt: skip


@EXAMPLES
@given(name=st.sampled_from(FILTERED), query=fields_of(PARAMETERS))
def test_no_filter_value_raises_a_server_error(client, record, settings, name, query):
    settings.RATELIMIT_ENABLE = False
    response = client.get(reverse(name), query)
    assert response.status_code in (200, 400, 404)
