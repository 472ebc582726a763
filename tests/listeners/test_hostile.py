"""Random and hostile values thrown at every modal, button and command: the bot answers with
inline errors or a friendly reply, never a 5xx and never an unhandled exception."""

from __future__ import annotations

import json
import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.listeners.test_pool import ADMIN

CALLBACKS = [
    "questionnaire",
    "mentor_edit",
    "mentor_remove",
    "intro_request",
    "nudge_note",
    "nudge_goals",
    "result",
    "mentor_pool",
    "someone_elses_modal",
    "intro_question",
    "intro_question_answer",
    "mentoring_agreement",
    "mentoring_rate_goals",
    "mentoring_end",
    "mentoring_closeout",
    "round_start",
    "round_swap",
]
BLOCKS = [
    "q_career_stage",
    "q_field",
    "q_topics",
    "share",
    "mentor",
    "fields",
    "topics",
    "seniority",
    "capacity",
    "bio",
    "status",
    "shares",
    "note",
    "goals",
    "question",
    "answer",
    "goal_1",
    "goal_2",
    "meet_every",
    "goal_0",
    "reason",
    "recommend",
    "name",
    "closes",
    "audience",
    "replaces",
]
ACTIONS = [
    "answer",
    "share",
    "user",
    "fields",
    "topics",
    "seniority",
    "capacity",
    "bio",
    "status",
    "shares",
    "note",
    "goals",
    "question",
    "answer",
    "goal_1",
    "goal_2",
    "meet_every",
    "goal_0",
    "reason",
    "recommend",
    "name",
    "closes",
    "audience",
    "replaces",
    "mentor",
]
BUTTONS = [
    "questionnaire_back",
    "questionnaire_start_over",
    "open_questionnaire",
    "request_intro",
    "intro_accept",
    "intro_decline",
    "open_request_post",
    "open_request_claim",
    "mentor_menu",
    "pool_page_next",
    "pool_page_previous",
    "pool_add_mentor",
    "pool_open",
    "nudge_snooze",
    "nudge_stop",
    "nudge_met",
    "nudge_not_yet",
    "nudge_score_3",
    "nudge_note",
    "nudge_goals",
    "forget_confirm",
    "forget_cancel",
    "intro_ask",
    "intro_answer_question",
    "mentoring_agreement",
    "mentoring_agreement_confirm",
    "mentoring_done",
    "mentoring_end_early",
    "mentoring_rate_goals",
    "mentoring_closeout",
    "round_join",
    "round_places_2",
    "round_match",
    "round_preview",
    "round_publish",
    "round_pair",
    "round_page_next",
    "unknown_button",
]
HOSTILE_TEXT = st.one_of(
    st.text(max_size=60),
    st.tuples(st.integers(3001, 6000), st.sampled_from("a<&🙂\x00\n")).map(
        lambda nc: nc[1] * nc[0]
    ),
    st.sampled_from(
        [
            "<!channel>",
            "<@U1>",
            "&lt;",
            "\x00\x07\x1b[31m",
            "🙂" * 600,
            "'=cmd|' /C calc'!A0",
            "U1",
            "V1",
            '{"step": 99}',
            '{"step": "2"}',
            '{"root": 5, "page": "x"}',
        ]
    ),
)
JUNK = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), HOSTILE_TEXT),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
OPTION = st.one_of(JUNK, st.fixed_dictionaries({"value": JUNK}))
ELEMENT = st.one_of(
    JUNK,
    st.fixed_dictionaries(
        {},
        optional={
            "type": st.sampled_from(
                [
                    "radio_buttons",
                    "checkboxes",
                    "static_select",
                    "plain_text_input",
                    "users_select",
                    "multi_static_select",
                ]
            ),
            "selected_option": OPTION,
            "selected_options": st.one_of(JUNK, st.lists(OPTION, max_size=12)),
            "value": JUNK,
            "selected_user": JUNK,
        },
    ),
)
VALUES = st.dictionaries(
    st.one_of(st.sampled_from(BLOCKS), st.text(max_size=300)),
    st.one_of(
        JUNK,
        st.dictionaries(
            st.one_of(st.sampled_from(ACTIONS), st.text(max_size=20)), ELEMENT, max_size=3
        ),
    ),
    max_size=8,
)
WHO = st.sampled_from(["U1", ADMIN, "UNOBODY"])
# Derandomized, so every run (and CI) throws the same values: a failure is reproducible.
SLOW = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


class Failures(logging.Handler):
    """Every ERROR the app logs: an exception in a listener, before or after its ack."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.seen: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.seen.append(f"{record.name}: {record.getMessage()[:300]}")


@pytest.fixture
def failures():
    handler = Failures()
    logging.getLogger().addHandler(handler)
    yield handler.seen
    logging.getLogger().removeHandler(handler)


def ok(status: int, body) -> None:
    assert status < 500, body
    if isinstance(body, dict):
        assert body.get("response_action") in (None, "errors", "update", "clear", "push"), body
        if body.get("response_action") == "errors":
            assert all(isinstance(v, str) and v for v in body["errors"].values())


@SLOW
@given(
    who=WHO,
    callback=st.sampled_from(CALLBACKS),
    values=VALUES,
    meta=st.one_of(
        HOSTILE_TEXT,
        st.dictionaries(
            st.sampled_from(
                ["step", "channel", "root", "page", "user", "mentor", "nudge", "intro", "ts"]
            ),
            JUNK,
        ).map(json.dumps),
    ),
    closed=st.booleans(),
)
async def test_any_modal_submission(
    user, slack, bot, people, failures, who, callback, values, meta, closed
):
    person = user.as_user(who)
    payload = person._base("view_closed" if closed else "view_submission")
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
@given(
    who=WHO,
    action=st.sampled_from(BUTTONS),
    value=JUNK,
    selected=st.one_of(st.none(), HOSTILE_TEXT),
    in_view=st.booleans(),
    meta=HOSTILE_TEXT,
)
async def test_any_button(
    user, slack, bot, people, failures, who, action, value, selected, in_view, meta
):
    person = user.as_user(who)
    payload = person._base("block_actions")
    payload["trigger_id"] = "t1"
    element = {
        "action_id": action,
        "block_id": "b",
        "type": "button",
        "action_ts": "1.0",
        "value": value,
    }
    if selected is not None:
        element.update(type="overflow", selected_option={"value": selected})
    payload["actions"] = [element]
    if in_view:
        payload["view"] = {
            "id": "V1",
            "hash": "h",
            "type": "modal",
            "callback_id": "mentor_pool",
            "private_metadata": meta,
            "state": {"values": {}},
            "blocks": [],
        }
        payload["container"] = {"type": "view", "view_id": "V1"}
    else:
        payload["container"] = {"type": "message"}
        payload["response_url"] = slack.response_url
    ok(*await person.interact(payload))
    assert failures == []


@SLOW
@given(who=WHO, text=HOSTILE_TEXT)
async def test_any_command_text(user, slack, bot, people, failures, who, text):
    status, body = await user.as_user(who).command(text)
    ok(status, body)
    if isinstance(body, dict) and "text" in body:
        assert "<!channel>" not in body["text"]
    assert failures == []
