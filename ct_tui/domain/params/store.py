"""Write params files safely: compare with what was loaded, write atomically, read back.

A write goes to a temporary file in the same folder, which is flushed to disk
and gets the mode of the file it replaces. Then `os.replace` puts it in place,
so a reader sees the old file or the new one, never half of one. A symlinked
params file is written through to its target.
"""

from __future__ import annotations

import difflib
import logging
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ct_tui.domain.errors import GitError
from ct_tui.domain.params.errors import ParamsConflict, ParamsError, ParamsWriteError

log = logging.getLogger(__name__)

TEMP_SUFFIX = ".ct-tui.tmp"
"""Suffix of the temporary file a write creates next to the params file."""


@dataclass(frozen=True)
class SavedFile:
    """A params file written by ct-tui: enough to undo the write."""

    path: Path
    """The params file."""

    name: str
    """The file relative to the project root."""

    before: bytes
    """The bytes the write replaced."""

    after: bytes
    """The bytes the write left on disk."""

    description: str
    """The change, for messages: `train.C_hyperparameter: 1.0 → 2.0`."""

    undo_description: str
    """The change an undo makes, for messages: `train.C_hyperparameter: 2.0 → 1.0`."""


def write_checked(path: Path, name: str, expected: bytes, data: bytes) -> None:
    """Replace the file's bytes `expected` with `data`; raise ParamsConflict if the file contains others.

    The file is compared with `expected` before writing and again right
    before the rename, and read back after it.
    """
    target = path.resolve()
    current = _read(target, name)
    if current != expected:
        raise ParamsConflict(conflict_message(name, expected, current))

    mode = stat.S_IMODE(target.stat().st_mode)
    try:
        handle, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=TEMP_SUFFIX)
    except OSError as error:
        raise ParamsWriteError(f"cannot create a temporary file next to {name}: {error}; {name} is unchanged") from error
    temp_path = Path(temp_name)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp_path, mode)
        # NOTE: another program can still write between this check and the
        # rename; the window is a few system calls long.
        current = _read(target, name)
        if current != expected:
            raise ParamsConflict(conflict_message(name, expected, current))
        os.replace(temp_path, target)
    except OSError as error:
        _remove_temp(temp_path)
        raise ParamsWriteError(f"writing {name} failed: {error}; {name} is unchanged") from error
    except BaseException:
        _remove_temp(temp_path)
        raise
    _sync_folder(target.parent)

    written = _read(target, name)
    if written != data:
        raise ParamsWriteError(
            f"{name} was written but reads back differently ({len(written)} bytes, expected {len(data)}); "
            "another program may have changed it at the same moment: check the file"
        )
    log.info("wrote %s (%d bytes)", target, len(data))


def undo_saved(saved: SavedFile) -> None:
    """Put back the bytes a save replaced, if the file still contains what the save wrote."""
    write_checked(saved.path, saved.name, saved.after, saved.before)


def head_bytes(root: Path, name: str) -> tuple[bytes, str]:
    """Return the file's bytes in the git HEAD commit and the commit's short hash."""
    import git

    try:
        repo = git.Repo(root)
        commit = repo.head.commit
        blob = commit.tree / name
        data = blob.data_stream.read()
    except KeyError as error:
        raise GitError(f"{name} is not in the last commit; there is nothing to revert to") from error
    except (git.GitError, ValueError) as error:
        raise GitError(f"cannot read {name} from git HEAD in {root}: {error}") from error
    return data, commit.hexsha[:8]


def conflict_message(name: str, expected: bytes, current: bytes) -> str:
    """Explain that a file changed on disk since it was loaded, with the change as a diff."""
    diff = unified_diff(name, expected, current, "as loaded", "on disk now", limit=12)
    return (
        f"{name} changed on disk after ct-tui loaded it, so nothing was written and the other change "
        f"is kept. The Params screen shows the file as it is now; make your edit again.\n\n{diff}"
    )


def unified_diff(name: str, old: bytes, new: bytes, old_label: str, new_label: str, *, limit: int = 0) -> str:
    """Return a unified diff of two versions of a file, cut to `limit` lines when `limit` is set."""
    lines = list(
        difflib.unified_diff(
            old.decode("utf-8", "replace").splitlines(keepends=True),
            new.decode("utf-8", "replace").splitlines(keepends=True),
            f"{name} ({old_label})",
            f"{name} ({new_label})",
        )
    )
    if limit and len(lines) > limit:
        lines = [*lines[:limit], f"… {len(lines) - limit} more lines\n"]
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def _read(path: Path, name: str) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError as error:
        raise ParamsConflict(f"{name} was deleted after ct-tui loaded it; nothing was written") from error
    except OSError as error:
        raise ParamsError(f"cannot read {name}: {error}") from error


def _remove_temp(temp_path: Path) -> None:
    try:
        temp_path.unlink()
    except FileNotFoundError:
        return
    except OSError as error:
        log.warning("could not remove the temporary file %s: %s", temp_path, error)


def _sync_folder(folder: Path) -> None:
    # The rename is durable only once the folder entry is on disk too.
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError as error:
        log.warning("could not open %s to sync the rename: %s", folder, error)
        return
    try:
        os.fsync(descriptor)
    except OSError as error:
        log.warning("could not sync %s after the rename: %s", folder, error)
    finally:
        os.close(descriptor)
