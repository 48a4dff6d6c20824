"""The headless registry commands: exit codes and messages.

The first test runs the installed `ct-tui`. The others call the same
subcommand handlers in-process, because each start of the command costs
about 2.5 s of MLflow import and store set-up.
"""

from __future__ import annotations

import io
import logging
import os
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from ct_tui.cli import build_parser
from ct_tui.domain.audit import MODEL_TAG_PREFIX, new_record, read_history
from ct_tui.domain.project import open_project
from ct_tui.domain.registry import read_aliases
from ct_tui.domain.tracking_client import make_client
from ct_tui.settings import load_settings
from tests.conftest import BIN_DIR
from tests.registry_store import MODEL


def ct_tui(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the installed ct-tui on `root` with stdin that is not a terminal."""
    return subprocess.run(
        [os.path.join(BIN_DIR, "ct-tui"), "--repo", str(root), *args],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120,
    )


def run_command(root: Path, *args: str) -> int:
    """Parse `args` as the command line does and run the subcommand handler in this process."""
    project = open_project(root)
    parsed = build_parser().parse_args(list(args))
    return parsed.handler(project, load_settings(project.root), parsed)


@pytest.fixture(autouse=True)
def stdin_not_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))


def test_installed_command_exit_codes(registry_project: Path) -> None:
    promoted = ct_tui(registry_project, "promote", MODEL, "2", "--alias", "champion", "--yes")
    assert promoted.returncode == 0, promoted.stderr
    assert "champion: v1 -> v2 on ct-model" in promoted.stdout
    assert "+0.0500" in promoted.stdout

    refused = ct_tui(registry_project, "promote", MODEL, "3", "--yes")
    assert refused.returncode == 1
    assert "refused by the gate: accuracy 0.8500 is worse than 0.9500" in refused.stderr
    assert "pass --force" in refused.stderr

    unknown = ct_tui(registry_project, "promote", "ct-modle", "2", "--yes")
    assert unknown.returncode == 2
    assert "registered model 'ct-modle' not found; registered models: ct-model" in unknown.stderr
    assert read_aliases(open_project(registry_project), MODEL)["champion"] == 2


def test_force_then_rollback(registry_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = open_project(registry_project)

    assert run_command(registry_project, "promote", MODEL, "3", "--yes", "--force") == 0
    record = read_history(make_client(project), MODEL)[0]
    assert (record.from_version, record.to_version, record.overridden, record.via) == (1, 3, True, "cli")

    assert run_command(registry_project, "rollback", MODEL, "--yes") == 0
    assert "champion: v3 -> v1" in capsys.readouterr().out
    assert read_aliases(project, MODEL)["champion"] == 1


def test_bad_input_exits_2_with_choices(registry_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cases = [
        (["promote", MODEL, "7", "--yes"], "version '7' of model 'ct-model' not found; existing versions: 1, 2, 3"),
        (["promote", MODEL, "abc", "--yes"], "'abc' is not a valid version number (a positive integer); versions of 'ct-model': 1, 2, 3"),
        (["promote", MODEL, "0", "--yes"], "'0' is not a valid version number (a positive integer)"),
        (["rollback", MODEL, "--alias", "prod", "--yes"], "alias 'prod' not found on model 'ct-model'; its aliases: champion (v1)"),
        (["remove-alias", MODEL, "--alias", "prod", "--yes"], "its aliases: champion (v1)"),
        (["aliases", "nope"], "registered models: ct-model"),
        (["promote", MODEL, "2"], "stdin is not a terminal: pass --yes"),
    ]
    for args, expected in cases:
        assert run_command(registry_project, *args) == 2, args
        assert expected in capsys.readouterr().err, args
    assert read_aliases(open_project(registry_project), MODEL)["champion"] == 1


def test_answer_no_at_prompt_changes_nothing(
    registry_project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = io.StringIO("n\n")
    answers.isatty = lambda: True  # a test has no terminal, so this StringIO acts as one
    monkeypatch.setattr(sys, "stdin", answers)

    assert run_command(registry_project, "promote", MODEL, "2") == 1
    assert "nothing changed" in capsys.readouterr().out
    assert read_aliases(open_project(registry_project), MODEL)["champion"] == 1


def test_aliases_and_history_listing(registry_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_command(registry_project, "promote", MODEL, "2", "--yes") == 0
    capsys.readouterr()

    assert run_command(registry_project, "aliases", MODEL) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "aliases of ct-model:"
    assert "champion  v2" in lines[1]
    assert "promote champion v1 -> v2 by" in lines[1]

    assert run_command(registry_project, "history", MODEL) == 0
    history = capsys.readouterr().out.splitlines()
    assert len(history) == 1
    assert "promote champion v1 -> v2" in history[0]
    assert "gate passed" in history[0]


def test_invalid_alias_rejected_before_comparison(registry_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for alias in ("bad alias!", "champion/2", "v7", "Latest"):
        assert run_command(registry_project, "promote", MODEL, "2", "--alias", alias, "--yes") == 2, alias
        captured = capsys.readouterr()
        assert captured.out == "", f"{alias!r}: printed {captured.out!r} before rejecting"
        assert repr(alias) in captured.err, alias
    assert run_command(registry_project, "promote", MODEL, "2", "--alias", "bad alias!", "--yes") == 2
    error = capsys.readouterr().err
    assert "invalid alias 'bad alias!': MLflow alias names may contain only letters, digits, underscores (_) and dashes (-)" in error
    assert read_aliases(open_project(registry_project), MODEL) == {"champion": 1}


def test_comparison_fits_80_columns(
    registry_project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    assert run_command(registry_project, "promote", MODEL, "3", "--yes", "--force") == 0
    lines = capsys.readouterr().out.splitlines()

    for line in lines:
        assert len(line) <= 80, f"{len(line)} columns: {line!r}"
    accuracy = next(line for line in lines if line.strip().startswith("accuracy"))
    assert accuracy.split() == ["accuracy", "0.8500", "0.9000", "-0.0500"]
    assert "  - accuracy 0.8500 is worse than 0.9000 (higher is better)" in lines
    assert "champion: v1 -> v3 on ct-model" in lines


def test_first_promotion_logged_as_none(
    registry_project: Path, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_command(registry_project, "remove-alias", MODEL, "--yes") == 0
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="ct_tui.domain.audit"):
        assert run_command(registry_project, "promote", MODEL, "2", "--yes") == 0

    messages = [record.getMessage() for record in caplog.records]
    assert any("recorded promote of ct-model alias champion: (none) -> v2 by" in message for message in messages), messages
    assert not any("vNone" in message for message in messages)


def test_history_into_closed_pipe_exits_quietly(registry_project: Path) -> None:
    # Enough records that the output overflows the pipe buffer, so ct-tui is
    # still writing when the reader closes its end, as `| head -3` does.
    start = datetime(2026, 1, 5, tzinfo=timezone.utc)
    with sqlite3.connect(registry_project / "mlflow.db") as connection:
        for index in range(3000):
            record = new_record(
                "promote", MODEL, "champion", 1, 2, gate=None, overridden=False, via="cli",
                now=start + timedelta(minutes=index),
            )
            connection.execute(
                "INSERT INTO registered_model_tags (key, value, name) VALUES (?, ?, ?)",
                (f"{MODEL_TAG_PREFIX}{index:05d}", record.to_json(), MODEL),
            )

    process = subprocess.Popen(
        [os.path.join(BIN_DIR, "ct-tui"), "--repo", str(registry_project), "history", MODEL],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    first = process.stdout.readline()
    process.stdout.close()
    errors = process.stderr.read()
    code = process.wait(timeout=120)

    assert "promote champion v1 -> v2" in first
    assert "Traceback" not in errors
    assert "BrokenPipeError" not in errors
    assert code == 141
