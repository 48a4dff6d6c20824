"""Moving an alias with a check, a gate and an audit record: promote, roll back, remove.

A move is planned first (`plan_promotion`, `plan_rollback`, `plan_removal`):
the plan records where the alias points now, compares the target version
with that holder and runs the gate. The user reviews the plan, then
`apply_move` re-reads the alias, refuses to act when it moved since the plan
was made (raising `AliasMoved` with a fresh plan), sets or deletes the alias,
reads it back and writes the audit record.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from ct_tui.domain import audit
from ct_tui.domain.errors import CtTuiError, TrackingError
from ct_tui.domain.gate import GateResult, evaluate_gate
from ct_tui.domain.project import Project
from ct_tui.domain.registry import (
    ModelDetail,
    RegistryInputError,
    VersionInfo,
    alias_map,
    get_model,
    read_model,
    require_version,
    store_errors,
)
from ct_tui.domain.tracking_client import make_client, tracking_error
from ct_tui.settings import Settings

log = logging.getLogger(__name__)

# MLflow 3.17's alias rules (mlflow/utils/validation.py): letters, digits,
# `_` and `-`, at most 255 characters, and neither `latest` nor `v<number>`
# in any case, because those already name versions in `models:/` URIs.
_ALIAS_CHARACTERS = re.compile(r"^[\w\-]+$")
_RESERVED_ALIAS = re.compile(r"^(latest|v\d+)$", re.IGNORECASE)
MAX_ALIAS_LENGTH = 255


class GateRefused(CtTuiError):
    """The gate did not pass and no override was given."""

    title = "Promotion refused"


class AliasMoved(CtTuiError):
    """The alias no longer points where the plan showed; nothing was changed."""

    title = "Alias moved"

    def __init__(self, message: str, fresh_plan: "MovePlan | None") -> None:
        super().__init__(message)
        self.fresh_plan = fresh_plan
        """The same move planned again against the alias's new state, or None if impossible now."""


@dataclass(frozen=True)
class MovePlan:
    """A reviewed-before-applied alias move."""

    action: str
    """`promote`, `rollback` or `remove`."""

    model: str
    alias: str
    target: VersionInfo | None
    """The version the alias will point at; None for a removal."""

    holder_version: int | None
    """Where the alias pointed when the plan was made; None when it was not set."""

    holder: VersionInfo | None
    """The holder's details; None when the alias was not set or is dangling."""

    gate: GateResult | None
    """The gate outcome; None for a removal, which has no candidate."""

    undoes: audit.AuditRecord | None = None
    """For a rollback: the recorded move it reverses."""

    param_names: list[str] = field(default_factory=list)
    """Params whose values differ between target and holder."""

    metric_names: list[str] = field(default_factory=list)
    """Metrics to compare, the gate metric first."""

    @property
    def needs_override(self) -> bool:
        return self.gate is not None and not self.gate.passed

    @property
    def holder_dangling(self) -> bool:
        """True when the alias points at a version that no longer exists."""
        return self.holder_version is not None and self.holder is None

    @property
    def to_version(self) -> int | None:
        return self.target.version if self.target else None


def plan_promotion(project: Project, settings: Settings, model: str, version: int | str, alias: str) -> MovePlan:
    """Plan to point `alias` of `model` at `version`, comparing it with the current holder."""
    check_alias_name(alias)
    detail = read_model(project, model, settings.gate_metric)
    target = require_version(detail, version)
    holder_version = detail.aliases.get(alias)
    if holder_version == target.version:
        raise RegistryInputError(
            f"version {target.version} of {model!r} already holds alias {alias!r}: "
            "choose another version or alias"
        )
    return _plan(detail, settings, "promote", alias, target, holder_version)


def plan_rollback(project: Project, settings: Settings, model: str, alias: str) -> MovePlan:
    """Plan to move `alias` back to the version that held it before its last recorded move.

    A rollback of a removal restores the alias; a second rollback reverses the
    first. The gate is evaluated for the record but not enforced, because the
    target already held the alias once.
    """
    detail = read_model(project, model, settings.gate_metric)
    history = audit.parse_history(detail.tags, alias)
    current = detail.aliases.get(alias)
    if not history:
        if current is None:
            raise unknown_alias(detail, alias)
        raise RegistryInputError(
            f"no recorded move of alias {alias!r} on {model!r}: ct-tui can only roll back moves "
            "it recorded; promote the version you want instead"
        )
    last = history[0]
    if last.to_version != current:
        raise RegistryInputError(
            f"alias {alias!r} points at {_label(current)} but its last recorded move set it to "
            f"{_label(last.to_version)}: it was changed outside ct-tui, so what held it before "
            "is unknown; promote the version you want instead"
        )
    if last.from_version is None:
        raise RegistryInputError(
            f"the last recorded move of alias {alias!r} created it, so no version held it before: "
            "remove the alias instead"
        )
    target = detail.version(last.from_version)
    if target is None:
        raise RegistryInputError(
            f"version {last.from_version} of {model!r}, which held alias {alias!r} before, "
            "no longer exists: promote another version instead"
        )
    return _plan(detail, settings, "rollback", alias, target, current, undoes=last)


def plan_removal(project: Project, settings: Settings, model: str, alias: str) -> MovePlan:
    """Plan to delete `alias` from `model`; a dangling alias can be removed too."""
    detail = read_model(project, model, settings.gate_metric)
    if alias not in detail.aliases:
        raise unknown_alias(detail, alias)
    return _plan(detail, settings, "remove", alias, None, detail.aliases[alias])


