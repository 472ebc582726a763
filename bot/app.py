"""The composition root: settings, content, store and clock in, a ready Bolt app out."""

from __future__ import annotations

import logging
import random

from slack_bolt.async_app import AsyncApp
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.http_retry.jitter import Jitter
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.listeners import register_listeners
from bot.logs import quiet_slack_loggers
from bot.middleware import register_middleware
from bot.settings import Settings


class ScaledJitter(Jitter):
    """Half to one and a half times the wait. slack-sdk's own jitter adds up to a whole
    second to every wait, whatever the backoff, so a short backoff still slept a second."""

    def recalculate(self, duration: float) -> float:
        return duration * (0.5 + random.random())


def web_client(settings: Settings, backoff: float = 0.5) -> AsyncWebClient:
    """Every Web API call goes through this client, so SLACK_API_URL holds for all of them.

    429s wait for Retry-After; 5xx and connection faults are retried after `backoff`,
    twice that, ... seconds."""
    waits = BackoffRetryIntervalCalculator(backoff_factor=backoff, jitter=ScaledJitter())
    return AsyncWebClient(
        token=settings.bot_token,
        base_url=settings.api_url,
        timeout=10,
        # Passing retry_handlers replaces slack-sdk's defaults, so every one we want is listed.
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(max_retry_count=2, interval_calculator=waits),
            AsyncRateLimitErrorRetryHandler(max_retry_count=2),
            AsyncServerErrorRetryHandler(max_retry_count=2, interval_calculator=waits),
        ],
    )


class _OurClientWins(logging.Filter):
    """Bolt also reads SLACK_BOT_TOKEN itself and warns that our client wins: that is the
    point (ours honours SLACK_API_URL), so the warning only confuses operators."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "will be unused" not in record.getMessage()


logging.getLogger("slack_bolt.AsyncApp").addFilter(_OurClientWins())


def build_app(deps: Deps, client: AsyncWebClient | None = None) -> AsyncApp:
    settings = deps.settings
    app = AsyncApp(
        client=client or web_client(settings),
        # Socket Mode requests are not signed; Bolt checks signatures on HTTP requests only.
        signing_secret=settings.signing_secret or "",
        raise_error_for_unhandled_request=False,
    )
    deps.inflight.track_listeners(app)
    register_middleware(app, deps)
    register_listeners(app, deps)
    # Bolt has just set its loggers to the root's level; at INFO they would log bodies.
    quiet_slack_loggers()
    return app
