"""Importing Mapping Police Violence exports: both header styles, CSV and XLSX, safely, and
matching rows to tracked cities by city, agency or alias."""

import csv
from datetime import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook

from cities.models import City, CityAlias, PoliceKilling
from cities.police_violence import HeaderError, import_police_violence, place_key
from tests.factories import CityFactory
from tests.test_constraints import violates

pytestmark = pytest.mark.django_db

LONG = ["Victim's name", "Victim's age", "Victim's gender", "Victim's race",
        "URL of image of victim", "Date of Incident (month/day/year)", "Street Address of Incident",
        "City", "State", "Zipcode", "County", "Agency responsible for death", "Cause of death",
        "Unarmed/Did Not Have an Actual Weapon", "MPV ID"]  # fmt: skip
SHORT = ["name", "age", "gender", "race", "victim_image", "date", "street_address", "city",
         "state", "zip", "county", "agency_responsible", "ori", "cause_of_death",
         "allegedly_armed", "mpv_id", "fe_id"]  # fmt: skip


def long_row(mpv_id, name="Jamar Example", city="Minneapolis", state="MN", when="11/15/2015",
             race="Black", age="24", agency="Minneapolis Police Department"):  # fmt: skip
    return [name, age, "Male", race, "", when, "", city, state, "55411", "Hennepin", agency,
            "Gunshot", "Unarmed", mpv_id]  # fmt: skip


def short_row(mpv_id, name="Ana Example", city="St. Louis", state="MO", when="2024-03-02",
              race="Hispanic", age="31"):  # fmt: skip
    return [name, age, "Female", race, "", when, "", city, state, "63101", "St. Louis City",
            "St. Louis Metropolitan Police Department", "", "Gunshot", "Allegedly armed", mpv_id,
            ""]  # fmt: skip


def write_csv(path, header, rows):
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path, header, rows):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


@pytest.fixture
def cities():
    return CityFactory(name="Minneapolis", state="MN"), CityFactory(name="Saint Louis", state="MO")


def test_long_headers_from_csv(tmp_path, cities):
    nowhere = long_row("2", city="Nowhere", agency="Nowhere Police Department")
    path = write_csv(tmp_path / "mpv.csv", LONG, [long_row("1"), nowhere])
    summary = import_police_violence(path)
    assert (summary.read, summary.created, summary.unmatched, summary.skipped) == (2, 2, 1, 0)
    record = PoliceKilling.objects.get(mpv_id="1")
    assert (record.name, record.age, record.race, record.city) == (
        "Jamar Example",
        24,
        "Black",
        cities[0],
    )
    assert str(record.date) == "2015-11-15" and record.armed_status == "Unarmed"
    assert PoliceKilling.objects.get(mpv_id="2").city is None  # kept, not dropped


def test_short_headers_from_xlsx_match_saint_and_st(tmp_path, cities):
    path = write_xlsx(tmp_path / "mpv.xlsx", SHORT, [short_row("9001")])
    summary = import_police_violence(path)
    assert (summary.created, summary.unmatched) == (1, 0)
    record = PoliceKilling.objects.get(mpv_id="9001")
    assert record.city == cities[1]
    assert record.agency == "St. Louis Metropolitan Police Department"


def test_xlsx_with_real_dates_and_numeric_ids(tmp_path, cities):
    row = long_row(77, when=datetime(2020, 5, 25), age=46)
    import_police_violence(write_xlsx(tmp_path / "mpv.xlsx", LONG, [row]))
    record = PoliceKilling.objects.get(mpv_id="77")
    assert (str(record.date), record.age) == ("2020-05-25", 46)


@pytest.mark.parametrize(
    ("name", "state", "expected"),
    [("ST. LOUIS", "mo", ("st louis", "MO")), ("Saint Louis", "MO", ("st louis", "MO")),
     ("New York City", "NY", ("new york", "NY")), ("Coeur d'Alene", "ID", ("coeur dalene", "ID"))],
)  # fmt: skip
def test_place_key_ignores_case_punctuation_and_saint(name, state, expected):
    assert place_key(name, state) == expected


def test_reimport_updates_changed_rows_and_adds_new_ones(tmp_path, cities):
    import_police_violence(write_csv(tmp_path / "a.csv", LONG, [long_row("1"), long_row("2")]))
    newer = [long_row("1", age="25"), long_row("2"), long_row("3")]
    summary = import_police_violence(write_csv(tmp_path / "b.csv", LONG, newer))
    assert (summary.created, summary.updated, summary.unchanged) == (1, 1, 1)
    assert PoliceKilling.objects.count() == 3
    assert PoliceKilling.objects.get(mpv_id="1").age == 25


def test_malformed_rows_are_reported_by_line_and_skipped(tmp_path, cities):
    rows = [long_row("1"), long_row("2", when="not a date"), long_row("3", state="ZZ")]
    summary = import_police_violence(write_csv(tmp_path / "bad.csv", LONG, rows))
    assert (summary.created, summary.skipped) == (1, 2)
    assert summary.problems == [
        "line 3: bad date “not a date”; skipped",
        "line 4: unknown state “ZZ”; skipped",
    ]


