"""The record's whole loop in Chromium: an advocate proposes a status with new evidence and sees
it pending; a reviewer approves it in the admin; a visitor reloads the city page and sees the
new score, the new point of the score over time and the update in the timeline."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cities.models import City
from commitments.models import CurrentStatus
from commitments.scoring import Status
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.records import rated_cities
from tests.factories import ReviewerFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "correct horse battery"  # the factories' password
SUMMARY = "The council adopted an ordinance creating an independent review board."


def log_in(page, url, username):
    page.goto(url)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def propose_achieved(page, city, code, happened_on):
    """From the advocate's dashboard, propose that `code` is achieved, with new evidence."""
    page.get_by_role("link", name=f"{city.name}, {city.state}").click()
    page.wait_for_url(f"**/advocate/cities/{city.state.lower()}/{city.slug}/")  # and htmx loaded
    page.get_by_role("link", name=f"Propose a status for {code}").click()
    page.get_by_role("radio", name=re.compile(r"^Achieved:")).check()
    page.get_by_label("What happened").fill(SUMMARY)
    page.get_by_label("When it happened").fill(happened_on.isoformat())
    page.get_by_label("New evidence: title").fill("Ordinance 2026-41")
    page.get_by_label("New evidence: URL").fill("https://example.org/ordinance-2026-41")
    page.get_by_label("New evidence: publisher").fill("City Council")
    page.get_by_label("New evidence: publication date").fill(happened_on.isoformat())
    page.get_by_label("New evidence: kind").select_option(label="Ordinance")
    page.get_by_label("New evidence: excerpt").fill("An independent review board is created.")
    page.get_by_role("button", name="Submit for review").click()


def approve_in_admin(page, city):
    page.get_by_role("link", name="Progress updates").first.click()
    page.get_by_role("link", name="Pending").click()
    row = page.get_by_role("row").filter(has_text=city.name)
    row.get_by_role("checkbox").check()
    page.locator("select[name=action]").select_option(label="Approve selected pending items")
    page.get_by_role("button", name="Go").click()


def score_history_row(page, month):
    """The Score-over-time table's row for `month` (opening the table as a visitor would)."""
    section = page.get_by_role("region", name="Score over time")
    section.get_by_text("The score month by month").click()
    return section.get_by_role("row").filter(has=page.locator(f'time[datetime="{month}"]'))


@pytest.mark.parametrize("width", [DESKTOP, PHONE])
def test_a_proposal_goes_from_advocate_to_reviewer_to_the_public_page(open_tab, width):
    city = rated_cities()["Atlanta"]
    unachieved = CurrentStatus.objects.filter(city=city, status=Status.NOT_STARTED)
    code = unachieved.order_by("action__code").first().action.code
    advocate = UserFactory(username="atlanta-advocate")
    city.advocates.add(advocate)
    ReviewerFactory(username="browser-reviewer")
    happened_on = timezone.localdate() - timedelta(days=1)
    visitor, advocate_tab, reviewer_tab = open_tab(width), open_tab(width), open_tab(width)

    visitor.page.goto(city.get_absolute_url())
    score_before = int(visitor.page.locator(".score-big").inner_text())

    log_in(advocate_tab.page, "/accounts/login/", "atlanta-advocate")
    propose_achieved(advocate_tab.page, city, code, happened_on)
    row = advocate_tab.page.locator(f"#row-{code.replace('.', '')}")
    expect(row.get_by_role("rowheader")).to_contain_text(f"Your proposal for {code} was saved")
    pending = row.get_by_role("cell").nth(2)  # status, evidence, pending proposals
    expect(pending).to_contain_text("Pending: Achieved")
    expect(row).to_contain_text("Your proposal waits for review")
    advocate_tab.page.reload()
    expect(pending).to_contain_text("Pending: Achieved")

    visitor.page.reload()
    assert int(visitor.page.locator(".score-big").inner_text()) == score_before

    log_in(reviewer_tab.page, "/admin/login/?next=/admin/", "browser-reviewer")
    approve_in_admin(reviewer_tab.page, city)
    expect(reviewer_tab.page.get_by_text("Reviewed 1 item(s).")).to_be_visible()

    visitor.page.reload()
    score_after = int(visitor.page.locator(".score-big").inner_text())
    assert score_after > score_before
    assert score_after == City.objects.with_scores().get(pk=city.pk).score
    timeline = visitor.page.get_by_role("region", name="Timeline of approved updates")
    expect(timeline.get_by_text(SUMMARY)).to_be_visible()
    point = score_history_row(visitor.page, happened_on.strftime("%Y-%m"))
    expect(point.get_by_role("cell").first).to_have_text(str(score_after))

    for tab in (visitor, advocate_tab, reviewer_tab):
        assert tab.offsite == [] and tab.console_errors == []
