"""A TinyDB storage that keeps the data in memory and replaces the file atomically on write.

TinyDB's stock JSONStorage re-reads the file on every query and rewrites it in place, so a
crash mid-write can leave a file that no longer parses. Here a write goes to a temporary file
in the same directory, is flushed to disk, and takes the old file's place with os.replace; the
directory is flushed too, so the new name survives a power cut.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

TEMP_SUFFIX = ".tmp"


class AtomicJSONStorage(Storage):
    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._remove_leftover_temp_files()
        self._data: dict[str, Any] | None = self._load()

    def read(self) -> dict[str, Any] | None:
        return self._data

    def write(self, data: dict[str, Any]) -> None:
        encoded = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
        fd, temp = tempfile.mkstemp(
            dir=self.path.parent, prefix=f".{self.path.name}.", suffix=TEMP_SUFFIX
        )
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(encoded)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temp, self.path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)
            # TinyDB changed our dict in place before calling write: go back to what is on disk.
            self._data = self._load()
            raise
        _fsync_directory(self.path.parent)
        self._data = data

    def _load(self) -> dict[str, Any] | None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        if not raw.strip():
            return None
        try:
            return json.loads(raw)
        except json.JSONDecodeError as error:
            raise ValueError(
                f"{self.path}: line {error.lineno}: not valid JSON ({error.msg})"
            ) from None

    def _remove_leftover_temp_files(self) -> None:
        for leftover in self.path.parent.glob(f".{self.path.name}.*{TEMP_SUFFIX}"):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
