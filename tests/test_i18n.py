"""The site in English and Spanish: addresses, the first visit's language, the switcher, the
framework's texts, dates, and a translation for every string the templates show."""

import csv
import io
import re
import shutil
import subprocess
from contextlib import chdir
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.template import engines
from django.templatetags.i18n import BlockTranslateNode, TranslateNode
from django.urls import reverse
from django.utils import translation
from django.utils.translation import trans_real

from commitments.models import Action, Principle
from commitments.scoring import Status
from tests.factories import CityFactory, MayorFactory, rate
from tests.url_list import ours, url_for

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"
PO_FILE = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES" / "django.po"
# Templates that are not for people reading a language: images made for programs, and the
# admin's own pages (staff work in English).
MACHINE_TEMPLATES = {"commitments/badge.svg", "commitments/card.svg"}


def spanish(name, **kwargs):
    with translation.override("es"):
        return reverse(name, **kwargs)


def test_pages_for_people_are_in_spanish_under_es_and_programs_keep_one_address():
    assert spanish("commitments:scorecard") == "/es/cities/"
    assert spanish("advocate:dashboard") == "/es/advocate/"
    assert spanish("login") == "/es/accounts/login/"
    assert reverse("commitments:scorecard") == "/cities/"
    for name in ("data:cities_csv", "data:updates_feed", "api:city-list", "healthz"):
        assert spanish(name) == reverse(name)


@pytest.mark.parametrize(("name", "args"), ours("commitments:"))
def test_every_public_page_answers_in_spanish(client, record, name, args):
    with translation.override("es"):
        url = url_for(name, args, record)
    response = client.get(url)
    assert response.status_code == 200, url
    body = response.content.decode()
    assert '<html lang="es">' in body
    assert '<a class="navbar-brand fw-bold" href="/es/">' in body
    assert ">Ciudades</a>" in body  # the menu


def test_a_first_visit_follows_the_browsers_language(client):
    response = client.get("/cities/?state=OH", HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9,en;q=0.5")
    assert response.status_code == 302
    assert response.url == "/es/cities/?state=OH"
    assert "Accept-Language" in response["Vary"]
    english = client.get("/cities/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert english.status_code == 200 and "Accept-Language" in english["Vary"]


def test_within_the_site_and_after_a_choice_the_language_holds(client):
    prefers_spanish = {"HTTP_ACCEPT_LANGUAGE": "es"}
    within = client.get("/cities/", HTTP_REFERER="http://testserver/es/cities/", **prefers_spanish)
    assert within.status_code == 200  # followed the switcher or a link: stays in English
    chosen = client.get("/language/en/", {"next": "/es/cities/?state=OH"})
    assert chosen.status_code == 302 and chosen.url == "/cities/?state=OH"
    assert chosen.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert client.get("/cities/", **prefers_spanish).status_code == 200  # the choice holds
    client.get("/language/es/", {"next": "/cities/"})
    assert client.get("/cities/").url == "/es/cities/"


def test_the_language_switch_stays_on_this_site(client):
    response = client.get("/language/es/", {"next": "https://elsewhere.example/"})
    assert response.url == "/es/"
    assert client.get("/language/xx/", {"next": "/cities/"}).url == "/cities/"
    assert client.post("/language/es/", {"next": "/cities/"}).status_code == 405
    assert "no-cache" in response["Cache-Control"]


def test_each_language_is_cached_on_its_own(client, city, settings):
    settings.PAGE_CACHE_SECONDS = 300
    assert '<html lang="en">' in client.get("/cities/").content.decode()
    assert '<html lang="es">' in client.get("/es/cities/").content.decode()
    assert '<html lang="en">' in client.get("/cities/").content.decode()
    as_of_today = client.get("/es/cities/", {"as_of": "2000-01-01"})
    assert as_of_today.status_code == 400 and '<html lang="es">' in as_of_today.content.decode()


def test_programs_are_never_sent_elsewhere_for_their_language(client):
    prefers_spanish = {"HTTP_ACCEPT_LANGUAGE": "es"}
    for url in ("/api/cities/", "/data/cities.csv", "/updates/feed/", "/healthz"):
        assert client.get(url, **prefers_spanish).status_code == 200, url


def test_every_page_offers_the_other_language_with_its_filters(client, city):
    body = client.get("/cities/?state=OH&sort=-score").content.decode()
    assert (
        '<link rel="alternate" hreflang="es" href="http://testserver/es/cities/?state=OH&amp;'
        'sort=-score">' in body
    )
    assert '<link rel="alternate" hreflang="x-default" href="http://testserver/cities/' in body
    switch = re.search(r'<a class="nav-link" href="([^"]+)" hreflang="es" lang="es">', body)
    assert switch[1] == "/language/es/?next=/es/cities/%3Fstate%3DOH%26sort%3D-score"
    spanish_page = client.get("/es/cities/?state=OH").content.decode()
    assert '<span class="nav-link active" aria-current="true" lang="es">Español</span>' in (
        spanish_page
    )


def test_the_framework_reads_in_spanish_and_falls_back_to_english(client):
    principle = Principle.objects.get(number=1)
    body = client.get(f"/es/principles/{principle.slug}/").content.decode()
    assert "Garantizar que la policía rinda cuentas a la comunidad" in body
    assert "Los departamentos de policía son financiados por el público" in body
    action = Action.objects.get(code="1.2")
    action.title_es = ""
    action.save()
    body = client.get("/es/principles/").content.decode()
    assert action.title_en in body  # no Spanish yet: the English shows
    assert "Police do not investigate themselves" not in body  # 1.1 has its Spanish


def test_dates_and_numbers_are_written_as_each_language_writes_them(client):
    city = CityFactory(name="Fecha", state="OH", slug="fecha", population=1_234_567)
    MayorFactory(city=city)
    rate(city, {"1.1": Status.ACHIEVED}, happened_on=date(2024, 3, 5))
    english = client.get("/cities/oh/fecha/").content.decode()
    spanish_page = client.get("/es/cities/oh/fecha/").content.decode()
    assert "Mar 5, 2024" in english and "5 mar 2024" in spanish_page
    # Spanish groups thousands with a (non-breaking) space, as the RAE recommends.
    assert "1,234,567" in english and "1\xa0234\xa0567" in spanish_page


def test_downloads_keep_english_column_names_and_values(client, city):
    rate(city, {"1.1": Status.ACHIEVED})
    response = client.get("/data/cities.csv", HTTP_ACCEPT_LANGUAGE="es")
    (row,) = csv.DictReader(io.StringIO(response.content.decode()))
    assert "principle_1_score" in row and row["grade"] == "incomplete"


def template_msgids():
    """(template, catalogue key) of every string a project template marks for translation: the
    msgid, or (msgid, 0) for a string with plural forms."""
    engine = engines["django"].engine
    for path in sorted(TEMPLATES.rglob("*")):
        name = path.relative_to(TEMPLATES).as_posix()
        if path.is_dir() or name in MACHINE_TEMPLATES or name.startswith("admin/"):
            continue
        template = engine.get_template(name)
        for node in template.nodelist.get_nodes_by_type(TranslateNode):
            if not node.noop and isinstance(node.filter_expression.var.literal, str):
                yield name, node.filter_expression.var.literal
        for node in template.nodelist.get_nodes_by_type(BlockTranslateNode):
            singular = node.render_token_list(node.singular)[0]
            yield name, (singular, 0) if node.plural else singular


def test_every_string_the_templates_show_has_a_spanish_translation():
    catalog = trans_real.translation("es")._catalog
    strings = list(template_msgids())
    assert len(strings) > 300, "the templates' strings were found"
    missing = [(name, msgid) for name, msgid in strings if msgid not in catalog]
    assert not missing, f"{len(missing)} strings have no Spanish: {missing[:20]}"


def test_the_spanish_catalogue_is_complete_and_valid():
    statistics = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(PO_FILE)],
        capture_output=True,
        text=True,
    )
    assert statistics.returncode == 0, statistics.stderr
    assert "untranslated" not in statistics.stderr and "fuzzy" not in statistics.stderr


