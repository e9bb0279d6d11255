"""Sharing and the accessibility details a browser shows: the share card and link previews, the
favicon, the badge's colours, labelled scrolling regions, and htmx swaps that say what changed."""

import re
import struct
from html.parser import HTMLParser
from pathlib import Path
from unittest import mock
from xml.etree import ElementTree

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from cities.models import City
from commitments.cards import (
    BADGE_LABEL_COLOUR,
    CARD_HEIGHT,
    CARD_WIDTH,
    GRADE_COLOURS,
    TEXT_ON_COLOUR,
    card_svg,
)
from commitments.models import Action, PledgeStatus
from commitments.scoring import Grade, Status
from tests.factories import ApprovedPledgeFactory, ApprovedUpdateFactory, CityFactory, rate
from tests.test_advocates import proposal, propose_url
from tests.url_list import public_urls, url_for

pytestmark = pytest.mark.django_db

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SVG = "{http://www.w3.org/2000/svg}"
# A card: one city lookup with its scores, after the read of the record's last change.
CARD_QUERIES = 2


def card_url(city):
    return reverse("data:city_card", args=[city.state.lower(), city.slug])


def png_size(content):
    """Width and height from a PNG's header: the signature, then the IHDR chunk."""
    assert content[:8] == PNG_SIGNATURE
    assert content[12:16] == b"IHDR"
    return struct.unpack(">II", content[16:24])


@pytest.fixture
def graded_city():
    """Every action rated: principle 1 achieved, the rest partly; (100 + 6 × 50) / 7 = 57, a C."""
    city = CityFactory(name="Columbus", state="OH")
    statuses = {
        action.code: Status.ACHIEVED if action.principle.number == 1 else Status.PARTIALLY_ACHIEVED
        for action in Action.objects.select_related("principle")
    }
    rate(city, statuses)
    return City.objects.with_scores().get(pk=city.pk)


# --- The share card ---------------------------------------------------------------------------


def test_the_card_is_a_png_of_the_size_link_previews_expect(client, graded_city):
    response = client.get(card_url(graded_city))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert png_size(response.content) == (CARD_WIDTH, CARD_HEIGHT) == (1200, 630)


def test_the_card_shows_the_city_its_score_grade_and_coverage(graded_city):
    assert (graded_city.score, graded_city.grade) == (57, Grade.C)
    svg = ElementTree.fromstring(card_svg(graded_city))
    texts = [" ".join(element.itertext()) for element in svg.iter(f"{SVG}text")]
    assert "Columbus" in texts and "Ohio" in texts and "Pledge Tracker" in texts
    assert "57  / 100" in texts and "C" in texts
    assert "Rated on 27 of 27 actions" in texts
    assert svg.find(f"{SVG}circle").get("fill") == GRADE_COLOURS[Grade.C]
    title = svg.find(f"{SVG}title").text
    assert title == "Columbus, Ohio: pledge score 57 of 100, grade C, rated on 27 of 27 actions"


def test_an_incomplete_city_s_card_says_so_instead_of_a_grade(city):
    ApprovedUpdateFactory(city=city, action=Action.objects.get(code="1.1"))
    svg = card_svg(City.objects.with_scores().get(pk=city.pk))
    assert "Provisional pledge score" in svg and ">Incomplete<" in svg
    assert "(provisional), no grade yet" in svg


def test_a_hostile_city_name_is_escaped_in_the_card_and_still_renders(client):
    city = CityFactory(name='<script>alert(1)</script> & "Co"', slug="hostile", state="MN")
    svg = card_svg(City.objects.with_scores().get(pk=city.pk))
    assert "<script>" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Co&quot;" in svg
    ElementTree.fromstring(svg)  # still well-formed
    assert png_size(client.get(card_url(city)).content) == (1200, 630)


def test_the_card_is_cached_and_answers_conditional_requests(
    client, graded_city, django_assert_num_queries
):
    with django_assert_num_queries(CARD_QUERIES):
        first = client.get(card_url(graded_city))
    assert first.status_code == 200
    assert "max-age=3600" in first["Cache-Control"] and "public" in first["Cache-Control"]
    with django_assert_num_queries(1):  # the record's last change; the card comes from the cache
        again = client.get(card_url(graded_city))
    assert again.content == first.content
    conditional = client.get(card_url(graded_city), headers={"If-None-Match": first["ETag"]})
    assert conditional.status_code == 304
    assert client.post(card_url(graded_city)).status_code == 405


def test_a_card_is_drawn_again_only_when_what_it_shows_changes(client, graded_city):
    import cairosvg

    with mock.patch.object(cairosvg, "svg2png", wraps=cairosvg.svg2png) as draw:
        client.get(card_url(graded_city))
        rate(CityFactory(), {"1.1": Status.ACHIEVED})  # another city: the record changes
        again = client.get(card_url(graded_city))
        assert again.status_code == 200 and draw.call_count == 1
        ApprovedUpdateFactory(city=graded_city, action=Action.objects.get(code="7.1"))
        client.get(card_url(graded_city))
        assert draw.call_count == 2


