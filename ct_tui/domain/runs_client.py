"""Runs read through MlflowClient: the fallback store, and conversions shared with the index.

Every call goes through `make_client`, and every failure becomes a
TrackingError whose message names the (masked) tracking URI and the fix.
"""

from __future__ import annotations

import gc
import logging
import math
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, TypeVar

from ct_tui.domain.errors import TrackingError
from ct_tui.domain.project import Project, describe_store
from ct_tui.domain.runs_query import Experiment, ModelVersionRef, RunRow, RunsQuery
from ct_tui.domain.tracking_client import make_client, tracking_error

if TYPE_CHECKING:
    from mlflow.entities import Run
    from mlflow.tracking import MlflowClient

log = logging.getLogger(__name__)

T = TypeVar("T")

MODEL_VERSIONS_PAGE = 10_000
"""Model versions per request: MLflow's default page size for `search_model_versions`."""

REGISTERED_MODELS_PAGE = 1_000
"""Registered models per request: MLflow's maximum for `search_registered_models`."""


_frozen = False


def open_client(project: Project) -> MlflowClient:
    """Return `make_client(project)`; the first call also freezes the objects the mlflow import left.

    Importing mlflow leaves about 150,000 long-lived objects, and each full
    garbage collection scanned them again. That stalled the event loop for
    150 ms while scrolling 20,000 runs (bench/runs_bench.py, 2 cores). Frozen
    objects are skipped.
    NOTE: an object alive at that moment that later becomes unreachable
    cyclic garbage is never collected; at most a few screens' worth.
    """
    global _frozen
    client = call(project.tracking_uri, lambda: make_client(project))
    if not _frozen:
        _frozen = True
        gc.freeze()
    return client


def call(uri: str, action: Callable[[], T]) -> T:
    """Run one MLflow call; turn any failure into a TrackingError that a user can act on."""
    try:
        return action()
    except TrackingError:
        raise
    except Exception as error:  # MLflow raises MlflowException, requests' and sqlalchemy's errors
        raise tracking_error(error, uri) from error


def run_row_from_mlflow(run: Run, tag_keys: tuple[str, ...] | None = None) -> RunRow:
    """Convert an MLflow Run to a RunRow, keeping only `tag_keys` (all tags when None)."""
    info, data = run.info, run.data
    run_tags = dict(data.tags) if tag_keys is None else {key: data.tags[key] for key in tag_keys if key in data.tags}
    return RunRow(
        run_id=info.run_id,
        experiment_id=str(info.experiment_id),
        name=info.run_name or "",
        status=info.status,
        start_time=info.start_time,
        end_time=info.end_time,
        lifecycle_stage=info.lifecycle_stage,
        user_id=info.user_id or "",
        metrics={key: float(value) for key, value in data.metrics.items()},
        params=dict(data.params),
        tags=run_tags,
    )


def iterate_pages(fetch: Callable[[str | None], object]) -> Iterator[object]:
    """Yield every item of a paged MLflow search; `fetch(token)` returns one PagedList."""
    token: str | None = None
    while True:
        page = fetch(token)
        yield from page
        token = getattr(page, "token", None)
        if not token:
            return


def list_model_versions(client: MlflowClient, uri: str) -> dict[str, list[ModelVersionRef]]:
    """Return {run_id: model versions registered from it}, with the aliases of each version.

    Aliases come from the registered models, because MLflow's version search
    may leave them out.
    """
    aliases: dict[tuple[str, int], list[str]] = defaultdict(list)
    models = call(
        uri,
        lambda: list(iterate_pages(lambda token: client.search_registered_models(max_results=REGISTERED_MODELS_PAGE, page_token=token))),
    )
    for model in models:
        for alias, version in (getattr(model, "aliases", None) or {}).items():
            aliases[(model.name, int(version))].append(alias)
    versions = call(
        uri,
        lambda: list(iterate_pages(lambda token: client.search_model_versions(max_results=MODEL_VERSIONS_PAGE, page_token=token))),
    )
    by_run: dict[str, list[ModelVersionRef]] = defaultdict(list)
    for version in sorted(versions, key=lambda item: (item.name, int(item.version))):
        if version.run_id:
            key = (version.name, int(version.version))
            by_run[version.run_id].append(ModelVersionRef(version.name, int(version.version), tuple(sorted(aliases.get(key, ())))))
    return dict(by_run)


