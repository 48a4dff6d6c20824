"""Registered models, their versions and aliases, read from the MLflow Model Registry.

Works the same on the embedded SQLite store and on a tracking server over
HTTP: every call goes through `make_client`, and failures of the store become
`TrackingError`s with a readable message.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Iterator

from ct_tui.domain.errors import CtTuiError
from ct_tui.domain.lineage import Lineage, read_lineage, read_lock_md5s
from ct_tui.domain.project import Project
from ct_tui.domain.tracking_client import make_client, tracking_error

if TYPE_CHECKING:
    from mlflow.entities import Run
    from mlflow.tracking import MlflowClient

log = logging.getLogger(__name__)

PAGE_SIZE = 1000
"""Page size for registry searches; every page is read."""

RUN_BATCH = 100
"""Run ids asked for in one `search_runs` call when reading the source runs of versions."""

NO_STAGE = ("", "None", "none")
"""What MLflow reports as the stage of a version that has none."""


class RegistryInputError(CtTuiError):
    """A model, version, alias or run named by the user does not exist or cannot be used."""

    title = "Model registry"


@dataclass(frozen=True)
class ModelSummary:
    """One registered model, as the models list shows it."""

    name: str
    aliases: dict[str, int]
    """Alias -> version number, read from the registered model itself."""

    latest_version: int | None
    """The highest live version number, or None when the model has no versions."""


@dataclass(frozen=True)
class VersionInfo:
    """One model version with its source run and lineage."""

    version: int
    created: datetime
    """When the version was registered, as an aware datetime in UTC."""

    status: str
    """`READY`, `PENDING_REGISTRATION` or `FAILED_REGISTRATION`."""

    stage: str | None
    """Legacy registry stage (`Staging`, `Production`, `Archived`), or None."""

    run_id: str | None
    run_state: str
    """`active`, `deleted` (in the trash), `missing` (not in the store) or `none` (no run)."""

    metrics: dict[str, float]
    """Latest metric values of the source run."""

    params: dict[str, str]
    """Params of the source run."""

    lineage: Lineage
    aliases: tuple[str, ...]
    """Aliases that point at this version, sorted."""

    warnings: list[str] = field(default_factory=list)
    """Lineage warnings of the source run, plus one when the run is deleted or missing."""

    @property
    def short_run(self) -> str:
        return self.run_id[:8] if self.run_id else "-"


@dataclass(frozen=True)
class ModelDetail:
    """A registered model with all its live versions, newest first."""

    name: str
    versions: list[VersionInfo]
    aliases: dict[str, int]
    """Every alias of the model -> version number, dangling ones included."""

    metric_names: list[str]
    """Metrics the source runs have; the gate metric first when any run has it."""

    tags: dict[str, str]
    """Tags of the registered model (audit records among them)."""

    @property
    def dangling(self) -> dict[str, int]:
        """Aliases that point at a version that no longer exists."""
        live = {info.version for info in self.versions}
        return {alias: number for alias, number in self.aliases.items() if number not in live}

    @property
    def has_stages(self) -> bool:
        """True when any version has a legacy stage, so the stage column is worth showing."""
        return any(info.stage for info in self.versions)

    def version(self, number: int) -> VersionInfo | None:
        for info in self.versions:
            if info.version == number:
                return info
        return None


@contextmanager
def store_errors(project: Project) -> Iterator[None]:
    """Turn any failure of an MLflow call inside the block into a readable TrackingError."""
    try:
        yield
    except CtTuiError:
        raise
    except Exception as error:  # MLflow, requests and SQLAlchemy raise many unrelated types
        raise tracking_error(error, project.tracking_uri) from error


def is_not_found(error: BaseException) -> bool:
    """True when MLflow reports that the requested registry object does not exist."""
    return getattr(error, "error_code", "") == "RESOURCE_DOES_NOT_EXIST"


def list_models(project: Project) -> list[ModelSummary]:
    """Return every registered model of the project's registry, sorted by name."""
    with store_errors(project):
        client = make_client(project)
        models = _search_all(lambda token: client.search_registered_models(
            max_results=PAGE_SIZE, page_token=token
        ))
    summaries = []
    for model in models:
        numbers = [int(version.version) for version in model.latest_versions or []]
        summaries.append(
            ModelSummary(model.name, alias_map(model), max(numbers) if numbers else None)
        )
    return sorted(summaries, key=lambda summary: summary.name)


def model_names(project: Project) -> list[str]:
    return [summary.name for summary in list_models(project)]


def get_model(client: "MlflowClient", project: Project, name: str):
    """Return MLflow's RegisteredModel `name`; an unknown name lists the known ones."""
    try:
        return client.get_registered_model(name)
    except Exception as error:  # noqa: BLE001 - sorted into not-found and store failures below
        if not is_not_found(error):
            raise tracking_error(error, project.tracking_uri) from error
    known = model_names(project)
    listing = ", ".join(known) if known else "none yet (train and register a model first)"
    raise RegistryInputError(f"registered model {name!r} not found; registered models: {listing}")


