"""The record can be trusted: sane dates, clean text, history that cannot be rewritten."""

import re
from datetime import date, timedelta
from xml.etree import ElementTree

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, models, transaction
from django.urls import reverse
from django.utils import timezone

from cities.models import City, CityAlias, Mayor
from cities.validators import validate_printable
from commitments.models import (
    Action,
    CurrentStatus,
    Evidence,
    Pledge,
    Principle,
    ProgressUpdate,
    RatingPeriod,
    ReviewState,
)
from commitments.services import approve_update
from tests.conftest import change_weight, logged_in
from tests.factories import (
    ActionFactory,
    ApprovedEvidenceFactory,
    ApprovedPledgeFactory,
    ApprovedUpdateFactory,
    CityFactory,
    EvidenceFactory,
    MayorFactory,
    PledgeFactory,
    ProgressUpdateFactory,
    ReviewerFactory,
)
from tests.test_constraints import violates

pytestmark = pytest.mark.django_db

TOMORROW = timezone.localdate() + timedelta(days=1)
# The database compares a date with the submission's UTC timestamp, so late in a New York evening
# it allows the next local day (the models' validators refuse it); two days ahead it never does.
DAY_AFTER_TOMORROW = timezone.localdate() + timedelta(days=2)

# --- Dates ---------------------------------------------------------------------------------------

DATED = [
    (ProgressUpdateFactory, "happened_on"),
    (EvidenceFactory, "published_on"),
    (PledgeFactory, "date"),
]


@pytest.mark.parametrize(("factory", "field"), DATED, ids=[field for _f, field in DATED])
@pytest.mark.parametrize("when", [date(2205, 1, 1), TOMORROW, date(1899, 12, 31)])
def test_model_validation_refuses_future_and_pre_1900_dates(factory, field, when):
    item = factory.build(**{field: when}) if factory is not PledgeFactory else None
    if item is None:
        item = factory.build(mayor=MayorFactory(term_start=date(1890, 1, 1)), date=when)
    item.submitted_by.save()
    with pytest.raises(ValidationError) as error:
        item.full_clean(exclude=["city", "action", "mayor"])
    assert field in error.value.message_dict


@pytest.mark.parametrize(("factory", "field"), DATED, ids=[field for _f, field in DATED])
def test_the_database_refuses_a_date_after_the_day_of_submission(factory, field):
    model = factory._meta.model
    name = f"{model._meta.model_name}_{field}_not_after_submission"
    assert violates(name, lambda: factory(**{field: DAY_AFTER_TOMORROW}))


@pytest.mark.parametrize(("factory", "field"), DATED, ids=[field for _f, field in DATED])
def test_the_database_refuses_a_date_before_1900(factory, field):
    name = f"{factory._meta.model._meta.model_name}_{field}_not_before_1900"
    assert violates(name, lambda: factory(**{field: date(1899, 12, 31)}))


def test_the_admin_refuses_an_update_dated_2205(staff_client):
    city = CityFactory()
    response = staff_client.post(
        reverse("admin:commitments_progressupdate_add"),
        {
            "city": city.pk,
            "action": ActionFactory().pk,
            "status": "achieved",
            "summary": "From the future.",
            "happened_on": "2205-01-01",
            "evidence": [ApprovedEvidenceFactory(city=city).pk],
        },
    )
    assert "This date is in the future." in response.content.decode()
    assert not ProgressUpdate.objects.exists()


@pytest.mark.parametrize(
    ("when", "valid"),
    [
        (date(2020, 12, 31), False),  # more than a year before the term
        (date(2021, 6, 1), True),  # as a candidate
        (date(2023, 3, 1), True),
    ],
)
def test_a_pledge_lies_within_its_mayors_term_or_campaign(when, valid):
    pledge = PledgeFactory.build(mayor=MayorFactory(term_start=date(2022, 1, 1)), date=when)
    pledge.submitted_by.save()
    if valid:
        pledge.full_clean()
    else:
        with pytest.raises(ValidationError, match="must lie within that time"):
            pledge.full_clean()


def test_a_former_mayors_pledge_cannot_postdate_their_term():
    former = MayorFactory(term_start=date(2014, 1, 1), term_end=date(2021, 12, 31))
    pledge = PledgeFactory.build(mayor=former, date=date(2022, 6, 1))
    pledge.submitted_by.save()
    with pytest.raises(ValidationError, match="to 31 December 2021"):
        pledge.full_clean()


