"""The Params screen follows changes made to params files outside ct-tui, without polling DVC."""

from __future__ import annotations

import logging
import subprocess
import threading
import time
from pathlib import Path

import pytest

from ct_tui.domain.project import open_project
from ct_tui.settings import load_settings
from ct_tui.ui.app import CtTuiApp
from ct_tui.ui.screens.params import ParamsScreen

from tests.app.params_pilot import move_to, open_params, text_of, tree_line, type_value, wait_until

RELOAD_TIMEOUT = 4.0
"""Seconds a test waits for a reload: one stat check (1 s) plus a params load, with slack for a busy machine."""


def make_app(root: Path) -> CtTuiApp:
    return CtTuiApp(open_project(root), load_settings(root))


def edit_outside(params_path: Path, old: str, new: str) -> None:
    """Change params.yaml as a user would from another shell: `sed -i`, which replaces the file."""
    subprocess.run(["sed", "-i", f"s/{old}/{new}/", str(params_path)], check=True)


def watcher_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == "params-watcher"]


def outside_change_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [
        record
        for record in caplog.records
        if record.threadName == "params-watcher" and "changed outside ct-tui" in record.getMessage()
    ]


async def test_outside_edit_reloads_tree(ct_project: Path) -> None:
    app = make_app(ct_project)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_params(pilot)
        assert "200" in tree_line(screen, "train.max_iter")

        edit_outside(ct_project / "params.yaml", "max_iter: 200", "max_iter: 300")
        await wait_until(
            pilot,
            lambda: "300" in tree_line(screen, "train.max_iter"),
            timeout=RELOAD_TIMEOUT,
            description="the tree to show max_iter 300",
        )
        running_while_shown = watcher_threads()

    # The app has exited, so the screen was unmounted; its watcher thread ends at its next wake-up.
    deadline = time.monotonic() + 3
    while watcher_threads() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(running_while_shown) == 1
    assert watcher_threads() == []


async def test_outside_edit_during_edit_shown(ct_project: Path) -> None:
    params_path = ct_project / "params.yaml"
    app = make_app(ct_project)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_params(pilot)
        await move_to(pilot, screen, "seed")
        await pilot.press("e")
        edit_outside(params_path, "max_iter: 200", "max_iter: 300")
        await wait_until(
            pilot,
            lambda: "changed on disk" in text_of(screen, "#edit-changed"),
            timeout=RELOAD_TIMEOUT,
            description="the edit box to say the file changed",
        )
        notice = text_of(screen, "#edit-changed")
        line_during_edit = tree_line(screen, "train.max_iter")
        editor_value = screen.query_one("#edit-input").value

        await pilot.press("escape")
        await wait_until(
            pilot,
            lambda: "300" in tree_line(screen, "train.max_iter"),
            timeout=RELOAD_TIMEOUT,
            description="the tree to reload after Esc",
        )

    assert notice == "params.yaml changed on disk, so Enter will not save over it; Esc shows the new version."
    assert "200" in line_during_edit
    assert editor_value == "42"


async def test_save_during_outside_edit_rejected(ct_project: Path) -> None:
    params_path = ct_project / "params.yaml"
    app = make_app(ct_project)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_params(pilot)
        await move_to(pilot, screen, "seed")
        await pilot.press("e")
        edit_outside(params_path, "max_iter: 200", "max_iter: 300")
        await wait_until(
            pilot,
            lambda: "changed on disk" in text_of(screen, "#edit-changed"),
            timeout=RELOAD_TIMEOUT,
            description="the edit box to say the file changed",
        )
        await type_value(pilot, "7")
        await wait_until(pilot, lambda: "Not saved" in text_of(screen, "#params-status"), description="the rejection")
        await wait_until(pilot, lambda: "300" in tree_line(screen, "train.max_iter"), description="the reload")

    assert "seed: 42" in params_path.read_text()
    assert "max_iter: 300" in params_path.read_text()


async def test_own_save_not_outside_change(ct_project: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="ct_tui.domain.watch")
    app = make_app(ct_project)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_params(pilot)
        await move_to(pilot, screen, "seed")
        await pilot.press("e")
        await type_value(pilot, "7")
        await wait_until(pilot, lambda: "Saved" in text_of(screen, "#params-status"), description="the save")
        # Two stat checks of the watcher, which would report the save if it were not paused for it.
        await pilot.pause(2.2)
        after_save = outside_change_records(caplog)

        edit_outside(ct_project / "params.yaml", "max_iter: 200", "max_iter: 300")
        await wait_until(
            pilot,
            lambda: "300" in tree_line(screen, "train.max_iter"),
            timeout=RELOAD_TIMEOUT,
            description="the reload",
        )
        after_outside_edit = outside_change_records(caplog)

    assert after_save == []
    assert len(after_outside_edit) == 1


async def test_outside_edit_while_hidden_shown_on_return(ct_project: Path) -> None:
    app = make_app(ct_project)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_params(pilot)
        await pilot.press("1")
        await wait_until(pilot, lambda: app.current_mode == "pipeline", description="the Pipeline screen")

        edit_outside(ct_project / "params.yaml", "max_iter: 200", "max_iter: 300")
        await pilot.press("2")
        await wait_until(pilot, lambda: isinstance(app.screen, ParamsScreen), description="the Params screen")
        await wait_until(
            pilot,
            lambda: "300" in tree_line(screen, "train.max_iter"),
            timeout=RELOAD_TIMEOUT,
            description="the reload on return",
        )


async def test_fixed_file_clears_problem(ct_project: Path) -> None:
    params_path = ct_project / "params.yaml"
    good = params_path.read_text()
    params_path.write_text(good + "broken: [1, 2\n")
    app = make_app(ct_project)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_params(pilot)
        problem = text_of(screen, "#params-status")

        params_path.write_text(good)
        await wait_until(
            pilot,
            lambda: text_of(screen, "#params-status") == "",
            timeout=RELOAD_TIMEOUT,
            description="the problem to go away",
        )
        line = tree_line(screen, "train.max_iter")

    assert "params.yaml" in problem
    assert "200" in line
