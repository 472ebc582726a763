"""What the bot has under way: every listener from before its ack until its last Web API call,
and every background round. Shutdown waits for it to drain; tests wait for it instead of
guessing how long the work after an ack takes."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.listener.async_listener_completion_handler import AsyncListenerCompletionHandler
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

_WORK = "devpath_work"  # the request context key holding a listener's share of the count


class InFlight:
    def __init__(self) -> None:
        self._count = 0
        self._idle = asyncio.Event()
        self._idle.set()

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


class _Completed(AsyncListenerCompletionHandler):
    async def handle(self, request: AsyncBoltRequest, response: BoltResponse | None) -> None:
        work = request.context.get(_WORK)
        if isinstance(work, _Work):
            work.done()
