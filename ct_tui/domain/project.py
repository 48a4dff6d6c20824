"""Find the DVC project root and resolve the MLflow tracking URI for it."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Callable
from pathlib import Path
from urllib.parse import unquote, urlsplit

DEFAULT_STORE_FILE = "mlflow.db"
"""The embedded SQLite store, relative to the project root."""

ARTIFACTS_DIR = "mlartifacts"
"""Artifact folder of the embedded store's experiments, under the project root."""

STATE_DIR = ".ct-tui"
"""ct-tui's git-ignored folder in a project: repro logs, the app log, indexes."""


class ProjectNotFound(Exception):
    """No DVC project contains the requested folder."""

    def __init__(self, start: Path) -> None:
        self.start = start
        super().__init__(
            f"no DVC project found: looked for a .dvc folder in {start} and every "
            "parent folder; run ct-tui inside a DVC project, pass --repo PATH, "
            "or create one with `git init && dvc init`"
        )


@dataclass(frozen=True)
class Project:
    """A DVC project on disk and where its MLflow runs are tracked."""

    root: Path
    """Absolute path of the folder that contains `.dvc/`."""

    tracking_uri: str
    """The MLflow tracking URI that both the pipeline and ct-tui use."""

    @property
    def state_dir(self) -> Path:
        return self.root / STATE_DIR

    @property
    def logs_dir(self) -> Path:
        return self.state_dir / "logs"

    @property
    def app_log_path(self) -> Path:
        return self.state_dir / "ct-tui.log"

    @property
    def sqlite_path(self) -> Path | None:
        """The store file when the tracking URI is a local SQLite file, else None."""
        return sqlite_path(self.tracking_uri)

    @property
    def artifacts_uri(self) -> str | None:
        """The artifact location for new experiments, or None to let a server choose."""
        if self.sqlite_path is None and not self.tracking_uri.startswith("file:"):
            return None
        return (self.root / ARTIFACTS_DIR).as_uri()


def find_root(start: Path | None = None) -> Path:
    """Return the nearest folder at or above `start` that contains `.dvc/`.

    Raises ProjectNotFound when neither `start` nor any parent is a DVC project,
    which mirrors how `dvc` and `git` find their root.
    """
    start = (start or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if (folder / ".dvc").is_dir():
            return folder
    raise ProjectNotFound(start)


def open_project(repo: str | os.PathLike[str] | None = None) -> Project:
    """Find the project that contains `repo` (or the current folder)."""
    root = find_root(Path(repo) if repo else None)
    return Project(root=root, tracking_uri=resolve_tracking_uri(root))


def resolve_tracking_uri(root: Path, environ: dict[str, str] | None = None) -> str:
    """Return the tracking URI for the project at `root`.

    `MLFLOW_TRACKING_URI` wins when set. A relative SQLite or file URI is made
    absolute against the project root, never the current folder, so that the
    training stage (run by DVC from the root) and ct-tui (run from anywhere)
    always open the same store. Without the variable the store is
    `<root>/mlflow.db`.
    """
    env = os.environ if environ is None else environ
    uri = env.get("MLFLOW_TRACKING_URI", "").strip()
    if not uri:
        return "sqlite:///" + str(root / DEFAULT_STORE_FILE)
    if uri.startswith("sqlite:///") and not uri.startswith("sqlite:////"):
        relative = uri[len("sqlite:///") :]
        return "sqlite:///" + str((root / relative).resolve())
    if uri.startswith("file:") and not uri.startswith("file:/"):
        return (root / uri[len("file:") :]).resolve().as_uri()
    if "://" not in uri:
        # A bare path is a file store to MLflow; anchor it at the root as well.
        return (root / uri).resolve().as_uri()
    return uri


def sqlite_path(tracking_uri: str) -> Path | None:
    """Return the database file of a local `sqlite:///` URI, else None."""
    if not tracking_uri.startswith("sqlite:///"):
        return None
    path = unquote(tracking_uri[len("sqlite:///") :].split("?", 1)[0])
    if path in ("", ":memory:"):
        return None
    # `sqlite:////abs/x.db` leaves `/abs/x.db`; `sqlite:///x.db` leaves a relative path.
    return Path(path)


_CREDENTIALS = re.compile(r"(?P<scheme>[a-zA-Z][\w+.-]*://)(?P<userinfo>[^@/\s]+)@")


def mask_uri(text: str) -> str:
    """Replace the password (or the whole user info) of every URI in `text` with `***`.

    `https://alice:s3cret@host` becomes `https://alice:***@host` and a token
    alone (`https://tok@host`) becomes `https://***@host`.
    """

    def replace(match: re.Match[str]) -> str:
        userinfo = match.group("userinfo")
        user, sep, _ = userinfo.partition(":")
        masked = f"{user}:***" if sep else "***"
        return f"{match.group('scheme')}{masked}@"

    return _CREDENTIALS.sub(replace, text)


SECRET_VARIABLES = ("MLFLOW_TRACKING_PASSWORD", "MLFLOW_TRACKING_TOKEN")
"""Variables whose values are masked wherever they appear in text shown or logged."""

_MIN_SECRET_LENGTH = 4
"""Shorter values are left alone: masking every `ab` in a log would destroy it."""


def mask_secrets(text: str, environ: dict[str, str] | None = None) -> str:
    """Mask URI credentials (see `mask_uri`) and any value of `SECRET_VARIABLES` in `text`."""
    env = os.environ if environ is None else environ
    masked = mask_uri(text)
    for name in SECRET_VARIABLES:
        value = env.get(name, "")
        if len(value) >= _MIN_SECRET_LENGTH:
            masked = masked.replace(value, "***")
    return masked


def secret_masker(environ: dict[str, str] | None = None) -> Callable[[str], str]:
    """Return `mask_secrets` for many lines: the variables are read once, clean lines pass fast."""
    env = os.environ if environ is None else environ
    values = [env.get(name, "") for name in SECRET_VARIABLES]
    secrets = [value for value in values if len(value) >= _MIN_SECRET_LENGTH]

    def mask(text: str) -> str:
        if "@" in text:
            text = mask_uri(text)
        for value in secrets:
            if value in text:
                text = text.replace(value, "***")
        return text

    return mask


def describe_store(tracking_uri: str) -> str:
    """Return a one-line, credential-free description of the tracking store."""
    path = sqlite_path(tracking_uri)
    if path is not None:
        return f"SQLite {path}"
    parts = urlsplit(tracking_uri)
    if parts.scheme in ("http", "https"):
        return f"server {mask_uri(tracking_uri)}"
    return mask_uri(tracking_uri)
