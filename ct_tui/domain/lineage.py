"""Lineage of a training run: the git commit it came from and the data it saw.

Reads the tags that the pipeline's tracking code writes (see `tags`), the
project's git repository (GitPython) and `dvc.lock`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from ct_tui.domain import tags

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CommitInfo:
    """A commit as read from this repository."""

    sha: str
    subject: str
    author: str
    date: datetime


@dataclass(frozen=True)
class Lineage:
    """The provenance of a run, compared with the project as it is now."""

    commit: str | None
    """Full commit hash from the run's tags, or None when the run has none."""

    commit_info: CommitInfo | None
    """The commit read from this repository, or None when it is unknown here."""

    dirty: bool | None
    """True when the tree had uncommitted changes at training time; None when not recorded."""

    data_md5: str | None
    """md5 of the training data recorded on the run."""

    data_path: str | None
    """Path of the training data, relative to the project root."""

    current_data_md5: str | None
    """md5 that the current dvc.lock records for `data_path`."""

    warnings: list[str] = field(default_factory=list)
    """Plain-language reasons to distrust this run's provenance."""

    @property
    def short_commit(self) -> str:
        return self.commit[:8] if self.commit else "unknown"

    @property
    def commit_in_repo(self) -> bool | None:
        """Whether this repository has the commit; None when the run names none."""
        if self.commit is None:
            return None
        return self.commit_info is not None

    @property
    def data_matches_lock(self) -> bool | None:
        """Whether the run's data md5 equals dvc.lock's; None when either is unknown."""
        if not self.data_md5 or not self.current_data_md5:
            return None
        return self.data_md5 == self.current_data_md5


def read_lineage(root: Path, run_tags: dict[str, str], lock_md5s: dict[str, str] | None = None) -> Lineage:
    """Build the lineage of a run from its tags, the git repository at `root` and dvc.lock.

    Pass `lock_md5s` (from `read_lock_md5s`) when reading many runs, so that
    dvc.lock is parsed once.
    """
    commit = run_tags.get(tags.GIT_COMMIT) or run_tags.get(tags.MLFLOW_GIT_COMMIT) or None
    dirty_tag = run_tags.get(tags.GIT_DIRTY)
    dirty = None if dirty_tag is None else dirty_tag.lower() == "true"
    data_md5 = run_tags.get(tags.DATA_MD5) or None
    data_path = run_tags.get(tags.DATA_PATH) or None

    if lock_md5s is None:
        lock_md5s = read_lock_md5s(root)
    current = lock_md5s.get(data_path) if data_path else None
    info = read_commit(root, commit) if commit else None

    warnings: list[str] = []
    if dirty:
        warnings.append("trained with uncommitted changes in the working tree")
    if commit and info is None:
        warnings.append(f"commit {commit[:8]} is not in this repository")
    if data_md5 and current and data_md5 != current:
        warnings.append(f"data {data_path} differs from the current dvc.lock")
    return Lineage(commit, info, dirty, data_md5, data_path, current, warnings)


def read_lock_md5s(root: Path) -> dict[str, str]:
    """Return {path: md5} for every dep and out recorded in `root/dvc.lock`.

    Outs win over deps, since an out's md5 is what the producing stage wrote.
    """
    lock_path = root / "dvc.lock"
    if not lock_path.is_file():
        return {}
    from ruamel.yaml import YAML

    try:
        lock = YAML(typ="safe", pure=True).load(lock_path.read_text(encoding="utf-8")) or {}
    except Exception as error:  # ruamel raises many YAMLError subclasses and ValueError
        log.warning("cannot read %s: %s", lock_path, error)
        return {}
    deps: dict[str, str] = {}
    outs: dict[str, str] = {}
    for stage in (lock.get("stages") or {}).values():
        for entry in stage.get("deps") or []:
            if entry.get("md5"):
                deps[entry["path"]] = entry["md5"]
        for entry in stage.get("outs") or []:
            if entry.get("md5"):
                outs[entry["path"]] = entry["md5"]
    return {**deps, **outs}


def read_commit(root: Path, sha: str) -> CommitInfo | None:
    """Return the commit `sha` of the repository at `root`, or None if it is not there."""
    return _read_commit_cached(str(root), sha)


@lru_cache(maxsize=4096)
def _read_commit_cached(root: str, sha: str) -> CommitInfo | None:
    import git

    # GitPython resolves a commit lazily: a missing object fails on first
    # attribute access, so the reads stay inside the try.
    try:
        repo = git.Repo(root, search_parent_directories=True)
        commit = repo.commit(sha)
        message = commit.message
        info = CommitInfo(
            sha=commit.hexsha,
            subject=message.splitlines()[0] if message else "",
            author=str(commit.author.name),
            date=commit.committed_datetime,
        )
    except (git.BadName, ValueError, git.InvalidGitRepositoryError, git.NoSuchPathError) as error:
        log.info("commit %s not found in %s: %s", sha[:12], root, error)
        return None
    return info