def test_card_queries_do_not_grow_with_the_data(client, city, django_assert_num_queries):
    ApprovedUpdateFactory(city=city, action=Action.objects.get(code="1.1"))
    with django_assert_num_queries(CARD_QUERIES):
        assert client.get(card_url(city)).status_code == 200
    for code in ("1.2", "2.1", "3.1", "4.1", "5.1", "6.1", "7.1"):
        ApprovedUpdateFactory(city=city, action=Action.objects.get(code=code))
    for _ in range(5):
        rate(CityFactory(), {"1.1": Status.ACHIEVED, "2.2": Status.IN_PROGRESS})
    with django_assert_num_queries(CARD_QUERIES):
        assert client.get(card_url(city)).status_code == 200


def test_an_unknown_city_has_no_card(client, city):
    assert client.get("/cities/mn/nowhere/card.png").status_code == 404


# --- Link previews and the favicon -------------------------------------------------------------


class HeadTags(HTMLParser):
    """The <meta> and <link> tags of a page, and its elements that scroll sideways."""

    def __init__(self):
        super().__init__()
        self.meta, self.links, self.ids, self.scrolling = {}, [], set(), []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "meta" and ("property" in attrs or "name" in attrs):
            self.meta[attrs.get("property") or attrs["name"]] = attrs.get("content")
        if tag == "link":
            self.links.append(attrs)
        if "table-responsive" in (attrs.get("class") or "").split():
            self.scrolling.append(attrs)


def parsed(response):
    tags = HeadTags()
    tags.feed(response.content.decode())
    return tags


def test_a_city_page_previews_with_its_card(client, graded_city):
    page = parsed(client.get(graded_city.get_absolute_url()))
    meta = page.meta
    assert meta["og:image"] == "http://testserver/cities/oh/columbus/card.png"
    assert (meta["og:image:width"], meta["og:image:height"]) == ("1200", "630")
    assert meta["og:image:type"] == "image/png"
    assert meta["og:image:alt"].startswith("Columbus, Ohio: pledge score 57 of 100, grade C")
    assert meta["twitter:card"] == "summary_large_image"
    assert meta["og:title"].startswith("Columbus, Ohio")
    assert meta["og:url"] == "http://testserver/cities/oh/columbus/"
    canonical = [link["href"] for link in page.links if link.get("rel") == "canonical"]
    assert canonical == [meta["og:url"]]
    assert client.get(meta["og:image"]).status_code == 200


