"""Stage status read through the status probe, on real DVC projects in tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest

from ct_tui.domain.errors import DvcError
from ct_tui.domain.pipeline import PipelineStatus, StageState, load_status
from tests.pipeline_projects import (
    LockHolderProcess,
    stage_script_project,
    start_dvc_repro,
    stop_group,
    status_cases,  # noqa: F401 - a fixture, used by name
    status_template,  # noqa: F401 - a fixture, used by name
    wait_for_line,
)


@pytest.fixture
def cases(status_cases: Path) -> Path:
    return status_cases


def reasons_of(status: PipelineStatus, address: str) -> list[str]:
    stage = status.stage(address)
    assert stage is not None, f"no stage {address!r} in {[s.address for s in status.stages]}"
    return [reason.describe() for reason in stage.reasons]


def state_of(status: PipelineStatus, address: str) -> StageState:
    stage = status.stage(address)
    assert stage is not None, f"no stage {address!r} in {[s.address for s in status.stages]}"
    return stage.state


def test_status_after_repro_up_to_date(cases: Path) -> None:
    status = load_status(cases)

    assert status.busy is None
    for address in ("prepare", "fit@small", "fit@large", "sub/dvc.yaml:summarize"):
        assert state_of(status, address) is StageState.UP_TO_DATE, reasons_of(status, address)


def test_status_lists_stages_in_run_order(cases: Path) -> None:
    status = load_status(cases)
    order = [stage.address for stage in status.stages]

    for stage in status.stages:
        for need in stage.needs:
            assert order.index(need) < order.index(stage.address), order
    assert set(order) == {"prepare", "fit@small", "fit@large", "report", "archive", "sub/dvc.yaml:summarize"}
    assert status.stage("fit@large").needs == ("prepare",)
    assert status.stage("sub/dvc.yaml:summarize").needs == ("prepare",)
    assert status.stage("sub/dvc.yaml:summarize").dvcfile == "sub/dvc.yaml"
    assert sorted(status.used_by("prepare")) == ["fit@large", "fit@small", "report", "sub/dvc.yaml:summarize"]


def test_status_changed_dep(cases: Path) -> None:
    (cases / "prepare.py").write_text("from pathlib import Path\n\nPath('data.txt').write_text('v2\\n')\n")

    status = load_status(cases)

    assert state_of(status, "prepare") is StageState.CHANGED
    assert reasons_of(status, "prepare") == ["changed deps: modified prepare.py"]
    assert state_of(status, "fit@small") is StageState.UP_TO_DATE
    assert status.stale_upstream("fit@small") == ["prepare"]


def test_status_changed_param(cases: Path) -> None:
    (cases / "params.yaml").write_text("prepare:\n  rows: 20\n")

    status = load_status(cases)

    assert state_of(status, "prepare") is StageState.CHANGED
    assert reasons_of(status, "prepare") == ["changed params: modified prepare.rows (params.yaml)"]


def test_status_deleted_out(cases: Path) -> None:
    (cases / "model-small.txt").unlink()

    status = load_status(cases)

    assert state_of(status, "fit@small") is StageState.CHANGED
    assert reasons_of(status, "fit@small") == ["changed outs: deleted model-small.txt"]
    assert state_of(status, "fit@large") is StageState.UP_TO_DATE


def test_status_never_run_stage(cases: Path) -> None:
    with (cases / "dvc.yaml").open("a") as handle:
        handle.write("  extra:\n    cmd: python -c \"print('extra')\"\n    deps:\n      - data.txt\n")

    status = load_status(cases)

    assert state_of(status, "extra") is StageState.NEVER_RUN
    assert reasons_of(status, "extra") == ["never run: no entry in dvc.lock"]
    assert status.stage("extra").needs == ("prepare",)


def test_status_foreach_stage_changes_alone(cases: Path) -> None:
    (cases / "model-large.txt").write_text("edited by hand")

    status = load_status(cases)

    assert state_of(status, "fit@large") is StageState.CHANGED
    assert reasons_of(status, "fit@large") == ["changed outs: modified model-large.txt"]
    assert state_of(status, "fit@small") is StageState.UP_TO_DATE


def test_status_always_changed_stage(cases: Path) -> None:
    status = load_status(cases)

    assert state_of(status, "report") is StageState.CHANGED
    assert reasons_of(status, "report") == ["always changed"]
    assert status.stage("report").always_changed


def test_status_frozen_stage(cases: Path) -> None:
    (cases / "archive.txt").write_text("new\n")

    status = load_status(cases)

    assert state_of(status, "archive") is StageState.FROZEN
    assert reasons_of(status, "archive") == ["frozen: dvc repro skips it and its deps are not checked"]


def test_status_changed_command(cases: Path) -> None:
    text = (cases / "dvc.yaml").read_text().replace("python prepare.py", "python prepare.py --again")
    (cases / "dvc.yaml").write_text(text)

    status = load_status(cases)

    assert state_of(status, "prepare") is StageState.CHANGED
    assert reasons_of(status, "prepare") == ["changed command"]


def test_status_watches_pipeline_files(cases: Path) -> None:
    status = load_status(cases)
    watched = {path.relative_to(cases).as_posix() for path in status.watch}

    for name in ("dvc.yaml", "dvc.lock", "params.yaml", "prepare.py", "data.txt", "sub/dvc.yaml", "sub/dvc.lock"):
        assert name in watched


def test_status_invalid_dvc_yaml(cases: Path) -> None:
    (cases / "dvc.yaml").write_text("stages:\n  broken:\n    cmd: [unclosed\n")

    with pytest.raises(DvcError) as raised:
        load_status(cases)

    assert "dvc.yaml" in str(raised.value)
    assert "Traceback" not in str(raised.value)


def test_status_busy_repo_lock(cases: Path) -> None:
    holder = LockHolderProcess(cases)
    try:
        status = load_status(cases)
    finally:
        holder.stop()

    assert status.busy is not None
    assert status.busy.pid == holder.process.pid
    assert "python" in status.busy.command
    assert "pipeline busy" in status.busy.describe()
    assert status.stages == ()
    assert holder.lock_path.exists()


def test_status_busy_running_repro(tmp_path: Path) -> None:
    root = stage_script_project(
        tmp_path / "project",
        "slow",
        """\
        import time
        from pathlib import Path

        print("started", flush=True)
        time.sleep(60)
        Path("slow.txt").write_text("done")
        """,
        outs="slow.txt",
    )
    repro = start_dvc_repro(root)
    try:
        wait_for_line(repro, "started")
        status = load_status(root)
    finally:
        stop_group(repro)

    assert status.busy is not None
    assert status.busy.pid == repro.pid
    assert "repro" in status.busy.command
    assert "slow.txt" in status.busy.describe()
    assert (root / ".dvc" / "tmp" / "rwlock").exists()
