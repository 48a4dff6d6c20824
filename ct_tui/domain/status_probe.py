"""Print the stages of a DVC project and their status as JSON, using DVC's Python API.

Run as `python -m ct_tui.domain.status_probe ROOT` in a subprocess, so that
ct-tui itself never imports dvc. It takes the repository lock the way
`dvc status` does, reads each stage's status from `Stage.status()`, and
prints one JSON object on stdout (see `ct_tui.domain.pipeline` for its
fields). When another DVC process holds the repository lock, or the
read/write lock of a stage's files, it prints `busy` with the holder and no
stages. It never removes a lock file.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

REPO_LOCK = "lock"
"""DVC's repository lock file, inside `.dvc/tmp`."""

RWLOCK = "rwlock"
"""DVC's JSON record of which process reads or writes which stage files, inside `.dvc/tmp`."""

PROBE_NICENESS = 5
"""Added to the probe's nice value, so the UI starting beside it is scheduled first."""


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m ct_tui.domain.status_probe ROOT", file=sys.stderr)
        return 2
    root = Path(argv[0]).resolve()
    _lower_priority()
    try:
        report = probe(root)
    except Exception as error:  # noqa: BLE001 - every failure becomes a readable report
        report = {"error": _describe_error(error)}
    json.dump(report, sys.stdout)
    sys.stdout.write("\n")
    return 0


def _lower_priority() -> None:
    """Let the app's UI win the CPU when both start at once on a busy machine."""
    try:
        os.nice(PROBE_NICENESS)
    except OSError as error:
        print(f"cannot lower the probe's priority: {error}", file=sys.stderr)


def probe(root: Path) -> dict[str, Any]:
    """Return the stages, their status, the files to watch and the remotes of the project at `root`."""
    tmp_dir = root / ".dvc" / "tmp"
    # A stage that DVC runs holds the rwlock, not the repository lock, so both are checked.
    holder = _repo_lock_holder(tmp_dir / REPO_LOCK) or _rwlock_writer(tmp_dir / RWLOCK)
    if holder is not None:
        return {"busy": holder}

    from dvc.lock import LockError
    from dvc.repo import Repo

    repo = Repo(str(root))
    try:
        try:
            with repo.lock:
                lock_entries: dict[str, dict] = {}
                ordered, needs = _ordered_stages(repo)
                stages = [_describe(stage, needs, lock_entries) for stage in ordered]
        except LockError as error:
            holder = _rwlock_writer(Path(repo.tmp_dir) / RWLOCK) or _repo_lock_holder(
                Path(repo.tmp_dir) / REPO_LOCK
            )
            return {"busy": holder or {"pid": None, "cmd": "", "message": str(error)}}
        return {
            "stages": stages,
            "watch": _watch_paths(repo, root),
            "remotes": sorted(repo.config.get("remote", {})),
            "default_remote": repo.config["core"].get("remote") or "",
        }
    finally:
        repo.close()


def _ordered_stages(repo) -> tuple[list, dict[str, list[str]]]:
    """Return the pipeline stages in dependency order, and what each stage needs.

    A stage needs every other stage that writes one of its deps (the same
    path, or a folder around it or inside it), which is how DVC links
    stages. The graph is built here with the standard library: DVC's own
    graph imports networkx, about 60 ms (`python -X importtime`) that
    `dvc status` does not spend. Ties are broken by stage address. `.dvc`
    files of `dvc add` are stages to DVC but not pipeline steps, so they are
    left out.
    """
    from graphlib import CycleError, TopologicalSorter

    stages = [stage for stage in repo.index.stages if _is_pipeline_stage(stage)]
    by_address = {stage.addressing: stage for stage in stages}
    producers = [(str(out.fs_path), stage.addressing) for stage in stages for out in stage.outs]
    needs: dict[str, list[str]] = {}
    for stage in stages:
        producers_needed = {
            producer
            for dep in stage.deps
            for out_path, producer in producers
            if producer != stage.addressing and _overlaps(str(dep.fs_path), out_path)
        }
        needs[stage.addressing] = sorted(producers_needed)

    sorter = TopologicalSorter(needs)
    try:
        sorter.prepare()
    except CycleError as error:
        cycle = " -> ".join(error.args[1])
        raise ValueError(f"stages depend on each other in a cycle: {cycle}; fix the deps and outs in dvc.yaml") from error
    ordered = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready())
        ordered.extend(by_address[address] for address in ready)
        sorter.done(*ready)
    return ordered, needs


def _overlaps(path: str, other: str) -> bool:
    return path == other or path.startswith(other + os.sep) or other.startswith(path + os.sep)


def _is_pipeline_stage(stage) -> bool:
    from dvc.stage import PipelineStage

    return isinstance(stage, PipelineStage)


