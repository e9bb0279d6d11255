"""Write the whole database to one file (`make backup`)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from commitments import backup


class Command(BaseCommand):
    help = "Back up the whole database to FILE (pg_dump's custom format, or an SQLite file)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file, **options):
        if file.exists():
            raise CommandError(f"{file} exists; choose a new file name.")
        file.parent.mkdir(parents=True, exist_ok=True)
        try:
            backup.backup(connection, file)
        except backup.ToolFailed as error:
            raise CommandError(f"pg_dump failed: {error.stderr.strip()}") from error
        self.stdout.write(self.style.SUCCESS(f"Backed up {connection.vendor} to {file}."))
