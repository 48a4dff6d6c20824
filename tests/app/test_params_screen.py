"""Pilot tests of the Params screen on real DVC projects in tmp_path."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from ct_tui.domain.params import plan_updates
from ct_tui.domain.project import open_project
from ct_tui.settings import load_settings
from ct_tui.ui.app import CtTuiApp
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from ct_tui.ui.screens.dialogs import ConfirmDialog, ErrorDialog
from ct_tui.ui.screens.help import HelpScreen
from ct_tui.ui.screens.params_apply import ApplyParamsDialog
from ct_tui.ui.screens.params_diff import ParamsDiffScreen
from ct_tui.ui.screens.pipeline import PipelineScreen

from tests.app.params_pilot import move_to, open_params, text_of, type_value, wait_until
from tests.conftest import dvc


def make_app(root: Path) -> CtTuiApp:
    return CtTuiApp(open_project(root), load_settings(root))


async def test_keyboard_edit_makes_train_stale(trained_project: Path) -> None:
    params_path = trained_project / "params.yaml"
    before = params_path.read_text()
    app = make_app(trained_project)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_params(pilot)
        await move_to(pilot, screen, "train.C_hyperparameter")
        await pilot.press("enter")
        await type_value(pilot, "0.5")
        await wait_until(pilot, lambda: "Saved" in text_of(screen, "#params-status"), description="the save")

        status = " ".join(text_of(screen, "#params-status").split())

    assert "Saved train.C_hyperparameter: 1.0 → 0.5 in params.yaml." in status
    assert "Will rerun: train (params changed: train.C_hyperparameter), evaluate (after train)." in status
    assert params_path.read_text() == before.replace("C_hyperparameter: 1.0", "C_hyperparameter: 0.5")
    stale = dvc(trained_project, "status", "--json").stdout
    assert '"train": [{"changed deps": {"params.yaml": {"train.C_hyperparameter": "modified"}}}]' in stale


async def test_keyboard_rejection_writes_nothing(ct_project: Path) -> None:
    params_path = ct_project / "params.yaml"
    before = params_path.read_bytes()
    app = make_app(ct_project)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_params(pilot)
        await move_to(pilot, screen, "train.max_iter")
        await pilot.press("e")
        await type_value(pilot, "1.5")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog), description="the type change question")
        await pilot.press("n")
        await pilot.pause()

        error = text_of(screen, "#edit-error")
        still_editing = screen.editing is not None

    assert error == "'1.5' is a float; expected an int such as 200"
    assert still_editing
    assert params_path.read_bytes() == before


async def test_undo_restores_file(ct_project: Path) -> None:
    params_path = ct_project / "params.yaml"
    before = params_path.read_bytes()
    app = make_app(ct_project)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_params(pilot)
        await move_to(pilot, screen, "seed")
        await pilot.press("e")
        await type_value(pilot, "7")
        await wait_until(pilot, lambda: "Saved" in text_of(screen, "#params-status"), description="the save")
        assert b"seed: 7\n" in params_path.read_bytes()

        await pilot.press("u")
        await wait_until(pilot, lambda: "Undid" in text_of(screen, "#params-status"), description="the undo")

    assert params_path.read_bytes() == before


async def test_undo_message_and_detail_follow_value(ct_project: Path) -> None:
    app = make_app(ct_project)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_params(pilot)
        await move_to(pilot, screen, "data.batches")
        await pilot.press("e")
        await type_value(pilot, "1.5")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog), description="the type change question")
        await pilot.press("y")
        await wait_until(pilot, lambda: "Saved" in text_of(screen, "#params-status"), description="the save")
        await wait_until(
            pilot, lambda: "· float ·" in text_of(screen, "#params-detail"), timeout=5, description="the float type"
        )
        detail_after_save = text_of(screen, "#params-detail")

        await pilot.press("u")
        await wait_until(pilot, lambda: "Undid" in text_of(screen, "#params-status"), description="the undo")
        await wait_until(
            pilot, lambda: "· int ·" in text_of(screen, "#params-detail"), timeout=5, description="the int type"
        )
        status = " ".join(text_of(screen, "#params-status").split())
        detail_after_undo = text_of(screen, "#params-detail")

    assert detail_after_save.startswith("params.yaml · data.batches · float · used by data")
    assert status.startswith("Undid data.batches: 1.5 → 3.")
    assert detail_after_undo.startswith("params.yaml · data.batches · int · used by data")


async def test_rejection_example_is_current_value(ct_project: Path) -> None:
    app = make_app(ct_project)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_params(pilot)
        await move_to(pilot, screen, "data.batches")
        await pilot.press("e")
        await type_value(pilot, "1.5")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog), description="the type change question")
        await pilot.press("n")
        await pilot.pause()
        type_error = text_of(screen, "#edit-error")

        await type_value(pilot, "")
        await pilot.pause()
        empty_error = text_of(screen, "#edit-error")

    assert type_error == "'1.5' is a float; expected an int such as 3"
    assert empty_error == "Empty value; type an int such as 3"


async def test_help_and_footer_show_same_keys(ct_project: Path) -> None:
    app = make_app(ct_project)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_params(pilot)
        await move_to(pilot, screen, "seed")
        await pilot.press("e")
        await pilot.pause()
        footer_keys = [(key.key_display, key.description) for key in screen.query_one(Footer).query(FooterKey)]
        rightmost = max(key.region.right for key in screen.query_one(Footer).query(FooterKey))
        await pilot.press("escape")

        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), description="the help")
        help_lines = [line.strip() for line in text_of(app.screen, "#help-text").splitlines()]

    assert "F5/^r  Reload" in help_lines
    assert ("Esc", "Cancel edit") in footer_keys
    for key_display, description in footer_keys:
        assert f"{key_display}  {description}" in help_lines
    assert rightmost <= 80


async def test_conflict_shown_and_other_change_kept(ct_project: Path) -> None:
    params_path = ct_project / "params.yaml"
    app = make_app(ct_project)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_params(pilot)
        other = params_path.read_text().replace("n_batches: 5", "n_batches: 6")
        params_path.write_text(other)
        await move_to(pilot, screen, "seed")
        await pilot.press("e")
        await type_value(pilot, "7")
        await wait_until(pilot, lambda: isinstance(app.screen, ErrorDialog), description="the conflict dialog")

        dialog_text = " ".join(str(app.screen.query_one(".dialog-body").visual).split())
        await pilot.press("escape")
        await wait_until(pilot, lambda: screen.snapshot is not None and b"n_batches: 6" in screen.snapshot.files[0].raw)

    assert "params.yaml changed on disk after ct-tui loaded it" in dialog_text
    assert params_path.read_text() == other


async def test_shared_value_warns_first(tmp_path: Path, ct_project: Path) -> None:
    params_path = ct_project / "params.yaml"
    params_path.write_text(params_path.read_text() + "base_lr: &lr 0.1\nwarmup_lr: *lr\n")
    app = make_app(ct_project)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_params(pilot)
        await move_to(pilot, screen, "warmup_lr")
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog), description="the shared value warning")
        warning = " ".join(str(app.screen.query_one(".dialog-body").visual).split())
        await pilot.press("y")
        await type_value(pilot, "0.2")
        await wait_until(pilot, lambda: "Saved" in text_of(screen, "#params-status"), description="the save")

    assert "shares one value (anchor &lr) with base_lr" in warning
    assert params_path.read_text().endswith("base_lr: &lr 0.2\nwarmup_lr: *lr\n")


async def test_diff_view_shows_head_and_lock(trained_project: Path) -> None:
    params_path = trained_project / "params.yaml"
    params_path.write_text(params_path.read_text().replace("max_iter: 200", "max_iter: 300"))
    app = make_app(trained_project)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_params(pilot)
        await pilot.press("D")
        # The screen becomes current before its widgets are mounted, so wait for its last heading.
        await wait_until(
            pilot,
            lambda: isinstance(app.screen, ParamsDiffScreen) and bool(app.screen.query("#lock-heading")),
            description="the diff view",
        )
        dialog_text = "\n".join(str(static.visual) for static in app.screen.query("Static"))
        await pilot.press("escape")

    assert "Since the last commit (dvc params diff)" in dialog_text
    assert "Since the last repro (dvc.lock)" in dialog_text
    assert "Will rerun: train (params changed: train.max_iter), evaluate (after train)." in dialog_text


async def test_revert_to_head_after_confirm(ct_project: Path) -> None:
    params_path = ct_project / "params.yaml"
    committed = params_path.read_bytes()
    params_path.write_bytes(committed.replace(b"seed: 42", b"seed: 1"))
    app = make_app(ct_project)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_params(pilot)
        await move_to(pilot, screen, "seed")
        await pilot.press("H")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog), description="the revert question")
        question = " ".join(str(app.screen.query_one(".dialog-body").visual).split())
        await pilot.press("y")
        await wait_until(pilot, lambda: "Reverted" in text_of(screen, "#params-status"), description="the revert")

    assert "-seed: 1 +seed: 42" in question
    assert params_path.read_bytes() == committed


async def test_apply_dialog_answers(ct_project: Path) -> None:
    plan = plan_updates(ct_project, {"train.max_iter": "500", "nope": "1", "seed": "x"})
    answers: list[bool | None] = []
    app = make_app(ct_project)
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(ApplyParamsDialog(plan), answers.append)
        await pilot.pause()
        dialog_text = "\n".join(str(static.visual) for static in app.screen.query("Static"))
        await pilot.press("y")
        await pilot.pause()

    assert "+  max_iter: 500" in dialog_text
    assert "seed: 'x' is a str; expected an int such as 42" in dialog_text
    assert "In no params file, skipped: nope" in dialog_text
    assert answers == [True]


async def test_save_and_repro_records_new_value(trained_project: Path) -> None:
    app = make_app(trained_project)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_params(pilot)
        await move_to(pilot, screen, "train.C_hyperparameter")
        await pilot.press("enter")
        await type_value(pilot, "0.25")
        await wait_until(pilot, lambda: "Saved" in text_of(screen, "#params-status"), description="the save")
        await pilot.press("R")
        await wait_until(pilot, lambda: app.current_mode == "pipeline", description="the Pipeline screen")

        if hasattr(PipelineScreen, "start_repro"):
            await wait_until(
                pilot, lambda: app.repro is not None and app.repro.running, timeout=10, description="the repro to start"
            )
            await wait_until(
                pilot, lambda: app.repro is None or not app.repro.running, timeout=240, description="the repro to finish"
            )
    if not hasattr(PipelineScreen, "start_repro"):
        # NOTE: until the Pipeline screen can run a repro, run the same `dvc repro` it would.
        dvc(trained_project, "repro")

    assert latest_run_param(trained_project / "mlflow.db", "train.C_hyperparameter") == "0.25"


def latest_run_param(store: Path, key: str) -> str | None:
    """Read a param of the newest run straight from the SQLite tracking store."""
    deadline = time.monotonic() + 5
    with sqlite3.connect(store) as connection:
        while True:
            rows = connection.execute(
                "SELECT params.value FROM params JOIN runs ON params.run_uuid = runs.run_uuid "
                "WHERE params.key = ? ORDER BY runs.start_time DESC LIMIT 1",
                (key,),
            ).fetchall()
            if rows or time.monotonic() > deadline:
                return rows[0][0] if rows else None
            time.sleep(0.2)
