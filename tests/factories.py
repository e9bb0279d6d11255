"""factory-boy factories for every model, with defaults that make a valid record."""

from datetime import date, timedelta
from unittest import mock

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from django.utils.text import slugify

from cities.models import City, Mayor, PoliceKilling
from commitments.models import (
    Action,
    Evidence,
    EvidenceKind,
    Pledge,
    PledgeStatus,
    Principle,
    ProgressUpdate,
    ReviewState,
)
from commitments.scoring import PRINCIPLE_NUMBERS, Status
from commitments.services import (
    approve_evidence,
    approve_pledge,
    approve_update,
    rebuild_current_statuses,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def save_password(user, create, extracted, **kwargs):
        if create:
            user.save()


class StaffFactory(UserFactory):
    username = factory.Sequence(lambda n: f"staff{n}")
    is_staff = True
    is_superuser = True


class ReviewerFactory(UserFactory):
    """Staff in the "Reviewers" group that the migrations create: no superuser powers."""

    username = factory.Sequence(lambda n: f"reviewer{n}")
    is_staff = True

    @factory.post_generation
    def join_reviewers(user, create, extracted, **kwargs):
        if create:
            user.groups.add(Group.objects.get(name="Reviewers"))


def _existing_or(factory_class, username):
    # Looked up first: get_or_create would reset the password, logging the user out.
    user = get_user_model().objects.filter(username=username).first()
    return user or factory_class(username=username)


def reviewer():
    """The one reviewer that approves what factories create."""
    return _existing_or(ReviewerFactory, "reviewer")


def submitter():
    """The one advocate that factory-made submissions come from, unless a test names another."""
    return _existing_or(UserFactory, "submitter")


class CityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = City

    name = factory.Sequence(lambda n: f"Testville {n}")
    state = "MN"
    slug = factory.LazyAttribute(lambda city: slugify(city.name))
    population = 100_000
    police_department = factory.LazyAttribute(lambda city: f"{city.name} Police Department")


class MayorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mayor

    city = factory.SubFactory(CityFactory)
    name = factory.Sequence(lambda n: f"Mayor Example {n}")
    term_start = date(2022, 1, 1)


class PrincipleFactory(factory.django.DjangoModelFactory):
    """The framework is seeded by a migration; this returns those principles."""

    class Meta:
        model = Principle
        django_get_or_create = ("number",)

    number = factory.Iterator(PRINCIPLE_NUMBERS)


class ActionFactory(factory.django.DjangoModelFactory):
    """The framework is seeded by a migration; this returns those actions."""

    class Meta:
        model = Action
        django_get_or_create = ("code",)

    code = "1.1"


class PledgeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pledge

    mayor = factory.SubFactory(MayorFactory)
    status = PledgeStatus.URGED
    date = date(2023, 3, 1)
    source_url = "https://example.org/pledge"
    submitted_by = factory.LazyFunction(submitter)


class ApprovedPledgeFactory(PledgeFactory):
    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return approve_pledge(super()._create(model_class, *args, **kwargs), reviewer())


class EvidenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Evidence

    city = factory.SubFactory(CityFactory)
    title = factory.Sequence(lambda n: f"Council adopts ordinance {n}")
    url = factory.Sequence(lambda n: f"https://example.org/evidence/{n}")
    publisher = "City Council"
    published_on = date(2024, 5, 1)
    kind = EvidenceKind.ORDINANCE
    excerpt = "The council adopted the ordinance."
    submitted_by = factory.LazyFunction(submitter)


class ApprovedEvidenceFactory(EvidenceFactory):
    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return approve_evidence(super()._create(model_class, *args, **kwargs), reviewer())


class ProgressUpdateFactory(factory.django.DjangoModelFactory):
    """A pending update with one piece of evidence of its own (pass evidence=[...] to choose)."""

    class Meta:
        model = ProgressUpdate

    city = factory.SubFactory(CityFactory)
    action = factory.SubFactory(ActionFactory)
    status = Status.ACHIEVED
    summary = "The council adopted it."
    happened_on = date(2024, 5, 1)
    submitted_by = factory.LazyFunction(submitter)

    @classmethod
    def _create(cls, model_class, *args, evidence=None, **kwargs):
        update = super()._create(model_class, *args, **kwargs)
        if evidence is None:
            evidence = [EvidenceFactory(city=update.city, submitted_by=update.submitted_by)]
        update.evidence.set(evidence)
        return update


class ApprovedUpdateFactory(ProgressUpdateFactory):
    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return approve_update(super()._create(model_class, *args, **kwargs), reviewer())


class PoliceKillingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PoliceKilling

    mpv_id = factory.Sequence(lambda n: f"MPV{n:05d}")
    name = factory.Sequence(lambda n: f"Person {n}")
    date = date(2024, 7, 1)
    age = 30
    gender = "Male"
    race = "Black"
    city = factory.SubFactory(CityFactory)
    city_name = factory.LazyAttribute(lambda record: record.city.name if record.city else "")
    state = factory.LazyAttribute(lambda record: record.city.state if record.city else "MN")
    agency = "Police Department"
    cause_of_death = "Gunshot"
    armed_status = "Unarmed"


def rate(city, statuses, happened_on=date(2024, 1, 1)):
    """Give a city approved current statuses, {action code: status}, in a few queries.

    For tests where only the resulting record matters; the review flow that maintains
    CurrentStatus and the rating periods is tested on its own (test_advocates,
    test_admin_review, test_scoring, test_derived).
    """
    actions = {action.code: action for action in Action.objects.filter(code__in=statuses)}
    staff = reviewer()
    # Logged a moment ago (submission times are stamped on save, so the clock is set back while
    # they are saved), so that what the test approves next comes later.
    moment = timezone.now() - timedelta(seconds=1)
    with mock.patch("django.utils.timezone.now", return_value=moment):
        ProgressUpdate.objects.bulk_create(
            ProgressUpdate(
                city=city, action=actions[code], status=status, summary="Rated.",
                happened_on=happened_on, submitted_by=staff,
                review_state=ReviewState.APPROVED, reviewed_by=staff, reviewed_at=moment,
            )
            for code, status in statuses.items()
        )  # fmt: skip
    rebuild_current_statuses()
