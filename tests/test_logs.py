"""What reaches the operator's log: warnings only from the Slack libraries, whatever set their
levels before, and no line longer than LINE_MOST characters."""

from __future__ import annotations

import io
import logging

from bot.app import build_app
from bot.content import load_content
from bot.deps import Deps
from bot.logs import LINE_MOST, QUIET, TRACE_MOST, Capped, quiet_slack_loggers
from bot.settings import load_settings
from bot.store.tinydb_store import TinyDBStore


def slack_loggers() -> dict[str, logging.Logger]:
    return {
        name: logger
        for name, logger in logging.Logger.manager.loggerDict.items()
        if isinstance(logger, logging.Logger) and name.split(".")[0] in QUIET
    }


async def test_building_the_app_leaves_the_slack_loggers_at_warning(tmp_path, monkeypatch):
    """Bolt gives every logger it makes the root's level when the app is built: at DEBUG or
    INFO its request verification would log every refused body."""
    root = logging.getLogger()
    was = root.level
    root.setLevel(logging.DEBUG)
    for logger in slack_loggers().values():
        logger.setLevel(logging.DEBUG)
    try:
        settings = load_settings({"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "s"})
        store = TinyDBStore.open(tmp_path / "devpath.json")
        try:
            build_app(Deps(settings, load_content(), store))
        finally:
            await store.aclose()
        loud = {n: lg.level for n, lg in slack_loggers().items() if lg.getEffectiveLevel() < 30}
        assert loud == {}
        assert "slack_bolt.RequestVerification" in slack_loggers()
    finally:
        root.setLevel(was)
        quiet_slack_loggers()


def test_a_handler_with_the_cap_drops_slack_info_and_cuts_long_lines():
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(Capped())
    logger = logging.getLogger("devpath.test_logs")
    bolt = logging.getLogger("slack_bolt.RequestVerification")
    logger.addHandler(handler)
    bolt.addHandler(handler)
    was = bolt.level
    bolt.setLevel(logging.DEBUG)  # as if something set it lower after the app was built
    try:
        bolt.info("Invalid request signature detected (body: %s)", "PRIVATE-BODY")
        logger.warning("%s", "x" * 10_000)
        logger.warning("short")
    finally:
        bolt.setLevel(was)
        logger.removeHandler(handler)
        bolt.removeHandler(handler)
    lines = out.getvalue().splitlines()
    assert "PRIVATE-BODY" not in out.getvalue()
    assert lines == ["x" * LINE_MOST + f" [{10_000 - LINE_MOST} characters cut]", "short"]


def test_a_traceback_is_cut_to_its_end():
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(Capped())
    logger = logging.getLogger("devpath.test_logs.trace")
    logger.addHandler(handler)
    try:
        try:
            raise ValueError("START" + "y" * 10_000 + "END")
        except ValueError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    text = out.getvalue()
    assert text.startswith("failed\n[") and "characters cut]" in text
    assert "START" not in text and "END" in text and len(text) < TRACE_MOST + 100
