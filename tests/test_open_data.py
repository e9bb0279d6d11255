"""Open data: CSV downloads, the JSON API against its own schema, feeds, badge, city pledge."""

import csv
import io
from datetime import date
from xml.etree import ElementTree

import jsonschema
import pytest
from django.core.management import call_command
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from openapi_spec_validator import validate

from commitments.api_schema import RecordSchemaGenerator
from commitments.models import Action, PledgeStatus
from commitments.open_data import neutralise
from commitments.services import reject_update
from tests.factories import (
    ApprovedPledgeFactory,
    ApprovedUpdateFactory,
    CityFactory,
    EvidenceFactory,
    MayorFactory,
    PledgeFactory,
    PoliceKillingFactory,
    ProgressUpdateFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db


def body(response):
    """The whole body, streamed (the log's CSVs) or not (the short lists, cached like pages)."""
    return b"".join(response.streaming_content) if response.streaming else response.content


def read_csv(response):
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(body(response).decode("utf-8"))))


@pytest.fixture
def record():
    """Two cities with approved, pending and rejected items."""
    city = CityFactory(name="Minneapolis", state="MN")
    ApprovedPledgeFactory(mayor=MayorFactory(city=city, name="Jo Mayor"), status="signed")
    for code in ("1.1", "1.2"):
        ApprovedUpdateFactory(city=city, action=Action.objects.get(code=code), summary="PUBLIC")
    ProgressUpdateFactory(
        city=city,
        action=Action.objects.get(code="2.1"),
        summary="PENDING",
        evidence=[EvidenceFactory(city=city, title="PENDING-EVIDENCE")],
    )
    rejected = ProgressUpdateFactory(
        city=city, action=Action.objects.get(code="2.2"), summary="REJECTED"
    )
    reject_update(rejected, StaffFactory(), note="No.")
    PledgeFactory(mayor=city.mayors.get(), status=PledgeStatus.DECLINED)  # pending
    other = CityFactory(name="Austin", state="TX")
    ApprovedUpdateFactory(city=other, action=Action.objects.get(code="3.1"), summary="PUBLIC")
    return city, other


# --- CSV -----------------------------------------------------------------------------------


def test_cities_csv_equals_the_database(client, record, settings):
    settings.SITE_URL = "https://pledge.example.org"  # the site's address, whatever the host
    city, _other = record
    rows = read_csv(client.get(reverse("data:cities_csv")))
    assert len(rows) == 2
    row = next(r for r in rows if r["city"] == "Minneapolis")
    # 1.1 and 1.2 achieved: 200 / 5 = 40 on principle 1; 40 / 7 = 5.7.
    assert (row["state"], row["mayor"], row["pledge_status"]) == ("MN", "Jo Mayor", "signed")
    assert (row["score"], row["score_exact"], row["principle_1_score"]) == ("6", "5.71", "40")
    assert (row["grade"], row["rated_actions"], row["total_actions"]) == ("incomplete", "2", "27")
    assert row["url"] == f"https://pledge.example.org{city.get_absolute_url()}"


def test_cities_csv_takes_the_page_filters(client, record):
    rows = read_csv(client.get(reverse("data:cities_csv"), {"state": "TX"}))
    assert [r["city"] for r in rows] == ["Austin"]


def test_updates_and_evidence_csv_hold_only_approved_items(client, record):
    updates = read_csv(client.get(reverse("data:updates_csv")))
    assert len(updates) == 3 and {u["summary"] for u in updates} == {"PUBLIC"}
    evidence = read_csv(client.get(reverse("data:evidence_csv")))
    assert len(evidence) == 3
    assert "PENDING-EVIDENCE" not in {e["title"] for e in evidence}
    mn = read_csv(client.get(reverse("data:updates_csv"), {"state": "MN"}))
    assert len(mn) == 2


@pytest.mark.parametrize(
    ("value", "expected"),
    [("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"), ("+1", "'+1"), ("-2", "'-2"),
     ("@SUM(A1)", "'@SUM(A1)"), ("plain", "plain"), (-3, -3), (None, "")],
)  # fmt: skip
def test_formula_cells_are_neutralised(value, expected):
    assert neutralise(value) == expected


