"""Fixtures for the stories: the people in the fake workspace and a small mentor pool."""

from __future__ import annotations

import pytest

from tests.listeners.test_pool import ADMIN, add


@pytest.fixture
def people(slack):
    slack.add_user(ADMIN, real_name="Ada Admin")
    slack.add_user("U1", real_name="Mia Mentee")
    slack.add_user("U2", real_name="Grace Hopper", tz="America/New_York")
    slack.add_user("U3", real_name="Alan Turing", tz="Europe/London")
    slack.add_user("UOWNER", real_name="Olive Owner", is_owner=True)
    slack.add_user("UBOT2", real_name="Some Bot", is_bot=True)
    slack.add_user("UGONE", real_name="Gone Person", deleted=True)


@pytest.fixture
async def pool(user, slack, people):
    """Grace (engineering, the mentee's topics) and Alan (design) in the pool, via the modal."""
    admin = user.as_user(ADMIN)
    await add(admin, slack)
    await add(
        admin,
        slack,
        mentor="U3",
        fields=["design"],
        topics=["confidence", "networking"],
        capacity="1",
    )