def apply_move(
    project: Project, settings: Settings, plan: MovePlan, *, override: bool = False, via: str = "tui"
) -> audit.AuditRecord:
    """Carry out `plan` if the alias is still where the plan saw it; record it; return the record.

    Raises GateRefused when the plan needs an override that was not given,
    AliasMoved (with a fresh plan) when someone moved the alias since the plan
    was made, and TrackingError when the store fails or the alias reads back wrong.
    """
    if plan.needs_override and not override:
        reasons = "; ".join(plan.gate.reasons)
        raise GateRefused(
            f"{plan.action} of {plan.model!r} {_label(plan.to_version)} to alias {plan.alias!r} "
            f"refused by the gate: {reasons}. Override it to promote anyway"
        )

    with store_errors(project):
        client = make_client(project)
        now = alias_map(get_model(client, project, plan.model)).get(plan.alias)
    if now != plan.holder_version:
        raise _moved(project, settings, plan, now)

    # NOTE: MLflow has no compare-and-set for aliases, so a move by another
    # client between the read above and the write below is still overwritten.
    with store_errors(project):
        try:
            if plan.target is None:
                client.delete_registered_model_alias(plan.model, plan.alias)
            else:
                client.set_registered_model_alias(plan.model, plan.alias, str(plan.target.version))
        except Exception as error:  # noqa: BLE001 - sorted into bad input and store failures
            if getattr(error, "error_code", "") == "INVALID_PARAMETER_VALUE":
                raise RegistryInputError(f"cannot set alias {plan.alias!r}: {error}") from error
            raise
        read_back = alias_map(client.get_registered_model(plan.model)).get(plan.alias)
    if read_back != plan.to_version:
        raise TrackingError(
            f"alias {plan.alias!r} of {plan.model!r} reads back as {_label(read_back)} after "
            f"setting it to {_label(plan.to_version)}; another client may have moved it: "
            "refresh and check the history"
        )

    record = audit.new_record(
        plan.action,
        plan.model,
        plan.alias,
        plan.holder_version,
        plan.to_version,
        gate=plan.gate.to_record() if plan.gate else None,
        overridden=bool(override and plan.needs_override),
        via=via,
    )
    try:
        return audit.write_record(client, record)
    except Exception as error:  # noqa: BLE001 - re-raised with what did happen
        cause = tracking_error(error, project.tracking_uri)
        raise TrackingError(
            f"alias {plan.alias!r} moved from {_label(plan.holder_version)} to "
            f"{_label(plan.to_version)}, but the audit record could not be written: {cause}"
        ) from error


def check_alias_name(alias: str) -> None:
    """Raise RegistryInputError unless MLflow accepts `alias` as a new alias name.

    Checked before anything is read or shown, so a bad name fails at once
    instead of after the comparison, when MLflow would reject the write.
    """
    if not alias.strip():
        raise RegistryInputError("the alias is empty: give a name such as 'champion'")
    if not _ALIAS_CHARACTERS.match(alias):
        raise RegistryInputError(
            f"invalid alias {alias!r}: MLflow alias names may contain only letters, digits, "
            "underscores (_) and dashes (-); choose a name such as 'champion'"
        )
    if len(alias) > MAX_ALIAS_LENGTH:
        raise RegistryInputError(
            f"invalid alias {alias[:20]!r}… ({len(alias)} characters): MLflow alias names "
            f"may have at most {MAX_ALIAS_LENGTH} characters"
        )
    if _RESERVED_ALIAS.match(alias):
        raise RegistryInputError(
            f"alias {alias!r} is reserved by MLflow ('latest' and 'v<number>' name versions): "
            "choose another name such as 'champion'"
        )


def unknown_alias(detail: ModelDetail, alias: str) -> RegistryInputError:
    listing = ", ".join(f"{name} (v{number})" for name, number in sorted(detail.aliases.items()))
    return RegistryInputError(
        f"alias {alias!r} not found on model {detail.name!r}; its aliases: {listing or 'none'}"
    )


def _plan(detail, settings, action, alias, target, holder_version, undoes=None) -> MovePlan:
    holder = detail.version(holder_version) if holder_version is not None else None
    gate = None
    param_names: list[str] = []
    metric_names: list[str] = []
    if target is not None:
        gate = evaluate_gate(
            settings.gate_metric,
            settings.gate_direction,
            target.metrics,
            holder.metrics if holder else None,
            target.warnings,
            enforced=action == "promote",
        )
        metric_names = [name for name in detail.metric_names if name in target.metrics or (holder and name in holder.metrics)]
        if settings.gate_metric not in metric_names:
            metric_names.insert(0, settings.gate_metric)
        if holder is not None:
            names = set(target.params) | set(holder.params)
            param_names = sorted(name for name in names if target.params.get(name) != holder.params.get(name))
    return MovePlan(action, detail.name, alias, target, holder_version, holder, gate, undoes, param_names, metric_names)


def _moved(project: Project, settings: Settings, plan: MovePlan, now: int | None) -> AliasMoved:
    message = (
        f"alias {plan.alias!r} of {plan.model!r} now points at {_label(now)}, not "
        f"{_label(plan.holder_version)} as shown; nothing was changed: review the new state"
    )
    log.warning(message)
    try:
        if plan.action == "promote":
            fresh = plan_promotion(project, settings, plan.model, plan.target.version, plan.alias)
        elif plan.action == "rollback":
            fresh = plan_rollback(project, settings, plan.model, plan.alias)
        else:
            fresh = plan_removal(project, settings, plan.model, plan.alias)
    except RegistryInputError as error:
        return AliasMoved(f"{message}. {error}", None)
    return AliasMoved(message, fresh)


def _label(version: int | None) -> str:
    return "no version" if version is None else f"v{version}"
