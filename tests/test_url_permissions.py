"""Who may open what, for every URL the resolver knows: a new URL is guarded or this fails."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from commitments.models import Principle
from tests.conftest import logged_in
from tests.factories import (
    ApprovedPledgeFactory,
    ApprovedUpdateFactory,
    ProgressUpdateFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# Django's own sign-in pages, guarded by Django.
NOT_OURS = {"login", "logout", "password_change", "password_change_done", "password_reset",
            "password_reset_done", "password_reset_confirm", "password_reset_complete",
            "admin:login", "admin:logout"}  # fmt: skip


def named_urls(patterns=None, namespace=""):
    """(full name, argument names) of every named URL, walking the resolver."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from named_urls(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            regex = pattern.pattern.regex
            yield f"{namespace}{pattern.name}", list(regex.groupindex) or [None] * regex.groups


def ours(prefix):
    return sorted(
        (name, args)
        for name, args in named_urls()
        if name.startswith(prefix) and name not in NOT_OURS
    )


@pytest.fixture
def record(city):
    update = ApprovedUpdateFactory(city=city)
    return {
        "city": city,
        "principle": Principle.objects.get(number=1),
        "update": update,
        "evidence": update.evidence.get(),
        "pledge": ApprovedPledgeFactory(mayor=city.mayors.get()),
    }


def url_for(name, args, record):
    """The URL `name` with arguments drawn from the record (its city, principle or item)."""
    city, principle = record["city"], record["principle"]
    values = {"state": city.state.lower(), "code": "1.1"}
    values["slug"] = city.slug if "state" in args else principle.slug
    if "pk" in args:
        kind = name.split(":")[-1].removesuffix("-detail")
        values["pk"] = record[kind].pk
    return reverse(name, kwargs={arg: values[arg] for arg in args})


@pytest.mark.parametrize(("name", "args"), ours("commitments:") + ours("api:") + ours("healthz"))
def test_public_urls_open_to_anyone_and_take_no_writes(client, record, name, args):
    url = url_for(name, args, record)
    assert client.get(url).status_code == 200, url
    assert client.post(url).status_code in (403, 405), url


@pytest.mark.parametrize(("name", "args"), ours("advocate:"))
def test_advocate_urls_need_a_login_and_an_assigned_city(client, record, other_city, name, args):
    url = url_for(name, args, record)
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith(reverse("login")), url
    logged_in(client, UserFactory())  # signed in, assigned to no city
    assert client.get(url).status_code == (403 if "state" in args else 200), url


def test_every_admin_url_needs_staff(client, record):
    ProgressUpdateFactory()
    urls = [name for name, _args in ours("admin:")]
    assert urls, "the admin's URLs were found"
    for name, args in ours("admin:"):
        if args:
            continue  # the object pages sit behind the same admin_view as the lists
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/admin/login/" in response.url, name


def test_the_review_url_needs_staff_and_the_review_permission(client, record):
    update = ProgressUpdateFactory(city=record["city"])
    url = reverse("admin:commitments_progressupdate_review", args=[update.pk])
    assert "/admin/login/" in client.post(url, {"decision": "approve"}).url
    logged_in(client, UserFactory(is_staff=True))
    assert client.post(url, {"decision": "approve"}).status_code == 403
