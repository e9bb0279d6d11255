"""The Mapping Police Violence record: importing its exports and reading it per city and year.

The dataset has published two header styles: long ("Victim's name", "MPV ID", ...) and, since
2021, short (`name`, `mpv_id`, ...). Both map onto the same fields here.
"""

import csv
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from django.db import transaction
from django.db.models import Count, Max
from django.db.models.functions import ExtractYear
from openpyxl import load_workbook

from cities.models import City, PoliceKilling
from cities.states import US_STATES

SOURCE_NAME = "Mapping Police Violence"
SOURCE_URL = "https://mappingpoliceviolence.org/"

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
UPDATABLE = ["name", "date", "age", "gender", "race", "city_name", "state", "city", "agency",
             "cause_of_death", "armed_status"]  # fmt: skip
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
    unmatched: int = 0
    skipped: int = 0
    problems: list[str] = field(default_factory=list)


def normalize_header(value):
    return " ".join(str(value or "").replace("’", "'").split()).casefold()


def place_key(name, state):
    """A city and state as the matcher compares them: case, punctuation and St./Saint ignored."""
    words = re.sub(r"[^\w\s]", " ", str(name).casefold().replace("’", "'").replace("'", "")).split()
    words = ["st" if word == "saint" else word for word in words]
    if len(words) > 1 and words[-1] == "city":  # "New York City" is "New York" in the data.
        words = words[:-1]
    return " ".join(words), str(state).strip().upper()


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


def parse_age(value):
    match = re.match(r"\s*(\d{1,3})", str(value if value is not None else ""))
    return int(match.group(1)) if match else None


def text(value, limit):
    return str(value if value is not None else "").strip()[:limit]


def parse_row(cells, columns):
    def cell(name):
        index = columns.get(name)
        return cells[index] if index is not None and index < len(cells) else None

    mpv_id = text(cell("mpv_id"), 40)
    if mpv_id.endswith(".0"):  # spreadsheets store numeric ids as floats
        mpv_id = mpv_id[:-2]
    if not mpv_id:
        raise RowError("no MPV ID")
    state = text(cell("state"), 10).upper()
    if state not in US_STATES:
        raise RowError(f"unknown state “{state}”")
    return {
        "mpv_id": mpv_id,
        "name": text(cell("name"), 200),
        "date": parse_date(cell("date")),
        "age": parse_age(cell("age")),
        "gender": text(cell("gender"), 40),
        "race": text(cell("race"), 60),
        "city_name": text(cell("city_name"), 120),
        "state": state,
        "agency": text(cell("agency"), 300),
        "cause_of_death": text(cell("cause_of_death"), 200),
        "armed_status": text(cell("armed_status"), 120),
    }


def _records(path, summary, progress):
    """Parse every data row; malformed rows are reported with their line number and skipped."""
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
            record = parse_row(cells, columns)
        except RowError as error:
            summary.skipped += 1
            summary.problems.append(f"line {line}: {error}; skipped")
            continue
        records[record["mpv_id"]] = record
        if progress and summary.read % BATCH == 0:
            progress("read", summary.read)
    return records


@transaction.atomic
def import_police_violence(path, progress=None):
    """Import an export, creating and updating records by MPV ID, all in one transaction.

    `progress(stage, count)`, if given, hears how many rows were "read" and "written" so far.
    """
    summary = ImportSummary()
    records = _records(path, summary, progress)
    cities = {place_key(name, state): pk for pk, name, state in
              City.objects.values_list("pk", "name", "state")}  # fmt: skip
    ids = list(records)
    existing = {}
    for start in range(0, len(ids), BATCH):
        chunk = PoliceKilling.objects.filter(mpv_id__in=ids[start : start + BATCH])
        existing.update({record.mpv_id: record for record in chunk})
    to_create, to_update = [], []
    for mpv_id, values in records.items():
        values["city_id"] = cities.get(place_key(values["city_name"], values["state"]))
        summary.unmatched += values["city_id"] is None
        record = existing.get(mpv_id)
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
        return [self.by_race.get(race, 0) for race in races]


def killings_by_year(city):
    """(races seen, [YearRow newest first]) for a city, in one query."""
    counts = (
        PoliceKilling.objects.filter(city=city)
        .annotate(year=ExtractYear("date"))
        .values("year", "race")
        .annotate(count=Count("pk"))
        .order_by("-year", "race")
    )
    years, races = {}, Counter()
    for row in counts:
        race = row["race"] or "Unknown race"
        years.setdefault(row["year"], {})[race] = row["count"]
        races[race] += row["count"]
    rows = [YearRow(year, sum(by.values()), by) for year, by in years.items()]
    return [race for race, _count in races.most_common()], rows


def pledge_figures(city):
    """People killed by police in a city in the last full year of data, by race, largest first."""
    year = latest_full_year()
    if year is None:
        return {"year": None, "total": 0, "groups": []}
    counts = (
        PoliceKilling.objects.filter(city=city, date__year=year)
        .values("race")
        .annotate(count=Count("pk"))
        .order_by("-count", "race")
    )
    groups = [(row["race"] or "Unknown race", row["count"]) for row in counts]
    known = [(race, count) for race, count in groups if not race.lower().startswith("unknown")]
    return {"year": year, "total": sum(count for _race, count in groups), "groups": known}
