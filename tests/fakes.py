"""The fake Slack the tests talk to: a Web API on 127.0.0.1 that records every call's body,
and a client that sends the bot signed requests, as Slack does."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode

from aiohttp import ClientSession, web
from aiohttp.test_utils import TestServer
from slack_sdk.signature import SignatureVerifier

from tests.blockkit import message_problems, view_problems
from tests.scopes import METHOD_SCOPES, manifest_scopes, missing_scope

VIEW_METHODS = {"views.open", "views.update", "views.push", "views.publish"}
MESSAGE_METHODS = {"chat.postMessage", "chat.update", "chat.postEphemeral", "response_url"}
SIGNING_SECRET = "test-signing-secret"
BOT_USER = "UBOT"


@dataclass
class Call:
    method: str
    body: dict[str, Any]


@dataclass
class Failure:
    error: str | None
    status: int
    headers: dict[str, str]
    times: int
    where: dict[str, Any]
    drop: bool = False


@dataclass
class FakeClock:
    now: datetime = field(default_factory=lambda: datetime(2026, 11, 24, 10, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class VirtualTime:
    """A monotonic clock and a sleep that only move it: pacing is checked, never waited for."""

    now: float = 0.0
    slept: list[float] = field(default_factory=list)

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


class FakeSlack:
    """Answers like Slack's Web API, refusing what its token's scopes do not allow, records what
    the bot sent and checks it against the limits."""

    def __init__(self, scopes: Collection[str] | None = None) -> None:
        self.manifest_scopes = manifest_scopes()
        # The bot token's scopes: manifest.yml's unless a test grants others (or narrows these).
        self.scopes: tuple[str, ...] = tuple(self.manifest_scopes if scopes is None else scopes)
        self.calls: list[Call] = []
        self.problems: list[str] = []
        self.users: dict[str, dict[str, Any]] = {}
        self.uploads: dict[str, bytes] = {}
        self._failures: dict[str, list[Failure]] = {}
        self._held: set[str] = set()
        self._let_go = asyncio.Event()
        self._ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self.server: TestServer | None = None
        # How to wait until the bot under test has finished all it started (its listeners,
        # including the work after their acks): set by the fixture that starts the bot.
        # Without it (a bot in another process), waits are for a condition on the calls.
        self.idle: Callable[[], Awaitable[bool]] | None = None

    async def start(self, port: int | None = None) -> str:
        web_app = web.Application()
        self._routes(web_app)
        self.server = TestServer(web_app, host="127.0.0.1", **({"port": port} if port else {}))
        await self.server.start_server()
        return str(self.server.make_url("/api/"))

    def _routes(self, web_app: web.Application) -> None:
        web_app.router.add_route("*", "/api/{method}", self._api)
        web_app.router.add_post("/respond/{token}", self._respond)
        web_app.router.add_post("/upload/{file_id}", self._upload)

    @property
    def response_url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("/respond/r1"))

    def hold(self, method: str) -> None:
        """Calls of `method` get no answer until `let_go()`: the bot is caught mid-call."""
        self._held.add(method)
        self._let_go.clear()

    def let_go(self) -> None:
        self._held.clear()
        self._let_go.set()

    async def close(self) -> None:
        self.let_go()
        if self.server is not None:
            await self.server.close()

    def add_user(self, user_id: str, **fields: Any) -> None:
        self.users[user_id] = {
            "id": user_id,
            "name": user_id.lower(),
            "real_name": fields.pop("real_name", f"User {user_id}"),
            "tz": "Europe/London",
            "is_admin": False,
            "is_owner": False,
            "is_bot": False,
            "deleted": False,
            "team_id": "T1",
            **fields,
        }

    def fail(
        self,
        method: str,
        error: str | None = None,
        status: int = 200,
        times: int = 1,
        headers: dict[str, str] | None = None,
        where: dict[str, Any] | None = None,
        drop: bool = False,
    ) -> None:
        """The next `times` calls of `method` (whose body has `where`) fail with Slack's `error`,
        or with an HTTP status."""
        failure = Failure(error, status, headers or {}, times, where or {}, drop)
        self._failures.setdefault(method, []).append(failure)

    def called(self, method: str, **where: Any) -> list[dict[str, Any]]:
        """The bodies of the calls of `method` so far (those whose body has `where`)."""
        return [
            call.body
            for call in self.calls
            if call.method == method and where.items() <= call.body.items()
        ]

    async def settle(self) -> None:
        """Wait until the bot is idle: nothing it started is still running."""
        if self.idle is not None and not await self.idle():
            raise AssertionError("the bot was still busy after 10 s")

    async def wait_for(
        self, method: str, count: int = 1, within: float = 5, **where: Any
    ) -> list[dict[str, Any]]:
        """The calls of `method` (whose body has `where`) once the bot is idle: at least
        `count` of them. For a bot in another process: wait until it has made `count`."""
        if self.idle is None:
            async with asyncio.timeout(within), self._changed:
                await self._changed.wait_for(lambda: len(self.called(method, **where)) >= count)
            return self.called(method, **where)
        await self.settle()
        calls = self.called(method, **where)
        assert len(calls) >= count, f"{len(calls)} {method} calls, not {count}: {where}"
        return calls

    async def wait_until(self, check: Callable[[], bool], within: float = 5) -> None:
        """`check()` holds once the bot is idle (another process's bot: wait until it holds),
        for what a single count of calls cannot say."""
        if self.idle is None:
            async with asyncio.timeout(within), self._changed:
                await self._changed.wait_for(check)
            return
        await self.settle()
        assert check(), "not so once the bot was idle"

    async def _record(self, method: str, body: dict[str, Any]) -> None:
        self.calls.append(Call(method, body))
        if method in VIEW_METHODS and isinstance(body.get("view"), dict):
            self.problems += [f"{method}: {p}" for p in view_problems(body["view"])]
        if method in MESSAGE_METHODS:
            self.problems += [f"{method}: {p}" for p in message_problems(body)]
        async with self._changed:
            self._changed.notify_all()

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        body = await _body(request)
        await self._record(method, body)
        if method in self._held:
            await self._let_go.wait()
        refusal = self._refusal(method, body)
        if refusal is not None:
            return web.json_response(refusal)
        failures = self._failures.get(method, [])
        failure = next((f for f in failures if f.where.items() <= body.items()), None)
        if failure is not None:
            failure.times -= 1
            if failure.times <= 0:
                failures.remove(failure)
            if failure.drop:
                assert request.transport is not None
                request.transport.close()  # the connection drops, as a network fault does
                return web.Response(status=500)
            if failure.status != 200:
                return web.json_response(
                    {"ok": False}, status=failure.status, headers=failure.headers
                )
            return web.json_response({"ok": False, "error": failure.error})
        answer = self._answer(method, body)
        if method in VIEW_METHODS:
            # What the test reads back is the view as shown, with the id and hash Slack gave it.
            body["view"] = answer["view"]
        return web.json_response(answer)

    def _refusal(self, method: str, body: dict[str, Any]) -> dict[str, Any] | None:
        """What Slack answers a call the token's scopes do not allow; None when they do."""
        if method not in METHOD_SCOPES:
            self.problems.append(
                f"{method}: not in tests/scopes.py; add it with the scopes Slack documents for it"
            )
            return {"ok": False, "error": "unknown_method"}
        refusal = missing_scope(method, body, self.scopes)
        if refusal is not None and set(self.manifest_scopes) <= set(self.scopes):
            self.problems.append(f"{method}: manifest.yml does not grant {refusal['needed']}")
        return refusal

    async def _upload(self, request: web.Request) -> web.Response:
        """Where files.getUploadURLExternal sends the file's bytes."""
        self.uploads[request.match_info["file_id"]] = await request.read()
        return web.Response(text="OK - 200")

    async def _respond(self, request: web.Request) -> web.Response:
        await self._record("response_url", await _body(request))
        return web.Response(text="ok")

    def _answer(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        n = next(self._ids)
        if method == "auth.test":
            return {
                "ok": True,
                "user_id": BOT_USER,
                "bot_id": "B1",
                "team_id": "T1",
                "team": "Acme",
                "app_id": "A1",
                "is_enterprise_install": False,
            }
        if method in VIEW_METHODS:
            view = body.get("view")
            view = json.loads(view) if isinstance(view, str) else dict(view or {})
            return {
                "ok": True,
                "view": {**view, "id": body.get("view_id") or f"V{n}", "hash": f"h{n}"},
            }
        if method == "conversations.open":
            users = str(body.get("users", ""))
            return {"ok": True, "channel": {"id": "D" + users.replace(",", "")}}
        if method in ("chat.postMessage", "chat.update", "chat.postEphemeral"):
            return {"ok": True, "channel": body.get("channel"), "ts": f"1700000000.{n:06d}"}
        if method == "files.getUploadURLExternal":
            assert self.server is not None
            url = str(self.server.make_url(f"/upload/F{n}"))
            return {"ok": True, "upload_url": url, "file_id": f"F{n}"}
        if method == "files.completeUploadExternal":
            return {"ok": True, "files": [{"id": f["id"]} for f in _listed(body.get("files"))]}
        if method == "users.info":
            user = self.users.get(str(body.get("user")))
            return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}
        return {"ok": True}


def _listed(value: Any) -> list[dict[str, Any]]:
    return json.loads(value) if isinstance(value, str) else list(value or [])


async def _body(request: web.Request) -> dict[str, Any]:
    body: dict[str, Any] = dict(request.query)
    raw = await request.read()
    if raw:
        if request.content_type == "application/json":
            body.update(json.loads(raw))
        else:
            body.update(parse_qsl(raw.decode()))
    for key in ("view", "blocks", "attachments"):
        if isinstance(body.get(key), str):
            body[key] = json.loads(body[key])
    return body


class SlackUser:
    """Sends the bot what Slack would send when a person acts: signed, over HTTP."""

    def __init__(
        self,
        session: ClientSession,
        url: str,
        fake: FakeSlack,
        user_id: str = "U1",
        secret: str = SIGNING_SECRET,
    ) -> None:
        self.session = session
        self.url = url
        self.fake = fake
        self.user_id = user_id
        self.secret = secret
        self._triggers = itertools.count(1)
        if user_id not in fake.users:
            # Whoever acts is a member of the fake workspace unless a test says otherwise.
            fake.add_user(user_id)

    def as_user(self, user_id: str) -> SlackUser:
        return SlackUser(self.session, self.url, self.fake, user_id, self.secret)

    async def post(
        self,
        body: str,
        content_type: str,
        timestamp: int | None = None,
        signature: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        timestamp = int(time.time()) if timestamp is None else timestamp
        verifier = SignatureVerifier(self.secret)
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": str(timestamp),
            "X-Slack-Signature": signature
            or verifier.generate_signature(timestamp=str(timestamp), body=body),
        }
        headers.update(extra_headers or {})
        async with self.session.post(self.url, data=body.encode(), headers=headers) as response:
            text = await response.text()
        # Slack has its answer; what the bot does after its ack has run out once it is idle.
        await self.fake.settle()
        return response.status, json.loads(text) if text.startswith("{") else text

    async def command(self, text: str = "", channel_id: str = "C1") -> tuple[int, Any]:
        return await self.post(
            urlencode(self.command_body(text, channel_id)), "application/x-www-form-urlencoded"
        )

    def command_body(self, text: str = "", channel_id: str = "C1") -> dict[str, str]:
        return {
            "token": "legacy",
            "team_id": "T1",
            "team_domain": "acme",
            "channel_id": channel_id,
            "channel_name": "general",
            "user_id": self.user_id,
            "user_name": self.user_id.lower(),
            "command": "/devpath",
            "text": text,
            "api_app_id": "A1",
            "is_enterprise_install": "false",
            "response_url": self.fake.response_url,
            "trigger_id": f"trigger-{next(self._triggers)}",
        }

    async def interact(self, payload: dict[str, Any]) -> tuple[int, Any]:
        body = urlencode({"payload": json.dumps(payload)})
        return await self.post(body, "application/x-www-form-urlencoded")

    def _base(self, kind: str) -> dict[str, Any]:
        return {
            "type": kind,
            "team": {"id": "T1", "domain": "acme"},
            "api_app_id": "A1",
            "user": {"id": self.user_id, "team_id": "T1", "name": self.user_id.lower()},
            "token": "legacy",
            "is_enterprise_install": False,
        }

    async def submit(self, view: dict[str, Any], answers: dict[str, Any]) -> tuple[int, Any]:
        """Submit a modal the bot showed, with `answers` chosen: {block_id: value or [values]}."""
        payload = self._base("view_submission")
        payload["view"] = with_state(view, answers)
        status, body = await self.interact(payload)
        if isinstance(body, dict) and body.get("response_action") == "update":
            # Slack keeps the modal's id when a submission replaces its view.
            body["view"] = {**body["view"], "id": view.get("id"), "hash": f"{view.get('hash')}+"}
        return status, body

    async def close(self, view: dict[str, Any], answers: dict[str, Any]) -> tuple[int, Any]:
        payload = self._base("view_closed")
        payload["view"] = with_state(view, answers)
        payload["is_cleared"] = False
        return await self.interact(payload)

    async def click(
        self,
        action_id: str,
        block_id: str = "b",
        value: str | None = None,
        view: dict[str, Any] | None = None,
        answers: dict[str, Any] | None = None,
        message: bool = False,
        selected: str | None = None,
    ) -> tuple[int, Any]:
        payload = self._base("block_actions")
        payload["trigger_id"] = f"trigger-{next(self._triggers)}"
        action = {
            "action_id": action_id,
            "block_id": block_id,
            "type": "button",
            "action_ts": f"{time.time():.6f}",
        }
        if value is not None:
            action["value"] = value
        if selected is not None:
            action.update(type="overflow", selected_option={"value": selected})
        payload["actions"] = [action]
        if view is not None:
            payload["view"] = with_state(view, answers or {})
            payload["container"] = {"type": "view", "view_id": view.get("id")}
        if message:
            payload["container"] = {"type": "message", "channel_id": "D" + self.user_id}
            payload["channel"] = {"id": "D" + self.user_id}
            payload["response_url"] = self.fake.response_url
        return await self.interact(payload)

    async def event(
        self, event: dict[str, Any], event_id: str = "Ev1", retry: int | None = None
    ) -> tuple[int, Any]:
        body = json.dumps(
            {
                "token": "legacy",
                "team_id": "T1",
                "api_app_id": "A1",
                "type": "event_callback",
                "event_id": event_id,
                "event_time": int(time.time()),
                "event": event,
            }
        )
        retried = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
        return await self.post(body, "application/json", extra_headers=retried if retry else None)


def with_state(view: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    """The view as Slack sends it back: with each input block's chosen options in state.values."""
    values: dict[str, Any] = {}
    for block in view.get("blocks", []):
        if block.get("type") != "input" or block["block_id"] not in answers:
            continue
        element = block["element"]
        chosen = answers[block["block_id"]]
        state: dict[str, Any] = {"type": element["type"]}
        if element["type"] == "users_select":
            state["selected_user"] = chosen
        elif element["type"] == "multi_users_select":
            state["selected_users"] = list(chosen)
        elif element["type"] == "plain_text_input":
            state["value"] = chosen
        elif element["type"] == "datepicker":
            state["selected_date"] = chosen
        else:
            by_value = {o["value"]: o for o in element.get("options", [])}
            picked = [
                by_value.get(v, {"text": {"type": "plain_text", "text": v}, "value": v})
                for v in ([chosen] if isinstance(chosen, str) else chosen)
            ]
            if element["type"] in ("checkboxes", "multi_static_select"):
                state["selected_options"] = picked
            else:
                state["selected_option"] = picked[0] if picked else None
        values[block["block_id"]] = {element["action_id"]: state}
    return {**view, "state": {"values": values}}
