"""Bodies nobody should send: without the signing secret they get 401 and are never parsed;
signed but unreadable they get 400 (413 when too big). Never a 500, never a traceback."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from slack_sdk.signature import SignatureVerifier

from tests.fakes import SIGNING_SECRET
from tests.listeners.test_hostile import BUTTONS, CALLBACKS

FORM = "application/x-www-form-urlencoded"
DEEP = 100_000


class Troubles(logging.Handler):
    """Every ERROR, and every record that carries a traceback."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.seen: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR or record.exc_info:
            self.seen.append(f"{record.name}: {record.getMessage()[:300]}")


@pytest.fixture
def troubles() -> Iterator[list[str]]:
    handler = Troubles()
    logging.getLogger().addHandler(handler)
    yield handler.seen
    logging.getLogger().removeHandler(handler)


def signed(body: bytes, stamp: int | None = None) -> dict[str, str]:
    """Headers as Slack signs them: over the bytes it sends, as slack_sdk does for text."""
    stamp = int(time.time()) if stamp is None else stamp
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raw = b"v0:" + str(stamp).encode() + b":" + body
        digest = "v0=" + hmac.new(SIGNING_SECRET.encode(), raw, hashlib.sha256).hexdigest()
    else:
        verifier = SignatureVerifier(SIGNING_SECRET)
        digest = str(verifier.generate_signature(timestamp=str(stamp), body=text))
    return {"X-Slack-Request-Timestamp": str(stamp), "X-Slack-Signature": digest}


async def send(user, body: bytes, headers: dict[str, str], content_type: str = FORM) -> int:
    async with user.session.post(
        user.url, data=body, headers={"Content-Type": content_type, **headers}
    ) as answer:
        text = await answer.text()
        assert len(text) < 200 and "Traceback" not in text
        return answer.status


UNSIGNED = {
    "no headers": {},
    "no signature": {"X-Slack-Request-Timestamp": "1"},
    "a timestamp that is no number": {
        "X-Slack-Request-Timestamp": "soon",
        "X-Slack-Signature": "v0=1",
    },
    "a unicode digit": {"X-Slack-Request-Timestamp": "\u00b2", "X-Slack-Signature": "v0=1"},
    "a signature in latin-1": {"X-Slack-Request-Timestamp": "1", "X-Slack-Signature": "v0=\u00e9"},
}


@pytest.mark.parametrize("headers", UNSIGNED.values(), ids=UNSIGNED.keys())
async def test_an_unsigned_request_is_401_and_never_parsed(user, slack, troubles, headers):
    deep = b"payload=" + b"[" * DEEP
    assert await send(user, deep, headers) == 401
    assert await send(user, b"\xff\xfe" + deep, headers) == 401
    assert troubles == []


async def test_a_stale_request_is_401_even_when_unreadable(user, slack, troubles):
    body = b"payload=" + b"[" * DEEP
    assert await send(user, body, signed(body, int(time.time()) - 301)) == 401
    assert troubles == []


NESTED = "payload=" + quote("payload=" + quote(json.dumps({"type": "block_actions"})))
UNREADABLE = {
    "invalid UTF-8": b"payload=%7B%7D\xff\xfe",
    "100k-deep JSON in payload=": b"payload=" + b"[" * DEEP + b"]" * DEEP,
    "100k-deep JSON": b"{" + b'"a":{' * DEEP + b"}" * (DEEP + 1),
    "a form inside payload=": NESTED.encode(),
    "payload= that is a list": b"payload=%5B1%5D",
    "payload= that is a string": b"payload=%22x%22",
    "payload= cut short": b"payload=%7B%22type%22",
    "authorizations that are no list": b'{"authorizations": "x", "type": "event_callback"}',
}


@pytest.mark.parametrize("body", UNREADABLE.values(), ids=UNREADABLE.keys())
async def test_a_signed_body_that_cannot_be_read_is_400(user, slack, troubles, body):
    assert await send(user, body, signed(body)) == 400
    assert troubles == []
    assert [c.method for c in slack.calls if c.method != "auth.test"] == []


async def test_a_body_over_a_megabyte_is_413(user, slack, troubles):
    body = b"payload=" + b"a" * (1024 * 1024 + 1)
    assert await send(user, body, signed(body)) == 413
    assert troubles == []


# The keys Bolt reads before any listener runs, and those our listeners read first.
KEYS = [
    *("type", "team", "user", "enterprise", "authorizations", "event", "channel", "view"),
    *("actions", "command", "payload", "token", "is_enterprise_install", "team_id", "user_id"),
    *("channel_id", "response_url", "trigger_id", "event_id"),
]
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(KEYS),
            inner,
            max_size=5,
        )
    ),
    max_leaves=20,
)
SMALL = st.one_of(JSON, st.sampled_from(["U1", "UADMIN", "V1", "/devpath", "home", ""]))
# Bodies that look like Slack's, with any part in the wrong type: what Bolt routes by.
ENVELOPE = st.fixed_dictionaries(
    {
        "type": st.one_of(
            st.sampled_from(["block_actions", "view_submission", "view_closed", "shortcut"]),
            st.sampled_from(["message_action", "event_callback", "block_suggestion"]),
            SMALL,
        )
    },
    optional={
        "user": st.one_of(SMALL, st.fixed_dictionaries({"id": SMALL})),
        "actions": st.one_of(
            SMALL,
            st.lists(
                st.fixed_dictionaries(
                    {"action_id": st.one_of(st.sampled_from(BUTTONS), SMALL)},
                    optional={"value": SMALL, "block_id": SMALL},
                ),
                max_size=2,
            ),
        ),
        "view": st.one_of(
            SMALL,
            st.fixed_dictionaries(
                {"callback_id": st.one_of(st.sampled_from(CALLBACKS), SMALL)},
                optional={"private_metadata": SMALL, "state": SMALL, "id": SMALL},
            ),
        ),
        "event": st.one_of(
            SMALL,
            st.fixed_dictionaries(
                {"type": st.one_of(st.sampled_from(["app_home_opened", "message"]), SMALL)},
                optional={"user": SMALL, "tab": SMALL, "channel": SMALL},
            ),
        ),
        "event_id": SMALL,
        "team": SMALL,
        "channel": SMALL,
        "authorizations": SMALL,
        "response_url": SMALL,
        "trigger_id": SMALL,
        "command": SMALL,
        "text": SMALL,
        "user_id": SMALL,
    },
)
BODIES = st.one_of(
    ENVELOPE.map(lambda value: "payload=" + quote(json.dumps(value))).map(str.encode),
    ENVELOPE.map(json.dumps).map(str.encode),
    st.binary(max_size=300),
    JSON.map(lambda value: "payload=" + quote(json.dumps(value))).map(str.encode),
    JSON.map(json.dumps).map(str.encode),
    st.lists(st.tuples(st.text(max_size=8), st.text(max_size=20)), max_size=5).map(
        lambda pairs: "&".join(f"{quote(k)}={quote(v)}" for k, v in pairs).encode()
    ),
)


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=BODIES, json_type=st.booleans())
async def test_any_signed_body_gets_an_answer_below_500(user, slack, troubles, body, json_type):
    status = await send(user, body, signed(body), "application/json" if json_type else FORM)
    assert status < 500, body
    assert troubles == [], body
