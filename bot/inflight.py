"""What the bot has under way: every listener from before its ack until its last Web API call,
and every background round. Shutdown waits for it to drain; tests wait for it instead of
guessing how long the work after an ack takes.

It also puts acks first. Slack waits for each request's ack (3 s at most); the work after an
ack (opening a modal, ranking mentors, a DM) can follow. When a whole company types /devpath
at once, work after the first acks would otherwise share the event loop with requests still
waiting for theirs. So the work after an ack waits until no request that has arrived is
still waiting for its ack, or ACKS_FIRST_MOST at the longest.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.listener.async_listener_completion_handler import AsyncListenerCompletionHandler
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.store.base import LATER

_WORK = "devpath_work"  # the request context key holding a listener's share of the count
_ARRIVAL = "devpath_arrival"  # the request context key holding its place among those waiting
ACKS_FIRST_MOST = 0.5  # seconds work after an ack waits for the acks of others, at the most


class InFlight:
    def __init__(self) -> None:
        self._count = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._unacked = 0  # requests arrived whose ack is not given yet
        self._all_acked = asyncio.Event()
        self._all_acked.set()

    @property
    def count(self) -> int:
        return self._count

    def begin(self) -> _Work:
        self._count += 1
        self._idle.clear()
        return _Work(self)

    def _end(self) -> None:
        self._count -= 1
        if self._count == 0:
            self._idle.set()

    @contextlib.asynccontextmanager
    async def tracking(self) -> AsyncIterator[None]:
        work = self.begin()
        try:
            yield
        finally:
            work.done()

    async def idle(self, within: float | None = None) -> bool:
        """Wait until nothing is under way (at most `within` seconds); whether it is now."""
        try:
            async with asyncio.timeout(within):
                while self._count:
                    await self._idle.wait()
        except TimeoutError:
            return False
        return True

    def arrived(self, request: AsyncBoltRequest) -> _Arrival:
        """A request from Slack, waiting for its ack until the arrival is `answered()`."""
        self._unacked += 1
        self._all_acked.clear()
        arrival = request.context[_ARRIVAL] = _Arrival(self)
        return arrival

    def _acked(self) -> None:
        self._unacked -= 1
        if self._unacked == 0:
            self._all_acked.set()

    async def acks_first(self) -> None:
        """Wait until every request that has arrived has its ack (ACKS_FIRST_MOST at most)."""
        if self._unacked:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(ACKS_FIRST_MOST):
                    await self._all_acked.wait()

    def track_listeners(self, app: AsyncApp) -> None:
        """Count every listener Bolt runs. Bolt answers Slack as soon as a listener acks and
        lets the rest of it run on as a task; its completion handler runs when that task
        ends, after the error handler, so the count covers the apology for a failure too."""
        runner = app.listener_runner
        run = runner.run

        async def counted_run(
            request: AsyncBoltRequest, response: BoltResponse, *args: Any, **kwargs: Any
        ) -> BoltResponse | None:
            if request.lazy_only:
                return await run(request, response, *args, **kwargs)
            # Counted before the listener task exists, so the HTTP answer never beats it.
            work = request.context[_WORK] = self.begin()
            arrival = request.context.get(_ARRIVAL)  # over HTTP; Socket Mode counts none
            listener = args[1] if len(args) > 1 else kwargs.get("listener")
            # An event is acked by Bolt itself, in the request's own answer: never held.
            if not getattr(listener, "auto_acknowledgement", True):
                request.context["ack"] = _AckFirst(
                    self, arrival if isinstance(arrival, _Arrival) else None
                )
            try:
                return await run(request, response, *args, **kwargs)
            except BaseException:
                work.done()
                raise

        runner.run = counted_run  # type: ignore[method-assign]
        runner.listener_completion_handler = _Completed()


class _Work:
    """One piece of work's share of the count, given back once however often it is ended."""

    def __init__(self, inflight: InFlight) -> None:
        self._inflight: InFlight | None = inflight

    def done(self) -> None:
        if self._inflight is not None:
            inflight, self._inflight = self._inflight, None
            inflight._end()


class _Arrival:
    """One request's place among those waiting for their ack, given up once."""

    def __init__(self, inflight: InFlight) -> None:
        self._inflight: InFlight | None = inflight

    def answered(self) -> None:
        if self._inflight is not None:
            inflight, self._inflight = self._inflight, None
            inflight._acked()


class _AckFirst(AsyncAck):
    """Bolt's ack, after which the listener lets the acks of others go first."""

    def __init__(self, inflight: InFlight, arrival: _Arrival | None) -> None:
        super().__init__()
        self._inflight, self._arrival = inflight, arrival

    async def __call__(self, *args: Any, **kwargs: Any) -> BoltResponse:
        response = await super().__call__(*args, **kwargs)
        LATER.set(True)  # for the rest of this listener: nobody waits on it now
        if self._arrival is not None:
            self._arrival.answered()
            await self._inflight.acks_first()
        return response


class _Completed(AsyncListenerCompletionHandler):
    async def handle(self, request: AsyncBoltRequest, response: BoltResponse | None) -> None:
        work = request.context.get(_WORK)
        if isinstance(work, _Work):
            work.done()
