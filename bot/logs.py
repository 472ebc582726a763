"""Logging for operators: one line per request from devpath, warnings and errors from the
Slack libraries, which at INFO would print request bodies (what people typed)."""

from __future__ import annotations

import logging

QUIET = ("slack_bolt", "slack_sdk", "aiohttp.access")
LINE_MOST = 500  # characters of one log message; the rest is cut, and the cut is counted
TRACE_MOST = 4000  # characters of a traceback: its end, where the error is, is kept
_FORMAT = logging.Formatter()


def _quiet(name: str) -> bool:
    return any(name == quiet or name.startswith(quiet + ".") for quiet in QUIET)


class Capped(logging.Filter):
    """On every handler: nothing below WARNING from the Slack libraries, whatever level their
    loggers were given, no message longer than LINE_MOST characters and no traceback longer
    than TRACE_MOST."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING and _quiet(record.name):
            return False
        message = record.getMessage()
        if len(message) > LINE_MOST:
            record.msg = f"{message[:LINE_MOST]} [{len(message) - LINE_MOST} characters cut]"
            record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = _FORMAT.formatException(record.exc_info)
        if record.exc_text and len(record.exc_text) > TRACE_MOST:
            cut = len(record.exc_text) - TRACE_MOST
            record.exc_text = f"[{cut} characters cut]\n{record.exc_text[-TRACE_MOST:]}"
        return True


def quiet_slack_loggers() -> None:
    """Every Slack library logger at WARNING at least. Bolt gives each logger it makes the
    root's level (INFO) when an app is built, and its request verification logs a refused
    request's whole body at INFO: so this runs after the app is built, and again whenever
    more of the library starts (Socket Mode)."""
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    for name, logger in list(logging.Logger.manager.loggerDict.items()):
        if isinstance(logger, logging.Logger) and _quiet(name) and logger.level < logging.WARNING:
            logger.setLevel(logging.WARNING)


def configure_logging(level: int = logging.INFO) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, Capped) for f in handler.filters):
            handler.addFilter(Capped())
    quiet_slack_loggers()
