"""Lineage from run tags, the git repository and dvc.lock."""

from pathlib import Path

from ct_tui.domain import tags
from ct_tui.domain.lineage import read_lineage, read_lock_md5s
from tests.conftest import git


def test_lineage_of_trained_run(trained_project: Path) -> None:
    head = git(trained_project, "rev-parse", "HEAD~1").strip()
    md5s = read_lock_md5s(trained_project)
    data_md5 = md5s["data/raw/train.csv"]
    lineage = read_lineage(
        trained_project,
        {tags.GIT_COMMIT: head, tags.GIT_DIRTY: "false", tags.DATA_MD5: data_md5, tags.DATA_PATH: "data/raw/train.csv"},
    )
    assert lineage.commit_in_repo is True
    assert lineage.commit_info is not None
    assert lineage.commit_info.subject == "Add the CT project"
    assert lineage.data_matches_lock is True
    assert lineage.warnings == []


def test_lineage_without_tags_is_unknown(trained_project: Path) -> None:
    lineage = read_lineage(trained_project, {})
    assert lineage.short_commit == "unknown"
    assert lineage.commit_in_repo is None
    assert lineage.dirty is None
    assert lineage.warnings == []


def test_lineage_warnings(trained_project: Path) -> None:
    lineage = read_lineage(
        trained_project,
        {tags.GIT_COMMIT: "0" * 40, tags.GIT_DIRTY: "true", tags.DATA_MD5: "abc", tags.DATA_PATH: "data/raw/train.csv"},
    )
    assert lineage.commit_in_repo is False
    assert lineage.data_matches_lock is False
    assert "trained with uncommitted changes in the working tree" in lineage.warnings
    assert "commit 00000000 is not in this repository" in lineage.warnings
    assert "data data/raw/train.csv differs from the current dvc.lock" in lineage.warnings
