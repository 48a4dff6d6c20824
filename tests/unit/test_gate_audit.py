"""The gate's verdicts and the audit records' storage format, without a store."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from ct_tui.domain.audit import MODEL_TAG_PREFIX, new_record, parse_history
from ct_tui.domain.gate import evaluate_gate


def test_gate_verdicts() -> None:
    cases = [
        # candidate, holder metrics, direction, warnings, passes
        ({"accuracy": 0.9}, {"accuracy": 0.8}, "higher", [], True),
        ({"accuracy": 0.8}, {"accuracy": 0.9}, "higher", [], False),
        ({"accuracy": 0.8}, {"accuracy": 0.8}, "higher", [], True),
        ({"accuracy": 0.8}, {"accuracy": 0.9}, "lower", [], True),
        ({"accuracy": 0.9}, None, "higher", [], True),
        ({"accuracy": 0.9}, {"f1": 0.5}, "higher", [], True),
        ({}, {"accuracy": 0.9}, "higher", [], False),
        ({"accuracy": 0.9}, {"accuracy": 0.8}, "higher", ["trained with uncommitted changes"], False),
    ]
    for candidate, holder, direction, warnings, passes in cases:
        result = evaluate_gate("accuracy", direction, candidate, holder, warnings)
        assert result.passed is passes, (candidate, holder, direction, warnings)


def test_gate_not_enforced_for_rollback() -> None:
    result = evaluate_gate("accuracy", "higher", {"accuracy": 0.5}, {"accuracy": 0.9}, ["x"], enforced=False)
    assert result.passed
    assert result.reasons == []
    assert result.to_record()["metric_passed"] is False


def test_history_newest_first_skips_bad_tags() -> None:
    older = new_record("promote", "m", "champion", 1, 2, gate=None, overridden=False, via="cli",
                       now=datetime(2026, 1, 1, tzinfo=timezone.utc))
    newer = new_record("rollback", "m", "champion", 2, 1, gate=None, overridden=False, via="tui",
                       now=datetime(2026, 1, 2, tzinfo=timezone.utc))
    other = new_record("promote", "m", "staging", None, 3, gate=None, overridden=False, via="tui",
                       now=datetime(2026, 1, 3, tzinfo=timezone.utc))
    extra = json.loads(newer.to_json()) | {"field_from_a_later_version": 1}
    tags = {
        f"{MODEL_TAG_PREFIX}a": older.to_json(),
        f"{MODEL_TAG_PREFIX}b": json.dumps(extra),
        f"{MODEL_TAG_PREFIX}c": other.to_json(),
        f"{MODEL_TAG_PREFIX}bad": "{not json",
        f"{MODEL_TAG_PREFIX}partial": json.dumps({"action": "promote"}),
        "unrelated": "x",
    }

    champion = parse_history(tags, "champion")
    everything = parse_history(tags)

    assert [record.action for record in champion] == ["rollback", "promote"]
    assert champion[0].time == "2026-01-02T00:00:00.000000Z"
    assert [record.alias for record in everything] == ["staging", "champion", "champion"]
