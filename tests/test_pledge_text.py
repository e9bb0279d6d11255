"""The pledge as written: the template on /pledge/, and each city's pledge filled in."""

import html
import re
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from commitments.models import PledgeStatus, Principle
from tests.factories import ApprovedPledgeFactory, CityFactory, MayorFactory, PoliceKillingFactory

pytestmark = pytest.mark.django_db

SOURCE = Path(settings.BASE_DIR).parent / "shared/seed/mayoral-pledge.txt"
FILL_INS = ["[# of civilians]", "[name of city]", "[#]", "[Black/Latino/etc.]", "[name of mayor]"]
# "N. Title: the commitment in the pledge's own words" (the page numbers them with <ol>).
COMMITMENT = re.compile(r"(\d)\.\s+(.+?):\s+(.+)")
CITY_PLEDGE_QUERIES = 8  # with the read of the record's last change


def normalised(text):
    return " ".join(text.split())


def page_text(response):
    """What a reader sees: tags removed, entities decoded, whitespace normalised."""
    return normalised(html.unescape(re.sub(r"<[^>]+>", "", response.content.decode())))


def template_paragraphs():
    """The paragraphs of the pledge's template section, as the source file has them."""
    source = SOURCE.read_text(encoding="utf-8")
    section = source[source.index("Mayoral Pledge to End Police Violence") :]
    lines = [normalised(line) for line in section.splitlines()]
    # "CLICK HERE to download a .pdf" is the original web page's link, not the pledge.
    return [line for line in lines if line and not line.startswith("CLICK HERE")]


def commitments():
    return [COMMITMENT.fullmatch(line).groups() for line in template_paragraphs()
            if COMMITMENT.fullmatch(line)]  # fmt: skip


def city_pledge(client, city):
    return client.get(reverse("commitments:city_pledge", args=[city.state, city.slug]))


def test_pledge_page_has_every_paragraph_of_the_template(client):
    page = page_text(client.get(reverse("commitments:pledge")))
    paragraphs = template_paragraphs()
    assert len(paragraphs) == 17
    for paragraph in paragraphs:
        commitment = COMMITMENT.fullmatch(paragraph)
        if commitment:
            _number, title, words = commitment.groups()
            assert words in page
            assert f"{title}: {words}" in page
        else:
            assert paragraph in page


def test_pledge_page_keeps_the_michael_brown_paragraph_and_its_year(client):
    page = page_text(client.get(reverse("commitments:pledge")))
    assert "Michael Brown, an unarmed Black teen shot multiple times" in page
    assert "who died at the hands of police in 2014." in page
    assert "In 2014, at least [# of civilians] were killed by police in [name of city]" in page
    assert "[year]" not in page


def test_pledge_page_marks_what_a_city_fills_in(client):
    body = client.get(reverse("commitments:pledge")).content.decode()
    for fill_in in FILL_INS:
        assert f'<mark class="fill-in">{fill_in}</mark>' in body
    assert 'aria-describedby="fill-in-note"' in body and 'id="fill-in-note"' in body
    assert "[Signature of Mayor]" in body


def test_pledge_page_ends_with_the_pledges_attribution(client):
    page = page_text(client.get(reverse("commitments:pledge")))
    assert "[Signature of Mayor] Mapping Police Violence http://mappingpoliceviolence.org" in page


def test_stored_commitments_are_the_pledges_own_words():
    stored = list(Principle.objects.order_by("number").values_list("number", "pledge_text"))
    assert [(number, normalised(text)) for number, text in stored] == [
        (int(number), words) for number, _title, words in commitments()
    ]


def test_stored_commitment_titles_are_the_pledges_own_words():
    stored = list(Principle.objects.order_by("number").values_list("title", flat=True))
    assert stored == [title for _number, title, _words in commitments()]


@pytest.fixture
def minneapolis():
    city = CityFactory(name="Minneapolis", state="MN")
    MayorFactory(city=city, name="Jo Mayor")
    PoliceKillingFactory(city=None, city_name="Elsewhere", date=date(2025, 3, 1))  # data into 2025
    return city


def killed(city, *races, year=2024):
    for race in races:
        PoliceKillingFactory(city=city, race=race, date=date(year, 6, 1))


def test_city_pledge_fills_in_the_count_by_race_of_people_of_color(client, minneapolis):
    killed(minneapolis, "Black", "Black", "Black", "Hispanic", "Hispanic", "White", "Unknown race")
    killed(minneapolis, "Black", year=2023)
    page = page_text(city_pledge(client, minneapolis))
    assert (
        "Police violence is an urgent problem in our city. In 2024, at least 7 people were killed "
        "by police in Minneapolis, 3 of whom were Black and 2 Hispanic.1 It is time for our city"
    ) in page
    assert "I, Mayor Jo Mayor of Minneapolis, commit" in page
    assert "“People of color” counts every recorded race except White." in page
    assert "Race was not recorded for 1 of 7." in page
    assert "[" not in page


