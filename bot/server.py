"""Serving the app: HTTP on $PORT with /slack/events and /healthz, or Socket Mode.

An HTTP request's signature and timestamp are checked on its raw bytes before anything reads
them, so a sender without the signing secret gets 401 and nothing of its body is parsed or
logged; a signed body that cannot be read is answered 400 (413 when too big), never 500."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import hashlib
import hmac
import logging
import signal
import time
from collections.abc import Callable, Mapping
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.errors import SlackApiError

import bot
from bot.background import Background
from bot.deps import Deps
from bot.envelope import well_formed
from bot.inflight import InFlight
from bot.logs import quiet_slack_loggers
from bot.middleware import log_refused, log_request
from bot.settings import Settings, SettingsError

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
SHUTDOWN_GRACE = 10.0  # seconds for work under way to finish once asked to stop
BODY_MOST = 1024 * 1024  # bytes; Slack's payloads are a few kilobytes
SIGNED_WITHIN = 5 * 60  # seconds between Slack signing a request and our reading it


class PortUnavailable(Exception):
    """PORT cannot be listened on: one line for the operator, no traceback."""


class SlackSignature:
    """Slack's request signature (v0, HMAC-SHA256 of "v0:timestamp:body"), checked on the raw
    bytes. slack_sdk's SignatureVerifier decodes the body first and raises on invalid UTF-8
    or a timestamp that is not a number; a refusal here never raises."""

    def __init__(self, secret: str, now: Callable[[], float] = time.time) -> None:
        self._secret = secret.encode()
        self._now = now

    def refusal(self, raw: bytes, headers: Mapping[str, str]) -> str | None:
        """None when Slack signed this body lately; otherwise why not, in one word."""
        stamp = headers.get("X-Slack-Request-Timestamp", "")
        signature = headers.get("X-Slack-Signature", "")
        readable = stamp.isascii() and stamp.isdigit() and len(stamp) <= 12
        if not self._secret or not signature or not readable:
            return "signature"
        digest = hmac.new(self._secret, b"v0:" + stamp.encode() + b":" + raw, hashlib.sha256)
        expected = b"v0=" + digest.hexdigest().encode()
        if not hmac.compare_digest(expected, signature.encode(errors="replace")):
            return "signature"
        if abs(self._now() - int(stamp)) > SIGNED_WITHIN:
            return "stale"
        return None


def _refused(why: str, status: int, started: float) -> web.Response:
    log_refused(why, status, time.perf_counter() - started)
    return web.json_response({"error": f"invalid request ({why})"}, status=status)


def _bolt_request(raw: bytes, request: web.Request) -> AsyncBoltRequest | None:
    """The signed body as Bolt reads it, or None when it cannot be read: not UTF-8, not JSON
    Bolt can parse (too deep, truncated), or not in the shape Slack sends (bot/envelope.py)."""
    try:
        parsed = AsyncBoltRequest(
            body=raw.decode("utf-8"),
            query=request.query_string,
            headers=request.headers,  # type: ignore[arg-type]
        )
    except (ValueError, RecursionError, TypeError, AttributeError, LookupError):
        return None
    return parsed if well_formed(parsed.body) else None


class _LoggedSocketModeHandler(AsyncSocketModeHandler):
    """Socket Mode, with the same log line per request as HTTP."""

    async def handle(self, client: Any, req: Any) -> None:
        started = time.perf_counter()
        await super().handle(client, req)
        log_request(req.payload or {}, 200, time.perf_counter() - started)


IDLE_WAIT_MOST = 10.0  # seconds GET /healthz?wait=idle holds the request at the most


def web_app(
    app: AsyncApp, signing_secret: str, inflight: InFlight | None = None
) -> web.Application:
    signed = SlackSignature(signing_secret)

    async def events(request: web.Request) -> web.Response:
        started = time.perf_counter()
        try:
            raw = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return _refused("too-large", 413, started)
        why = signed.refusal(raw, request.headers)
        if why is not None:
            return _refused(why, 401, started)
        bolt_request = _bolt_request(raw, request)
        if bolt_request is None:
            return _refused("malformed", 400, started)
        arrival = inflight.arrived(bolt_request) if inflight is not None else None
        try:
            bolt_response = await app.async_dispatch(bolt_request)
        finally:
            if arrival is not None:
                arrival.answered()  # for a request no listener acked (turned away, say)
        log_request(bolt_request.body, bolt_response.status, time.perf_counter() - started)
        return await to_aiohttp_response(bolt_response)

    async def health(request: web.Request) -> web.Response:
        """Up, and how much work is under way. With ?wait=idle, answered once nothing is (or
        after IDLE_WAIT_MOST): to drain an instance before a deploy, or in tests."""
        body: dict[str, object] = {"ok": True, "service": "devpath", "version": bot.__version__}
        if inflight is not None:
            if request.query.get("wait") == "idle":
                await inflight.idle(within=IDLE_WAIT_MOST)
            body["busy"] = inflight.count
        return web.json_response(body)

    server = web.Application(client_max_size=BODY_MOST)
    server.router.add_post(EVENTS_PATH, events)
    server.router.add_get(HEALTH_PATH, health)
    return server


async def serve(app: AsyncApp, deps: Deps, stop: asyncio.Event | None = None) -> None:
    """Serve Slack until SIGTERM or SIGINT (or until `stop` is set, when the caller owns the
    signals), with the background rounds beside it.

    Stopping takes no new requests, gives the work under way (listeners after their ack, a
    round) up to SHUTDOWN_GRACE to finish, then stops what is left; the caller closes the
    store only after this returns, so no listener ever finds it closed."""
    # Which workspace this is, before any request: those from elsewhere are refused.
    try:
        await deps.workspace.identity(app.client)
    except SlackApiError as error:
        reason = error.response.get("error")
        raise SettingsError(f"SLACK_BOT_TOKEN: Slack refused it at start ({reason})") from None
    # One connection pool for every Web API call, instead of a new connection per call.
    app.client.session = aiohttp.ClientSession()
    loop = asyncio.get_running_loop()
    signals = (signal.SIGTERM, signal.SIGINT) if stop is None else ()
    stop = stop or asyncio.Event()
    for number in signals:
        loop.add_signal_handler(number, stop.set)
    background = Background(deps, app.client)
    # What a crash left is settled before any request can start something new.
    await background.recover(at_start=True)
    rounds = asyncio.create_task(background.loop(stop=stop))
    try:
        await _serve_requests(app, deps.settings, stop, deps.inflight)
    finally:
        stop.set()
        if not await deps.inflight.idle(within=SHUTDOWN_GRACE):
            log.warning(
                "devpath: stopping with %d requests or rounds unfinished", deps.inflight.count
            )
        rounds.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await rounds
        await app.client.session.close()
        for number in signals:
            loop.remove_signal_handler(number)
        log.info("devpath: stopped")


async def _serve_requests(
    app: AsyncApp, settings: Settings, stop: asyncio.Event, inflight: InFlight | None = None
) -> None:
    if settings.socket_mode:
        log.info("devpath: connecting to Slack in Socket Mode")
        handler = _LoggedSocketModeHandler(app, settings.app_token)
        quiet_slack_loggers()  # the Socket Mode client's loggers are new
        await handler.connect_async()
        try:
            await stop.wait()
        finally:
            await handler.close_async()
        return
    server = web_app(app, settings.signing_secret or "", inflight)
    runner = web.AppRunner(server, access_log=None, shutdown_timeout=SHUTDOWN_GRACE)
    await runner.setup()
    site = web.TCPSite(runner, port=settings.port)
    try:
        await site.start()
    except OSError as error:
        await runner.cleanup()
        busy = error.errno == errno.EADDRINUSE
        raise PortUnavailable(
            f"PORT {settings.port} is in use: stop what listens there, or set PORT to a free port"
            if busy
            else f"PORT {settings.port} cannot be listened on: {error.strerror or error}"
        ) from None
    log.info(
        "devpath: listening on port %s (POST %s, GET %s)", settings.port, EVENTS_PATH, HEALTH_PATH
    )
    try:
        await stop.wait()
        log.info("devpath: stopping; no new requests")
    finally:
        await site.stop()
        if inflight is not None:
            await inflight.idle(within=SHUTDOWN_GRACE)
        await runner.cleanup()
