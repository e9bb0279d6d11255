"""Load the demo: real cities, fictional mayors, a varied record, and two logins to try it with."""

from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from cities.models import City
from commitments.demo import (
    DEMO_ADVOCATE,
    DEMO_OFFICIAL,
    DEMO_REVIEWER,
    DemoLoginsRefused,
    ensure_demo_users,
    seed_demo,
)

# Where `make run` serves the site.
DEVELOPMENT_SITE = "http://127.0.0.1:8000"


class Command(BaseCommand):
    help = (
        "Create (or refresh) the demo cities, mayors, pledges, updates and evidence, dated back"
        " from today, and two demo logins (an advocate and a reviewer), printed at the end."
        " The logins have published passwords, so they are made only with DEBUG on."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Load the demo data only if no city exists; the demo logins are made either way.",
        )
        parser.add_argument(
            "--no-logins",
            action="store_true",
            help="Give the demo users no password that works, as DEBUG off requires.",
        )

    def handle(self, *args, if_empty=False, no_logins=False, **options):
        logins = not no_logins
        try:
            if if_empty and City.objects.exists():
                ensure_demo_users(logins)
                self.stdout.write("Cities exist already; demo data not loaded.")
            else:
                count = seed_demo(logins=logins)
                self.stdout.write(self.style.SUCCESS(f"Demo data ready: {count} cities."))
        except DemoLoginsRefused as refusal:
            raise CommandError(
                f"{refusal} Nothing was changed. Set DEBUG=true for development, or pass"
                " --no-logins to load the demo data with users no one can log in as."
            ) from refusal
        if logins:
            self.write_logins()

    def write_logins(self):
        cities = City.objects.filter(advocates__username=DEMO_ADVOCATE.username)
        official_city = City.objects.filter(
            officials__user__username=DEMO_OFFICIAL.username
        ).first()
        self.stdout.write(
            f"Log in at {DEVELOPMENT_SITE}{reverse('login')} as (development only):\n"
            f"  the demo advocate, for {'; '.join(map(str, cities)) or 'no city yet'}:"
            f" username {DEMO_ADVOCATE.username}, password {DEMO_ADVOCATE.password}\n"
            f"  the demo reviewer, who reviews at {DEVELOPMENT_SITE}{reverse('admin:index')}:"
            f" username {DEMO_REVIEWER.username}, password {DEMO_REVIEWER.password}\n"
            f"  the demo official, who reports for {official_city or 'no city yet'} at"
            f" {DEVELOPMENT_SITE}{reverse('official:page')}:"
            f" username {DEMO_OFFICIAL.username}, password {DEMO_OFFICIAL.password}"
        )
