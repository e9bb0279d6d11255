"""Public pages: home, scorecards, city pages, principles, methodology, the pledge, updates."""

from django.core.paginator import InvalidPage, Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from cities.models import City
from cities.police_violence import (
    SOURCE_NAME,
    SOURCE_URL,
    data_as_of,
    killings_by_year,
    pledge_figures,
)
from commitments import changes as changes_module
from commitments import charts, comparison, scoring, story
from commitments.as_of import as_of
from commitments.filters import (
    DEFAULT_SORT,
    CityFilter,
    GridFilter,
    UpdateFilter,
    sort_headers,
)
from commitments.history import history_changes, score_history
from commitments.maps import city_map, map_rows
from commitments.models import PledgeStatus, Principle
from commitments.pagination import LogPage
from commitments.scores import principle_averages, ranked_on_principle, scored_cities
from commitments.selectors import (
    HOME_FIGURE_FIELDS,
    approved_updates,
    current_statuses,
    framework,
    framework_last_changed,
    framework_size,
    home_figures,
    listed_cities,
    mayors_with_pledges,
    pageable,
    principle_cards,
    with_rating_changes,
)
from commitments.standing import standing

PAGE_SIZE = 25
# A city page shows its latest updates and links to its whole log, so it never grows with it.
TIMELINE_SIZE = 10
RANKING_SIZE = 50
# What changed lists each city's changed actions with their evidence (up to 27 a city).
CHANGES_PAGE_SIZE = 5


def paginate(request, items, per_page=PAGE_SIZE):
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def filtered(request, filterset_class, queryset):
    """The filter as the page shows it: invalid fields carry their message and are ignored."""
    return filterset_class(request.GET, queryset=queryset)


def home(request):
    day = as_of(request)
    # One read of every scored city for the map and the headline figures.
    cities = list(map_rows(scored_cities(day), *HOME_FIGURE_FIELDS))
    figures = home_figures(cities, day)
    context = {
        **figures,
        "grade_chart": charts.bars(figures["grades"]),
        "coverage_threshold": scoring.COVERAGE_THRESHOLD_TEXT,
        "recent_updates": approved_updates(day)[:5],
        "city_map": city_map(cities),
    }
    return render(request, "commitments/home.html", context)


def scorecard(request):
    day = as_of(request)
    cities = filtered(request, CityFilter, listed_cities(request.GET, day))
    page = paginate(request, pageable(cities.qs, day))
    sort = cities.form.cleaned_data.get("sort") or DEFAULT_SORT
    context = {
        "filter": cities,
        "page": page,
        "principles": Principle.objects.all(),
        "headers": sort_headers(sort),
        "narrowed": bool(set(cities.form.changed_data) - {"sort"}),
    }
    return render(request, "commitments/scorecard.html", context)


def city_detail(request, state, slug):
    day = as_of(request)
    scored = scored_cities(day)
    city = get_object_or_404(scored, state=state.upper(), slug=slug)
    timeline = list(approved_updates(day).filter(city=city)[: TIMELINE_SIZE + 1])
    police_data = data_as_of()
    races, years = killings_by_year(city, police_data["latest"] and police_data["latest"].year)
    principles = list(framework())
    cards = principle_cards(city, principles, current_statuses(city, day), day)
    history = score_history(city, day or timezone.localdate())
    where = standing(city, scored)
    context = {
        "city": city,
        "standing": where,
        "compare_with_peers": comparison.compare_url([city, *where.nearest_peers]),
        "changes_last_year": changes_module.city_last_year_url(city),
        "summary": story.summary(cards),
        "gains": story.raise_the_grade(city, cards),
        "history": history,
        "history_changes": history_changes(history) if history else [],
        "history_chart": charts.score_line(history) if history else None,
        "races": races,
        "race_chart": charts.bars(races),
        "killings": [(row, row.counts(races)) for row in years],
        "killings_chart": charts.year_columns([(row.year, row.total) for row in reversed(years)]),
        "as_of": police_data,
        "source_name": SOURCE_NAME,
        "source_url": SOURCE_URL,
        "mayors": mayors_with_pledges(city, day),
        "minimum_rated": scoring.minimum_rated_for_grade(city.total_actions),
        "cards": cards,
        "timeline": timeline[:TIMELINE_SIZE],
        "timeline_continues": len(timeline) > TIMELINE_SIZE,
    }
    return render(request, "commitments/city_detail.html", context)


