"""A pure-Python checker of Slack's Block Kit limits, for tests of views and message bodies.

Every problem is one readable line with a path, for example
``blocks[3].elements[0].text: 81 chars > 75 (button text)``.
slack_sdk's models add a second opinion on each block and on the view itself.
"""

from collections.abc import Callable, Iterator
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

Problems = Iterator[str]

# What slack_sdk's models raise on a malformed payload, besides their own validation error.
SDK_ERRORS = (SlackObjectFormationError, TypeError, ValueError, KeyError, AttributeError)


def view_problems(view: dict) -> list[str]:
    """Every Block Kit problem of a modal or home view."""
    return list(_view(view))


def message_problems(message: dict) -> list[str]:
    """Every Block Kit problem of a chat.postMessage / chat.update / respond body."""
    return list(_message(message))


def assert_valid_view(view: dict) -> None:
    _raise_if_any(view_problems(view), "view")


def assert_valid_message(message: dict) -> None:
    _raise_if_any(message_problems(message), "message")


def _raise_if_any(problems: list[str], surface: str) -> None:
    if problems:
        lines = "\n".join(f"  - {problem}" for problem in problems)
        raise AssertionError(f"{len(problems)} Block Kit problem(s) in the {surface}:\n{lines}")


# --- small checks ------------------------------------------------------------------------------


def _max_chars(value: Any, limit: int, path: str, what: str) -> Problems:
    if isinstance(value, str) and len(value) > limit:
        yield f"{path}: {len(value)} chars > {limit} ({what})"


def _count(items: Any, low: int, high: int, path: str, what: str) -> Problems:
    count = len(items) if isinstance(items, list) else 0
    if not low <= count <= high:
        yield f"{path}: {count} {what}, expected {low} to {high}"


def _text(
    obj: Any, path: str, what: str, limit: int | None = None, *, plain: bool = False
) -> Problems:
    """A text object; obj is None when a required one is missing."""
    if not isinstance(obj, dict):
        yield f"{path}: missing or not a text object ({what})"
        return
    kind = obj.get("type")
    if kind not in ("plain_text", "mrkdwn"):
        yield f"{path}.type: {kind!r} is not plain_text or mrkdwn ({what})"
    elif plain and kind != "plain_text":
        yield f"{path}.type: {what} must be plain_text, not {kind}"
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        yield f"{path}.text: missing or empty ({what})"
    elif limit is not None:
        yield from _max_chars(text, limit, path, what)


def _optional_text(
    parent: dict, key: str, path: str, what: str, limit: int, *, plain: bool = False
) -> Problems:
    if key in parent:
        yield from _text(parent[key], f"{path}.{key}" if path else key, what, limit, plain=plain)


def _confirm(confirm: Any, path: str) -> Problems:
    if not isinstance(confirm, dict):
        yield f"{path}: not a confirm dialog object"
        return
    yield from _text(confirm.get("title"), f"{path}.title", "confirm title", 100, plain=True)
    yield from _text(confirm.get("text"), f"{path}.text", "confirm text", 300)
    yield from _text(confirm.get("confirm"), f"{path}.confirm", "confirm button", 30, plain=True)
    yield from _text(confirm.get("deny"), f"{path}.deny", "deny button", 30, plain=True)


def _image(image: dict, path: str) -> Problems:
    if not image.get("image_url") and not image.get("slack_file"):
        yield f"{path}.image_url: missing (image)"
    if not isinstance(image.get("alt_text"), str) or not image["alt_text"]:
        yield f"{path}.alt_text: missing or empty (image)"


# --- elements ----------------------------------------------------------------------------------


def _all_options(element: dict, path: str) -> list[tuple[str, Any]]:
    """Every option of an element, flat and inside option_groups, with its path."""
    flat = [(f"{path}.options[{i}]", o) for i, o in enumerate(element.get("options") or [])]
    return flat + [
        (f"{path}.option_groups[{g}].options[{i}]", o)
        for g, group in enumerate(element.get("option_groups") or [])
        for i, o in enumerate(group.get("options") or [])
    ]


def _initial_options(element: dict, path: str) -> list[tuple[str, Any]]:
    if "initial_option" in element:
        return [(f"{path}.initial_option", element["initial_option"])]
    initial = element.get("initial_options") or []
    return [(f"{path}.initial_options[{i}]", o) for i, o in enumerate(initial)]


