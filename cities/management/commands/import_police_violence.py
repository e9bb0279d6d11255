"""Import a Mapping Police Violence export (CSV or XLSX)."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from cities import tasks
from cities.police_violence import HeaderError, Match, import_police_violence


class ProgressBars:
    """One bar per import stage ("read", "written") on stderr; tqdm hides them off a terminal."""

    def __init__(self, enabled):
        self.disable = None if enabled else True  # None: shown only when stderr is a terminal
        self.bars = {}

    def __call__(self, stage, count):
        if stage not in self.bars:
            self.bars[stage] = tqdm(
                desc=f"rows {stage}", unit=" rows", file=sys.stderr, disable=self.disable
            )
        bar = self.bars[stage]
        bar.update(count - bar.n)

    def close(self):
        for bar in self.bars.values():
            bar.close()


class Command(BaseCommand):
    help = "Import or refresh people killed by police from a Mapping Police Violence export."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The export: .csv or .xlsx, either header style.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Report what the import would do, then roll it back.",
        )
        parser.add_argument("--no-progress", action="store_true", help="Show no progress bar.")
        parser.add_argument(
            "--background",
            action="store_true",
            help="Queue the import for a background worker and print the task's id.",
        )

    def handle(self, *args, file, dry_run=False, no_progress=False, background=False, **options):
        if background:
            self.enqueue(file, dry_run)
            return
        progress = ProgressBars(enabled=not no_progress)
        try:
            summary = import_police_violence(file, progress=progress, dry_run=dry_run)
        except (HeaderError, OSError) as error:
            raise CommandError(str(error)) from error
        finally:
            progress.close()
        for problem in summary.problems:
            self.stderr.write(problem)
        self.write_matches(summary)
        self.stdout.write(
            self.style.SUCCESS(
                f"Read {summary.read}, created {summary.created}, updated {summary.updated}, "
                f"unchanged {summary.unchanged}, unmatched {summary.unmatched} "
                f"(kept without a tracked city), skipped {summary.skipped}."
            )
        )
        if dry_run:
            self.stdout.write(self.style.WARNING("Dry run: nothing was written."))

    def enqueue(self, file, dry_run):
        """Leave the import to a worker, which finds the file by its absolute path."""
        path = Path(file).resolve()
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        result = tasks.import_police_violence.enqueue(str(path), dry_run=dry_run)
        self.stdout.write(f"Queued the import of {path} as task {result.id}.")

    def write_matches(self, summary):
        """Rows per tracked city and how they matched, most first; unmatched rows by state."""
        self.stdout.write("Rows matched per tracked city (by city / agency / alias):")
        cities = sorted(summary.matched.items(), key=lambda item: (-item[1].total(), item[0]))
        for city, how in cities:
            self.stdout.write(
                f"  {city}: {how.total()} ({how[Match.CITY]} / {how[Match.AGENCY]} / "
                f"{how[Match.ALIAS]})"
            )
        unmatched = summary.unmatched_by_state.most_common()
        by_state = ", ".join(f"{state} {count}" for state, count in unmatched)
        self.stdout.write(f"Rows unmatched by state: {by_state or 'none'}")
