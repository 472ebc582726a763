"""Random and hostile values thrown at a mentor's own modals and buttons, and at the admins'
decision on a nomination: inline errors or a friendly reply, never a 5xx or an exception."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from tests.listeners.test_hostile import ELEMENT, HOSTILE_TEXT, JUNK, SLOW, WHO, failures, ok

__all__ = ["failures"]  # the fixture, used by the tests below

CALLBACKS = ["mentor_join", "mentor_profile", "mentor_away", "nomination_decline"]
BUTTONS = ["nomination_approve", "nomination_decline", "intro_full", "intro_away"]
BLOCKS = ["fields", "topics", "seniority", "capacity", "bio", "status", "away", "reason"]
ACTIONS = [*BLOCKS, "away_until"]
DATES = st.one_of(
    JUNK, st.dates().map(str), st.sampled_from(["2026-12-01", "9999-12-31", "0001-01-01"])
)
VALUES = st.dictionaries(
    st.one_of(st.sampled_from(BLOCKS), st.text(max_size=30)),
    st.one_of(
        JUNK,
        st.dictionaries(
            st.one_of(st.sampled_from(ACTIONS), st.text(max_size=20)),
            st.one_of(ELEMENT, st.fixed_dictionaries({"selected_date": DATES})),
            max_size=3,
        ),
    ),
    max_size=8,
)
KEYS = st.one_of(
    HOSTILE_TEXT,
    st.sampled_from(["U2|2026-11-24T10:00:00+00:00", "U2|", "|", "U2|2026-11-24T10:00:00"]),
)


@SLOW
@given(
    who=WHO,
    callback=st.sampled_from(CALLBACKS),
    values=VALUES,
    meta=st.one_of(
        HOSTILE_TEXT,
        st.dictionaries(
            st.sampled_from(["seen", "intro", "channel", "ts", "nomination"]),
            st.one_of(JUNK, KEYS),
        ).map(json.dumps),
    ),
)
async def test_any_mentor_modal_submission(
    user, slack, bot, pool, failures, who, callback, values, meta
):
    person = user.as_user(who)
    payload = person._base("view_submission")
    payload["view"] = {
        "id": "V1",
        "hash": "h",
        "type": "modal",
        "callback_id": callback,
        "private_metadata": meta,
        "state": {"values": values},
        "blocks": [],
    }
    ok(*await person.interact(payload))
    assert failures == []


@SLOW
@given(who=WHO, action=st.sampled_from(BUTTONS), value=st.one_of(JUNK, KEYS))
async def test_any_mentor_button(user, slack, bot, pool, failures, who, action, value):
    person = user.as_user(who)
    payload = person._base("block_actions")
    payload["trigger_id"] = "t1"
    payload["actions"] = [
        {"action_id": action, "block_id": "b", "type": "button", "action_ts": "1.0", "value": value}
    ]
    payload["container"] = {"type": "message"}
    payload["response_url"] = slack.response_url
    ok(*await person.interact(payload))
    assert failures == []


@SLOW
@given(who=st.sampled_from(["U1", "U2", "UADMIN", "UNOBODY"]))
async def test_the_mentor_commands_for_anyone(user, slack, bot, pool, failures, who):
    for text in ("mentor join", "mentor", "MENTOR  join"):
        ok(*await user.as_user(who).command(text))
    assert failures == []
