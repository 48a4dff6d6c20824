"""Sort keys parsed without mlflow, checked against MLflow's own parser."""

import pytest
from mlflow.utils.search_utils import SearchUtils

from ct_tui.domain.errors import TrackingError
from ct_tui.domain.runs_query import METRIC, PARAM, SortKey, parse_filter, parse_order_by

CLAUSES = [
    "metrics.accuracy DESC",
    "metrics.`roc auc` asc",
    "metric.f1",
    "params.`train.C_hyperparameter` DESC",
    "params.seed",
    "param.\"seed\" DESC",
    "tags.`ct.git_commit` ASC",
    "attributes.start_time DESC",
    "start_time",
    "created DESC",
    "attribute.run_name",
    "status DESC",
]


@pytest.mark.parametrize("clause", CLAUSES)
def test_order_by_parsed_like_mlflow(clause: str) -> None:
    kind, key, ascending = SearchUtils.parse_order_by_for_search_runs(clause)
    sort = parse_order_by(clause)
    expected_kind = {"metric": "metric", "parameter": "param", "tag": "tag", "attribute": "attribute"}[kind]
    assert sort.kind == expected_kind
    assert sort.key == SearchUtils.translate_key_alias(key)
    assert sort.ascending == ascending


@pytest.mark.parametrize("sort", [SortKey(METRIC, "roc auc", False), SortKey(PARAM, "train.C_hyperparameter", True)])
def test_order_by_written_for_mlflow(sort: SortKey) -> None:
    kind, key, ascending = SearchUtils.parse_order_by_for_search_runs(sort.to_order_by())
    assert key == sort.key
    assert ascending == sort.ascending
    assert parse_order_by(sort.to_order_by()) == sort


@pytest.mark.parametrize("clause", ["bogus.x DESC", "attributes.duration", "metrics. DESC"])
def test_order_by_rejects_unknown_columns(clause: str) -> None:
    with pytest.raises(TrackingError, match="invalid sort"):
        parse_order_by(clause)


def test_invalid_filter_names_value_and_example() -> None:
    with pytest.raises(TrackingError) as raised:
        parse_filter("metrics.accuracy >> 1")
    message = str(raised.value)
    assert "metrics.accuracy >> 1" in message
    assert "Example: metrics.accuracy > 0.8" in message
