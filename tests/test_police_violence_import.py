"""Importing Mapping Police Violence exports: both header styles, CSV and XLSX, safely."""

import csv
from datetime import datetime

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from cities.models import PoliceKilling
from cities.police_violence import HeaderError, import_police_violence, place_key
from tests.factories import CityFactory

pytestmark = pytest.mark.django_db

LONG = ["Victim's name", "Victim's age", "Victim's gender", "Victim's race",
        "URL of image of victim", "Date of Incident (month/day/year)", "Street Address of Incident",
        "City", "State", "Zipcode", "County", "Agency responsible for death", "Cause of death",
        "Unarmed/Did Not Have an Actual Weapon", "MPV ID"]  # fmt: skip
SHORT = ["name", "age", "gender", "race", "victim_image", "date", "street_address", "city",
         "state", "zip", "county", "agency_responsible", "ori", "cause_of_death",
         "allegedly_armed", "mpv_id", "fe_id"]  # fmt: skip


def long_row(mpv_id, name="Jamar Example", city="Minneapolis", state="MN", when="11/15/2015",
             race="Black", age="24"):  # fmt: skip
    return [name, age, "Male", race, "", when, "", city, state, "55411", "Hennepin",
            "Minneapolis Police Department", "Gunshot", "Unarmed", mpv_id]  # fmt: skip


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
    path = write_csv(tmp_path / "mpv.csv", LONG, [long_row("1"), long_row("2", city="Nowhere")])
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
    rows = [long_row("1"), long_row("2", when="not a date"), long_row("3", state="ZZ"),
            long_row("")]  # fmt: skip
    summary = import_police_violence(write_csv(tmp_path / "bad.csv", LONG, rows))
    assert (summary.created, summary.skipped) == (1, 3)
    assert summary.problems == [
        "line 3: bad date “not a date”; skipped",
        "line 4: unknown state “ZZ”; skipped",
        "line 5: no MPV ID; skipped",
    ]


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
