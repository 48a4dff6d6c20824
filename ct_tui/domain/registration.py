"""Register the model that a training run logged as a new version of a registered model."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ct_tui.domain.project import Project
from ct_tui.domain.registry import RegistryInputError, is_not_found, store_errors
from ct_tui.domain.tracking_client import make_client

if TYPE_CHECKING:
    from mlflow.tracking import MlflowClient

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RegisteredVersion:
    """The outcome of `register_run_model`."""

    model: str
    version: int
    created: bool
    """False when the run's model was already a version of `model`, which is then returned."""


def register_run_model(project: Project, run_id: str, model_name: str) -> RegisteredVersion:
    """Register the model logged by run `run_id` as a new version of `model_name`.

    Creates the registered model when it does not exist. When a version of
    `model_name` already comes from this run, nothing is created and that
    version is returned with `created=False`.

    The model is the run's MLflow 3 LoggedModel (one named `model` wins when
    the run logged several), or else an MLflow 2 `model/` artifact folder.

    Raises RegistryInputError when the run does not exist, is deleted, or
    logged no model (or several, none named `model`), and TrackingError when
    the store fails.
    """
    with store_errors(project):
        client = make_client(project)
        run = _get_run_or_none(client, run_id)
        if run is None:
            raise RegistryInputError(
                f"run {run_id!r} not found in the tracking store: check the run id on the Runs screen"
            )
        if run.info.lifecycle_stage == "deleted":
            raise RegistryInputError(
                f"run {run_id!r} is deleted: restore it (`mlflow runs restore --run-id {run_id}`) "
                "before registering its model"
            )

        existing = [
            version for version in client.search_model_versions(f"run_id = '{run_id}'")
            if version.name == model_name
        ]
        if existing:
            number = max(int(version.version) for version in existing)
            log.info("run %s is already version %s of %s", run_id, number, model_name)
            return RegisteredVersion(model_name, number, created=False)

        source, model_id = _logged_model_source(client, run)
        try:
            client.create_registered_model(model_name)
        except Exception as error:  # noqa: BLE001 - an existing model is the common case
            if getattr(error, "error_code", "") not in ("RESOURCE_ALREADY_EXISTS", "ALREADY_EXISTS"):
                raise
        version = client.create_model_version(
            model_name, source, run_id=run_id, model_id=model_id
        )
    log.info("registered run %s as version %s of %s", run_id, version.version, model_name)
    return RegisteredVersion(model_name, int(version.version), created=True)


def _get_run_or_none(client: "MlflowClient", run_id: str):
    try:
        return client.get_run(run_id)
    except Exception as error:  # noqa: BLE001 - only not-found is expected; others re-raised
        if is_not_found(error):
            return None
        raise


def _logged_model_source(client: "MlflowClient", run) -> tuple[str, str | None]:
    """Return (source URI, LoggedModel id or None) of the model that `run` logged."""
    run_id = run.info.run_id
    logged = list(client.search_logged_models(
        experiment_ids=[run.info.experiment_id],
        filter_string=f"source_run_id = '{run_id}'",
    ))
    if len(logged) > 1:
        named = [model for model in logged if model.name == "model"]
        if len(named) != 1:
            names = ", ".join(sorted(model.name for model in logged))
            raise RegistryInputError(
                f"run {run_id!r} logged {len(logged)} models ({names}) and none is named 'model': "
                "register the one you want with `mlflow models register` or the MLflow UI"
            )
        logged = named
    if logged:
        # The SQLite registry resolves a `models:/<id>` source through the
        # process-wide tracking URI, not this client's (MLflow 3.17), so the
        # artifact location is passed instead, with the id alongside.
        return logged[0].artifact_location, logged[0].model_id

    artifacts = {item.path for item in client.list_artifacts(run_id, "model")}
    if "model/MLmodel" in artifacts:
        return f"runs:/{run_id}/model", None
    raise RegistryInputError(
        f"run {run_id!r} logged no model: log one with mlflow.<flavor>.log_model(..., name='model') "
        "in the training code, then register it"
    )
