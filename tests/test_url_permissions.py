"""Who may open what, for every URL the resolver knows: a new URL is guarded or this fails."""

import pytest
from django.urls import reverse

from tests.conftest import logged_in
from tests.factories import ProgressUpdateFactory, UserFactory
from tests.url_list import ours, public_urls, url_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("name", "args"), public_urls())
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
