"""Where a city stands: its rank among all cities, in its state and among its peers by size.

Ranks follow the scorecard's order (graded cities first, then by score) and share ties
(1, 1, 1, 4), like `scores.ranked`. They count over the scored cities a page shows (today's
stored scores, or a past day's), in three queries whatever the number of cities.
"""

from dataclasses import dataclass
from fractions import Fraction
from statistics import median

from django.db.models import Count, F, Q, Value
from django.db.models.functions import Abs

from cities.models import City
from cities.population import band_of
from commitments.scoring import rounded

# A city page offers to compare the city with this many peers (the comparison takes four).
NEAREST_PEERS = 3


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


def _ahead_and_tied(city):
    """Conditions on stored scores: ranked ahead of the city, and tied with it."""
    tied = Q(graded=city.graded, score=city.score)
    ahead = Q(graded=city.graded, score__gt=city.score)
    if not city.graded:
        ahead |= Q(graded=True)
    return ahead, tied


def _rank_aggregates(name, scope, ahead, tied):
    return {
        f"{name}_total": Count("pk", filter=scope),
        f"{name}_ahead": Count("pk", filter=scope & ahead),
        f"{name}_tied": Count("pk", filter=scope & tied),
    }


def _rank(figures, name):
    total = figures[f"{name}_total"]
    return Rank(figures[f"{name}_ahead"] + 1, figures[f"{name}_tied"], total) if total else None


def _peers(band, field="population"):
    """The cities of a band; without one (no population), a city has no peers, but the query
    still runs, so that a page's count of queries is fixed."""
    return band.condition(field) if band else Q(**{f"{field}__isnull": True})


def standing(city, scored):
    """The standing of `city` among `scored`: `City.objects.with_scores()`, or the cities as
    scored on a past day (`scores.scored_as_of`), the city among them."""
    ahead, tied = _ahead_and_tied(city)
    band = band_of(city.population)
    peers = _peers(band)
    figures = scored.aggregate(
        **_rank_aggregates("overall", Q(), ahead, tied),
        **_rank_aggregates("state", Q(state=city.state), ahead, tied),
        **_rank_aggregates("peers", peers, ahead, tied),
    )
    peer_scores = list(scored.filter(peers).values_list("score", flat=True))
    distance = Abs(F("population") - Value(city.population or 0))
    nearest = City.objects.filter(_peers(band)).exclude(pk=city.pk).order_by(distance, "name")
    nearest = list(nearest[:NEAREST_PEERS])
    return Standing(
        overall=_rank(figures, "overall"),
        state=_rank(figures, "state"),
        band=band,
        peers=_rank(figures, "peers") if band else None,
        peers_median=rounded(Fraction(median(peer_scores))) if band and peer_scores else None,
        nearest_peers=nearest if band else [],
    )