@pytest.mark.parametrize(
    ("races", "sentence"),
    [
        (["Black"], "at least 1 person was killed by police in Minneapolis, 1 of whom was Black."),
        (["Hispanic", "Black", "Black"], "3 people were killed by police in Minneapolis, "
                                         "2 of whom were Black and 1 Hispanic."),
        (["Black", "Black", "Hispanic", "Native American", "Asian", "White"],
         "6 people were killed by police in Minneapolis, "
         "2 of whom were Black, 1 Asian, 1 Hispanic, and 1 Native American."),
        (["White"], "1 person was killed by police in Minneapolis, "
                    "who was not recorded as a person of color."),
        (["White", "Unknown race"], "2 people were killed by police in Minneapolis, "
                                    "none of whom were recorded as people of color."),
    ],
)  # fmt: skip
def test_city_pledge_names_one_two_or_many_groups_grammatically(
    client, minneapolis, races, sentence
):
    killed(minneapolis, *races)
    assert sentence in page_text(city_pledge(client, minneapolis))


def test_city_pledge_without_any_data_says_so_instead_of_a_placeholder(client):
    city = CityFactory(name="Quiet", state="VT", slug="quiet")
    body = city_pledge(client, city).content.decode()
    assert (
        '<mark class="fill-in">[Figures on people killed by police in Quiet are not available yet.]'
        "</mark>"
    ) in body
    for placeholder in ["[year]", "[# of civilians]", "[#]", "[Black/Latino/etc.]"]:
        assert placeholder not in body
    assert '<mark class="fill-in">[name of mayor]</mark>' in body  # no sitting mayor on record


def test_signed_mayor_shows_date_and_source_instead_of_a_blank_line(client, minneapolis):
    mayor = minneapolis.mayors.get()
    ApprovedPledgeFactory(mayor=mayor, status=PledgeStatus.URGED, date=date(2024, 11, 2))
    ApprovedPledgeFactory(mayor=mayor, status=PledgeStatus.SIGNED, date=date(2025, 1, 5),
                          source_url="https://example.org/signed?a=1&b=2")  # fmt: skip
    response = city_pledge(client, minneapolis)
    page = page_text(response)
    assert "Signed by Mayor Jo Mayor, Minneapolis, on January 5, 2025." in page
    assert "Source: https://example.org/signed?a=1&b=2" in page
    assert 'href="https://example.org/signed?a=1&amp;b=2"' in response.content.decode()
    assert "____" not in page


def test_unsigned_mayor_gets_a_blank_signature_line(client, minneapolis):
    mayor = minneapolis.mayors.get()
    ApprovedPledgeFactory(mayor=mayor, status=PledgeStatus.URGED)
    page = page_text(city_pledge(client, minneapolis))
    assert "____________________________________ Mayor Jo Mayor, Minneapolis Date:" in page
    assert "Signed by" not in page


def test_signature_stands_with_the_record_that_followed_it(client, minneapolis):
    mayor = minneapolis.mayors.get()
    ApprovedPledgeFactory(mayor=mayor, status=PledgeStatus.SIGNED, date=date(2024, 1, 5))
    ApprovedPledgeFactory(mayor=mayor, status=PledgeStatus.DECLINED, date=date(2025, 2, 1))
    page = page_text(city_pledge(client, minneapolis))
    assert "Signed by Mayor Jo Mayor, Minneapolis, on January 5, 2024." in page
    assert "Since then: Declined on February 1, 2025." in page


def test_city_pledge_prints_the_pledges_attribution_and_the_source(client, minneapolis):
    body = city_pledge(client, minneapolis).content.decode()
    footer = body[body.index('<footer class="small') : body.index("</article>")]
    assert "mappingpoliceviolence.org" in footer and "Mapping Police Violence" in footer
    assert "http://mappingpoliceviolence.org</a>" in footer
    assert 'id="source-note"' in footer
    stylesheet = (Path(settings.BASE_DIR) / "static/css/site.css").read_text()
    print_rules = stylesheet[stylesheet.index("@media print") :]
    assert "body > footer" in print_rules and ", footer {" not in print_rules


def test_city_pledge_escapes_names(client):
    city = CityFactory(name="<b>Town</b>", slug="town")
    MayorFactory(city=city, name="<script>alert(1)</script>")
    body = city_pledge(client, city).content.decode()
    assert "<script>alert" not in body and "<b>Town" not in body
    assert "I, Mayor &lt;script&gt;alert(1)&lt;/script&gt; of &lt;b&gt;Town&lt;/b&gt;" in body


def test_city_pledge_queries_do_not_grow_with_the_data(
    client, minneapolis, django_assert_num_queries
):
    with django_assert_num_queries(CITY_PLEDGE_QUERIES):
        assert city_pledge(client, minneapolis).status_code == 200
    mayor = minneapolis.mayors.get()
    ApprovedPledgeFactory(mayor=mayor, status=PledgeStatus.SIGNED, date=date(2025, 1, 5))
    MayorFactory(city=minneapolis, term_start=date(2010, 1, 1), term_end=date(2014, 1, 1))
    killed(minneapolis, "Black", "Hispanic", "Asian", "White", "Unknown race")
    with django_assert_num_queries(CITY_PLEDGE_QUERIES):
        assert "Signed by" in page_text(city_pledge(client, minneapolis))
