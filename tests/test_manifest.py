"""Checks for manifest.yml: Slack's JSON Schema first, then rules the schema leaves out."""

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = Path(__file__).resolve().parents[2] / "shared" / "slack" / "manifest.schema.json"
BOT_SCOPES = {"commands", "chat:write", "im:write", "users:read", "mpim:write", "files:write"}


@pytest.fixture(scope="module")
def manifest():
    return yaml.safe_load((ROOT / "manifest.yml").read_text(encoding="utf-8"))


def test_matches_slack_schema(manifest):
    if not SCHEMA.is_file():
        pytest.skip(f"Slack manifest schema not found at {SCHEMA}")
    validator = jsonschema.Draft7Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))
    errors = sorted(f"{e.json_path}: {e.message}" for e in validator.iter_errors(manifest))
    assert not errors, "manifest.yml breaks Slack's schema:\n" + "\n".join(errors)


def test_display_information(manifest):
    info = manifest["display_information"]
    assert 1 <= len(info["name"]) <= 35
    assert len(info["description"]) <= 140
    assert 175 <= len(info["long_description"]) <= 4000
    # The schema spells this check "regex", which JSON Schema ignores.
    assert re.fullmatch(r"#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?", info["background_color"])


def test_slash_command(manifest):
    (command,) = manifest["features"]["slash_commands"]
    assert command["command"] == "/devpath"
    assert 2 <= len(command["command"]) <= 32 and command["command"].startswith("/")
    assert command["description"].strip()


def test_bot_scopes_are_exact(manifest):
    scopes = manifest["oauth_config"]["scopes"]["bot"]
    assert len(scopes) == len(set(scopes))
    assert set(scopes) == BOT_SCOPES


def test_app_home_and_events(manifest):
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert "app_home_opened" in manifest["settings"]["event_subscriptions"]["bot_events"]


def test_interactivity_and_socket_mode(manifest):
    settings = manifest["settings"]
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["socket_mode_enabled"] is True
