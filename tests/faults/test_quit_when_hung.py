"""`q` ends ct-tui at once even while a worker waits on a server that never responds."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from tests.faulty_servers import FaultyServer

# Runs the app in a fresh interpreter, because what holds up quitting is
# asyncio.run and the interpreter's exit, which Pilot tests never reach.
PROBE = """
import json, sys, time
from ct_tui.domain.project import open_project
from ct_tui.domain.tracking_client import use_short_http_timeouts
from ct_tui.settings import load_settings
from ct_tui.ui.app import CtTuiApp

use_short_http_timeouts()
project = open_project(sys.argv[1])
app = CtTuiApp(project, load_settings(project.root))
marks = {}

async def quit_while_hung(pilot):
    # The Registry screen's worker is now blocked in its first request.
    await pilot.press("4")
    await pilot.pause(1.5)
    marks["q"] = time.monotonic()
    await pilot.press("q")

app.run(headless=True, size=(80, 24), auto_pilot=quit_while_hung)
marks["returned"] = time.monotonic()
print(json.dumps(marks))
"""


def test_quit_does_not_wait_for_hung_call(ct_project: Path, silent_server: FaultyServer) -> None:
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(ct_project)],
        env={**os.environ, "MLFLOW_TRACKING_URI": silent_server.uri},
        capture_output=True,
        text=True,
        timeout=60,
    )
    process_seconds = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    marks = json.loads(result.stdout.strip().splitlines()[-1])
    assert silent_server.accepted >= 1, "the worker never reached the server"
    # The hung call alone would take 10 s (5 s timeout, 2 attempts).
    assert marks["returned"] - marks["q"] < 3
    assert process_seconds < 9
