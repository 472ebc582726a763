"""How far a long command has got, on stderr: on a terminal, one line redrawn in place; in a
log or a pipe, a line at each tenth of the way at most, never one per item."""

from __future__ import annotations

import sys
from typing import TextIO

STEPS = 10  # lines at most, in a log, for one piece of work


class Progress:
    """`Progress("importing mentors", 10_000)(4_000)` shows `importing mentors: 4,000 /
    10,000`; `end()` finishes the line on a terminal, so what follows starts on its own.
    A `quiet` one shows nothing: work done at once has nothing to watch."""

    def __init__(
        self,
        label: str,
        total: int,
        unit: str = "",
        *,
        quiet: bool = False,
        out: TextIO | None = None,
        steps: int = STEPS,
    ) -> None:
        self.label = label
        self.total = max(total, 1)
        self.unit = f" {unit}" if unit else ""
        self.out = out or sys.stderr
        self.terminal = self.out.isatty()
        # A terminal is redrawn at each hundredth; a log gets a line at each of `steps`.
        self.steps = 0 if quiet else 100 if self.terminal else steps
        self.shown = 0  # the last step shown

    def __call__(self, done: int) -> None:
        step = min(done, self.total) * self.steps // self.total
        if step <= self.shown:
            return
        self.shown = step
        line = f"{self.label}: {done:,} / {self.total:,}{self.unit}"
        if self.terminal:
            self.out.write(f"\r{line}\x1b[K")
        else:
            self.out.write(line + "\n")
        self.out.flush()

    def end(self) -> None:
        if self.terminal and self.shown:
            self.out.write("\n")
            self.out.flush()
