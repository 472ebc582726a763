"""Acks first: work after one request's ack waits while another request still waits for its
own ack (at most a moment), so a rush of /devpath is answered as fast as a bare app's."""

from __future__ import annotations

import asyncio

import pytest
from slack_bolt.request.async_request import AsyncBoltRequest

from bot import inflight as inflight_module
from bot.inflight import InFlight, _AckFirst
from bot.store.base import LATER


def request() -> AsyncBoltRequest:
    return AsyncBoltRequest(body="command=%2Fdevpath&user_id=U1", headers={})


async def test_work_after_an_ack_waits_for_the_acks_of_requests_that_arrived():
    inflight = InFlight()
    first, second = request(), request()
    arrival = inflight.arrived(first)
    waiting = inflight.arrived(second)
    ack = _AckFirst(inflight, arrival)

    after = asyncio.create_task(ack())
    for _ in range(5):
        await asyncio.sleep(0)  # let it run as far as it can
    assert ack.response is not None  # Slack has its answer at once...
    assert not after.done()  # ...and the work after it waits for the other's

    waiting.answered()
    await after
    waiting.answered()  # given up once, however often it is said
    assert inflight._unacked == 0


async def test_it_waits_a_moment_at_the_most(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(inflight_module, "ACKS_FIRST_MOST", 0)
    inflight = InFlight()
    inflight.arrived(request())  # never answered
    ack = _AckFirst(inflight, inflight.arrived(request()))
    await ack()
    assert ack.response is not None


async def test_with_nobody_waiting_it_does_not_wait():
    inflight = InFlight()
    ack = _AckFirst(inflight, inflight.arrived(request()))
    task = asyncio.create_task(ack())
    await asyncio.sleep(0)
    assert task.done()


async def test_after_its_ack_a_listener_is_later_work_over_http_and_socket_mode():
    inflight = InFlight()

    async def listener(ack: _AckFirst) -> tuple[bool, bool]:
        before = LATER.get()
        await ack()
        return before, LATER.get()

    for arrival in (inflight.arrived(request()), None):  # None: Socket Mode counts no arrivals
        # A task of its own, as Bolt runs each listener: the flag stays inside it.
        ran = asyncio.create_task(listener(_AckFirst(inflight, arrival)))
        assert await ran == (False, True)
        assert LATER.get() is False
