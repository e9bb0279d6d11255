"""The Mapping Police Violence record: importing its exports and reading it per city and year.

The dataset has published two header styles: long ("Victim's name", "MPV ID", ...) and, since
2021, short (`name`, `mpv_id`, ...). Both map onto the same fields here. Rows are matched to
tracked cities by city and state, then by the agency responsible, then by a city's aliases.
"""

import csv
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext, gettext_noop
from openpyxl import load_workbook

from cities.models import City, CityAlias, PoliceKilling, match_key
from cities.signals import records_imported
from cities.states import US_STATES
from cities.validators import PAST_DATE_VALIDATORS, without_control_characters

SOURCE_NAME = "Mapping Police Violence"
SOURCE_URL = "https://mappingpoliceviolence.org/"
# How the pages count people whose race the record leaves blank.
UNKNOWN_RACE = gettext_noop("Unknown race")

Match = PoliceKilling.Match

# Our field: the column it comes from in each header style (long, short).
COLUMNS = {
    "mpv_id": ("MPV ID", "mpv_id"),
    "name": ("Victim's name", "name"),
    "age": ("Victim's age", "age"),
    "gender": ("Victim's gender", "gender"),
    "race": ("Victim's race", "race"),
    "date": ("Date of Incident (month/day/year)", "date"),
    "city_name": ("City", "city"),
    "state": ("State", "state"),
    "agency": ("Agency responsible for death", "agency_responsible"),
    "cause_of_death": ("Cause of death", "cause_of_death"),
}
# Optional: the armed status has had several names.
ARMED_COLUMNS = (
    "Unarmed/Did Not Have an Actual Weapon",
    "Armed/Unarmed Status",
    "Unarmed",
    "allegedly_armed",
)
STYLES = ("long", "short")
DATE_FORMATS = ("%m/%d/%Y", "%Y-%m-%d", "%m/%d/%y", "%Y-%m-%d %H:%M:%S")
UPDATABLE = ["record_key", "mpv_id", "name", "date", "age", "age_text", "gender", "race",
             "city_name", "state", "city", "match", "agency", "cause_of_death",
             "armed_status"]  # fmt: skip
BATCH = 1000


class HeaderError(ValueError):
    pass


class RowError(ValueError):
    pass


@dataclass
class ImportSummary:
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    problems: list[str] = field(default_factory=list)
    # Rows per tracked city ("Boston, MA"), counted by how they matched; every city is listed.
    matched: dict[str, Counter] = field(default_factory=dict)
    unmatched_by_state: Counter = field(default_factory=Counter)

    @property
    def unmatched(self):
        return sum(self.unmatched_by_state.values())


def normalize_header(value):
    return " ".join(str(value or "").replace("’", "'").split()).casefold()


def place_key(name, state):
    """A city and state as the matcher compares them: case, punctuation and St./Saint ignored."""
    return match_key(name), str(state).strip().upper()


def agency_keys(agency):
    """The agencies a row names (the column lists several, separated by commas), as compared."""
    keys = set()
    for name in str(agency or "").split(","):
        words = ["department" if word == "dept" else word for word in match_key(name).split()]
        if words:
            keys.add(" ".join(words))
    return keys


class CityMatcher:
    """Finds the tracked city a row belongs to: by city and state, then by the agency
    responsible, then by an alias of the city.

    `cities` are (city, name, state, police department) and `aliases` are (city, alias, state),
    where `city` is what a match returns: a primary key, or a name where there is no database.
    """

    def __init__(self, cities, aliases=()):
        self.by_place = {}
        self.by_agency = defaultdict(set)
        for city, name, state, department in cities:
            self.by_place[place_key(name, state)] = city
            for key in agency_keys(department):
                self.by_agency[key, state].add(city)
        self.by_alias = {place_key(alias, state): city for city, alias, state in aliases}

    @classmethod
    def for_tracked_cities(cls):
        return cls(
            City.objects.values_list("pk", "name", "state", "police_department"),
            CityAlias.objects.values_list("city_id", "name", "city__state"),
        )

    def match(self, city_name, state, agency):
        """(city, Match) for a row, or (None, Match.UNMATCHED)."""
        place = place_key(city_name, state)
        if place in self.by_place:
            return self.by_place[place], Match.CITY
        # Several agencies may share a death: it is a city's if one tracked department is named.
        named = set()
        for key in agency_keys(agency):
            named |= self.by_agency.get((key, place[1]), set())
        if len(named) == 1:
            return named.pop(), Match.AGENCY
        if place in self.by_alias:
            return self.by_alias[place], Match.ALIAS
        return None, Match.UNMATCHED