def test_of_two_updates_on_the_same_day_the_one_approved_later_is_current():
    city, action, reviewer = CityFactory(), ActionFactory(), ReviewerFactory()
    correction = ProgressUpdateFactory(city=city, action=action, status="in_progress")
    original = ProgressUpdateFactory(city=city, action=action, status="achieved")
    approve_update(original, reviewer)
    approve_update(correction, reviewer)
    assert CurrentStatus.objects.get(city=city, action=action).update == correction


# --- Clean text ----------------------------------------------------------------------------------

REFUSED = [chr(code) for code in range(32) if chr(code) not in "\t\n\r"] + ["\r", "\x7f", "\x85"]


def text_fields():
    for app in ("cities", "commitments"):
        for model in apps.get_app_config(app).get_models():
            if model.__name__.startswith("Historical"):
                continue
            for field in model._meta.get_fields():
                # A slug's own validator allows only letters, digits, hyphens and underscores.
                plain = isinstance(field, models.CharField | models.TextField)
                if plain and not field.choices and not isinstance(field, models.SlugField):
                    yield f"{model.__name__}.{field.name}", field


def test_every_text_field_refuses_control_characters():
    fields = dict(text_fields())
    assert "ProgressUpdate.summary" in fields and "City.name" in fields
    unguarded = [name for name, f in fields.items() if validate_printable not in f.validators]
    assert unguarded == []


@pytest.mark.parametrize("character", ["\t", "\n", "\r\n", "é", "—"])
def test_tab_newline_and_ordinary_characters_are_accepted(character):
    validate_printable(f"line{character}line")


def management_forms(page):
    """The hidden management-form fields of an admin page's inlines, as a browser sends them."""
    pattern = r'name="([\w-]+-(?:TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS)"[^>]*value="(\d+)"'
    return dict(re.findall(pattern, page))


POISON = "Text\x0btext"


def poisoned(character):
    return f"Text{character}text"


def advocate_forms(city):
    """(url, valid data, the text field to poison, the model whose rows must not grow)."""
    evidence = ApprovedEvidenceFactory(city=city)
    state, slug = city.state.lower(), city.slug
    return [
        (reverse("advocate:propose", args=[state, slug, "1.1"]),
         {"status": "achieved", "summary": "Adopted.", "happened_on": "2024-01-01",
          "existing_evidence": [evidence.pk]}, "summary", ProgressUpdate),
        (reverse("advocate:propose", args=[state, slug, "1.2"]),
         {"status": "achieved", "summary": "Adopted.", "happened_on": "2024-01-01",
          "evidence_title": "Ordinance", "evidence_url": "https://example.org/o",
          "evidence_publisher": "Council", "evidence_published_on": "2024-01-01",
          "evidence_kind": "ordinance"}, "evidence_title", Evidence),
        (reverse("advocate:pledge", args=[state, slug]),
         {"status": "urged", "date": "2023-01-01", "note": "Asked at the town hall."},
         "note", Pledge),
    ]  # fmt: skip


def admin_forms(city):
    """(model, the object changed or None to add, valid data, the text field to poison)."""
    evidence = ApprovedEvidenceFactory(city=city)
    action = ActionFactory(code="2.1")
    principle = action.principle
    return [
        (ProgressUpdate, None, {"city": city.pk, "action": action.pk, "status": "achieved",
         "summary": "Adopted.", "happened_on": "2024-01-01", "evidence": [evidence.pk]},
         "summary"),
        (Evidence, None, {"city": city.pk, "title": "Ordinance", "url": "https://example.org/o",
         "publisher": "Council", "published_on": "2024-01-01", "kind": "ordinance"}, "title"),
        (Pledge, None, {"mayor": city.mayors.get().pk, "status": "urged",
         "date": "2023-01-01", "note": "Asked."}, "note"),
        (Mayor, None, {"city": CityFactory().pk, "name": "Jo Example",
         "term_start": "2022-01-01"}, "name"),
        (City, None, {"name": "Newtown", "state": "MN", "slug": "newtown"}, "name"),
        (CityAlias, None, {"city": city.pk, "name": "Northeast"}, "name"),
        # The framework's texts are edited per language (`commitments/translation.py`).
        (Principle, principle, {"number": principle.number, "slug": principle.slug,
         "title_en": principle.title, "pledge_text_en": principle.pledge_text},
         "pledge_text_es"),
        (Action, action, {"principle": principle.pk, "code": action.code,
         "position": action.position, "title_en": action.title,
         "achieved_when_en": action.achieved_when, "weight": 2}, "title_en"),
    ]  # fmt: skip


