"""Who devpath serves: the workspace it is installed in (learned once from auth.test) and
that workspace's own people, looked up in Slack and remembered briefly."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)
REMEMBERED_FOR = timedelta(seconds=60)  # a person's users.info answer, for their next clicks
LOOKUP_SECONDS = 2.0  # the lookup happens before the ack: Slack waits 3 s for it

# Why a person may not use devpath; each is a key of the refusal texts in access.yml.
GUEST = "guest"
EXTERNAL = "external"
UNKNOWN = "unknown"


@dataclass(frozen=True)
class Identity:
    """The installed workspace, as auth.test tells it to the bot's own token."""

    team_id: str
    enterprise_id: str | None
    app_id: str | None  # auth.test names the app for most tokens; unchecked when it does not
    bot_user_id: str | None


class Workspace:
    """The installed workspace's identity (asked once) and its people (asked now and then)."""

    def __init__(self) -> None:
        self._identity: Identity | None = None
        self._learning = asyncio.Lock()
        self._people: dict[str, tuple[datetime, dict[str, Any]]] = {}

    async def identity(self, client: AsyncWebClient) -> Identity:
        """Which workspace and app this is: asked once (at start, or at the first request)."""
        async with self._learning:
            if self._identity is None:
                answer = await client.auth_test()
                self._identity = Identity(
                    team_id=str(answer["team_id"]),
                    enterprise_id=answer.get("enterprise_id") or None,
                    app_id=answer.get("app_id") or None,
                    bot_user_id=answer.get("user_id") or None,
                )
                log.info(
                    "devpath: serving team %s (app %s)",
                    self._identity.team_id,
                    self._identity.app_id or "unnamed",
                )
            return self._identity

    def foreign(self, identity: Identity, body: dict[str, Any]) -> str | None:
        """What in the request names another team, organisation or app, or None."""
        team = body.get("team")
        enterprise = body.get("enterprise")
        claims = {
            "team": [body.get("team_id"), team.get("id") if isinstance(team, dict) else None],
            "enterprise": [
                body.get("enterprise_id"),
                enterprise.get("id") if isinstance(enterprise, dict) else None,
            ],
            "app": [body.get("api_app_id")],
        }
        ours = {
            "team": identity.team_id,
            "enterprise": identity.enterprise_id,
            "app": identity.app_id,
        }
        for what, said in claims.items():
            if what == "app" and ours[what] is None:
                continue
            # Outside an Enterprise Grid ours is None and Slack sends none (or null).
            bad = next((value for value in said if value and value != ours[what]), None)
            if bad is not None:
                return f"{what}={bad}"
        return None

    async def person(
        self, client: AsyncWebClient, user_id: str, now: datetime
    ) -> dict[str, Any] | None:
        """The person as Slack knows them (remembered for REMEMBERED_FOR), or None when Slack
        cannot say just now (that is not remembered: the next request asks again)."""
        known = self._people.get(user_id)
        if known is not None and now - known[0] < REMEMBERED_FOR:
            return known[1]
        try:
            answer = await asyncio.wait_for(client.users_info(user=user_id), LOOKUP_SECONDS)
        except SlackApiError as error:
            log.warning("users.info for %s failed: %s", user_id, error.response.get("error"))
            return None
        except TimeoutError:
            log.warning("users.info for %s took longer than %.0f s", user_id, LOOKUP_SECONDS)
            return None
        user = answer.get("user")
        if not isinstance(user, dict):
            return None
        self._people[user_id] = (now, user)
        return user


def refusal(
    identity: Identity,
    person: dict[str, Any] | None,
    guests_allowed: bool,
    team_said: str | None = None,
) -> str | None:
    """Why this person may not use devpath (GUEST, EXTERNAL, UNKNOWN), or None for a member
    (or an allowed guest). `team_said` is the team the request itself gave for the person."""
    if person is None or person.get("deleted"):
        return UNKNOWN
    if team_said and team_said != identity.team_id:
        return EXTERNAL
    if person.get("is_stranger") or person.get("team_id") != identity.team_id:
        return EXTERNAL
    if (person.get("is_restricted") or person.get("is_ultra_restricted")) and not guests_allowed:
        return GUEST
    return None


def is_full_member(identity: Identity, person: dict[str, Any] | None) -> bool:
    """One of the workspace's own full members: not a guest, not from another organisation."""
    return refusal(identity, person, guests_allowed=False) is None
