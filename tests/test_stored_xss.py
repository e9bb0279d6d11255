"""Hostile text sent through the advocate's form, once approved, comes out inert everywhere the
public reads it: pages, CSV, feeds, the API and the badge."""

import csv
import io
from xml.etree import ElementTree

import pytest
from django.urls import reverse

from commitments.models import Action, ProgressUpdate
from commitments.services import approve_update
from tests.factories import reviewer
from tests.test_advocates import proposal, propose_url
from tests.url_list import public_urls, url_for

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
IMAGE = '<img src=x onerror="alert(2)">'
QUOTE = '"><svg onload=alert(3)>'
FORMULA = '＝HYPERLINK("http://evil.example")'  # full-width equals sign
HOSTILE = [SCRIPT, IMAGE, QUOTE]
HOSTILE_ACTION = "1.2"


@pytest.fixture
def hostile_record(advocate_client, city, record):
    response = advocate_client.post(
        propose_url(city, HOSTILE_ACTION),
        proposal(
            summary=f"{FORMULA} {SCRIPT} {IMAGE}",
            evidence_title=f"{QUOTE} {SCRIPT}",
            evidence_publisher=IMAGE,
            evidence_url="https://example.org/report?a=1&b=<2>",
        ),
    )
    assert response.status_code == 302
    approve_update(ProgressUpdate.objects.get(summary__startswith=FORMULA), reviewer())
    return record


@pytest.fixture
def hostile_admin_record(client, staff_user, hostile_record):
    """Staff's admin forms too: the title of the hostile proposal's action (in progress, so the
    city page says what achieving it would add), and the sitting mayor's name. The pages are
    then read by an anonymous visitor."""
    client.force_login(staff_user)  # the proposal signed the one test client in as the advocate
    city = hostile_record["city"]
    action = Action.objects.get(code=HOSTILE_ACTION)
    mayor = city.mayors.get()
    edits = [
        ("admin:commitments_action_change", action.pk,
         {"principle": action.principle_id, "code": action.code, "position": action.position,
          "title_en": f"{SCRIPT} {QUOTE}", "title_es": action.title_es,
          "achieved_when_en": f"{action.achieved_when_en} {IMAGE}",
          "achieved_when_es": action.achieved_when_es, "weight": 1}),
        ("admin:cities_mayor_change", mayor.pk,
         {"city": city.pk, "name": IMAGE, "term_start": mayor.term_start.isoformat()}),
    ]  # fmt: skip
    for name, pk, data in edits:
        response = client.post(reverse(name, args=[pk]), data)
        assert response.status_code == 302, response.content.decode()[-2000:]
    action.refresh_from_db()
    mayor.refresh_from_db()
    assert (action.title_en, mayor.name) == (f"{SCRIPT} {QUOTE}", IMAGE)  # saved, not refused
    client.logout()
    return hostile_record


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
    ],
)
def test_urls_other_than_http_are_refused(advocate_client, city, url):
    response = advocate_client.post(propose_url(city), proposal(evidence_url=url))
    assert response.status_code == 200  # the form again, with its message
    assert not ProgressUpdate.objects.exists()


def body(response):
    content = b"".join(response) if response.streaming else response.content
    return content.decode()


@pytest.mark.parametrize(("name", "args"), public_urls())
def test_hostile_text_is_inert_on_every_public_url(client, hostile_admin_record, name, args):
    """Markup (pages, feeds, the badge) carries it escaped and stays well-formed; data (CSV,
    JSON) carries it verbatim under a type no browser renders as a page."""
    url = url_for(name, args, hostile_admin_record)
    response = client.get(url)
    kind = response["Content-Type"].split(";")[0]
    assert response["X-Content-Type-Options"] == "nosniff"
    if kind == "image/png":
        return  # pixels (the share card): its SVG source is checked in test_sharing
    text = body(response)
    if kind in ("text/csv", "application/json", "application/javascript"):
        return
    for payload in HOSTILE:
        assert payload not in text, (url, payload)
    if kind.endswith("xml"):
        ElementTree.fromstring(text.encode())  # a feed or the badge: still well-formed XML


def test_the_hostile_text_is_shown_as_text(client, hostile_admin_record):
    """The checks above are not passing on pages that left the text out."""
    page = body(client.get(reverse("commitments:updates")))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    city_page = body(client.get(hostile_admin_record["city"].get_absolute_url()))
    assert "&lt;img src=x onerror=" in city_page  # the mayor's name, from the admin

    anchor = f"action-{HOSTILE_ACTION.replace('.', '-')}"
    row = city_page.split(f'<tr id="{anchor}"')[1].split("</tr>")[0]
    assert row.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 3  # title, summary, source
    gain = city_page.split(f'<li><a href="#{anchor}">')[1].split("</li>")[0]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in gain  # its title
    assert "Achieved when: " in gain and "&lt;img src=x onerror=" in gain
    feed = body(client.get(reverse("data:updates_feed")))
    assert "alert(1)" in feed


def test_csv_cells_never_start_a_formula(client, hostile_record):
    rows = list(csv.reader(io.StringIO(body(client.get(reverse("data:updates_csv"))))))
    summaries = [cell for row in rows for cell in row if "HYPERLINK" in cell]
    assert summaries and all(cell.startswith("'") for cell in summaries)
