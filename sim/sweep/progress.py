"""The live progress line of a sweep on stderr (:class:`Progress`), while the command line waits for Hydra."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

from sim.sweep.cell import ERROR, RESULT
from sim.sweep.state import STATE


class Progress:
    """A live line on stderr: cells done/total, elapsed, ETA; silent off a terminal."""

    def __init__(self, total: int, stream=None, interval: float = 0.5) -> None:
        self.total = total
        self.stream = stream or sys.stderr
        self.interval = interval
        self.enabled = hasattr(self.stream, "isatty") and self.stream.isatty()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.start_time = time.monotonic()

    def count(self) -> int:
        """Cells finished (done, skipped or failed) in the sweep folder, once known."""
        root = STATE.get("sweep_dir")
        if root is None or not Path(root).is_dir():
            return 0
        return len(
            {p.parent for p in Path(root).glob(f"*/{RESULT}")} | {p.parent for p in Path(root).glob(f"*/{ERROR}")}
        )

    def line(self) -> str:
        """The progress text."""
        done = min(self.count(), self.total)
        elapsed = time.monotonic() - self.start_time
        eta = elapsed / done * (self.total - done) if done else float("nan")
        eta_s = f"{eta:5.0f} s" if eta == eta else "    ?"
        return f"sweep: {done}/{self.total} cells, elapsed {elapsed:5.0f} s, ETA {eta_s}"

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self.stream.write("\r" + self.line())
            self.stream.flush()

    def __enter__(self) -> Progress:
        if self.enabled:
            self._thread = threading.Thread(target=self._loop, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            if exc_type is not None and issubclass(exc_type, KeyboardInterrupt):
                self.stream.write("\r\x1b[K")  # the line that says so (interrupted) takes its place
            else:
                self.stream.write("\r" + self.line() + "\n")
            self.stream.flush()
