"""Public pages: home, scorecards, city pages, principles, methodology, the pledge, updates."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from cities.models import City
from cities.police_violence import (
    SOURCE_NAME,
    SOURCE_URL,
    data_as_of,
    killings_by_year,
    pledge_figures,
)
from commitments import scoring
from commitments.filters import CityFilter, UpdateFilter
from commitments.models import PledgeStatus, Principle
from commitments.pagination import LogPage
from commitments.scores import principle_averages, ranked_on_principle
from commitments.selectors import (
    approved_updates,
    current_statuses,
    framework,
    framework_last_changed,
    framework_size,
    home_figures,
    mayors_with_pledges,
    principle_cards,
)

PAGE_SIZE = 25
# A city page shows its latest updates and links to its whole log, so it never grows with it.
TIMELINE_SIZE = 10
RANKING_SIZE = 50


def paginate(request, items, per_page=PAGE_SIZE):
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def filtered(request, filterset_class, queryset):
    """The filter as the page shows it: invalid fields carry their message and are ignored."""
    return filterset_class(request.GET, queryset=queryset)


def home(request):
    context = {**home_figures(), "recent_updates": approved_updates()[:5]}
    return render(request, "commitments/home.html", context)


def scorecard(request):
    cities = filtered(request, CityFilter, City.objects.with_scores())
    page = paginate(request, cities.qs)
    context = {"filter": cities, "page": page, "principles": Principle.objects.all()}
    return render(request, "commitments/scorecard.html", context)


def city_detail(request, state, slug):
    city = get_object_or_404(City.objects.with_scores(), state=state.upper(), slug=slug)
    timeline = list(approved_updates().filter(city=city)[: TIMELINE_SIZE + 1])
    races, years = killings_by_year(city)
    context = {
        "city": city,
        "races": races,
        "killings": [(row, row.counts(races)) for row in years],
        "as_of": data_as_of(),
        "source_name": SOURCE_NAME,
        "source_url": SOURCE_URL,
        "mayors": mayors_with_pledges(city),
        "minimum_rated": scoring.minimum_rated_for_grade(city.total_actions),
        "cards": principle_cards(city, framework(), current_statuses(city)),
        "timeline": timeline[:TIMELINE_SIZE],
        "timeline_continues": len(timeline) > TIMELINE_SIZE,
    }
    return render(request, "commitments/city_detail.html", context)


def principle_list(request):
    principles = principle_averages().prefetch_related("actions")
    return render(request, "commitments/principle_list.html", {"principles": principles})


def principle_detail(request, slug):
    principle = get_object_or_404(framework(), slug=slug)
    ranked = ranked_on_principle(City.objects.with_scores(), principle.number)
    context = {"principle": principle, "page": paginate(request, ranked, per_page=RANKING_SIZE)}
    return render(request, "commitments/principle_detail.html", context)


def methodology(request):
    total_actions = framework_size()
    context = {
        "statuses": scoring.status_rows(),
        "grades": scoring.grade_rows(),
        "default_weight": scoring.DEFAULT_WEIGHT,
        "max_weight": scoring.MAX_WEIGHT,
        "stale_after_days": scoring.STALE_AFTER_DAYS,
        "principle_count": len(scoring.PRINCIPLE_NUMBERS),
        "total_actions": total_actions,
        "minimum_rated": scoring.minimum_rated_for_grade(total_actions),
        "coverage_threshold": scoring.COVERAGE_THRESHOLD_TEXT,
        "exact_places": scoring.EXACT_PLACES,
        "framework_changed": framework_last_changed(),
    }
    return render(request, "commitments/methodology.html", context)


def pledge(request):
    return render(request, "commitments/pledge.html", {"principles": Principle.objects.all()})


def updates(request):
    updates = filtered(request, UpdateFilter, approved_updates())
    page = LogPage(request, updates.qs, PAGE_SIZE)
    if page.invalid:
        raise Http404("This page of the log does not exist; start again from the first page.")
    return render(request, "commitments/updates.html", {"filter": updates, "page": page})


def city_pledge(request, state, slug):
    """The pledge filled in for one city: its name, sitting mayor and police-violence figures."""
    city = get_object_or_404(City.objects.with_scores(), state=state.upper(), slug=slug)
    mayor = next((mayor for mayor in mayors_with_pledges(city) if mayor.is_sitting), None)
    record = mayor.record if mayor else []
    context = {
        "city": city,
        "mayor": mayor,
        "signed": next((pledge for pledge in record if pledge.status == PledgeStatus.SIGNED), None),
        "latest": record[0] if record else None,
        "figures": pledge_figures(city),
        "as_of": data_as_of(),
        "principles": Principle.objects.all(),
        "source_name": SOURCE_NAME,
        "source_url": SOURCE_URL,
    }
    return render(request, "commitments/city_pledge.html", context)
