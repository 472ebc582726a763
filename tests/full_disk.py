"""A full disk for the journal: the calls it names raise ENOSPC, as they would on a real one."""

from __future__ import annotations

import errno
import os
from typing import Any

import pytest

from bot.store import journal as journal_module


class FullDisk:
    """`os` as the journal module sees it, with a full disk for the calls named in `full`:
    each raises ENOSPC (a write first lets half its bytes through when `torn`)."""

    def __init__(self) -> None:
        self.full: set[str] = set()
        self.torn = False
        self.skip = 0  # calls of the named kind let through before the disk is full

    def __getattr__(self, name: str) -> Any:
        real = getattr(os, name)
        if name not in ("write", "fdatasync", "fsync", "replace", "ftruncate"):
            return real

        def call(*args: Any) -> Any:
            if name in self.full:
                if self.skip:
                    self.skip -= 1
                    return real(*args)
                if name == "write" and self.torn:
                    self.torn = False
                    fd, data = args
                    return real(fd, bytes(data[: len(data) // 2]))
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return real(*args)

        return call


def fill_disk(monkeypatch: pytest.MonkeyPatch) -> FullDisk:
    """The journal module's `os`, swapped for a FullDisk (nothing full yet) until the test ends."""
    disk = FullDisk()
    monkeypatch.setattr(journal_module, "os", disk)
    return disk
