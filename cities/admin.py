"""Staff admin for cities, mayors and police-violence records."""

from itertools import combinations

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.forms.models import BaseInlineFormSet
from simple_history.admin import SimpleHistoryAdmin

from cities.models import City, CityAlias, Mayor, PoliceKilling, match_key, terms_overlap


def kept(formset):
    """The cleaned data of the formset's forms that are filled in and not marked for deletion."""
    return [
        form.cleaned_data
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]


class MayorFormSet(BaseInlineFormSet):
    """Terms entered together must not overlap either (each form checks the saved ones)."""

    def clean(self):
        super().clean()
        terms = [(data["name"], data["term_start"], data.get("term_end")) for data in kept(self)
                 if data.get("term_start")]  # fmt: skip
        for (name, *term), (other, *other_term) in combinations(terms, 2):
            if terms_overlap(term, other_term):
                raise ValidationError(f"The terms of {name} and {other} overlap.")


class CityAliasFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        names = [match_key(data["name"]) for data in kept(self) if data.get("name")]
        if len(names) != len(set(names)):
            raise ValidationError("The same alias is given twice.")


class MayorInline(admin.TabularInline):
    model = Mayor
    formset = MayorFormSet
    extra = 0
    fields = ["name", "term_start", "term_end"]
    ordering = ["-term_start"]


class CityAliasInline(admin.TabularInline):
    model = CityAlias
    formset = CityAliasFormSet
    extra = 0
    fields = ["name"]
    verbose_name_plural = "aliases (other place names the police-violence data uses for the city)"


@admin.register(City)
class CityAdmin(SimpleHistoryAdmin):
    list_display = ["name", "state", "population", "score", "grade", "coverage", "advocate_count"]
    list_filter = ["state"]
    search_fields = ["name", "police_department"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["advocates"]
    inlines = [MayorInline, CityAliasInline]

    def get_queryset(self, request):
        # A subquery, not a join: joining advocates would repeat every rated action per advocate.
        advocates = (
            City.advocates.through.objects.filter(city=OuterRef("pk"))
            .values("city")
            .annotate(count=Count("pk"))
            .values("count")
        )
        return (
            super()
            .get_queryset(request)
            .with_scores()
            .annotate(advocate_count=Coalesce(Subquery(advocates), 0))
        )

    @admin.display(ordering="score")
    def score(self, city):
        return city.score

    @admin.display(ordering="grade")
    def grade(self, city):
        return city.grade

    @admin.display(description="rated actions", ordering="rated_actions")
    def coverage(self, city):
        return f"{city.rated_actions} of {city.total_actions}"

    @admin.display(description="advocates", ordering="advocate_count")
    def advocate_count(self, city):
        return city.advocate_count


@admin.register(Mayor)
class MayorAdmin(SimpleHistoryAdmin):
    list_display = ["name", "city", "term_start", "term_end", "is_sitting"]
    list_filter = [("term_end", admin.EmptyFieldListFilter), "city__state"]
    search_fields = ["name", "city__name"]
    autocomplete_fields = ["city"]
    list_select_related = ["city"]
    date_hierarchy = "term_start"

    @admin.display(boolean=True, description="sitting")
    def is_sitting(self, mayor):
        return mayor.is_sitting


@admin.register(CityAlias)
class CityAliasAdmin(admin.ModelAdmin):
    list_display = ["name", "state", "city"]
    list_filter = ["state"]
    search_fields = ["name", "city__name"]
    autocomplete_fields = ["city"]
    list_select_related = ["city"]


@admin.register(PoliceKilling)
class PoliceKillingAdmin(admin.ModelAdmin):
    list_display = ["name", "date", "age_text", "race", "city_name", "state", "city", "match"]
    list_filter = ["match", "state", "race", "gender", ("city", admin.EmptyFieldListFilter)]
    search_fields = ["name", "mpv_id", "record_key", "city_name", "agency"]
    list_select_related = ["city"]
    date_hierarchy = "date"
    # The import decides the city on every run; staff move rows with a city alias instead.
    readonly_fields = ["record_key", "mpv_id", "city", "match", "imported_at"]


class AssignedCityInline(admin.TabularInline):
    model = City.advocates.through
    autocomplete_fields = ["city"]
    extra = 0
    verbose_name = "assigned city"
    verbose_name_plural = "assigned cities (this user may log progress for them)"


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class AdvocateUserAdmin(UserAdmin):
    inlines = [*UserAdmin.inlines, AssignedCityInline]
