"""``sim dashboard``: serves the page in :mod:`sim.app` (the trainer's dashboard).

It checks the command line (a port free on localhost, a known lesson) before anything
starts, then runs Solara's server on ``sim.app`` in a child process, bound to
localhost, and waits until Ctrl+C. What the page opens with (``--lesson``,
``--compare``, ``--present``) goes through that process's environment
(:data:`ENV_ARRANGEMENT`, :data:`ENV_COMPARE`, :data:`ENV_PRESENT`), which the page
reads when a session starts.

This module knows the page only by its name, which the server imports; the page
imports the names of that hand-over from here. So imports run one way, page ->
command, and ``python -m sim.app`` can run this command as it always did.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys

from sim import views
from sim.lessons import available

HOST, PORT = "127.0.0.1", 8765
# Initial settings can come from the command line (sim dashboard --lesson/--compare),
# through the environment of the Solara server it starts. COMPARE_AUTO is one of the
# values of the page's "Side by side" select.
ENV_ARRANGEMENT = "SIM_DASHBOARD_ARRANGEMENT"
ENV_COMPARE = "SIM_DASHBOARD_COMPARE"
ENV_PRESENT = "SIM_DASHBOARD_PRESENT"
COMPARE_AUTO = "auto: the lesson's contrast"  # for an arrangement that is no lesson: strategy known vs unknown

USAGE = f"""usage: sim dashboard [--port N] [--lesson NAME] [--compare] [--present] [--open]

Serves the trainer's dashboard on http://{HOST}:{PORT} (localhost only).
  --port N       another port (0: a free one)
  --lesson NAME  start with a lesson loaded (side by side on its contrast)
  --compare      start side by side: strategy known vs unknown
  --present      start in presentation mode: sidebar folded, larger type
                 (also: ?present=1 in the address, or the Present button)
  --open         open a browser tab"""


PORTS = "a port number, 1-65535 (0: any free one)"
# The options that take a value, and what the value may be (said when it is missing).
VALUED = {"--port": lambda: PORTS, "--lesson": lambda: "a lesson, one of " + ", ".join(available())}


def present_from_env() -> bool:
    """Whether the page opens in presentation mode (``--present``)."""
    return os.environ.get(ENV_PRESENT) == "1"


def port_free(port: int) -> bool:
    """Whether the dashboard's server can listen on ``port`` of localhost now.

    The probe binds as the server (uvicorn) does, with SO_REUSEADDR, so a port left in
    TIME_WAIT by a dashboard just stopped counts as free, as it is for the server.
    """
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((HOST, port))
        except OSError:
            return False
    return True


def free_port() -> int:
    """A free TCP port on localhost."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def server_command(port: int, open_browser: bool = False) -> list[str]:
    """The Solara server command for this app, bound to localhost."""
    return [
        sys.executable,
        "-m",
        "solara",
        "run",
        "sim.app",
        "--host",
        HOST,
        "--port",
        str(port),
        "--production",
        "--no-check-version",  # it asks PyPI on every start: a local tool makes no calls out
        "--open" if open_browser else "--no-open",
        "--log-level",
        "warning",
    ]


def main(argv: list[str] | None = None) -> int:
    """``sim dashboard``: start the Solara server and wait; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    port, env, open_browser = PORT, dict(os.environ), False
    given = tuple(f"{option}=" for option in VALUED)  # --port=8000 is --port 8000
    argv = [part for arg in argv for part in (arg.split("=", 1) if arg.startswith(given) else [arg])]
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in ("-h", "--help"):
            print(USAGE)
            return 0
        if arg in VALUED and i + 1 == len(argv):
            print(f"error: {arg} needs a value: {VALUED[arg]()}.\n{USAGE}", file=sys.stderr)
            return 2
        if arg == "--port":
            value = argv[i + 1]
            if not (value.isdigit() and int(value) <= 65535):
                print(f"error: --port={value!r} is not allowed. Allowed: {PORTS}.", file=sys.stderr)
                return 2
            port, i = int(value), i + 2
            continue
        if arg == "--lesson":
            name = argv[i + 1]
            if name not in available():
                print(f"error: unknown lesson {name!r}. Available lessons: {', '.join(available())}.", file=sys.stderr)
                return 2
            env[ENV_ARRANGEMENT], env[ENV_COMPARE] = f"lessons/{name}", COMPARE_AUTO
            i += 2
            continue
        if arg == "--compare":
            env[ENV_COMPARE] = views.CONTRASTS["known_vs_unknown"].label
        elif arg == "--present":
            env[ENV_PRESENT] = "1"
        elif arg == "--open":
            open_browser = True
        else:
            print(f"error: unknown argument {arg!r}.\n{USAGE}", file=sys.stderr)
            return 2
        i += 1
    port = free_port() if port == 0 else port
    if not port_free(port):  # else Solara fails after the URL is announced, with its own status 3
        print(
            f"error: --port={port}{'' if port != PORT else ' (the default)'} is not allowed (in use on {HOST}: "
            "another dashboard, or another server). "
            "Allowed: a free port; --port 0 picks one.",
            file=sys.stderr,
        )
        return 2
    env.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")  # a local tool: no calls home
    env.setdefault("SOLARA_THEME_SHOW_BANNER", "False")  # its fixed "runs on Solara" footer covers the pictures
    print(f"sim dashboard: http://{HOST}:{port} (Ctrl+C to stop)", flush=True)
    try:
        return subprocess.call(server_command(port, open_browser), env=env)
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    from sim.console import exit_with

    exit_with(main)
