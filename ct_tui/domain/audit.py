"""The audit trail of alias moves, kept in the model registry itself.

Each move (promote, rollback, remove) becomes one tag on the registered model,
`ct.alias_move.<UTC time>.<random suffix>`, whose value is a JSON record. Tags
live in the tracking store, so every user of the same server sees the same
history, and the MLflow UI shows them too. The version that received (or lost)
the alias also gets a tag `ct.last_alias_move.<alias>` with the same record.
"""

from __future__ import annotations

import getpass
import json
import logging
import os
import secrets
import socket
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timezone
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mlflow.tracking import MlflowClient

log = logging.getLogger(__name__)

MODEL_TAG_PREFIX = "ct.alias_move."
"""Prefix of the registered-model tags that hold one alias move each."""

VERSION_TAG_PREFIX = "ct.last_alias_move."
"""Prefix of the model-version tag that holds the latest move of an alias onto or off it."""

ACTIONS = ("promote", "rollback", "remove")
"""What a move can be: set an alias, set it back to its previous holder, or delete it."""


@dataclass(frozen=True)
class AuditRecord:
    """One recorded alias move."""

    action: str
    """One of `ACTIONS`."""

    model: str
    """Registered model name."""

    alias: str
    """The alias that moved."""

    from_version: int | None
    """Version the alias pointed at before the move; None when it was not set."""

    to_version: int | None
    """Version the alias points at after the move; None after a removal."""

    user: str
    """OS user who made the move."""

    host: str
    """Host name of the machine the move was made from."""

    time: str
    """UTC time of the move, ISO 8601 with a `Z` suffix."""

    gate: dict | None = None
    """The gate result (`GateResult.to_record`); None for a removal."""

    overridden: bool = False
    """True when the user typed the override for a gate that did not pass."""

    via: str = "tui"
    """`tui` or `cli`: which ct-tui front end made the move."""

    key: str = field(default="", compare=False)
    """The registered-model tag that stores this record; empty before it is written."""

    @property
    def when(self) -> datetime:
        """`time` as an aware datetime in UTC."""
        return datetime.fromisoformat(self.time.replace("Z", "+00:00"))

    def to_json(self) -> str:
        data = asdict(self)
        del data["key"]
        return json.dumps(data, sort_keys=True)


_STORED_FIELDS = [item.name for item in fields(AuditRecord) if item.name != "key"]


def current_user() -> tuple[str, str]:
    """Return the OS user and host name that audit records name."""
    try:
        user = getpass.getuser()
    except (OSError, KeyError) as error:
        # getpass fails when the uid has no passwd entry, as in some containers.
        log.info("cannot read the OS user name: %s", error)
        user = os.environ.get("USER") or str(os.getuid())
    return user, socket.gethostname()


def new_record(
    action: str,
    model: str,
    alias: str,
    from_version: int | None,
    to_version: int | None,
    *,
    gate: dict | None,
    overridden: bool,
    via: str,
    now: datetime | None = None,
) -> AuditRecord:
    """Build a record of a move made now by the current OS user on this host."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}; expected one of {', '.join(ACTIONS)}")
    user, host = current_user()
    moment = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    return AuditRecord(
        action=action,
        model=model,
        alias=alias,
        from_version=from_version,
        to_version=to_version,
        user=user,
        host=host,
        time=moment.isoformat(timespec="microseconds").replace("+00:00", "Z"),
        gate=gate,
        overridden=overridden,
        via=via,
    )


def write_record(client: "MlflowClient", record: AuditRecord) -> AuditRecord:
    """Store `record` as a registered-model tag and a version tag; return it with its key."""
    # Keys sort by time; the random suffix keeps two moves in the same
    # microsecond from different machines apart. Tag keys may not hold ':'.
    stamp = record.when.strftime("%Y%m%dT%H%M%S.%fZ")
    key = f"{MODEL_TAG_PREFIX}{stamp}.{secrets.token_hex(3)}"
    value = record.to_json()
    client.set_registered_model_tag(record.model, key, value)

    version = record.to_version if record.to_version is not None else record.from_version
    if version is not None:
        client.set_model_version_tag(
            record.model, str(version), f"{VERSION_TAG_PREFIX}{record.alias}", value
        )
    log.info(
        "recorded %s of %s alias %s: %s -> %s by %s@%s",
        record.action, record.model, record.alias,
        version_label(record.from_version), version_label(record.to_version), record.user, record.host,
    )
    return AuditRecord(**{**asdict(record), "key": key})


def version_label(version: int | None) -> str:
    """Return `v<number>`, or `(none)` when the alias was not set."""
    return "(none)" if version is None else f"v{version}"


def parse_history(model_tags: dict[str, str], alias: str | None = None) -> list[AuditRecord]:
    """Return the audit records among a registered model's tags, newest first.

    Pass `alias` to keep only that alias's moves. A tag whose value is not a
    valid record is logged and left out, since someone may have edited it by hand.
    """
    records: list[AuditRecord] = []
    for key, value in model_tags.items():
        if not key.startswith(MODEL_TAG_PREFIX):
            continue
        try:
            data = json.loads(value)
            # Fields a later ct-tui may add are dropped rather than rejected.
            record = AuditRecord(**{name: data[name] for name in _STORED_FIELDS if name in data}, key=key)
            _ = record.when  # parsed here, so that a bad time skips the tag instead of failing the sort
        except (ValueError, TypeError, AttributeError) as error:
            log.warning("ignoring unreadable audit tag %s: %s", key, error)
            continue
        if alias is None or record.alias == alias:
            records.append(record)
    records.sort(key=lambda record: (record.when, record.key), reverse=True)
    return records


def read_history(client: "MlflowClient", model: str, alias: str | None = None) -> list[AuditRecord]:
    """Read the recorded alias moves of `model` from the registry, newest first."""
    return parse_history(dict(client.get_registered_model(model).tags), alias)