def test_formula_injection_in_a_download(client):
    city = CityFactory()
    evidence = EvidenceFactory(city=city, title="=cmd|' /C calc'!A0", publisher="@evil")
    ApprovedUpdateFactory(city=city, summary="+SUM(1)", evidence=[evidence])
    row = read_csv(client.get(reverse("data:evidence_csv")))[0]
    assert row["title"] == "'=cmd|' /C calc'!A0" and row["publisher"] == "'@evil"
    assert read_csv(client.get(reverse("data:updates_csv")))[0]["summary"] == "'+SUM(1)"


def test_police_violence_csv_counts_per_city_year_and_race(client):
    city = CityFactory(name="Minneapolis", state="MN")
    for race in ("Black", "Black", "White"):
        PoliceKillingFactory(city=city, race=race, date=date(2024, 5, 1))
    PoliceKillingFactory(city=None, city_name="Elsewhere", state="MN")
    rows = read_csv(client.get(reverse("data:police_violence_csv")))
    assert [(r["city"], r["year"], r["race"], r["people_killed"]) for r in rows] == [
        ("Minneapolis", "2024", "Black", "2"),
        ("Minneapolis", "2024", "White", "1"),
    ]
    assert read_csv(client.get(reverse("data:police_violence_csv"), {"state": "TX"})) == []


# --- API -----------------------------------------------------------------------------------


@pytest.fixture
def openapi(client):
    return client.get("/api/schema/", {"format": "json"}).json()


def assert_matches_schema(openapi, path, response, status=200):
    assert response.status_code == status, response.content
    documented = openapi["paths"][path]["get"]["responses"][str(status)]
    content = documented["content"]["application/json"]
    jsonschema.validate(response.json(), {**content["schema"], "components": openapi["components"]})


def test_schema_is_valid_openapi(openapi):
    validate(openapi)
    assert openapi["openapi"].startswith("3.1")


@pytest.mark.django_db
def test_schema_generates_without_warnings(tmp_path):
    """drf-spectacular's own check: any view it cannot describe fails (the schema view itself
    had been, once its `get` was overridden without keeping it out of the schema)."""
    call_command("spectacular", "--fail-on-warn", f"--file={tmp_path / 'schema.yaml'}")


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("/api/cities/", "/api/cities/"),
        ("/api/cities/mn/minneapolis/", "/api/cities/{state}/{slug}/"),
        ("/api/principles/", "/api/principles/"),
        ("/api/principles/training/", "/api/principles/{slug}/"),
        ("/api/updates/", "/api/updates/"),
        ("/api/evidence/", "/api/evidence/"),
        ("/api/pledges/", "/api/pledges/"),
    ],
)
def test_api_responses_match_the_schema(client, openapi, record, url, path):
    assert_matches_schema(openapi, path, client.get(url))


@pytest.mark.parametrize(
    ("url", "path", "status"),
    [
        ("/api/cities/?grade=Z&page=1", "/api/cities/", 400),
        ("/api/updates/?principle=0", "/api/updates/", 400),
        ("/api/evidence/?q=%00", "/api/evidence/", 400),
        ("/api/cities/?page=9", "/api/cities/", 404),
        ("/api/updates/?cursor=nonsense", "/api/updates/", 404),
        ("/api/cities/mn/nowhere/", "/api/cities/{state}/{slug}/", 404),
        ("/api/cities/%C2%84/minneapolis/", "/api/cities/{state}/{slug}/", 404),
        ("/api/cities/mn/new%0Aline/", "/api/cities/{state}/{slug}/", 404),
        ("/api/evidence/0.5/", "/api/evidence/{id}/", 404),
        ("/api/principles/nothing/", "/api/principles/{slug}/", 404),
    ],
)
def test_api_errors_are_documented(client, openapi, record, url, path, status):
    """Invalid filters, pages, cursors and items answer as the schema says, in JSON, even
    where no route takes the path parameter."""
    assert_matches_schema(openapi, path, client.get(url), status)


def test_api_schema_says_what_filters_accept(client, openapi, record):
    """Blank filters mean "any" (the pages' forms send them); principles and actions are
    listed, so an unknown one is a documented 400, not a surprise."""
    parameters = {p["name"]: p for p in openapi["paths"]["/api/updates/"]["get"]["parameters"]}
    assert all(p["allowEmptyValue"] for p in parameters.values())
    assert parameters["principle"]["schema"]["enum"] == [1, 2, 3, 4, 5, 6, 7]
    assert "1.2" in parameters["action"]["schema"]["enum"]
    assert parameters["q"]["schema"]["maxLength"] == 100
    blank = dict.fromkeys(parameters, "")
    assert client.get("/api/updates/", blank).json() == client.get("/api/updates/").json()