def principle_list(request):
    principles = principle_averages(as_of(request)).prefetch_related("actions")
    return render(request, "commitments/principle_list.html", {"principles": principles})


def principle_detail(request, slug):
    principle = get_object_or_404(framework(), slug=slug)
    ranked = ranked_on_principle(scored_cities(as_of(request)), principle.number)
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
    day = as_of(request)
    updates = filtered(request, UpdateFilter, approved_updates(day))
    count = updates.stored_count() if day is None else None  # stored for today's log only
    try:
        page = LogPage(request, updates.qs, PAGE_SIZE, count)
    except InvalidPage:
        raise Http404(
            _("This page of the log does not exist; start again from the first page.")
        ) from None
    with_rating_changes(page.object_list)
    context = {"filter": updates, "page": page, "by_happened": updates.by_happened}
    return render(request, "commitments/updates.html", context)


def city_pledge(request, state, slug):
    """The pledge filled in for one city: its name, sitting mayor and police-violence figures."""
    day = as_of(request)
    city = get_object_or_404(scored_cities(day), state=state.upper(), slug=slug)
    mayor = next((mayor for mayor in mayors_with_pledges(city, day) if mayor.in_office), None)
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


GRID_PAGE_SIZE = 50


def grid(request):
    """Cities against the actions (or the principle scores), filtered like the scorecard."""
    day = as_of(request)
    cities = filtered(request, GridFilter, listed_cities(request.GET, day))
    page = paginate(request, pageable(cities.qs, day), per_page=GRID_PAGE_SIZE)
    chosen = cities.form.cleaned_data.get("principle")
    principles = [p for p in framework() if chosen is None or p.pk == chosen.pk]
    by_principle = cities.form.cleaned_data.get("view") == "principles"
    if by_principle:
        rows = comparison.principle_grid(list(page), principles)
    else:
        actions = [action for principle in principles for action in principle.actions.all()]
        rows = comparison.action_grid(list(page), actions, day)
    context = {
        "filter": cities,
        "page": page,
        "principles": principles,
        "by_principle": by_principle,
        "rows": rows,
    }
    return render(request, "commitments/grid.html", context)


def compare(request):
    """Two to four cities side by side; anything else gets the form and what was wrong."""
    entries = comparison.split_entries(request.GET.getlist("cities"))
    day = as_of(request)
    cities, problems = comparison.chosen_cities(entries, scored_cities(day))
    enough = not problems and len(cities) >= comparison.MIN_COMPARED
    context = {
        "entries": (entries + [""] * comparison.MAX_COMPARED)[: comparison.MAX_COMPARED],
        "cities": cities,
        "problems": problems,
        "comparison": comparison.compare(cities, framework(), day) if enough else None,
        "choices": comparison.city_choices(),
        "min_compared": comparison.MIN_COMPARED,
        "max_compared": comparison.MAX_COMPARED,
        "example": comparison.EXAMPLE_KEY,
    }
    return render(request, "commitments/compare.html", context, status=400 if problems else 200)


def map_page(request):
    """Every city on the United States map, and the same figures counted by state."""
    context = {"city_map": city_map(map_rows(scored_cities(as_of(request))))}
    return render(request, "commitments/map.html", context)


def changes(request):
    """Every change between two days, city by city, with the score before and after."""
    form = changes_module.period_form(request.GET)
    if not form.is_valid():
        context = {"form": form, "page": None}
        return render(request, "commitments/changes.html", context, status=400)
    period = form.cleaned_data
    changed = changes_module.changed_cities(
        period["from"], period["to"], period["state"], period["city"]
    )
    # Their ids read once, in order: paging the query would search the periods twice (to
    # count, then for the page), 16 ms each over a year at 1,500 cities.
    page = paginate(request, list(changed.values_list("pk", flat=True)), CHANGES_PAGE_SIZE)
    cities = City.objects.in_bulk(page.object_list)
    context = {
        "form": form,
        "page": page,
        "cities": changes_module.changes_between(
            period["from"], period["to"], [cities[pk] for pk in page.object_list]
        ),
    }
    return render(request, "commitments/changes.html", context)
