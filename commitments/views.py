"""Public pages: home, scorecards, city pages, principles, methodology, the pledge, updates."""

from django.core.paginator import Paginator
from django.db.models import Avg, Count, Q
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
from commitments.forms import ScorecardFilterForm, UpdatesFilterForm
from commitments.models import CurrentStatus, Pledge, PledgeStatus, Principle
from commitments.scoring import Status
from commitments.selectors import (
    approved_updates,
    cities_with_scores,
    current_statuses,
    framework,
    mayors_with_pledges,
    principle_cards,
    principle_scores,
    scorecard_cities,
)

PAGE_SIZE = 25


def paginate(request, items, per_page=PAGE_SIZE):
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def home(request):
    figures = scorecard_cities().aggregate(
        cities_tracked=Count("pk"),
        mayors_signed=Count("pk", filter=Q(pledge_status=PledgeStatus.SIGNED)),
        average=Avg("score"),
    )
    context = {
        "cities_tracked": figures["cities_tracked"],
        "mayors_signed": figures["mayors_signed"],
        "average_score": scoring.round_score(figures["average"] or 0),
        "actions_achieved": CurrentStatus.objects.filter(update__status=Status.ACHIEVED).count(),
        "recent_updates": approved_updates()[:5],
    }
    return render(request, "commitments/home.html", context)


def scorecard(request):
    form = ScorecardFilterForm(request.GET)
    principles = list(Principle.objects.all())
    page = paginate(request, form.filter(scorecard_cities()))
    for city in page:
        city.principle_scores = principle_scores(city, principles)
    context = {"form": form, "page": page, "principles": principles}
    return render(request, "commitments/scorecard.html", context)


def city_detail(request, state, slug):
    city = get_object_or_404(City, state=state.upper(), slug=slug)
    scored = scorecard_cities().get(pk=city.pk)
    timeline = approved_updates().filter(city=city)
    races, years = killings_by_year(city)
    context = {
        "city": city,
        "races": races,
        "killings": [(row, row.counts(races)) for row in years],
        "as_of": data_as_of(),
        "source_name": SOURCE_NAME,
        "source_url": SOURCE_URL,
        "scored": scored,
        "mayors": mayors_with_pledges(city),
        "cards": principle_cards(scored, framework(), current_statuses(city)),
        "timeline": timeline,
    }
    return render(request, "commitments/city_detail.html", context)


def principle_list(request):
    averages = cities_with_scores().aggregate(
        **{f"p{number}": Avg(f"principle_{number}_score") for number in range(1, 8)}
    )
    principles = list(framework())
    for principle in principles:
        principle.average = scoring.round_score(averages.get(f"p{principle.number}") or 0)
    return render(request, "commitments/principle_list.html", {"principles": principles})


def principle_detail(request, slug):
    principle = get_object_or_404(framework(), slug=slug)
    field = f"principle_{principle.number}_score"
    ranked = list(scorecard_cities().order_by(f"-{field}", "name"))
    for city in ranked:
        city.principle_score = scoring.round_score(getattr(city, field, 0.0))
    return render(
        request, "commitments/principle_detail.html", {"principle": principle, "ranked": ranked}
    )


def methodology(request):
    statuses = [
        (status.label, scoring.POINTS[status], scoring.MEANINGS[status], status in scoring.FLAGGED)
        for status in Status
    ]
    context = {
        "statuses": [
            (
                scoring.NO_INFORMATION,
                scoring.NO_INFORMATION_POINTS,
                scoring.NO_INFORMATION_MEANING,
                False,
            ),
            *statuses,
        ],
        "grades": scoring.grade_rows(),
        "default_weight": scoring.DEFAULT_WEIGHT,
        "stale_after_days": scoring.STALE_AFTER_DAYS,
    }
    return render(request, "commitments/methodology.html", context)


def pledge(request):
    return render(request, "commitments/pledge.html", {"principles": Principle.objects.all()})


def updates(request):
    form = UpdatesFilterForm(request.GET)
    page = paginate(request, form.filter(approved_updates()))
    return render(request, "commitments/updates.html", {"form": form, "page": page})


def city_pledge(request, state, slug):
    """The pledge filled in for one city: its name, sitting mayor and police-violence figures."""
    city = get_object_or_404(City, state=state.upper(), slug=slug)
    mayor = city.mayors.sitting().first()
    latest = (
        Pledge.objects.approved().filter(mayor=mayor).order_by("-date", "-id").first()
        if mayor
        else None
    )
    context = {
        "city": city,
        "mayor": mayor,
        "signed": latest if latest and latest.status == PledgeStatus.SIGNED else None,
        "figures": pledge_figures(city),
        "as_of": data_as_of(),
        "principles": Principle.objects.all(),
        "source_name": SOURCE_NAME,
        "source_url": SOURCE_URL,
    }
    return render(request, "commitments/city_pledge.html", context)