# What makemessages reads to make the catalogue (README, English and Spanish).
SOURCES = ["cities", "commitments", "pledge_tracker", "templates"]


def test_makemessages_finds_every_string_of_the_catalogue_and_no_new_one(tmp_path):
    """The catalogue made again from the sources has nothing new, untranslated or dropped: a
    string marked where makemessages cannot see it (a gettext call inside an f-string) would
    otherwise lose its Spanish the next time the catalogue is made.

    Made in a copy of the sources and the catalogue: makemessages writes beside the files it
    reads (a template's Python rendering) and into the catalogue, never into the project."""
    uncompiled = shutil.ignore_patterns("__pycache__")
    for name in SOURCES:
        shutil.copytree(Path(settings.BASE_DIR) / name, tmp_path / name, ignore=uncompiled)
    shutil.copytree(PO_FILE.parents[2], tmp_path / "locale")
    with chdir(tmp_path):
        call_command("makemessages", locale=["es"], extensions=["html", "txt", "py", "svg"],
                     add_location="file", verbosity=0)  # fmt: skip
    remade = tmp_path / PO_FILE.relative_to(settings.BASE_DIR)
    for kind in ("--untranslated", "--only-fuzzy", "--only-obsolete"):
        found = subprocess.run(["msgattrib", kind, str(remade)], capture_output=True, text=True)
        assert found.returncode == 0 and "msgid" not in found.stdout, (kind, found.stdout[:2000])


def test_charts_draw_with_numbers_svg_reads_in_every_language(client, city):
    rate(city, {"1.1": Status.ACHIEVED}, happened_on=date(2023, 3, 5))
    body = client.get("/es/cities/mn/minneapolis/").content.decode()
    charts = re.findall(r'<svg class="chart".*?</svg>', body, re.DOTALL)
    assert charts, "the city page draws its score history"
    attributes = re.findall(r'\b(?:x|y|cx|cy|width|height|x1|x2|y1|y2)="([^"]*)"', "".join(charts))
    assert attributes and not [value for value in attributes if "," in value]
