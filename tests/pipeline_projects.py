"""Small DVC projects for the pipeline tests: quick stages, one shape per case.

Each project is a git repository with `dvc init` done and everything
committed, built in a temporary folder.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.conftest import dvc, git

STATUS_CASES_YAML = """\
stages:
  prepare:
    cmd: python prepare.py
    deps:
      - prepare.py
    params:
      - prepare.rows
    outs:
      - data.txt
  fit:
    foreach:
      - small
      - large
    do:
      cmd: python fit.py ${item}
      deps:
        - fit.py
        - data.txt
      outs:
        - model-${item}.txt
  report:
    cmd: python -c "print('report')"
    deps:
      - data.txt
    always_changed: true
  archive:
    cmd: python -c "import shutil; shutil.copy('archive.txt', 'archived.txt')"
    deps:
      - archive.txt
    outs:
      - archived.txt
"""
"""A pipeline with a plain stage, a foreach stage, an always-changed stage and one to freeze."""

NESTED_YAML = """\
stages:
  summarize:
    cmd: python -c "open('summary.txt', 'w').write(open('../data.txt').read().upper())"
    deps:
      - ../data.txt
    outs:
      - summary.txt
"""

# A stage that prints without flushing, draws a tqdm bar on stderr and prints colour codes.
OUTPUT_STAGE = """\
import sys
import time

from tqdm import tqdm

print("first line")
time.sleep(1.5)
for _ in tqdm(range(40), file=sys.stderr, mininterval=0, ascii=True, desc="work"):
    time.sleep(0.01)
print("\\x1b[32mgreen text\\x1b[0m")
print("last line")
"""

# A stage that prints a line a second for ten minutes.
LOOP_STAGE = """\
import time
from pathlib import Path

for tick in range(600):
    print(f"tick {tick}")
    time.sleep(1)
Path("loop.txt").write_text("done")
"""


STATUS_CASES_FILES = {
    "prepare.py": "from pathlib import Path\n\nPath('data.txt').write_text('prepared\\n')\n",
    "fit.py": (
        "import sys\nfrom pathlib import Path\n\n"
        "Path(f'model-{sys.argv[1]}.txt').write_text(Path('data.txt').read_text() + sys.argv[1])\n"
    ),
    "params.yaml": "prepare:\n  rows: 10\n",
    "archive.txt": "old\n",
    "sub/dvc.yaml": NESTED_YAML,
    ".gitignore": "/.ct-tui/\n",
}


def make_dvc_project(root: Path, dvc_yaml: str, files: dict[str, str]) -> Path:
    """Write `files` and `dvc_yaml` into a new git repository at `root`, run `dvc init`, commit."""
    root.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (root / "dvc.yaml").write_text(dvc_yaml)
    git(root, "init", "-q", "-b", "main")
    dvc(root, "init", "-q")
    dvc(root, "config", "core.analytics", "false")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Add the pipeline")
    return root


def make_status_cases_project(root: Path) -> Path:
    """Build the status-cases pipeline, reproduce it once, freeze `archive`, commit."""
    make_dvc_project(root, STATUS_CASES_YAML, STATUS_CASES_FILES)
    dvc(root, "repro", "--all-pipelines")
    dvc(root, "freeze", "archive")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Reproduce once and freeze archive")
    return root


def copy_project(template: Path, root: Path) -> Path:
    shutil.copytree(template, root, symlinks=True)
    return root


def stage_script_project(root: Path, name: str, script: str, *, outs: str | None = None) -> Path:
    """Build a project whose one stage `name` runs `script` (a Python file) with `python`."""
    files = {f"{name}.py": textwrap.dedent(script), ".gitignore": "/.ct-tui/\n"}
    outs_yaml = f"    outs:\n      - {outs}\n" if outs else ""
    dvc_yaml = (
        f"stages:\n  {name}:\n    cmd: python {name}.py\n    deps:\n      - {name}.py\n{outs_yaml}"
    )
    return make_dvc_project(root, dvc_yaml, files)


TWO_STAGE_YAML = """\
stages:
  first:
    cmd: python first.py
    deps:
      - first.py
    outs:
      - first.txt
  loop:
    cmd: python loop.py
    deps:
      - loop.py
      - first.txt
    outs:
      - loop.txt
"""


def two_stage_project(root: Path) -> Path:
    """Build a project whose quick stage `first` feeds `loop`, which prints a tick a second for ten minutes."""
    files = {
        "first.py": "from pathlib import Path\n\nPath('first.txt').write_text('first')\nprint('first done')\n",
        "loop.py": LOOP_STAGE,
        ".gitignore": "/.ct-tui/\n",
    }
    return make_dvc_project(root, TWO_STAGE_YAML, files)


def live_group_members(pgid: int) -> list[int]:
    """Return the processes of group `pgid` that are not zombies, read from /proc."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:
            members.append(int(entry.name))
    return members


class LockHolderProcess:
    """A separate Python process that takes DVC's repository lock with DVC's own lock API."""

    def __init__(self, root: Path) -> None:
        code = (
            "import sys, time\n"
            "from dvc.lock import make_lock\n"
            "lock = make_lock(sys.argv[1])\n"
            "lock.lock()\n"
            "print('locked', flush=True)\n"
            "time.sleep(120)\n"
        )
        self.lock_path = root / ".dvc" / "tmp" / "lock"
        self.process = subprocess.Popen(
            [sys.executable, "-c", code, str(self.lock_path)],
            stdout=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        assert line.strip() == "locked", f"the lock holder printed {line!r}"

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=10)


def start_dvc_repro(root: Path, *args: str) -> subprocess.Popen[str]:
    """Start `dvc repro` in `root` in its own session, output to a pipe."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "dvc", "repro", *args],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def wait_for_line(process: subprocess.Popen[str], text: str, timeout: float = 60.0) -> list[str]:
    """Read lines of `process` until one contains `text`; return them all."""
    assert process.stdout is not None
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        seen.append(line)
        if text in line:
            return seen
    raise AssertionError(f"{text!r} not printed within {timeout} s; output: {''.join(seen)!r}")


def stop_group(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


@pytest.fixture(scope="session")
def status_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The status-cases project, reproduced once with `archive` frozen; copy it before changing it."""
    return make_status_cases_project(tmp_path_factory.mktemp("status-cases") / "project")


@pytest.fixture
def status_cases(status_template: Path, tmp_path: Path) -> Path:
    """A private copy of the status-cases project."""
    return copy_project(status_template, tmp_path / "project")
