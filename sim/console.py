"""How every ``python -m sim...`` command ends: :func:`exit_with` its ``main``'s status.

The lowest layer, beside the schema: the command line (:mod:`sim.cli`) and each
command's own entry (``python -m sim.sweep``, ``sim.report``, ``sim.lessons``,
``sim.validate``, ``sim.app``) import it, and it imports nothing of sim's. After Ctrl+C
a command ends with one line and status 130; what that line says is up to the layers
above, which add a function to :data:`INTERRUPTED` (a sweep: the cells done and the
command that resumes it).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import NoReturn

OWN_PROCESS = {"set": False}  # set by the sim command: main() runs in the command's own process, not a caller's
# After Ctrl+C: functions that say where the command stands (a line), or None if it is not theirs.
INTERRUPTED: list[Callable[[], str | None]] = []


_SIGINT = {"seen": False}


def note_interrupts() -> None:
    """From now on, remember a Ctrl+C in this command's own process, whatever becomes of it.

    Python raises KeyboardInterrupt wherever the main thread is; inside a library's code
    (OmegaConf composing a config, say) that can leave a half-made object whose next use
    fails with an unrelated error, which would then be reported as bad input. With this,
    :func:`interrupt_seen` tells that the error followed a Ctrl+C. Only Python's own
    handler is wrapped; a handler someone else installed is left alone.
    """
    import signal
    import threading

    if not OWN_PROCESS["set"] or threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        return

    def noted(signum: int, frame: object) -> None:
        _SIGINT["seen"] = True
        signal.default_int_handler(signum, frame)

    signal.signal(signal.SIGINT, noted)


def interrupt_seen() -> bool:
    """Whether Ctrl+C reached this process since :func:`note_interrupts`."""
    return _SIGINT["seen"]


def hold_interrupts() -> None:
    """Ignore further Ctrl+C in this command's own process: it is ending already, and tidying up."""
    import signal
    import threading

    if OWN_PROCESS["set"] and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def interrupted() -> int:
    """After Ctrl+C: one line on stderr instead of a traceback, and exit status 130 (128 + SIGINT).

    The line is the first that a function of :data:`INTERRUPTED` gives (for a sweep, the
    cells done and the command that resumes it), else ``interrupted.``.
    """
    hold_interrupts()
    line = next((said for said in (say() for say in INTERRUPTED) if said), None)
    print(line or "interrupted.", file=sys.stderr, flush=True)
    return 130


def exit_with(main: Callable[[], int | None]) -> NoReturn:
    """Run a command's ``main`` and exit with its status (every ``python -m sim...`` ends here).

    When the reader of the output goes first (``sim lesson --list | head -1``), the command
    stops quietly with status 1, as Python advises for a broken pipe, instead of a
    traceback. The objects left are frozen first, so that the interpreter's last garbage
    collection skips them: they go anyway, and scanning them took ~0.15-0.2 s of every
    command's exit (atexit handlers, and so Hydra's, joblib's and loky's clean-up, run
    as before).
    """
    import gc
    import os

    try:
        try:
            status = main()
        except SystemExit as exc:  # Hydra's --help and --cfg end this way
            status = exc.code
        except KeyboardInterrupt:
            status = interrupted()
        sys.stdout.flush()  # what is still buffered: the reader may be gone by now
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # Python flushes stdout again at exit
        status = 1
    gc.freeze()
    sys.exit(status)
