"""Find the live members of a process group, from /proc where it exists."""

from __future__ import annotations

import os
import time
from pathlib import Path

PROC = Path("/proc")


def group_members(pgid: int) -> list[int]:
    """Return the process ids in group `pgid` that are still running (zombies left out).

    Reads /proc; on a system without it, returns `[pgid]` while the group
    accepts signals and `[]` after.
    """
    if not PROC.is_dir():
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            return []
        return [pgid]

    members: list[int] = []
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # the process exited while we listed /proc
        # The command name sits in brackets and may contain spaces, so the
        # fields are counted from the closing bracket: state ppid pgrp ...
        fields = stat.rpartition(")")[2].split()
        if len(fields) >= 3 and fields[0] != "Z" and int(fields[2]) == pgid:
            members.append(int(entry.name))
    return members


def group_alive(pgid: int) -> bool:
    return bool(group_members(pgid))


def wait_group_gone(pgid: int, timeout: float, interval: float = 0.05) -> bool:
    """Wait up to `timeout` seconds for group `pgid` to have no running member; return whether it has none."""
    deadline = time.monotonic() + timeout
    while True:
        if not group_alive(pgid):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)
