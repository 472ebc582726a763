"""`python -m bot` as production runs it: what an unauthenticated sender can make it log, and
what an operator sees when PORT is taken."""

from __future__ import annotations

import asyncio
import socket
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from slack_sdk.signature import SignatureVerifier

from tests.fakes import SIGNING_SECRET, FakeSlack
from tests.instances import ROOT, WITHIN, Instance, bot_env

BAD_REQUESTS = 1000
LINE_MOST = 200  # bytes of log a refused request may cost at the most


@pytest.fixture
async def instance(slack: FakeSlack, tmp_path: Path) -> AsyncIterator[Instance]:
    running = Instance(bot_env(slack, tmp_path, DEVPATH_DB=str(tmp_path / "devpath.json")))
    await running.start()
    yield running
    await running.stop()


def hostile_body(n: int) -> str:
    """What a person could have typed, as Slack would send it, with a marker to look for."""
    note = f"MARKER{n:04d}X my manager and I " + "worry " * 300
    return f"payload=%7B%22type%22%3A%22view_submission%22%2C%22note%22%3A%22{note}%22%7D"


async def test_a_thousand_bad_signatures_leave_no_body_in_the_log(instance):
    """A server clock five minutes off or a rotated secret turns every request into one of
    these: the log must not become a copy of what people typed, nor grow with the bodies."""
    stale = SignatureVerifier(SIGNING_SECRET)
    rotated = SignatureVerifier("the-old-secret")
    async with aiohttp.ClientSession() as http:

        async def send(n: int) -> int:
            body = hostile_body(n)
            stamp = int(time.time()) - (400 if n % 2 else 0)
            signer = stale if n % 2 else rotated
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Slack-Request-Timestamp": str(stamp),
                "X-Slack-Signature": signer.generate_signature(timestamp=str(stamp), body=body),
            }
            async with http.post(instance.url, data=body.encode(), headers=headers) as answer:
                await answer.read()
                return answer.status

        for first in range(0, BAD_REQUESTS, 50):
            statuses = await asyncio.gather(*(send(n) for n in range(first, first + 50)))
            assert set(statuses) == {401}
    await instance.idle()
    await instance.stop()
    log = instance.text()
    assert "MARKER" not in log and "worry" not in log and "manager" not in log
    assert len(log.encode()) < BAD_REQUESTS * LINE_MOST, f"{len(log.encode())} bytes of log"
    assert "kind=refused" in log and "why=stale" in log and "why=signature" in log


DEVPATH = str(Path(sys.executable).with_name("devpath"))


@pytest.mark.parametrize(
    "command", [[sys.executable, "-m", "bot"], [DEVPATH, "serve"]], ids=["python -m bot", "serve"]
)
async def test_a_taken_port_is_one_line_naming_port(
    slack: FakeSlack, tmp_path: Path, command: list[str]
):
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**bot_env(slack, tmp_path), "PORT": str(port)}
        env["DEVPATH_DB"] = str(tmp_path / "devpath.json")
        process = await asyncio.create_subprocess_exec(
            *command,
            cwd=ROOT,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        async with asyncio.timeout(WITHIN):
            out, err = await process.communicate()
    said = (out + err).decode()
    assert process.returncode not in (0, None)
    assert "Traceback" not in said, said
    naming = [line for line in said.splitlines() if "PORT" in line]
    assert naming == [
        (f"devpath: PORT {port} is in use: stop what listens there, or set PORT to a free port")
    ], said
