"""The seeded pledge framework: 7 principles, 27 actions, in the pledge's words."""

import pytest

from commitments.models import Action, Principle

pytestmark = pytest.mark.django_db


def test_seven_principles_in_pledge_order():
    assert list(Principle.objects.values_list("number", flat=True)) == [1, 2, 3, 4, 5, 6, 7]
    first = Principle.objects.get(number=1)
    assert first.title == "Ensure Police Are Accountable to the Community"
    assert first.pledge_text.startswith("Police departments are funded by the public")


def test_twenty_seven_actions_spread_over_the_principles():
    counts = {p.number: p.actions.count() for p in Principle.objects.all()}
    assert counts == {1: 5, 2: 4, 3: 4, 4: 4, 5: 4, 6: 3, 7: 3}
    assert Action.objects.count() == 27


def test_actions_carry_their_achieved_when_criteria():
    action = Action.objects.get(code="4.3")
    assert action.title == "No new military equipment"
    assert action.achieved_when == "The city rejects transfers of military equipment to its police."
    assert action.principle.number == 4
    assert action.weight == 1
