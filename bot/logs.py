"""Logging for operators: one line per request from devpath, warnings and errors from the
Slack libraries, which at INFO would print request bodies (what people typed)."""

from __future__ import annotations

import logging

QUIET = ("slack_bolt", "slack_sdk", "aiohttp.access")


def configure_logging(level: int = logging.INFO) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    for name in QUIET:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))