class ClientCursor:
    """A search paged with MLflow's page tokens; the total is unknown until the last page."""

    def __init__(self, store: ClientRunsStore, query: RunsQuery) -> None:
        self._store = store
        self._query = query
        self._token: str | None = None
        self._done = False
        self.total: int | None = None
        self.loaded = 0

    @property
    def has_more(self) -> bool:
        return not self._done

    def fetch(self, count: int) -> list[RunRow]:
        from mlflow.entities import ViewType

        if self._done:
            return []
        query = self._query
        client = self._store.client()
        page = call(
            self._store.uri,
            lambda: client.search_runs(
                experiment_ids=list(query.experiment_ids),
                filter_string=query.filter_string,
                run_view_type=ViewType.ALL if query.include_deleted else ViewType.ACTIVE_ONLY,
                max_results=count,
                order_by=query.order_by,
                page_token=self._token,
            ),
        )
        from ct_tui.domain.runs_store import TABLE_TAGS

        rows = [run_row_from_mlflow(run, TABLE_TAGS) for run in page]
        versions = self._store.model_versions()
        for row in rows:
            row.model_versions = tuple(versions.get(row.run_id, ()))
        self._store.remember(rows)
        self._token = page.token
        self.loaded += len(rows)
        if not self._token:
            self._done = True
            self.total = self.loaded
        return rows


class ClientRunsStore:
    """Runs read with MlflowClient's own search; used when no faster store applies."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.uri = project.tracking_uri
        self.description = describe_store(project.tracking_uri)
        self._client: MlflowClient | None = None
        self._versions: dict[str, list[ModelVersionRef]] | None = None
        self._seen: list[RunRow] = []

    def client(self) -> MlflowClient:
        if self._client is None:
            self._client = open_client(self.project)
        return self._client

    def list_experiments(self) -> list[Experiment]:
        from mlflow.entities import ViewType

        client = self.client()
        found = call(
            self.uri,
            lambda: list(iterate_pages(lambda token: client.search_experiments(view_type=ViewType.ALL, page_token=token))),
        )
        experiments = [Experiment(item.experiment_id, item.name, item.lifecycle_stage) for item in found]
        return sorted(experiments, key=lambda item: item.name)

    def latest_experiment(self) -> Experiment | None:
        active = [item for item in self.list_experiments() if item.lifecycle_stage == "active"]
        if not active:
            return None
        client = self.client()
        runs = call(self.uri, lambda: client.search_runs([item.experiment_id for item in active], max_results=1))
        if not runs:
            return None
        by_id = {item.experiment_id: item for item in active}
        return by_id.get(str(runs[0].info.experiment_id))

    def search(self, query: RunsQuery) -> ClientCursor:
        self._versions = None
        self._seen = []
        return ClientCursor(self, query)

    def model_versions(self) -> dict[str, list[ModelVersionRef]]:
        if self._versions is None:
            self._versions = list_model_versions(self.client(), self.uri)
        return self._versions

    def remember(self, rows: list[RunRow]) -> None:
        """Keep the rows read so far, for the column lists (the store cannot list keys itself)."""
        self._seen.extend(rows)

    def list_columns(self, query: RunsQuery):
        from ct_tui.domain.runs_store import ColumnKeys

        # NOTE: MlflowClient has no call that lists the keys of all runs, so the
        # columns come from the runs loaded so far.
        return ColumnKeys.of_rows(self._seen)

    def change_token(self) -> object:
        return None

    def poll(self, experiment_id: str) -> bool:
        """Return True: the client cannot tell cheaply whether anything changed."""
        return True

    def is_complete(self, experiment_id: str) -> bool:
        return True


def metric_value(value: float) -> tuple[float, bool]:
    """Return (stored value, is_nan) as MLflow's SQL store writes a metric value."""
    if math.isnan(value):
        return 0.0, True
    if math.isinf(value):
        return (1.7976931348623157e308 if value > 0 else -1.7976931348623157e308), False
    return value, False