def test_the_schema_is_generated_once_for_each_version_of_the_record(
    client, record, monkeypatch, settings
):
    """Generating it takes tens of milliseconds: it is made once for each version of the record
    and language, and again as soon as the record changes, since its filters list the actions.
    (Without the page cache, which would answer the repeated requests itself.)"""
    settings.PAGE_CACHE_SECONDS = 0
    generate = SchemaGenerator.get_schema
    generated = []

    def counted(generator, *args, **kwargs):
        generated.append(generator)
        return generate(generator, *args, **kwargs)

    monkeypatch.setattr(SchemaGenerator, "get_schema", counted)

    def actions(**query):
        schema = client.get("/api/schema/", {"format": "json", **query}).json()
        parameters = schema["paths"]["/api/updates/"]["get"]["parameters"]
        return next(p for p in parameters if p["name"] == "action")["schema"]["enum"]

    assert actions() == actions() and len(generated) == 1
    actions(lang="es")
    actions()
    assert len(generated) == 2
    actions(lang="xx-made-up")  # the view takes any language: generated, not kept
    assert len(generated) == 3 and len(RecordSchemaGenerator.made) == 2
    action = Action.objects.get(code="1.2")
    action.code = "1.9"
    action.save()
    assert "1.9" in actions() and "1.2" not in actions()
    assert len(generated) == 4


def test_api_never_shows_unapproved_items(client, record):
    for url in ("/api/updates/", "/api/evidence/", "/api/pledges/", "/api/cities/mn/minneapolis/"):
        body = client.get(url).content.decode()
        for secret in ("PENDING", "REJECTED", "declined"):
            assert secret not in body, (url, secret)


def test_api_city_scores_and_filters(client, record):
    data = client.get("/api/cities/", {"state": "MN"}).json()
    assert data["count"] == 1
    city = data["results"][0]
    assert (city["score"], city["score_exact"], city["pledge_status"]) == (6, "5.71", "signed")
    assert (city["grade"], city["graded"], city["rated_actions"]) == ("incomplete", False, 2)
    assert city["principle_scores"][0] == {
        "principle": 1, "score": 40, "points": 200, "weight": 5, "rated_actions": 2,
        "total_actions": 5,
    }  # fmt: skip
    assert client.get("/api/cities/", {"pledge_status": "not_asked"}).json()["count"] == 1
    assert client.get("/api/cities/", {"grade": "A"}).json()["count"] == 0
    assert client.get("/api/cities/", {"grade": "Z"}).status_code == 400


def test_api_update_filters(client, record):
    def found(**filters):
        return len(client.get("/api/updates/", filters).json()["results"])

    assert found(principle=1) == 2
    assert found(state="TX") == 1
    assert found(**{"from": "2030-01-01"}) == 0


def test_city_scorecard_lists_all_actions(client, record):
    data = client.get("/api/cities/mn/minneapolis/").json()
    assert [p["number"] for p in data["principles"]] == [1, 2, 3, 4, 5, 6, 7]
    first = data["principles"][0]["actions"][0]
    assert (first["code"], first["status"], first["points"]) == ("1.1", "achieved", 100)
    assert data["principles"][1]["actions"][0]["status"] is None  # pending: no information
    assert client.get("/api/cities/mn/nowhere/").status_code == 404


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_nobody_writes_through_the_api(staff_client, record, method):
    response = getattr(staff_client, method)("/api/updates/", {}, content_type="application/json")
    assert response.status_code in (403, 405)


def test_api_list_queries_are_bounded(client, record, django_assert_max_num_queries):
    for _ in range(10):
        ApprovedUpdateFactory(city=CityFactory())
    with django_assert_max_num_queries(4):
        client.get("/api/cities/")
    with django_assert_max_num_queries(4):
        client.get("/api/updates/")


def test_api_docs_come_from_installed_assets(client):
    body = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/" in body
    assert "cdn" not in body.lower()