def test_rows_dated_before_1900_or_in_the_future_are_skipped(tmp_path, cities):
    rows = [long_row("1", when="01/01/1850"), long_row("2", when="01/01/2205")]
    summary = import_police_violence(write_csv(tmp_path / "dates.csv", LONG, rows))
    assert (summary.created, summary.skipped) == (0, 2)
    assert summary.problems == [
        "line 2: date 1850-01-01: Dates before 1900 are not accepted; skipped",
        "line 3: date 2205-01-01: This date is in the future; skipped",
    ]


def test_control_characters_in_the_file_are_dropped(tmp_path, cities):
    import_police_violence(write_csv(tmp_path / "c0.csv", LONG, [long_row("1", name="Jo\x0bEx")]))
    assert PoliceKilling.objects.get().name == "JoEx"


def test_unknown_header_names_the_missing_columns(tmp_path):
    path = write_csv(tmp_path / "x.csv", ["name", "age", "date"], [["A", "1", "2020-01-01"]])
    with pytest.raises(HeaderError) as error:
        import_police_violence(path)
    assert "“gender”" in str(error.value) and "“mpv_id”" in str(error.value)
    assert not PoliceKilling.objects.exists()


def test_an_interrupted_import_changes_nothing(tmp_path, cities):
    import_police_violence(write_csv(tmp_path / "a.csv", LONG, [long_row("1")]))
    rows = [long_row(str(n), age="50") for n in range(1, 2500)]

    def interrupt(stage, count):
        # After the first batch is written: without the transaction, it would stay.
        if stage == "written":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        import_police_violence(write_csv(tmp_path / "b.csv", LONG, rows), progress=interrupt)
    assert PoliceKilling.objects.count() == 1
    assert PoliceKilling.objects.get().age == 24


def test_command_prints_a_summary_and_fails_clearly(tmp_path, cities, capsys):
    call_command(
        "import_police_violence", str(write_csv(tmp_path / "a.csv", SHORT, [short_row("5")]))
    )
    assert "Read 1, created 1, updated 0, unchanged 0, unmatched 0" in capsys.readouterr().out
    with pytest.raises(CommandError, match="missing columns"):
        call_command("import_police_violence", str(write_csv(tmp_path / "b.csv", ["x"], [])))


# --- Matching by agency and alias ----------------------------------------------------------


@pytest.fixture
def new_york():
    return CityFactory(
        name="New York City", state="NY", police_department="New York Police Department"
    )


def ny_row(mpv_id, city, agency, state="NY"):
    return long_row(mpv_id, city=city, state=state, agency=agency)


def matches():
    return {record.mpv_id: (record.city, record.match) for record in PoliceKilling.objects.all()}


def test_rows_elsewhere_match_the_one_tracked_department_named(tmp_path, new_york):
    CityFactory(name="Yonkers", state="NY", police_department="Yonkers Police Department")
    rows = [
        ny_row("1", "Brooklyn", "New York Police Department"),
        ny_row("2", "Bronx", "new york police dept., U.S. Marshals Service"),
        ny_row("3", "Bronx", "New York Police Department, Yonkers Police Department"),
        ny_row("4", "Newark", "New York Police Department", state="NJ"),
        ny_row("5", "Yonkers", "New York Police Department"),
    ]
    import_police_violence(write_csv(tmp_path / "mpv.csv", LONG, rows))
    yonkers = City.objects.get(name="Yonkers")
    assert matches() == {
        "1": (new_york, "agency"),
        "2": (new_york, "agency"),
        "3": (None, ""),  # two tracked departments named: neither city's alone
        "4": (None, ""),  # a department is matched in its own state only
        "5": (yonkers, "city"),  # the place named comes first
    }


def test_rows_match_a_city_by_its_aliases(tmp_path, new_york):
    CityAlias.objects.create(city=new_york, name="Staten Island")
    rows = [ny_row("1", "STATEN ISLAND", "New York State Police"), ny_row("2", "Albany", "")]
    summary = import_police_violence(write_csv(tmp_path / "mpv.csv", LONG, rows))
    assert matches() == {"1": (new_york, "alias"), "2": (None, "")}
    assert summary.matched["New York City, NY"] == {"alias": 1}
    assert summary.unmatched_by_state == {"NY": 1}


def test_reimport_moves_rows_to_a_city_once_staff_add_an_alias(tmp_path, new_york):
    path = write_csv(tmp_path / "mpv.csv", LONG, [ny_row("1", "Jamaica", "Port Authority")])
    import_police_violence(path)
    assert matches() == {"1": (None, "")}
    CityAlias.objects.create(city=new_york, name="Jamaica")
    summary = import_police_violence(path)
    assert (summary.updated, matches()) == (1, {"1": (new_york, "alias")})


