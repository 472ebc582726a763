"""Tests of the Block Kit limit checker in tests/blockkit.py, with small good and bad examples."""

from typing import Any

import pytest

from tests.blockkit import assert_valid_message, assert_valid_view, message_problems, view_problems

# --- builders: each returns a valid piece of Block Kit ------------------------------------------


def plain(text: str) -> dict:
    return {"type": "plain_text", "text": text}


def mrkdwn(text: str) -> dict:
    return {"type": "mrkdwn", "text": text}


def option(text: str, value: str) -> dict:
    return {"text": plain(text), "value": value}


def options(count: int) -> list[dict]:
    return [option(f"Option {i}", f"option-{i}") for i in range(count)]


def section(text: str, **fields: Any) -> dict:
    return {"type": "section", "text": mrkdwn(text), **fields}


def button(text: str, action_id: str, **fields: Any) -> dict:
    return {"type": "button", "text": plain(text), "action_id": action_id, **fields}


def actions(*elements: dict, block_id: str = "actions") -> dict:
    return {"type": "actions", "block_id": block_id, "elements": list(elements)}


def field_input(block_id: str, element: dict, label: str = "Your answer") -> dict:
    return {"type": "input", "block_id": block_id, "label": plain(label), "element": element}


def static_select(opts: list[dict], **fields: Any) -> dict:
    return {"type": "static_select", "action_id": "pick", "options": opts, **fields}


def checkboxes(opts: list[dict], **fields: Any) -> dict:
    return {"type": "checkboxes", "action_id": "check", "options": opts, **fields}


def modal(*blocks: dict, **fields: Any) -> dict:
    """A modal with title, submit and close; pass a field as None to leave it out."""
    view = {
        "type": "modal",
        "callback_id": "path_finder",
        "title": plain("Find your path"),
        "submit": plain("Next"),
        "close": plain("Back"),
        "blocks": list(blocks),
        **fields,
    }
    return {key: value for key, value in view.items() if value is not None}


def message(*blocks: dict, **fields: Any) -> dict:
    """A chat.postMessage body; pass a field as None to leave it out."""
    body = {"channel": "C123", "text": "Your next step is ready", "blocks": list(blocks), **fields}
    return {key: value for key, value in body.items() if value is not None}


# --- valid surfaces ------------------------------------------------------------------------------

GOALS = [
    option("Lead a team", "lead"),
    option("Grow as an expert", "expert"),
    option("Not sure", "unsure"),
]
TOPICS = [option(f"Topic {i}", f"topic-{i}") for i in range(12)]
HABITS = [
    {"text": mrkdwn("*Weekly* check-in"), "value": "weekly"},
    option("Monthly review", "monthly"),
]

STEP_1 = modal(
    {"type": "header", "text": plain("Step 1 of 3: your goal")},
    field_input(
        "goal",
        {
            "type": "radio_buttons",
            "action_id": "goal",
            "options": GOALS,
            "initial_option": GOALS[2],
        },
        label="What do you want next?",
    ),
    private_metadata='{"step": 1}',
    close=plain("Cancel"),
)
STEP_2 = modal(
    field_input("topic", static_select(TOPICS, initial_option=TOPICS[3]), label="Main topic"),
    field_input("habits", checkboxes(HABITS, initial_options=[HABITS[1]]), label="Rhythm"),
    {
        **field_input(
            "notes",
            {"type": "plain_text_input", "action_id": "notes", "min_length": 0, "max_length": 3000},
        ),
        "hint": plain("Optional"),
        "optional": True,
    },
    private_metadata='{"step": 2, "goal": "unsure"}',
)
STEP_3 = modal(
    section("Here is your plan.", block_id="summary"),
    {"type": "section", "fields": [mrkdwn("*Goal*\nNot sure"), mrkdwn("*Topic*\nTopic 3")]},
    actions(
        button("Start mentoring", "start", style="primary", value="mentoring"),
        button(
            "Start over",
            "restart",
            style="danger",
            confirm={
                "title": plain("Start over?"),
                "text": mrkdwn("Your answers will be *lost*."),
                "confirm": plain("Start over"),
                "deny": plain("Keep them"),
            },
        ),
    ),
    {"type": "context", "elements": [mrkdwn("Step 3 of 3"), plain("Takes a minute")]},
    submit=plain("Done"),
    private_metadata='{"step": 3}',
)
HOME = {
    "type": "home",
    "blocks": [
        {"type": "header", "text": plain("Your development path")},
        {"type": "divider"},
        section("Nothing planned yet.", accessory=button("Plan", "plan")),
        {"type": "image", "image_url": "https://example.com/path.png", "alt_text": "A path"},
    ],
}

MESSAGE = message(
    {"type": "header", "text": plain("Your next step")},
    section(
        "Meet your mentor this week.", accessory=button("Open", "open", url="https://example.com")
    ),
    {"type": "divider"},
    {
        "type": "rich_text",
        "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": "Tip"}]}],
    },
    {
        "type": "context",
        "elements": [
            {"type": "image", "image_url": "https://example.com/a.png", "alt_text": "Avatar"},
            mrkdwn("Sent by *devpath*"),
        ],
    },
    actions(
        button("Done", "done", style="primary"),
        {"type": "static_select", "action_id": "snooze", "options": options(3)},
    ),
)


