"""Finding the project root, resolving the tracking URI, masking credentials."""

from pathlib import Path

import pytest

from ct_tui.domain.project import (
    ProjectNotFound,
    find_root,
    mask_uri,
    open_project,
    resolve_tracking_uri,
    sqlite_path,
)


def test_find_root_walks_up(tmp_path: Path) -> None:
    (tmp_path / ".dvc").mkdir()
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    assert find_root(nested) == tmp_path.resolve()


def test_find_root_outside_project(tmp_path: Path) -> None:
    with pytest.raises(ProjectNotFound) as raised:
        find_root(tmp_path)
    message = str(raised.value)
    assert str(tmp_path) in message
    assert ".dvc" in message
    assert "--repo" in message


def test_default_store_is_sqlite_at_root(tmp_path: Path) -> None:
    assert resolve_tracking_uri(tmp_path, {}) == f"sqlite:///{tmp_path}/mlflow.db"


def test_relative_sqlite_uri_anchored_at_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir("/")
    uri = resolve_tracking_uri(tmp_path, {"MLFLOW_TRACKING_URI": "sqlite:///stores/x.db"})
    assert uri == f"sqlite:///{tmp_path.resolve()}/stores/x.db"
    assert sqlite_path(uri) == tmp_path.resolve() / "stores" / "x.db"


def test_absolute_and_http_uris_kept(tmp_path: Path) -> None:
    assert resolve_tracking_uri(tmp_path, {"MLFLOW_TRACKING_URI": "sqlite:////srv/m.db"}) == "sqlite:////srv/m.db"
    assert resolve_tracking_uri(tmp_path, {"MLFLOW_TRACKING_URI": "http://127.0.0.1:5000"}) == "http://127.0.0.1:5000"
    assert sqlite_path("http://127.0.0.1:5000") is None


def test_open_project_uses_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".dvc").mkdir()
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "sqlite:///other.db")
    project = open_project(tmp_path)
    assert project.sqlite_path == tmp_path.resolve() / "other.db"
    assert project.artifacts_uri == (tmp_path.resolve() / "mlartifacts").as_uri()


def test_mask_uri_hides_password_and_token() -> None:
    assert mask_uri("http://alice:s3cret@h:5000/x") == "http://alice:***@h:5000/x"
    assert mask_uri("failed: https://tok123@h") == "failed: https://***@h"
    assert "s3cret" not in mask_uri("postgresql://u:s3cret@127.0.0.1/db")
