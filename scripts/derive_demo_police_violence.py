"""Derive the demo's police-violence file from a real Mapping Police Violence export.

Usage: .venv/bin/python scripts/derive_demo_police_violence.py [EXPORT]

Reads EXPORT (default: ../shared/data/MPVDatasetDownload.xlsx beside the repository), keeps the
rows the importer would match to a demo city (by city, department or alias, with the demo's own
lists, so no database is needed) and writes them, in the export's order and the short header
style, to commitments/demo_data/police_violence.csv.
"""

import csv
import os
import sys
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pledge_tracker.settings")
django.setup()

from cities.police_violence import CityMatcher, ImportSummary, read_export  # noqa: E402
from commitments.demo import (  # noqa: E402
    DEMO_ALIASES,
    DEMO_CITIES,
    DEMO_POLICE_VIOLENCE,
    demo_department,
)

DEFAULT_EXPORT = ROOT.parent / "shared" / "data" / "MPVDatasetDownload.xlsx"
# Short header: our field for each column.
COLUMNS = {"name": "name", "age": "age_text", "gender": "gender", "race": "race",
           "date": "date", "city": "city_name", "state": "state",
           "agency_responsible": "agency", "cause_of_death": "cause_of_death",
           "allegedly_armed": "armed_status", "mpv_id": "mpv_id"}  # fmt: skip


def demo_matcher():
    cities = [((name, state), name, state, demo_department(name, state))
              for name, state in DEMO_CITIES]  # fmt: skip
    aliases = [(city, alias, city[1]) for city, names in DEMO_ALIASES.items() for alias in names]
    return CityMatcher(cities, aliases)


def main(export):
    summary = ImportSummary()
    records = read_export(export, summary)
    for problem in summary.problems:
        print(problem, file=sys.stderr)
    match = demo_matcher().match
    kept = [values for values in records.values()
            if match(values["city_name"], values["state"], values["agency"])[0]]  # fmt: skip
    DEMO_POLICE_VIOLENCE.parent.mkdir(exist_ok=True)
    with DEMO_POLICE_VIOLENCE.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for values in kept:
            writer.writerow([values[name] for name in COLUMNS.values()])
    print(f"Kept {len(kept)} of {summary.read} rows in {DEMO_POLICE_VIOLENCE.relative_to(ROOT)}.")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_EXPORT)