@pytest.mark.parametrize(
    "view",
    [
        pytest.param(STEP_1, id="modal-step-1-radio-buttons"),
        pytest.param(STEP_2, id="modal-step-2-select-12-options-checkboxes"),
        pytest.param(STEP_3, id="modal-step-3-actions"),
        pytest.param(HOME, id="home"),
    ],
)
def test_valid_views_have_no_problems(view: dict) -> None:
    assert view_problems(view) == []
    assert_valid_view(view)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(MESSAGE, id="message-with-blocks"),
        pytest.param({"channel": "C123", "text": "Plain text only"}, id="text-only"),
        pytest.param(
            {"text": "Updated", "replace_original": True, "blocks": [section("Updated")]},
            id="respond-body",
        ),
    ],
)
def test_valid_messages_have_no_problems(body: dict) -> None:
    assert message_problems(body) == []
    assert_valid_message(body)


# --- one failing case per limit group ------------------------------------------------------------


@pytest.mark.parametrize(
    ("view", "expected"),
    [
        pytest.param(
            modal(section("Hi"), title=plain("A" * 25)),
            "title: 25 chars > 24 (modal title)",
            id="title-too-long",
        ),
        pytest.param(
            modal(section("Hi"), title=plain("A" * 25)),
            "view: slack_sdk: title must be between 1 and 24 characters",
            id="title-too-long-slack-sdk",
        ),
        pytest.param(
            modal(field_input("habits", checkboxes(options(11)))),
            "blocks[0].element.options: 11 options, expected 1 to 10",
            id="11-checkbox-options",
        ),
        pytest.param(
            modal(*[section(f"Line {i}") for i in range(101)]),
            "blocks: 101 blocks > 100 (view)",
            id="101-blocks",
        ),
        pytest.param(
            modal(section("One", block_id="same"), section("Two", block_id="same")),
            "blocks[1].block_id: duplicate block_id 'same' in the view",
            id="duplicate-block_id",
        ),
        pytest.param(
            modal(field_input("topic", static_select([option("x" * 76, "long")]))),
            "blocks[0].element.options[0].text: 76 chars > 75 (option text)",
            id="option-text-76-chars",
        ),
        pytest.param(
            modal(section("x" * 3001)),
            "blocks[0].text: 3001 chars > 3000 (section text)",
            id="section-text-3001",
        ),
        pytest.param(
            modal(
                field_input(
                    "topic", static_select(options(3), initial_option=option("Other", "other"))
                )
            ),
            "blocks[0].element.initial_option: value 'other' is not one of the options",
            id="initial_option-not-among-options",
        ),
        pytest.param(
            modal(
                field_input("notes", {"type": "plain_text_input", "action_id": "notes"}),
                submit=None,
            ),
            "submit: missing, required when the modal has input blocks",
            id="missing-submit-with-input",
        ),
        pytest.param(
            modal(actions(button("A", "same"), button("B", "same"))),
            "blocks[0].elements[1].action_id: duplicate action_id 'same' in the block",
            id="duplicate-action_id-in-block",
        ),
        pytest.param(
            modal(section("Hi"), private_metadata="x" * 3001),
            "private_metadata: 3001 chars > 3000 (private_metadata)",
            id="private_metadata-too-long",
        ),
    ],
)
def test_view_problems(view: dict, expected: str) -> None:
    assert expected in view_problems(view)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(
            message(section("Hi"), text=None),
            "text: missing or empty (notification and screen-reader fallback)",
            id="message-without-text",
        ),
        pytest.param(
            message(*[section(f"Line {i}") for i in range(51)]),
            "blocks: 51 blocks > 50 (message)",
            id="51-blocks",
        ),
        pytest.param(
            message(actions(button("x" * 76, "go"))),
            "blocks[0].elements[0].text: 76 chars > 75 (button text)",
            id="button-text-too-long",
        ),
        pytest.param(
            message(actions(button("x" * 76, "go"))),
            "blocks[0]: slack_sdk: text attribute cannot exceed 75 characters",
            id="button-text-too-long-slack-sdk",
        ),
        pytest.param(
            message(section("x" * 3001)),
            "blocks[0].text: 3001 chars > 3000 (section text)",
            id="section-text-3001",
        ),
        pytest.param(
            message(field_input("notes", {"type": "plain_text_input", "action_id": "notes"})),
            "blocks[0]: input blocks are not allowed in messages",
            id="input-in-message",
        ),
        pytest.param(
            message({"type": "carousel"}),
            "blocks[0].type: unknown block type 'carousel'",
            id="unknown-block-type",
        ),
    ],
)
def test_message_problems(body: dict, expected: str) -> None:
    assert expected in message_problems(body)


def test_assert_valid_lists_every_problem() -> None:
    body = message(section("x" * 3001), text="")
    with pytest.raises(AssertionError) as raised:
        assert_valid_message(body)
    assert "text: missing or empty" in str(raised.value)
    assert "blocks[0].text: 3001 chars > 3000 (section text)" in str(raised.value)
