"""The environment, read once into a frozen dataclass, with one readable error per bad variable."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

DEFAULT_API_URL = "https://slack.com/api/"
DEFAULT_DB = "data/devpath.json"
DEFAULT_PORT = 3000


class SettingsError(Exception):
    """One line naming the variable and what is wrong with it."""


@dataclass(frozen=True)
class Settings:
    bot_token: str | None
    signing_secret: str | None
    app_token: str | None
    api_url: str
    port: int
    db_path: Path
    database_url: str | None
    admins: frozenset[str]
    match_channel: str | None
    content_dir: Path | None

    @property
    def socket_mode(self) -> bool:
        return self.app_token is not None


def load_settings(env: Mapping[str, str] | None = None, *, slack: bool = True) -> Settings:
    """Read the environment. With slack=False (the offline `devpath try`), tokens are optional."""
    env = os.environ if env is None else env

    def get(name: str) -> str | None:
        value = env.get(name, "").strip()
        return value or None

    bot_token = get("SLACK_BOT_TOKEN")
    app_token = get("SLACK_APP_TOKEN")
    signing_secret = get("SLACK_SIGNING_SECRET")
    if slack:
        if bot_token is None:
            raise SettingsError(
                "SLACK_BOT_TOKEN: missing; set it to the app's bot token (xoxb-...)"
            )
        if not bot_token.startswith("xoxb-"):
            raise SettingsError("SLACK_BOT_TOKEN: should start with xoxb- (the bot token)")
        if app_token is not None and not app_token.startswith("xapp-"):
            raise SettingsError("SLACK_APP_TOKEN: should start with xapp- (an app-level token)")
        if app_token is None and signing_secret is None:
            raise SettingsError(
                "SLACK_SIGNING_SECRET: missing; HTTP mode needs it (or set SLACK_APP_TOKEN "
                "for Socket Mode)"
            )
    return Settings(
        bot_token=bot_token,
        signing_secret=signing_secret,
        app_token=app_token,
        api_url=_api_url(get("SLACK_API_URL") or DEFAULT_API_URL),
        port=_port(get("PORT")),
        db_path=Path(get("DEVPATH_DB") or DEFAULT_DB),
        database_url=_database_url(get("DATABASE_URL")),
        admins=_user_ids(get("DEVPATH_ADMINS")),
        match_channel=_channel(get("DEVPATH_MATCH_CHANNEL")),
        content_dir=_content_dir(get("DEVPATH_CONTENT")),
    )


def _api_url(value: str) -> str:
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise SettingsError(f"SLACK_API_URL: {value!r} is not an http(s) URL")
    return value if value.endswith("/") else value + "/"


def _database_url(value: str | None) -> str | None:
    """PostgreSQL's URL, as platforms set it (postgres:// or postgresql://)."""
    if value is None:
        return None
    parsed = urlparse(value)
    if parsed.scheme not in ("postgres", "postgresql") or not parsed.hostname:
        shown = f"{parsed.scheme}://{parsed.hostname or ''}..." if parsed.scheme else "it"
        raise SettingsError(f"DATABASE_URL: {shown} is not a postgresql://user@host/database URL")
    return value


def _port(value: str | None) -> int:
    if value is None:
        return DEFAULT_PORT
    if not value.isdigit() or not 1 <= int(value) <= 65535:
        raise SettingsError(f"PORT: {value!r} is not a port number from 1 to 65535")
    return int(value)


def _user_ids(value: str | None) -> frozenset[str]:
    ids = [part.strip() for part in (value or "").split(",") if part.strip()]
    bad = [i for i in ids if not i.isalnum() or i[0] not in "UW"]
    if bad:
        raise SettingsError(f"DEVPATH_ADMINS: {bad[0]!r} is not a Slack user ID (like U012AB3CD)")
    return frozenset(ids)


def _channel(value: str | None) -> str | None:
    if value is not None and (not value.isalnum() or value[0] not in "CG"):
        raise SettingsError(
            f"DEVPATH_MATCH_CHANNEL: {value!r} is not a channel ID (like C012AB3CD)"
        )
    return value


def _content_dir(value: str | None) -> Path | None:
    if value is None:
        return None
    path = Path(value)
    if not path.is_dir():
        raise SettingsError(f"DEVPATH_CONTENT: {value!r} is not a directory")
    return path
