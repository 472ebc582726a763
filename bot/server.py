"""Serving the app: HTTP on $PORT with /slack/events and /healthz, or Socket Mode."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp

import bot
from bot.background import Background
from bot.deps import Deps
from bot.middleware import log_request
from bot.settings import Settings

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"


class _LoggedSocketModeHandler(AsyncSocketModeHandler):
    """Socket Mode, with the same log line per request as HTTP."""

    async def handle(self, client: Any, req: Any) -> None:
        started = time.perf_counter()
        await super().handle(client, req)
        log_request(req.payload or {}, 200, time.perf_counter() - started)


def web_app(app: AsyncApp) -> web.Application:
    async def events(request: web.Request) -> web.Response:
        started = time.perf_counter()
        bolt_request = await to_bolt_request(request)
        bolt_response = await app.async_dispatch(bolt_request)
        log_request(bolt_request.body, bolt_response.status, time.perf_counter() - started)
        return await to_aiohttp_response(bolt_response)

    async def health(_: web.Request) -> web.Response:
        return web.json_response({"ok": True, "service": "devpath", "version": bot.__version__})

    server = web.Application()
    server.router.add_post(EVENTS_PATH, events)
    server.router.add_get(HEALTH_PATH, health)
    return server


async def serve(app: AsyncApp, deps: Deps) -> None:
    """Serve Slack until stopped, with the background round (reminders, lapses) beside it."""
    # One connection pool for every Web API call, instead of a new connection per call.
    app.client.session = aiohttp.ClientSession()
    background = asyncio.create_task(Background(deps, app.client).loop())
    try:
        await _serve_requests(app, deps.settings)
    finally:
        background.cancel()
        await app.client.session.close()


async def _serve_requests(app: AsyncApp, settings: Settings) -> None:
    if settings.socket_mode:
        log.info("devpath: connecting to Slack in Socket Mode")
        handler = _LoggedSocketModeHandler(app, settings.app_token)
        await handler.start_async()
        return
    runner = web.AppRunner(web_app(app), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, port=settings.port)
    await site.start()
    log.info(
        "devpath: listening on port %s (POST %s, GET %s)", settings.port, EVENTS_PATH, HEALTH_PATH
    )
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
