"""Where a city stands: its rank among all cities, in its state and among its peers by size.

Ranks follow the scorecard's order (graded cities first, then by score) and share ties
(1, 1, 1, 4), like `scores.ranked`. They count over the scored cities a page shows (today's
stored scores, or a past day's), in two queries whatever the number of cities.
"""

from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from statistics import median

from django.db.models import BooleanField, Case, Count, ExpressionWrapper, F, Q, Value, When
from django.db.models.functions import Abs

from cities.models import City
from cities.population import band_of
from commitments.scoring import rounded

# A city page offers to compare the city with this many peers (the comparison takes four).
NEAREST_PEERS = 3

# Where another city stands relative to the city a page shows.
AHEAD, TIED, BEHIND = 0, 1, 2


@dataclass
class Rank:
    """A city's place in a group: `position` shared by `tied` cities (itself included)."""

    position: int
    tied: int
    total: int

    @property
    def others_tied(self):
        return self.tied - 1


@dataclass
class Standing:
    overall: Rank
    state: Rank
    band: object  # a cities.population.PopulationBand, or None without a population
    peers: Rank | None
    peers_median: int | None
    nearest_peers: list  # the peers closest in population, closest first


def _places(city):
    """Each scored city's place relative to `city`: AHEAD of it, TIED with it or BEHIND it."""
    tied = Q(graded=city.graded, score=city.score)
    ahead = Q(graded=city.graded, score__gt=city.score)
    if not city.graded:
        ahead |= Q(graded=True)
    return Case(When(ahead, then=Value(AHEAD)), When(tied, then=Value(TIED)), default=Value(BEHIND))


def _peers(band, field="population"):
    """The cities of a band; without one (no population), a city has no peers, but the query
    still runs, so that a page's count of queries is fixed."""
    return band.condition(field) if band else Q(**{f"{field}__isnull": True})


def _rank(places):
    """The Rank from a group's {place: cities}, or None for an empty group."""
    total = places.total()
    return Rank(places[AHEAD] + 1, places[TIED], total) if total else None


def _counted(places):
    """`places` grouped, with how many cities each group holds: counted in SQL, or one row a
    city when the scored cities are grouped already (their figures computed from the ratings
    while the stored ones are built again: `scores.scored_at`)."""
    if places.query.group_by is None:
        return places.annotate(cities=Count("pk"))
    return ((*row, 1) for row in places)


def standing(city, scored):
    """The standing of `city` among `scored`: `City.objects.with_scores()`, or the cities as
    scored on a past day (`scores.scored_as_of`), the city among them.

    One query counts the scored cities by their place relative to the city, whether they are in
    its state and in its band, and a peer's score (for the peers' median)."""
    band = band_of(city.population)
    peers = _peers(band)
    places = (
        scored.order_by()
        .annotate(
            place=_places(city),
            in_state=ExpressionWrapper(Q(state=city.state), output_field=BooleanField()),
            in_band=ExpressionWrapper(peers, output_field=BooleanField()),
            peer_score=Case(When(peers, then=F("score"))),
        )
        .values_list("place", "in_state", "in_band", "peer_score")
    )
    overall, state, peer_places, peer_scores = Counter(), Counter(), Counter(), []
    for place, in_state, in_band, score, cities in _counted(places):
        overall[place] += cities
        if in_state:
            state[place] += cities
        if in_band:
            peer_places[place] += cities
            peer_scores += [score] * cities
    distance = Abs(F("population") - Value(city.population or 0))
    nearest = City.objects.filter(peers).exclude(pk=city.pk).order_by(distance, "name")
    nearest = list(nearest[:NEAREST_PEERS])
    return Standing(
        overall=_rank(overall),
        state=_rank(state),
        band=band,
        peers=_rank(peer_places) if band else None,
        peers_median=rounded(Fraction(median(peer_scores))) if band and peer_scores else None,
        nearest_peers=nearest if band else [],
    )