def test_a_hostile_city_name_is_escaped_in_the_previews(client):
    city = CityFactory(name='"><script>alert(1)</script>', slug="hostile", state="MN")
    body = client.get(city.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in body
    page = parsed(client.get(city.get_absolute_url()))
    assert page.meta["og:title"].startswith('"><script>alert(1)</script>, Minnesota')


@pytest.mark.parametrize(("name", "args"), public_urls())
def test_every_page_links_the_favicon_and_labels_what_scrolls_sideways(client, record, name, args):
    """Scrolling regions: a keyboard can reach them (tabindex) and a screen reader names them."""
    response = client.get(url_for(name, args, record))
    if not response["Content-Type"].startswith("text/html"):
        return
    page = parsed(response)
    icons = [link for link in page.links if link.get("rel") == "icon"]
    assert icons, name
    if name == "api:docs":
        return  # drf-spectacular's page, with its own icon and no scrolling tables of ours
    assert page.meta["og:site_name"] == "Pledge Tracker", name
    assert icons[0]["href"] == "/static/favicon.svg"
    assert_scrolling_regions_labelled(page, name)


def assert_scrolling_regions_labelled(page, name):
    for region in page.scrolling:
        assert region.get("tabindex") == "0", (name, region)
        assert region.get("role") == "region", (name, region)
        label = region.get("aria-label") or region.get("aria-labelledby")
        assert label, (name, region)
        if "aria-labelledby" in region:
            assert region["aria-labelledby"] in page.ids, (name, region)


def test_the_city_pages_scrolling_tables_are_labelled(client, record):
    """The test above is not passing on pages that have no scrolling table."""
    page = parsed(client.get(record["city"].get_absolute_url()))
    assert page.scrolling
    assert_scrolling_regions_labelled(page, "commitments:city")


def test_the_advocate_pages_scrolling_tables_are_labelled(advocate_client, city):
    advocate_client.post(propose_url(city), proposal())
    for url in (reverse("advocate:workspace", args=[city.state.lower(), city.slug]),
                reverse("advocate:submissions")):  # fmt: skip
        page = parsed(advocate_client.get(url))
        assert page.scrolling, url
        assert_scrolling_regions_labelled(page, url)


def test_favicon_ico_leads_to_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/favicon.png"
    assert "max-age=3600" in response["Cache-Control"]
    icon = Path(finders.find("favicon.png")).read_bytes()
    assert png_size(icon) == (64, 64)
    assert Path(finders.find("favicon.svg")).read_text().startswith("<svg")


# --- Contrast (WCAG 2 AA: 4.5:1 for text) ------------------------------------------------------


def luminance(colour):
    """Relative luminance of a #rrggbb colour, as WCAG 2 defines it."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground, background):
    lighter, darker = sorted([luminance(foreground), luminance(background)], reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_the_contrast_formula_gives_wcag_s_own_figures():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#777777", "#777777") == pytest.approx(1)
    assert contrast("#997404", "#ffffff") == pytest.approx(4.33, abs=0.01)  # the old badge C


@pytest.mark.parametrize("grade", list(Grade))
def test_every_badge_and_card_colour_carries_white_text_legibly(grade):
    assert contrast(TEXT_ON_COLOUR, GRADE_COLOURS[grade]) >= 4.5


def test_the_badge_s_label_carries_white_text_legibly():
    assert contrast(TEXT_ON_COLOUR, BADGE_LABEL_COLOUR) >= 4.5


def test_the_badge_uses_these_colours(client, graded_city):
    svg = client.get(reverse("data:badge", args=["oh", "columbus"])).content.decode()
    assert f'fill="{GRADE_COLOURS[Grade.C]}"' in svg and f'fill="{TEXT_ON_COLOUR}"' in svg


def bootstrap_colour(name):
    """A colour variable of Bootstrap's light theme (the first definition in its CSS)."""
    css = Path(finders.find("bootstrap/css/bootstrap.min.css")).read_text()
    return re.search(rf"--bs-{name}:(#[0-9a-f]{{6}})", css).group(1)


def test_the_signed_pledge_s_source_link_is_legible_on_its_alert(client, record):
    city = record["city"]
    ApprovedPledgeFactory(mayor=city.mayors.get(), status=PledgeStatus.SIGNED)
    url = reverse("commitments:city_pledge", args=[city.state.lower(), city.slug])
    body = client.get(url).content.decode()
    alert = re.search(r'<p class="alert alert-success">.*?</p>', body, re.S).group(0)
    assert '<a class="alert-link"' in alert  # Bootstrap colours it --bs-success-text-emphasis
    background = bootstrap_colour("success-bg-subtle")
    assert contrast(bootstrap_colour("success-text-emphasis"), background) >= 4.5
    assert contrast(bootstrap_colour("link-color"), background) < 4.5  # a plain link is not


# --- htmx swaps move focus and say what happened -----------------------------------------------


def announced(body):
    """The focus target of a swapped fragment and its message."""
    found = re.findall(r'<(\w+)[^>]* tabindex="-1" data-announce="([^"]+)"', body)
    assert len(found) == 1, body[:500]
    return found[0]


def test_opening_the_proposal_form_in_place_announces_it(advocate_client, city):
    response = advocate_client.get(propose_url(city), headers={"HX-Request": "true"})
    assert announced(response.content.decode()) == ("h3", "Propose a status for 1.1: form opened.")


def test_a_refused_proposal_announces_what_to_fix(advocate_client, city):
    response = advocate_client.post(
        propose_url(city), proposal(summary=""), headers={"HX-Request": "true"}
    )
    message = "Your proposal for 1.1 was not saved: correct the fields marked below."
    assert announced(response.content.decode()) == ("h3", message)


def test_a_saved_proposal_announces_it_in_its_row(advocate_client, city):
    response = advocate_client.post(propose_url(city), proposal(), headers={"HX-Request": "true"})
    message = "Your proposal for 1.1 was saved for review."
    assert announced(response.content.decode()) == ("th", message)


def test_a_cancelled_proposal_announces_it(advocate_client, city):
    url = reverse("advocate:row", args=[city.state.lower(), city.slug, "1.1"])
    response = advocate_client.get(url, headers={"HX-Request": "true"})
    assert announced(response.content.decode()) == ("th", "Proposal for 1.1 cancelled.")


def test_the_workspace_has_a_status_region_and_the_script_but_announces_nothing(
    advocate_client, city
):
    body = advocate_client.get(reverse("advocate:workspace", args=["mn", city.slug])).content
    body = body.decode()
    assert '<div id="htmx-status" class="visually-hidden" role="status" aria-live="polite">' in body
    assert '<script src="/static/js/htmx-announce.js" defer></script>' in body
    assert "data-announce" not in body
    script = Path(finders.find("js/htmx-announce.js")).read_text()
    assert "htmx:load" in script and "htmx-status" in script and ".focus()" in script


def test_the_header_links_have_a_ring_that_shows_on_the_dark_bar():
    css = (Path(settings.BASE_DIR) / "static" / "css" / "site.css").read_text()
    assert ".navbar-dark :focus-visible { outline: 3px solid #fff;" in css
    assert contrast("#ffffff", bootstrap_colour("dark")) >= 3  # WCAG 2.2 for a focus indicator


@pytest.mark.parametrize("rule", [r"\.grade-{} \{{ background: (#[0-9a-f]{{6}});",
                                  r"\.map-marker-{} \{{ fill: (#[0-9a-f]{{6}});"])  # fmt: skip
def test_the_pages_grades_and_map_markers_have_the_badge_s_colours(rule):
    css = Path(finders.find("css/site.css")).read_text()
    letters = [grade for grade in Grade if grade != Grade.INCOMPLETE]
    assert {grade: re.search(rule.format(grade), css)[1] for grade in letters} == {
        grade: GRADE_COLOURS[grade] for grade in letters
    }