def map_header(header):
    """{field: column index} for the header style the file uses, or HeaderError naming gaps."""
    positions = {normalize_header(name): index for index, name in enumerate(header)}
    best_missing = None
    for style in range(len(STYLES)):
        found = {f: positions.get(normalize_header(cols[style])) for f, cols in COLUMNS.items()}
        missing = [COLUMNS[f][style] for f, index in found.items() if index is None]
        if not missing:
            armed = next((positions[normalize_header(c)] for c in ARMED_COLUMNS
                          if normalize_header(c) in positions), None)  # fmt: skip
            return {**found, "armed_status": armed}
        if best_missing is None or len(missing) < len(best_missing):
            best_missing = missing
    raise HeaderError(
        "This is not a Mapping Police Violence export: missing columns "
        + ", ".join(f"“{name}”" for name in best_missing)
        + "."
    )


def read_table(path):
    """Yield (line number, list of cell values) from a CSV or XLSX file, header first."""
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        workbook = load_workbook(path, read_only=True, data_only=True)
        try:
            for number, row in enumerate(workbook.worksheets[0].iter_rows(values_only=True), 1):
                yield number, list(row)
        finally:
            workbook.close()
    else:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            for row in reader:
                yield reader.line_num, row


def parse_date(value):
    """The row's date, which must lie between 1900 and today, as every date in the record."""
    when = _read_date(value)
    try:
        for validate in PAST_DATE_VALIDATORS:
            validate(when)
    except ValidationError as error:
        raise RowError(f"date {when:%Y-%m-%d}: {error.messages[0].rstrip('.')}") from None
    return when


def _read_date(value):
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise RowError(f"bad date “{text}”")


def text(value, limit):
    if isinstance(value, float) and value.is_integer():  # spreadsheets store numbers as floats
        value = int(value)
    # Control characters (seen in spreadsheets) have no meaning here and break XML clients.
    return without_control_characters(str(value if value is not None else "")).strip()[:limit]


def parse_age(value):
    """(years, the age as recorded): ages like "40s" or "Unknown" have no number."""
    recorded = text(value, 20)
    return (int(recorded) if re.fullmatch(r"\d{1,3}", recorded) else None), recorded


def parse_row(cells, columns):
    def cell(name):
        index = columns.get(name)
        return cells[index] if index is not None and index < len(cells) else None

    state = text(cell("state"), 10).upper()
    if state not in US_STATES:
        raise RowError(f"unknown state “{state}”")
    age, age_text = parse_age(cell("age"))
    return {
        "mpv_id": text(cell("mpv_id"), 40),
        "name": text(cell("name"), 200),
        "date": parse_date(cell("date")),
        "age": age,
        "age_text": age_text,
        "gender": text(cell("gender"), 40),
        "race": text(cell("race"), 60),
        "city_name": text(cell("city_name"), 120),
        "state": state,
        "agency": text(cell("agency"), 300),
        "cause_of_death": text(cell("cause_of_death"), 200),
        "armed_status": text(cell("armed_status"), 120),
    }


def record_key(values):
    """A row's stable key: from its MPV ID, or without one from who died, when and where."""
    return PoliceKilling.key_for(
        values["mpv_id"], values["name"], values["date"], values["city_name"], values["state"]
    )


def identity_key(values):
    """The key a row would have without its MPV ID."""
    return record_key({**values, "mpv_id": ""})


def read_export(path, summary, progress=None):
    """{record key: field values} for every data row; malformed rows are reported and skipped.

    Rows without an MPV ID are keyed by who, when and where; identical ones are told apart by
    their order in the file ("-2", "-3", ...). Of rows repeating an MPV ID, the last counts.
    """
    rows = read_table(path)
    try:
        _line, header = next(rows)
    except StopIteration:
        raise HeaderError("The file is empty.") from None
    columns = map_header(header)
    records = {}
    for line, cells in rows:
        if not any(cell not in (None, "") for cell in cells):
            continue
        summary.read += 1
        try:
            values = parse_row(cells, columns)
        except RowError as error:
            summary.skipped += 1
            summary.problems.append(f"line {line}: {error}; skipped")
            continue
        key = record_key(values)
        if not values["mpv_id"]:
            key = _first_free(key, records)
        records[key] = {**values, "record_key": key}
        if progress and summary.read % BATCH == 0:
            progress("read", summary.read)
    if progress:
        progress("read", summary.read)
    return records


def _first_free(key, taken):
    candidate, number = key, 1
    while candidate in taken:
        number += 1
        candidate = f"{key}-{number}"
    return candidate


def _stored_records(records):
    """{record key: stored PoliceKilling} for the rows being imported.

    A row that has gained an MPV ID since the last import takes over the record it was stored
    as without one, unless that record is still in this file without an id.
    """
    keys = list(records)
    stored = {}
    for start in range(0, len(keys), BATCH):
        chunk = PoliceKilling.objects.filter(record_key__in=keys[start : start + BATCH])
        stored.update({record.record_key: record for record in chunk})
    without_id = defaultdict(list)
    for record in PoliceKilling.objects.filter(mpv_id="").order_by("pk"):
        if record.record_key not in records:
            without_id[identity_key(vars(record))].append(record)
    for key, values in records.items():
        if key not in stored and values["mpv_id"] and without_id[identity_key(values)]:
            stored[key] = without_id[identity_key(values)].pop(0)
    return stored