def test_an_alias_is_one_citys_in_its_state(new_york):
    CityAlias.objects.create(city=new_york, name="Jamaica")
    other = CityFactory(name="Hempstead", state="NY")
    duplicate = CityAlias(city=other, name="jamaica.")
    with pytest.raises(ValidationError, match="already an alias of New York City, NY"):
        duplicate.full_clean()
    assert violates("city_alias_unique_per_state", duplicate.save)


def test_an_alias_may_repeat_in_another_state_but_not_name_a_tracked_city(new_york):
    CityAlias.objects.create(city=new_york, name="Jamaica")
    CityAlias(city=CityFactory(name="Queens", state="VT"), name="Jamaica").full_clean()
    with pytest.raises(ValidationError, match="A tracked city has this name"):
        CityAlias(city=new_york, name="New York").full_clean()


def test_staff_manage_aliases_on_the_city_page(staff_client, new_york):
    CityAlias.objects.create(city=new_york, name="Flushing")
    page = staff_client.get(reverse("admin:cities_city_change", args=[new_york.pk]))
    assert "Flushing" in page.content.decode()
    listing = staff_client.get(reverse("admin:cities_cityalias_changelist"), {"q": "flush"})
    assert "Flushing" in listing.content.decode()
    elsewhere = CityFactory(name="Hempstead", state="NY")
    add = {"city": elsewhere.pk, "name": "FLUSHING"}
    refused = staff_client.post(reverse("admin:cities_cityalias_add"), add)
    assert "already an alias of New York City, NY" in refused.content.decode()


# --- Rows without an MPV ID, ages as text ----------------------------------------------------


def test_rows_without_an_id_are_kept_under_a_stable_key(tmp_path, cities):
    rows = [long_row("", name="Name withheld"), long_row("", name="Name withheld"),
            long_row("", name="Ana Other")]  # fmt: skip
    path = write_csv(tmp_path / "a.csv", LONG, rows)
    assert import_police_violence(path).created == 3  # identical rows are both people
    keys = sorted(PoliceKilling.objects.values_list("record_key", flat=True))
    assert all(key.startswith("row:") for key in keys) and keys[0] + "-2" in keys
    summary = import_police_violence(path)
    assert (summary.created, summary.unchanged) == (0, 3)
    assert sorted(PoliceKilling.objects.values_list("record_key", flat=True)) == keys


def test_a_row_that_gains_its_id_updates_the_record_kept_without_one(tmp_path, cities):
    rows = [long_row("", name="Name withheld"), long_row("", name="Name withheld")]
    import_police_violence(write_csv(tmp_path / "a.csv", LONG, rows))
    newer = [long_row("", name="Name withheld"), long_row("9100", name="Name withheld")]
    summary = import_police_violence(write_csv(tmp_path / "b.csv", LONG, newer))
    assert (summary.created, summary.updated, summary.unchanged) == (0, 1, 1)
    assert PoliceKilling.objects.count() == 2
    assert PoliceKilling.objects.get(mpv_id="9100").record_key == "mpv:9100"


def test_ages_without_a_number_are_kept_as_text(tmp_path, cities):
    rows = [long_row("1", age="40s"), long_row("2", age="Unknown"), long_row("3", age=" 24 ")]
    import_police_violence(write_csv(tmp_path / "mpv.csv", LONG, rows))
    ages = dict(PoliceKilling.objects.values_list("mpv_id", "age_text"))
    numbers = dict(PoliceKilling.objects.values_list("mpv_id", "age"))
    assert (ages, numbers) == (
        {"1": "40s", "2": "Unknown", "3": "24"},
        {"1": None, "2": None, "3": 24},
    )


# --- The command -----------------------------------------------------------------------------


def test_dry_run_reports_the_import_and_writes_nothing(tmp_path, cities, capsys):
    import_police_violence(write_csv(tmp_path / "a.csv", LONG, [long_row("1")]))
    rows = [long_row("1", age="25"), long_row("2")]
    call_command("import_police_violence", str(write_csv(tmp_path / "b.csv", LONG, rows)),
                 "--dry-run")  # fmt: skip
    out = capsys.readouterr().out
    assert "created 1, updated 1" in out and "Dry run: nothing was written." in out
    assert list(PoliceKilling.objects.values_list("mpv_id", "age")) == [("1", 24)]


def test_command_prints_matches_per_city_and_unmatched_rows_per_state(tmp_path, cities, capsys):
    rows = [long_row("1"), long_row("2", city="Edina"), long_row("3", city="Edina", agency=""),
            long_row("4", city="Kansas City", state="MO", agency="")]  # fmt: skip
    call_command("import_police_violence", str(write_csv(tmp_path / "a.csv", LONG, rows)),
                 "--no-progress")  # fmt: skip
    out = capsys.readouterr().out
    assert "Rows matched per tracked city (by city / agency / alias):" in out
    assert "  Minneapolis, MN: 2 (1 / 1 / 0)\n  Saint Louis, MO: 0 (0 / 0 / 0)\n" in out
    assert "Rows unmatched by state: MN 1, MO 1\n" in out
