"""The disk fills while a person finishes the questionnaire, then empties again."""

from __future__ import annotations

import pytest

from bot.middleware import SORRY
from bot.store.tinydb_store import TinyDBStore
from tests.answers import COACHING, for_view
from tests.full_disk import fill_disk
from tests.listeners.test_questionnaire import open_modal, texts


async def test_a_full_disk_gets_an_apology_and_the_same_submission_is_kept_later(
    user, slack, bot, monkeypatch: pytest.MonkeyPatch
):
    disk = fill_disk(monkeypatch)
    view = await open_modal(user, slack)
    while "Step 3 of 3" not in texts(view):
        _, body = await user.submit(view, for_view(view, COACHING))
        view = body["view"]

    disk.full, disk.torn = {"write", "fdatasync"}, True  # the final line is cut short
    status, body = await user.submit(view, for_view(view, COACHING))
    assert status != 200 or body["view"]["callback_id"] != "result"
    await slack.settle()
    (sorry,) = slack.called("chat.postMessage", channel="DU1")
    assert sorry["text"] == SORRY  # nothing says it was saved
    assert await bot.store.responses("U1") == []  # nor is it served: no unsaved data
    assert await bot.store.get_draft("U1") is not None  # the answers so far are kept

    disk.full = set()  # space returns: the same modal, sent again, is kept
    _, body = await user.submit(view, for_view(view, COACHING))
    assert body["view"]["callback_id"] == "result"
    await slack.settle()
    assert "Executive coaching fits you now" in slack.called("chat.postMessage")[-1]["text"]
    assert len(await bot.store.responses("U1")) == 1

    await bot.store.aclose()  # the bot restarts: everything acknowledged is there
    again = TinyDBStore.open(bot.db_path)
    try:
        assert [r.recommendation.path for r in await again.responses("U1")] == ["coaching"]
        assert await again.get_draft("U1") is None
    finally:
        again.close()