def _describe(stage, needs: dict[str, list[str]], lock_entries: dict[str, dict]) -> dict[str, Any]:
    from dvc.dependency.param import ParamsDependency

    params_deps = {str(dep) for dep in stage.deps if isinstance(dep, ParamsDependency)}
    never_run = _is_pipeline_stage(stage) and not _has_lock_entry(stage, lock_entries)

    reasons: list[dict[str, str]] = []
    if never_run:
        reasons.append({"kind": "never run"})
    else:
        status = stage.status().get(stage.addressing, [])
        reasons.extend(_reasons(status, params_deps))
    if stage.frozen:
        reasons.insert(0, {"kind": "frozen"})

    return {
        "address": stage.addressing,
        "name": getattr(stage, "name", stage.addressing),
        "dvcfile": stage.relpath,
        "cmd": stage.cmd or "",
        "needs": needs[stage.addressing],
        "deps": [str(dep) for dep in stage.deps],
        "outs": [str(out) for out in stage.outs],
        "frozen": bool(stage.frozen),
        "always_changed": bool(stage.always_changed),
        "never_run": never_run,
        "reasons": reasons,
    }


def _has_lock_entry(stage, cache: dict[str, dict]) -> bool:
    """Return whether the stage's dvc.lock records it, that is, it ran at least once."""
    # DVC fills dep and out hashes from dvc.lock, so any hash proves an entry
    # without reading the lock file a second time.
    if any(entry.hash_info for entry in [*stage.deps, *stage.outs] if not _is_params(entry)):
        return True
    return stage.name in _lock_entries(stage, cache)


def _is_params(entry) -> bool:
    from dvc.dependency.param import ParamsDependency

    return isinstance(entry, ParamsDependency)


def _lock_entries(stage, cache: dict[str, dict]) -> dict[str, Any]:
    """Return the `stages` of the dvc.lock next to the stage's dvc.yaml, read once per file."""
    path = stage.dvcfile.path
    if path not in cache:
        # DVC parses the lock file again on every access of `lockfile_contents`.
        contents = getattr(stage.dvcfile, "lockfile_contents", None) or {}
        cache[path] = contents.get("stages", {}) if isinstance(contents, dict) else {}
    return cache[path]


def _reasons(status: list, params_deps: set[str]) -> list[dict[str, str]]:
    """Turn DVC's status list of one stage into reasons, keeping DVC's words."""
    reasons: list[dict[str, str]] = []
    for entry in status:
        if isinstance(entry, str):
            # "always changed", "changed command", "changed checksum"
            reasons.append({"kind": entry})
            continue
        for section, changes in entry.items():
            kind = "outs" if section == "changed outs" else "deps"
            for path, change in changes.items():
                if isinstance(change, dict):
                    for param, param_change in change.items():
                        reasons.append({"kind": "params", "path": path, "param": param, "change": param_change})
                elif path in params_deps:
                    reasons.append({"kind": "params", "path": path, "param": "", "change": change})
                else:
                    reasons.append({"kind": kind, "path": path, "change": change})
    return reasons


def _watch_paths(repo, root: Path) -> list[str]:
    """Return the files whose change can change a stage's status."""
    paths: set[str] = {str(root / "params.yaml"), str(root / ".dvc" / "config")}
    for stage in repo.index.stages:
        dvcfile = Path(stage.dvcfile.path)
        paths.add(str(dvcfile))
        if _is_pipeline_stage(stage):
            paths.add(str(dvcfile.with_name("dvc.lock")))
        for entry in [*stage.deps, *stage.outs]:
            if _is_local(entry):
                paths.add(str(entry.fs_path))
    return sorted(paths)


def _is_local(entry) -> bool:
    from dvc.fs import LocalFileSystem

    return isinstance(getattr(entry, "fs", None), LocalFileSystem)


def _repo_lock_holder(path: Path) -> dict[str, Any] | None:
    """Return who holds DVC's repository lock at `path`, or None when it is free.

    Takes the lock for an instant with the library DVC uses (zc.lockfile) and
    releases it at once; the file stays where it is.
    """
    import zc.lockfile

    if not path.parent.is_dir():
        return None
    try:
        lock = zc.lockfile.LockFile(str(path))
    except zc.lockfile.LockError:
        pid = _read_pid(path)
        return {"pid": pid, "cmd": _command_line(pid), "message": "the DVC repository lock is held"}
    lock.close()
    return None


def _read_pid(path: Path) -> int | None:
    try:
        text = path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def _rwlock_writer(path: Path) -> dict[str, Any] | None:
    """Return a live process that DVC's rwlock file at `path` lists as writing a file.

    Only writers matter: readers (another `dvc status`, say) do not block a
    status, which only reads. The file is read, never changed.
    """
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    me = os.getpid()
    for file, info in record.get("write", {}).items():
        pid = info.get("pid")
        if isinstance(pid, int) and pid != me and _pid_alive(pid):
            relative = os.path.relpath(file, path.parent.parent.parent)
            return {"pid": pid, "cmd": info.get("cmd", "") or _command_line(pid), "message": f"it is writing {relative}"}
    return None


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _command_line(pid: int | None) -> str:
    if pid is None:
        return ""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    return " ".join(part.decode(errors="replace") for part in raw.split(b"\0") if part)


def _describe_error(error: Exception) -> str:
    """Return DVC's own message for its errors, and the type with the message for others."""
    module = type(error).__module__ or ""
    if module.startswith("dvc") or isinstance(error, ValueError):
        return str(error)
    return f"{type(error).__name__}: {error}"


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