def test_every_control_character_is_refused_by_every_advocate_form(
    client, city, advocate, settings
):
    settings.RATELIMIT_ENABLE = False  # a hundred submissions in a row, on purpose
    logged_in(client, advocate)
    for url, data, field, model in advocate_forms(city):
        rows = model.objects.count()
        for character in REFUSED:
            response = client.post(url, {**data, field: poisoned(character)})
            # Django's own form fields refuse the null character first, in their words.
            message = "Null characters" if character == "\x00" else "control character"
            assert message in response.content.decode(), (url, repr(character))
            assert model.objects.count() == rows
        assert client.post(url, data).status_code == 302, url  # the same form, clean, saves


def test_every_control_character_is_refused_by_every_admin_form(rf, staff_user, city):
    request = rf.post("/")
    request.user = staff_user
    for model, instance, data, field in admin_forms(city):
        form_class = admin.site._registry[model].get_form(request, instance)
        for character in REFUSED:
            form = form_class({**data, field: poisoned(character)}, instance=instance)
            assert not form.is_valid(), (model, repr(character))
            assert field in form.errors, (model, repr(character))
        assert form_class(data, instance=instance).is_valid(), (model, form.errors)


def test_the_admin_pages_say_which_control_character_and_save_nothing(staff_client, city):
    for model, instance, data, field in admin_forms(city):
        meta = model._meta
        view = "change" if instance else "add"
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}",
                      args=[instance.pk] if instance else [])  # fmt: skip
        page = staff_client.get(url).content.decode()
        empty_inlines = {name: 0 for name in management_forms(page) if "_FORMS" in name
                         and ("TOTAL" in name or "INITIAL" in name)}  # fmt: skip
        rows = model.objects.count()
        response = staff_client.post(url, {**empty_inlines, **data, field: POISON})
        assert "control character (code U+000B)" in response.content.decode(), url
        assert model.objects.count() == rows


def test_feeds_strip_control_characters_stored_before_they_were_refused(client):
    update = ApprovedUpdateFactory(summary="Adopted\x0b on a \x01 Tuesday.")
    city, principle = update.city, update.action.principle
    for url in [
        reverse("data:updates_feed"),
        reverse("data:city_feed", args=[city.state.lower(), city.slug]),
        reverse("data:principle_feed", args=[principle.slug]),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        feed = ElementTree.fromstring(response.content)
        assert "Adopted on a  Tuesday." in ElementTree.tostring(feed, encoding="unicode")


# --- History that cannot be rewritten ------------------------------------------------------------

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the triggers exist on PostgreSQL"
)


def refused(write):
    try:
        with transaction.atomic():
            write()
    except DatabaseError as error:
        return "pgtrigger" in str(error) or "protect" in str(error).lower()
    return False


APPEND_ONLY = [
    (ApprovedUpdateFactory, ProgressUpdate, {"summary": "Rewritten."}),
    (ApprovedEvidenceFactory, Evidence, {"title": "Rewritten."}),
    (ApprovedPledgeFactory, Pledge, {"note": "Rewritten."}),
]


@on_postgresql
@pytest.mark.parametrize(("factory", "model", "change"), APPEND_ONLY)
def test_queryset_update_cannot_rewrite_the_log(factory, model, change):
    item = factory()
    rows = model.objects.filter(pk=item.pk)
    assert refused(lambda: rows.update(**change))
    assert refused(lambda: rows.update(review_state=ReviewState.REJECTED, review_note="Later."))
    assert refused(lambda: rows.update(review_state=ReviewState.PENDING))


@on_postgresql
@pytest.mark.parametrize(("factory", "model", "change"), APPEND_ONLY)
def test_nothing_is_deleted_from_the_log(factory, model, change):
    item = factory()
    # Derived; they would shield updates from deletion.
    CurrentStatus.objects.all().delete()
    RatingPeriod.objects.all().delete()
    assert refused(lambda: model.objects.filter(pk=item.pk)._raw_delete(connection.alias))
    assert refused(lambda: model.objects.filter(pk=item.pk).delete())
    assert model.objects.filter(pk=item.pk).exists()


@on_postgresql
def test_the_evidence_behind_an_update_cannot_be_unlinked():
    update = ApprovedUpdateFactory()
    links = ProgressUpdate.evidence.through.objects.filter(progressupdate=update)
    assert refused(lambda: update.evidence.clear())
    assert refused(lambda: links.update(evidence=EvidenceFactory(city=update.city)))
    assert links.count() == 1


