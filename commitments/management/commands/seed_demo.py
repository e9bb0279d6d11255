"""Load the demo record: real cities, fictional mayors, a varied spread of updates."""

from django.core.management.base import BaseCommand

from cities.models import City
from commitments.demo import seed_demo


class Command(BaseCommand):
    help = "Create (or refresh) demo cities, mayors, pledges, updates and evidence."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing if any city exists, so demo data is loaded only once.",
        )

    def handle(self, *args, if_empty=False, **options):
        if if_empty and City.objects.exists():
            self.stdout.write("Cities exist already; demo data not loaded.")
            return
        count = seed_demo()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {count} cities."))
