"""Every public page, following's pages, and every advocate's, official's and reviewer's page, in
English and Spanish, in Chromium at 1280 and 375 px: no serious or critical axe-core violation,
no sideways scroll, no request to another host, no console error.

Each page is saved as a screenshot; screenshots/heights.txt lists heights and axe's counts.
"""

import pytest
from django.urls import reverse
from django.utils import translation

from tests.browser.conftest import DESKTOP, PHONE, write_measurements
from tests.browser.pages import check_page, check_pages
from tests.browser.records import demo_record
from tests.url_list import ours, public_urls, url_for

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Pages that need a query string to show what they are for, filled from the record.
QUERIES = {"commitments:compare": "?cities=mn/minneapolis,ga/atlanta",
           "follow:follow": "?city={city.pk}"}  # fmt: skip


def pages(names, record, language="en"):
    """(name, url) of each named URL in `language`, filled from the record; the JSON API is not
    a page (its HTML documentation is), and neither are downloads, feeds and pictures
    (check_pages tells). A Spanish page's name starts with `es:`."""
    with translation.override(language):
        return [
            (name if language == "en" else f"{language}:{name}",
             url_for(name, args, record) + QUERIES.get(name, "").format_map(record))
            for name, args in names
            if not name.startswith("api:") or name == "api:docs"
        ]  # fmt: skip


# One test per width, so that the demo record is seeded once for all its pages.
@pytest.mark.parametrize("width", [DESKTOP, PHONE])
def test_every_page(open_tab, width):
    record = demo_record()
    # Who opens which pages, each in a tab of their own: a visitor, signed in as no one, the
    # public pages and following's (by the record's follower's links); each other page, the
    # person it is for.
    visitor = pages(public_urls() + ours("follow:"), record) + [("login", reverse("login"))]
    visitor += pages(ours("commitments:") + ours("follow:"), record, "es")
    walks = {
        None: visitor,
        "advocate": in_both_languages(ours("advocate:"), record),
        "official": in_both_languages(ours("official:page"), record),
        "reviewer": in_both_languages(ours("official:queue"), record),
    }
    problems, figures = [], []
    for person, walk in walks.items():
        tab = open_tab(width)
        if person:
            tab.log_in(record[person])
        found, measured = check_pages(tab, width, walk)
        problems += found
        figures += measured
    write_measurements(f"pages-{width}", figures)

    seen = {figure["page"] for figure in figures}
    assert {"home", "scorecard", "city", "advocate-dashboard", "advocate-workspace",
            "follow-follow", "follow-confirm", "follow-unsubscribe",
            "official-page", "official-queue"} <= seen  # fmt: skip
    assert {"es-home", "es-city", "es-advocate-workspace", "es-follow-confirm",
            "es-official-page", "es-official-queue"} <= seen  # fmt: skip
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)


def in_both_languages(names, record):
    return pages(names, record) + pages(names, record, "es")


def test_the_page_checks_can_fail(open_tab):
    tab = open_tab(PHONE)
    wide_word = "W" * 200
    tab.page.set_content(
        f'<html lang="en"><title>Bad</title><main><h1>Bad</h1><p>{wide_word}</p>'
        '<img src="https://example.org/tracker.png"></main></html>'
    )
    problems, figure = check_page(tab, PHONE, "bad")
    assert tab.offsite == ["https://example.org/tracker.png"]
    assert [problem.split(" (")[0] for problem in problems[:1]] == ["axe critical image-alt"]
    assert "scrolls sideways" in problems[1]
    assert problems[2] == "requested another host: https://example.org/tracker.png"
    assert figure["axe_severe"] == 1
