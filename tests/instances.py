"""The bot as its own process (`python -m bot`), for what only a real process shows: several
instances on one database, a crash between two steps, a shutdown."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import aiohttp

from tests.fakes import SIGNING_SECRET, FakeSlack

ROOT = Path(__file__).parents[1]
READY = "devpath: listening on port"
WITHIN = 30.0  # seconds for a process to start, settle or stop


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def bot_env(slack: FakeSlack, home: Path, **more: str) -> dict[str, str]:
    assert slack.server is not None
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": str(slack.server.make_url("/api/")),
        "DEVPATH_ADMINS": "UADMIN",
        **more,
    }


class Instance:
    """One bot process. Its log is kept (read as it comes, so the pipe never fills)."""

    def __init__(self, env: dict[str, str]) -> None:
        self.port = free_port()
        self.env = {**env, "PORT": str(self.port)}
        self.process: asyncio.subprocess.Process | None = None
        self.log: list[str] = []
        self._logged = asyncio.Condition()
        self._reader: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/slack/events"

    async def start(self) -> None:
        """Start it and return once it says it is listening."""
        self.log = []
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            cwd=ROOT,
            env=self.env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        ready = asyncio.get_running_loop().create_future()
        self._reader = asyncio.create_task(self._read(ready))
        try:
            async with asyncio.timeout(WITHIN):
                await ready
        except TimeoutError:
            raise AssertionError("the instance did not start:\n" + self.text()) from None

    async def _read(self, ready: asyncio.Future[None]) -> None:
        assert self.process is not None and self.process.stderr is not None
        async for raw in self.process.stderr:
            line = raw.decode(errors="replace").rstrip()
            async with self._logged:
                self.log.append(line)
                self._logged.notify_all()
            if READY in line and not ready.done():
                ready.set_result(None)
        if not ready.done():
            ready.set_exception(AssertionError("the instance exited:\n" + self.text()))

    async def said(self, words: str) -> None:
        """Wait until a line of its log has these words."""
        async with asyncio.timeout(WITHIN), self._logged:
            await self._logged.wait_for(lambda: any(words in line for line in self.log))

    def text(self) -> str:
        return "\n".join(self.log)

    async def idle(self) -> None:
        """Wait until it has nothing under way (the server holds the answer until then)."""
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"http://127.0.0.1:{self.port}/healthz?wait=idle") as answer,
        ):
            body = await answer.json()
        assert body["busy"] == 0, f"still busy: {body}"

    async def stop(self) -> int:
        """SIGTERM, as a platform stops a dyno; its exit status."""
        return await self._end(signal.SIGTERM)

    async def kill(self) -> int:
        return await self._end(signal.SIGKILL)

    async def _end(self, number: int) -> int:
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(number)
        async with asyncio.timeout(WITHIN):
            status = await self.process.wait()
            if self._reader is not None:
                await self._reader
        return status
