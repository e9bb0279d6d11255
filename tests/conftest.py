"""Shared fixtures: fast password hashing, and the people who use the site."""

import pytest

from tests.factories import StaffFactory


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def staff_user(db):
    return StaffFactory(username="reviewer")


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client