def _options(element: dict, path: str) -> Problems:
    """Option text and value, values unique within the element, initial option(s) among them."""
    plain = element.get("type") not in ("checkboxes", "radio_buttons")  # only these allow mrkdwn
    values: set[str] = set()
    for option_path, option in _all_options(element, path):
        if not isinstance(option, dict):
            yield f"{option_path}: not an option object"
            continue
        yield from _text(option.get("text"), f"{option_path}.text", "option text", 75, plain=plain)
        value = option.get("value")
        if not isinstance(value, str) or not value:
            yield f"{option_path}.value: missing or empty (option value)"
            continue
        yield from _max_chars(value, 150, f"{option_path}.value", "option value")
        if value in values:
            yield f"{option_path}.value: duplicate option value {value!r}"
        values.add(value)
    for initial_path, option in _initial_options(element, path):
        value = option.get("value") if isinstance(option, dict) else None
        if value not in values:
            yield f"{initial_path}: value {value!r} is not one of the options"


def _button(button: dict, path: str) -> Problems:
    yield from _text(button.get("text"), f"{path}.text", "button text", 75, plain=True)
    yield from _max_chars(button.get("value"), 2000, f"{path}.value", "button value")
    yield from _max_chars(button.get("url"), 3000, f"{path}.url", "button url")
    if button.get("style") not in (None, "primary", "danger"):
        yield f"{path}.style: {button['style']!r} is not 'primary' or 'danger'"


def _static_select(element: dict, path: str) -> Problems:
    count = len(_all_options(element, path))
    if count > 100:
        yield f"{path}: {count} options > 100 (counting option_groups)"
    groups = element.get("option_groups") or []
    if len(groups) > 100:
        yield f"{path}.option_groups: {len(groups)} groups > 100"


def _choice_group(element: dict, path: str) -> Problems:
    yield from _count(element.get("options"), 1, 10, f"{path}.options", "options")


def _plain_text_input(element: dict, path: str) -> Problems:
    low, high = element.get("min_length", 0), element.get("max_length", 3000)
    if not 1 <= high <= 3000:
        yield f"{path}.max_length: {high} is not between 1 and 3000"
    if low > high:
        yield f"{path}.min_length: {low} > max_length {high}"


def _overflow(element: dict, path: str) -> Problems:
    yield from _count(element.get("options"), 2, 5, f"{path}.options", "overflow options")


ELEMENT_CHECKS: dict[str, Callable[[dict, str], Problems]] = {
    "overflow": _overflow,
    "button": _button,
    "static_select": _static_select,
    "multi_static_select": _static_select,
    "checkboxes": _choice_group,
    "radio_buttons": _choice_group,
    "plain_text_input": _plain_text_input,
    "image": _image,
}


def _element(element: Any, path: str) -> Problems:
    if not isinstance(element, dict):
        yield f"{path}: not a block element object"
        return
    kind = str(element.get("type"))
    yield from _max_chars(element.get("action_id"), 255, f"{path}.action_id", "action_id")
    if "confirm" in element:
        yield from _confirm(element["confirm"], f"{path}.confirm")
    if "options" in element or "option_groups" in element:
        yield from _options(element, path)
    if kind.startswith("multi_") and element.get("max_selected_items", 1) < 1:
        yield f"{path}.max_selected_items: {element['max_selected_items']} < 1"
    if kind in ELEMENT_CHECKS:
        yield from ELEMENT_CHECKS[kind](element, path)


# --- blocks ------------------------------------------------------------------------------------


def _section(block: dict, path: str) -> Problems:
    if "text" not in block and not block.get("fields"):
        yield f"{path}: a section needs text or fields"
    yield from _optional_text(block, "text", path, "section text", 3000)
    if "fields" in block:
        yield from _count(block["fields"], 1, 10, f"{path}.fields", "fields")
        for i, field in enumerate(block["fields"] or []):
            yield from _text(field, f"{path}.fields[{i}]", "section field", 2000)
    if "accessory" in block:
        yield from _element(block["accessory"], f"{path}.accessory")


def _header(block: dict, path: str) -> Problems:
    yield from _text(block.get("text"), f"{path}.text", "header text", 150, plain=True)


def _actions(block: dict, path: str) -> Problems:
    elements = block.get("elements") or []
    yield from _count(elements, 1, 25, f"{path}.elements", "elements")
    action_ids: set[str] = set()
    for i, element in enumerate(elements):
        yield from _element(element, f"{path}.elements[{i}]")
        action_id = element.get("action_id") if isinstance(element, dict) else None
        if action_id in action_ids:
            yield f"{path}.elements[{i}].action_id: duplicate action_id {action_id!r} in the block"
        if action_id is not None:
            action_ids.add(action_id)


