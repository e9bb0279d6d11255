"""Import a Mapping Police Violence export (CSV or XLSX)."""

from django.core.management.base import BaseCommand, CommandError

from cities.police_violence import HeaderError, import_police_violence


class Command(BaseCommand):
    help = "Import or refresh people killed by police from a Mapping Police Violence export."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The export: .csv or .xlsx, either header style.")

    def handle(self, *args, file, **options):
        def progress(stage, rows):
            self.stdout.write(f"  {rows} rows {stage}…")

        try:
            summary = import_police_violence(file, progress=progress)
        except (HeaderError, OSError) as error:
            raise CommandError(str(error)) from error
        for problem in summary.problems:
            self.stderr.write(problem)
        self.stdout.write(
            self.style.SUCCESS(
                f"Read {summary.read}, created {summary.created}, updated {summary.updated}, "
                f"unchanged {summary.unchanged}, unmatched {summary.unmatched} "
                f"(kept without a tracked city), skipped {summary.skipped}."
            )
        )