# --- Feeds and badge -----------------------------------------------------------------------

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.mark.parametrize(
    ("url", "entries"),
    [
        ("/updates/feed/", 3),
        ("/cities/mn/minneapolis/feed/", 2),
        ("/principles/diversity/feed/", 1),
    ],
)
def test_atom_feeds_of_approved_updates(client, record, url, entries):
    response = client.get(url)
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ElementTree.fromstring(response.content)
    assert len(feed.findall(f"{ATOM}entry")) == entries
    assert b"PENDING" not in response.content and b"REJECTED" not in response.content


def test_badge_is_a_cacheable_svg(client, record):
    response = client.get("/cities/mn/minneapolis/badge.svg")
    assert response["Content-Type"] == "image/svg+xml"
    assert "max-age=3600" in response["Cache-Control"]
    svg = ElementTree.fromstring(response.content)
    assert svg.get("role") == "img"
    assert svg.find("{http://www.w3.org/2000/svg}title").text == (
        "Minneapolis, Minnesota: pledge score 6 of 100 (provisional), no grade yet, "
        "rated on 2 of 27 actions"
    )


def test_badge_escapes_the_city_name(client):
    CityFactory(name="<Evil & Co>", slug="evil", state="MN")
    assert b"&lt;Evil &amp; Co&gt;" in client.get("/cities/mn/evil/badge.svg").content


def test_city_page_offers_the_embed_snippet_and_feed(client, record):
    body = client.get("/cities/mn/minneapolis/").content.decode()
    assert "badge.svg" in body and "/cities/mn/minneapolis/feed/" in body


# --- Police violence on city pages and the city's pledge --------------------------------------


@pytest.fixture
def killings():
    city = CityFactory(name="Minneapolis", state="MN")
    mayor = MayorFactory(city=city, name="Jo Mayor")
    for race in ("Black", "Black", "Hispanic", "Unknown race"):
        PoliceKillingFactory(city=city, race=race, date=date(2024, 6, 1))
    PoliceKillingFactory(city=city, race="White", date=date(2023, 2, 1))
    PoliceKillingFactory(city=None, city_name="Elsewhere", date=date(2025, 3, 1))  # data into 2025
    return city, mayor


def test_city_page_shows_killings_per_year_by_race(client, killings):
    body = client.get("/cities/mn/minneapolis/").content.decode()
    assert '<th scope="row">2024</th><td class="text-end fw-bold">4</td>' in body
    assert "Mapping Police Violence" in body and "records through" in body


def test_city_pledge_is_filled_in_with_the_last_full_year(client, killings):
    body = " ".join(client.get("/cities/mn/minneapolis/pledge/").content.decode().split())
    assert "In 2024, at least" in body
    assert '#police-violence">4</a> people were killed by police in Minneapolis' in body
    assert '#police-violence">2</a> of whom were Black and <a' in body
    assert '#police-violence">1</a> Hispanic.' in body
    assert "I, Mayor Jo Mayor of Minneapolis" in body
    assert "____" in body and "signed this pledge" not in body


def test_city_pledge_says_when_the_mayor_signed(client, killings):
    _city, mayor = killings
    ApprovedPledgeFactory(mayor=mayor, status="signed", date=date(2025, 1, 5),
                          source_url="https://example.org/signed")  # fmt: skip
    body = client.get("/cities/mn/minneapolis/pledge/").content.decode()
    assert "Mayor Jo Mayor signed this pledge on" in body and "https://example.org/signed" in body


def test_city_pledge_without_data_says_so(client):
    CityFactory(name="Quiet", state="VT", slug="quiet")
    body = client.get("/cities/vt/quiet/pledge/").content.decode()
    assert "No police-violence data has been imported yet" in body


def test_data_page_explains_downloads_and_licence(client):
    body = client.get("/data/").content.decode()
    assert "CC BY 4.0" in body and "/api/schema/" in body and "cities.csv" in body


def test_city_pledge_with_no_deaths_in_the_last_full_year_says_so(client, killings):
    CityFactory(name="Quiet", state="VT", slug="quiet")
    body = client.get("/cities/vt/quiet/pledge/").content.decode()
    assert "In 2024, no one killed by police in Quiet was recorded." in body


def test_the_logs_csvs_stream_and_the_short_lists_are_sent_whole(client):
    for url in ("/data/updates.csv", "/data/evidence.csv"):
        response = client.get(url)
        assert response.streaming, url
        b"".join(response.streaming_content)
    for url in ("/data/cities.csv", "/data/police-violence.csv"):
        response = client.get(url)
        assert not response.streaming and response["ETag"], url
