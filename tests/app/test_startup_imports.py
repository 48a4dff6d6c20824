"""The first frame is drawn before mlflow, scikit-learn, pandas or dvc are imported."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HEAVY_MODULES = ["mlflow", "sklearn", "pandas", "dvc"]

# Runs in a fresh interpreter: this test process has long imported them all.
PROBE = """
import json, sys
from ct_tui.domain.project import open_project
from ct_tui.settings import load_settings
from ct_tui.ui.app import CtTuiApp

root = sys.argv[1]
app = CtTuiApp(open_project(root), load_settings(open_project(root).root))
seen = {}

async def first_frame(pilot):
    await pilot.pause()
    seen.update({name: name in sys.modules for name in %r})
    app.exit()

app.run(headless=True, size=(80, 24), auto_pilot=first_frame)
print(json.dumps(seen))
""" % (HEAVY_MODULES,)


def test_first_frame_before_heavy_imports(ct_project: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(ct_project)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    imported = json.loads(result.stdout.strip().splitlines()[-1])
    for name in HEAVY_MODULES:
        assert imported[name] is False, f"{name} was imported before the first frame"