def _context(block: dict, path: str) -> Problems:
    elements = block.get("elements") or []
    yield from _count(elements, 1, 10, f"{path}.elements", "elements")
    for i, element in enumerate(elements):
        if isinstance(element, dict) and element.get("type") == "image":
            yield from _image(element, f"{path}.elements[{i}]")
        else:
            yield from _text(element, f"{path}.elements[{i}]", "context text")


def _input(block: dict, path: str) -> Problems:
    yield from _text(block.get("label"), f"{path}.label", "input label", 2000, plain=True)
    yield from _optional_text(block, "hint", path, "input hint", 2000, plain=True)
    if "elements" in block or not isinstance(block.get("element"), dict):
        yield f"{path}: an input block needs exactly one `element`"
    else:
        yield from _element(block["element"], f"{path}.element")


def _no_deep_checks(block: dict, path: str) -> Problems:
    return iter(())


BLOCK_CHECKS: dict[str, Callable[[dict, str], Problems]] = {
    "section": _section,
    "divider": _no_deep_checks,
    "image": _image,
    "actions": _actions,
    "context": _context,
    "input": _input,
    "header": _header,
    "rich_text": _no_deep_checks,
}


def _sdk_opinion(validate: Callable[[], object], path: str) -> Problems:
    """slack_sdk's models as a second opinion: their validation error becomes a problem."""
    try:
        validate()
    except SDK_ERRORS as error:
        yield f"{path}: slack_sdk: {error}"


def _blocks(blocks: Any, limit: int, surface: str) -> Problems:
    if not isinstance(blocks, list):
        yield f"blocks: missing or not a list ({surface})"
        return
    if len(blocks) > limit:
        yield f"blocks: {len(blocks)} blocks > {limit} ({surface})"
    block_ids: set[str] = set()
    for i, block in enumerate(blocks):
        path = f"blocks[{i}]"
        if not isinstance(block, dict):
            yield f"{path}: not a block object"
            continue
        block_id = block.get("block_id")
        if block_id is not None:
            yield from _max_chars(block_id, 255, f"{path}.block_id", "block_id")
            if block_id in block_ids:
                yield f"{path}.block_id: duplicate block_id {block_id!r} in the {surface}"
            block_ids.add(block_id)
        kind = block.get("type")
        if kind not in BLOCK_CHECKS:
            yield f"{path}.type: unknown block type {kind!r}"
            continue
        if surface == "message" and kind == "input":
            yield f"{path}: input blocks are not allowed in messages"
        yield from BLOCK_CHECKS[kind](block, path)
        # to_dict() runs validate_json() on the block and on every object nested in it
        yield from _sdk_opinion(lambda block=block: Block.parse(block).to_dict(), path)


# --- surfaces ----------------------------------------------------------------------------------


def _view(view: dict) -> Problems:
    kind = view.get("type")
    if kind not in ("modal", "home"):
        yield f"type: {kind!r} is not 'modal' or 'home'"
    blocks = view.get("blocks")
    if kind == "modal":
        yield from _text(view.get("title"), "title", "modal title", 24, plain=True)
        yield from _optional_text(view, "submit", "", "modal submit", 24, plain=True)
        yield from _optional_text(view, "close", "", "modal close", 24, plain=True)
        has_input = isinstance(blocks, list) and any(
            isinstance(block, dict) and block.get("type") == "input" for block in blocks
        )
        if has_input and "submit" not in view:
            yield "submit: missing, required when the modal has input blocks"
    for key, limit in (("private_metadata", 3000), ("callback_id", 255), ("external_id", 255)):
        yield from _max_chars(view.get(key), limit, key, key)
    yield from _blocks(blocks, 100, "view")
    # validate_json() checks the view's own fields; each block had its opinion above, with a path.
    yield from _sdk_opinion(lambda: View(**view).validate_json(), "view")


def _message(message: dict) -> Problems:
    text = message.get("text")
    if not isinstance(text, str) or not text.strip():
        yield "text: missing or empty (notification and screen-reader fallback)"
    else:
        yield from _max_chars(text, 4000, "text", "message text")
    if "blocks" in message:
        yield from _blocks(message["blocks"], 50, "message")