@transaction.atomic
def import_police_violence(path, progress=None, dry_run=False):
    """Import an export, creating and updating records by their key, all in one transaction.

    Every row is matched afresh, so re-importing moves rows to a city once staff have added the
    alias or department that names it. With `dry_run`, the summary is the same but nothing is
    kept. `progress(stage, count)`, if given, hears how many rows were "read" and "written".
    """
    summary = ImportSummary()
    records = read_export(path, summary, progress)
    matcher = CityMatcher.for_tracked_cities()
    labels = {city.pk: str(city) for city in City.objects.only("name", "state")}
    summary.matched = {label: Counter() for label in sorted(labels.values())}
    stored = _stored_records(records)
    to_create, to_update = [], []
    for key, values in records.items():
        city, how = matcher.match(values["city_name"], values["state"], values["agency"])
        values.update(city_id=city, match=how)
        if city is None:
            summary.unmatched_by_state[values["state"]] += 1
        else:
            summary.matched[labels[city]][how] += 1
        record = stored.get(key)
        if record is None:
            to_create.append(PoliceKilling(**values))
            continue
        changed = [name for name, value in values.items() if getattr(record, name) != value]
        if changed:
            for name in changed:
                setattr(record, name, values[name])
            to_update.append(record)
        else:
            summary.unchanged += 1
    _write(to_create, to_update, progress)
    summary.created, summary.updated = len(to_create), len(to_update)
    if dry_run:
        transaction.set_rollback(True)
    elif to_create or to_update:
        records_imported.send(sender=PoliceKilling)  # bulk writes send no model signals
    return summary


def _write(to_create, to_update, progress):
    """Save new and changed records in batches, reporting each batch written."""
    written = 0
    for start in range(0, max(len(to_create), len(to_update)), BATCH):
        created = to_create[start : start + BATCH]
        updated = to_update[start : start + BATCH]
        PoliceKilling.objects.bulk_create(created)
        PoliceKilling.objects.bulk_update(updated, UPDATABLE)
        written += len(created) + len(updated)
        if progress:
            progress("written", written)


# --- Reads for pages ---------------------------------------------------------------------------


def latest_full_year():
    """The last calendar year the dataset fully covers, or None without data."""
    latest = PoliceKilling.objects.aggregate(latest=Max("date"))["latest"]
    if latest is None:
        return None
    return latest.year if (latest.month, latest.day) == (12, 31) else latest.year - 1


def data_as_of():
    """The newest record's date and the last import's time, for stating the data's currency."""
    return PoliceKilling.objects.aggregate(latest=Max("date"), imported=Max("imported_at"))


@dataclass
class YearRow:
    year: int
    total: int
    by_race: dict[str, int]

    def counts(self, races):
        """The year's count for each of `races`, (race, people) pairs."""
        return [self.by_race.get(race, 0) for race, _people in races]


def killings_by_year(city, through_year=None):
    """([(race, people) most first], [YearRow newest first]) for a city, in one query: every
    year from its first record to its last (or `through_year`), years without one as zero."""
    counts = (
        PoliceKilling.objects.filter(city=city)
        .annotate(year=ExtractYear("date"))
        .values("year", "race")
        .annotate(count=Count("pk"))
        .order_by("-year", "race")
    )
    years, races = {}, Counter()
    unknown = gettext(UNKNOWN_RACE)  # in the page's language, with rows that say it in English
    for row in counts:
        race = row["race"] if row["race"] and row["race"] != UNKNOWN_RACE else unknown
        years.setdefault(row["year"], {})[race] = row["count"]
        races[race] += row["count"]
    if not years:
        return [], []
    last = max(max(years), through_year or 0)
    rows = [YearRow(year, sum(years.get(year, {}).values()), years.get(year, {}))
            for year in range(last, min(years) - 1, -1)]  # fmt: skip
    return races.most_common(), rows


def pledge_figures(city):
    """The pledge's figures for a city: people killed by police in the last full year of data.

    `people_of_color` is what the pledge's "[#] of whom were [Black/Latino/etc.]" asks for: every
    recorded race except White, as (race, count), largest first. `race_unknown` counts the people
    whose race was not recorded, who are in `total` but in no group.
    """
    year = latest_full_year()
    if year is None:
        return {"year": None, "total": 0, "people_of_color": [], "race_unknown": 0}
    counts = (
        PoliceKilling.objects.filter(city=city, date__year=year)
        .values("race")
        .annotate(count=Count("pk"))
        .order_by("-count", "race")
    )
    total = race_unknown = 0
    people_of_color = []
    for row in counts:
        race, count = row["race"].strip(), row["count"]
        total += count
        if not race or race.casefold().startswith("unknown"):
            race_unknown += count
        elif race.casefold() != "white":
            people_of_color.append((race, count))
    return {
        "year": year,
        "total": total,
        "people_of_color": people_of_color,
        "race_unknown": race_unknown,
    }
