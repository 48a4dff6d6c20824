"""Snapshots of the promote dialog at 80x24.

The dialog covers the whole screen, so the temporary project path in the
header does not show; the store's commit, metrics and params are fixed.
"""

from __future__ import annotations

from pathlib import Path

from tests.app.registry_pilot import make_app, open_registry, select_version, wait_for_screen


def _open_promote_dialog(version: int):
    async def run_before(pilot) -> None:
        table = await open_registry(pilot)
        await select_version(pilot, table, version)
        await pilot.press("p")
        await wait_for_screen(pilot, "TextInputDialog")
        await pilot.press("enter")
        await wait_for_screen(pilot, "PromoteDialog")

    return run_before


def test_promote_dialog_gate_passed(registry_project: Path, snap_compare) -> None:
    """v2 over v1: better accuracy in green, C differs, gate passed, y/n/Esc keys."""
    assert snap_compare(make_app(registry_project), terminal_size=(80, 24), run_before=_open_promote_dialog(2))


def test_promote_dialog_needs_override(registry_project: Path, snap_compare) -> None:
    """v3 over v1: worse accuracy in red, gate not passed, the override input focused."""
    assert snap_compare(make_app(registry_project), terminal_size=(80, 24), run_before=_open_promote_dialog(3))