@on_postgresql
def test_evidence_is_attached_only_while_the_update_is_pending():
    update = ApprovedUpdateFactory()
    assert refused(lambda: update.evidence.add(EvidenceFactory(city=update.city)))
    assert update.evidence.count() == 1


@on_postgresql
def test_an_update_is_approved_only_with_approved_evidence():
    update = ProgressUpdateFactory()  # its one piece of evidence is pending
    rows = ProgressUpdate.objects.filter(pk=update.pk)
    reviewer = ReviewerFactory()
    review = {"reviewed_by": reviewer, "reviewed_at": timezone.now()}
    assert refused(lambda: rows.update(review_state=ReviewState.APPROVED, **review))
    update.evidence.update(review_state=ReviewState.APPROVED, **review)
    rows.update(review_state=ReviewState.APPROVED, **review)


@on_postgresql
def test_a_pending_item_takes_its_review_once_and_nothing_else():
    update = ProgressUpdateFactory()
    rows = ProgressUpdate.objects.filter(pk=update.pk)
    assert refused(lambda: rows.update(summary="Edited while pending."))
    reviewer = ReviewerFactory()
    rows.update(review_state=ReviewState.REJECTED, reviewed_by=reviewer, reviewed_at=timezone.now(),
                review_note="No source.")  # fmt: skip
    assert refused(lambda: rows.update(review_note="Second thoughts."))


def test_a_weight_change_is_kept_with_who_and_when(staff_client, staff_user, client):
    action = Action.objects.get(code="1.1")
    change_weight(staff_client, action, 3)
    latest, before = action.history.all()[:2]
    assert (before.weight, latest.weight, latest.history_user) == (1, 3, staff_user)
    body = re.sub(r"<[^>]+>", "", client.get(reverse("commitments:methodology")).content.decode())
    changed = timezone.localtime(latest.history_date)
    assert f"The framework last changed on {changed:%-d %B %Y}" in body
    history = staff_client.get(reverse("admin:commitments_action_history", args=[action.pk]))
    assert staff_user.username in history.content.decode()


# --- Mayors' terms -------------------------------------------------------------------------------


def test_a_citys_mayors_terms_may_not_overlap():
    city = CityFactory()
    MayorFactory(city=city, term_start=date(2014, 1, 1), term_end=date(2022, 1, 1))
    MayorFactory(city=city, term_start=date(2022, 1, 1))  # handed over on the day
    overlapping = MayorFactory.build(
        city=city, term_start=date(2018, 1, 1), term_end=date(2019, 1, 1)
    )
    with pytest.raises(ValidationError, match="overlaps"):
        overlapping.full_clean()
    elsewhere = MayorFactory.build(
        city=CityFactory(), term_start=date(2018, 1, 1), term_end=date(2019, 1, 1)
    )
    elsewhere.full_clean()


@on_postgresql
def test_the_database_refuses_overlapping_terms():
    city = CityFactory()
    MayorFactory(city=city, term_start=date(2014, 1, 1), term_end=date(2022, 1, 1))
    # A migration adds this constraint on PostgreSQL only, so the models do not declare it.
    with pytest.raises(IntegrityError, match="mayor_terms_do_not_overlap"), transaction.atomic():
        MayorFactory(city=city, term_start=date(2021, 6, 1), term_end=date(2021, 9, 1))


def test_the_admin_refuses_an_overlapping_term(staff_client, city):
    response = staff_client.post(
        reverse("admin:cities_mayor_add"),
        {"city": city.pk, "name": "Second Mayor", "term_start": "2023-01-01"},
    )
    assert "overlaps Jo Mayor" in response.content.decode()
    assert city.mayors.count() == 1


def test_the_admin_refuses_overlapping_terms_entered_together(staff_client):
    city = CityFactory()
    url = reverse("admin:cities_city_change", args=[city.pk])
    data = {**management_forms(staff_client.get(url).content.decode()),
            "name": city.name, "state": city.state, "slug": city.slug,
            "mayors-TOTAL_FORMS": 2,
            "mayors-0-name": "First", "mayors-0-term_start": "2014-01-01",
            "mayors-0-term_end": "2020-01-01",
            "mayors-1-name": "Second", "mayors-1-term_start": "2019-01-01"}  # fmt: skip
    response = staff_client.post(url, data)
    assert "The terms of First and Second overlap." in response.content.decode()
    assert not city.mayors.exists()
    data["mayors-1-term_start"] = "2020-01-01"  # handed over on the day
    assert staff_client.post(url, data).status_code == 302
    assert city.mayors.count() == 2
