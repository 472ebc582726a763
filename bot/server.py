"""Serving the app: HTTP on $PORT with /slack/events and /healthz, or Socket Mode."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

import bot
from bot.background import Background
from bot.deps import Deps
from bot.inflight import InFlight
from bot.middleware import log_request
from bot.settings import Settings, SettingsError

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
SHUTDOWN_GRACE = 10.0  # seconds for work under way to finish once asked to stop


class _LoggedSocketModeHandler(AsyncSocketModeHandler):
    """Socket Mode, with the same log line per request as HTTP."""

    async def handle(self, client: Any, req: Any) -> None:
        started = time.perf_counter()
        await super().handle(client, req)
        log_request(req.payload or {}, 200, time.perf_counter() - started)


IDLE_WAIT_MOST = 10.0  # seconds GET /healthz?wait=idle holds the request at the most


def web_app(app: AsyncApp, inflight: InFlight | None = None) -> web.Application:
    async def events(request: web.Request) -> web.Response:
        started = time.perf_counter()
        bolt_request = await to_bolt_request(request)
        bolt_response = await app.async_dispatch(bolt_request)
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

    server = web.Application()
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
        await handler.connect_async()
        try:
            await stop.wait()
        finally:
            await handler.close_async()
        return
    runner = web.AppRunner(web_app(app, inflight), access_log=None, shutdown_timeout=SHUTDOWN_GRACE)
    await runner.setup()
    site = web.TCPSite(runner, port=settings.port)
    await site.start()
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
