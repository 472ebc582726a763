"""One `devpath mentors import` in a fresh process, for bench/imports.py: one JSON line out.

    python -m bench.imports_child PART FILE.csv [BEFORE]

DEVPATH_DB or DATABASE_URL names the database. `bot.cli.IMPORT_PART` is set to PART. With
BEFORE, `bot` is imported from that checkout instead of this one, so the code before a change
runs as it was; this module imports nothing of `bot` (or of bench/, which does) until then.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import time
from pathlib import Path

from bench.procfs import rss_mb


def main(argv: list[str]) -> None:
    part, csv_path = int(argv[0]), argv[1]
    if len(argv) > 2:
        sys.path.insert(0, argv[2])
    from bot import cli

    cli.IMPORT_PART = part  # the code before a change may not read it: no matter
    rss_before, _ = rss_mb()
    summary = io.StringIO()
    status: object = None
    start = time.perf_counter()
    with contextlib.redirect_stdout(summary):
        try:
            cli.main(["mentors", "import", csv_path])
        except SystemExit as stopped:
            status = stopped.code
    took = time.perf_counter() - start
    rss_after, hwm = rss_mb()
    found = {"import_s": took, "rss_before": rss_before, "rss_after": rss_after, "hwm": hwm}
    where = str(Path(cli.__file__).resolve().parent.parent)
    print(json.dumps({**found, "status": status, "summary": summary.getvalue(), "from": where}))


if __name__ == "__main__":
    main(sys.argv[1:])
