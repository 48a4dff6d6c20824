"""Saving is atomic, keeps the file mode, refuses to overwrite a change made on disk, and undoes."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from ct_tui.domain.params import (
    ParamsConflict,
    ParamsWriteError,
    head_difference,
    revert_to_head,
    save_value,
    undo_saved,
)
from ct_tui.domain.params import store
from ct_tui.domain.params.store import TEMP_SUFFIX

from tests.conftest import git
from tests.unit.params_support import param_at, snapshot_of

PARAMS = b"# params\nseed: 42\ntrain:\n  lr: 0.01  # learning rate\n"


@pytest.fixture
def params_path(tmp_path: Path) -> Path:
    path = tmp_path / "params.yaml"
    path.write_bytes(PARAMS)
    return path


def test_conflict_keeps_other_change(params_path: Path) -> None:
    snapshot = snapshot_of(params_path)
    other = PARAMS.replace(b"seed: 42", b"seed: 7")
    params_path.write_bytes(other)

    with pytest.raises(ParamsConflict) as caught:
        save_value(snapshot, param_at(snapshot, "train", "lr"), "0.02")

    assert params_path.read_bytes() == other
    assert "params.yaml changed on disk" in str(caught.value)
    assert "+seed: 7" in str(caught.value)


def test_conflict_when_file_deleted(params_path: Path) -> None:
    snapshot = snapshot_of(params_path)
    params_path.unlink()

    with pytest.raises(ParamsConflict):
        save_value(snapshot, param_at(snapshot, "seed"), "1")

    assert not params_path.exists()


def test_interrupted_write_keeps_original(params_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A crash between writing the temporary file and the rename leaves the original intact.

    The interruption is simulated: os.replace raises, which a real crash at
    that moment cannot be made to do on demand.
    """
    snapshot = snapshot_of(params_path)

    def interrupted(source: object, target: object) -> None:
        raise OSError("simulated interruption before the rename")

    monkeypatch.setattr(store.os, "replace", interrupted)

    with pytest.raises(ParamsWriteError) as caught:
        save_value(snapshot, param_at(snapshot, "seed"), "1")

    assert params_path.read_bytes() == PARAMS
    assert "is unchanged" in str(caught.value)
    assert [path.name for path in params_path.parent.iterdir()] == ["params.yaml"]


def test_temp_file_in_same_folder(params_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    renames: list[tuple[str, str]] = []
    real_replace = os.replace

    def recording(source: str, target: str) -> None:
        renames.append((str(source), str(target)))
        real_replace(source, target)

    monkeypatch.setattr(store.os, "replace", recording)
    snapshot = snapshot_of(params_path)

    save_value(snapshot, param_at(snapshot, "seed"), "1")

    [(source, target)] = renames
    assert Path(source).parent == params_path.parent
    assert source.endswith(TEMP_SUFFIX)
    assert target == str(params_path)


def test_mode_kept(params_path: Path) -> None:
    params_path.chmod(0o640)
    snapshot = snapshot_of(params_path)

    save_value(snapshot, param_at(snapshot, "seed"), "1")

    assert stat.S_IMODE(params_path.stat().st_mode) == 0o640


def test_symlink_written_through(tmp_path: Path) -> None:
    target = tmp_path / "real.yaml"
    target.write_bytes(PARAMS)
    link = tmp_path / "params.yaml"
    link.symlink_to(target)
    snapshot = snapshot_of(link)

    save_value(snapshot, param_at(snapshot, "seed"), "1")

    assert link.is_symlink()
    assert target.read_bytes() == PARAMS.replace(b"seed: 42", b"seed: 1")


def test_undo_restores_bytes(params_path: Path) -> None:
    snapshot = snapshot_of(params_path)
    result = save_value(snapshot, param_at(snapshot, "train", "lr"), "0.5")

    undo_saved(result.saved)

    assert params_path.read_bytes() == PARAMS


def test_undo_refuses_after_other_change(params_path: Path) -> None:
    snapshot = snapshot_of(params_path)
    result = save_value(snapshot, param_at(snapshot, "train", "lr"), "0.5")
    other = params_path.read_bytes().replace(b"seed: 42", b"seed: 9")
    params_path.write_bytes(other)

    with pytest.raises(ParamsConflict):
        undo_saved(result.saved)

    assert params_path.read_bytes() == other


def test_revert_to_head(params_path: Path) -> None:
    root = params_path.parent
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "params.yaml")
    git(root, "commit", "-q", "-m", "Add params")
    snapshot = snapshot_of(params_path)
    save_value(snapshot, param_at(snapshot, "seed"), "1")
    snapshot = snapshot_of(params_path)

    head, commit, diff = head_difference(snapshot, "params.yaml")
    saved = revert_to_head(snapshot, "params.yaml", head, commit)

    assert "-seed: 1" in diff
    assert "+seed: 42" in diff
    assert params_path.read_bytes() == PARAMS
    assert saved.before == PARAMS.replace(b"seed: 42", b"seed: 1")


def test_param_from_older_load_rejected(params_path: Path) -> None:
    old_snapshot = snapshot_of(params_path)
    params_path.write_bytes(PARAMS.replace(b"seed: 42", b"seed: 42000"))
    new_snapshot = snapshot_of(params_path)

    with pytest.raises(ParamsConflict):
        save_value(new_snapshot, param_at(old_snapshot, "train", "lr"), "0.5")

    assert params_path.read_bytes() == PARAMS.replace(b"seed: 42", b"seed: 42000")