def read_aliases(project: Project, name: str) -> dict[str, int]:
    """Return alias -> version of model `name`, read from the registered model itself.

    Version searches may leave aliases out, so this is the source of truth.
    """
    with store_errors(project):
        return alias_map(get_model(make_client(project), project, name))


def read_model(project: Project, name: str, gate_metric: str = "") -> ModelDetail:
    """Read model `name`: its aliases, its live versions with their source runs and lineage."""
    with store_errors(project):
        client = make_client(project)
        model = get_model(client, project, name)
        aliases = alias_map(model)
        quoted = name.replace("'", "\\'")
        versions = _search_all(lambda token: client.search_model_versions(
            f"name = '{quoted}'", max_results=PAGE_SIZE, page_token=token
        ))
        runs = _read_runs(client, [version.run_id for version in versions if version.run_id])

    lock_md5s = read_lock_md5s(project.root)
    infos = [_version_info(project, version, runs, aliases, lock_md5s) for version in versions]
    infos.sort(key=lambda info: info.version, reverse=True)

    metric_names = sorted({name for info in infos for name in info.metrics})
    if gate_metric in metric_names:
        metric_names.remove(gate_metric)
        metric_names.insert(0, gate_metric)
    return ModelDetail(name, infos, aliases, metric_names, dict(model.tags))


def require_version(detail: ModelDetail, number: int | str) -> VersionInfo:
    """Return version `number` of `detail`; an invalid or unknown number lists the existing ones."""
    existing = ", ".join(str(item.version) for item in sorted(detail.versions, key=lambda i: i.version))
    try:
        wanted = int(number)
    except (TypeError, ValueError):
        wanted = None
    if wanted is None or wanted < 1:
        raise RegistryInputError(
            f"{str(number)!r} is not a valid version number (a positive integer); "
            f"versions of {detail.name!r}: {existing or 'none'}"
        )
    info = detail.version(wanted)
    if info is None:
        raise RegistryInputError(
            f"version {number!r} of model {detail.name!r} not found; existing versions: "
            f"{existing or 'none'}"
        )
    return info


def _version_info(project, version, runs, aliases, lock_md5s) -> VersionInfo:
    number = int(version.version)
    run_id = version.run_id or None
    run: Run | None = runs.get(run_id) if run_id else None
    run_tags = dict(run.data.tags) if run else {}
    lineage = read_lineage(project.root, run_tags, lock_md5s)
    warnings = list(lineage.warnings)

    if run_id is None:
        state = "none"
    elif run is None:
        state = "missing"
        warnings.append(f"source run {run_id[:8]} not found in the tracking store")
    elif run.info.lifecycle_stage == "deleted":
        state = "deleted"
        warnings.append(f"source run {run_id[:8]} deleted")
    else:
        state = "active"

    stage = version.current_stage if version.current_stage not in (None, *NO_STAGE) else None
    return VersionInfo(
        version=number,
        created=datetime.fromtimestamp(version.creation_timestamp / 1000, tz=timezone.utc),
        status=str(version.status or ""),
        stage=stage,
        run_id=run_id,
        run_state=state,
        metrics=dict(run.data.metrics) if run else {},
        params=dict(run.data.params) if run else {},
        lineage=lineage,
        aliases=tuple(sorted(alias for alias, target in aliases.items() if target == number)),
        warnings=warnings,
    )


def alias_map(model) -> dict[str, int]:
    """Return alias -> version number of an MLflow RegisteredModel."""
    # The REST store can carry the version as a string.
    return {alias: int(version) for alias, version in (model.aliases or {}).items()}


def _search_all(search) -> list:
    """Call a paged MLflow search with each next page token until the last page."""
    items: list = []
    token = None
    while True:
        page = search(token)
        items.extend(page)
        token = getattr(page, "token", None)
        if not token:
            return items


def _read_runs(client: "MlflowClient", run_ids: list[str]) -> dict[str, "Run"]:
    """Return {run id: Run} for the runs that exist, deleted ones included."""
    from mlflow.entities import ViewType

    wanted = sorted(set(run_ids))
    if not wanted:
        return {}
    experiments = _search_all(lambda token: client.search_experiments(
        view_type=ViewType.ALL, max_results=PAGE_SIZE, page_token=token
    ))
    experiment_ids = [experiment.experiment_id for experiment in experiments]
    runs: dict[str, Run] = {}
    for start in range(0, len(wanted), RUN_BATCH):
        batch = wanted[start : start + RUN_BATCH]
        quoted = ", ".join(f"'{run_id}'" for run_id in batch if run_id.isalnum())
        if not quoted:
            continue
        found = client.search_runs(
            experiment_ids,
            f"attributes.run_id IN ({quoted})",
            run_view_type=ViewType.ALL,
            max_results=len(batch),
        )
        runs.update({run.info.run_id: run for run in found})
    return runs

