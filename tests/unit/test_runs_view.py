"""The two lines above the runs table: what is loaded, how it is sorted, what failed."""

from ct_tui.domain.runs_query import METRIC, Experiment, SortKey
from ct_tui.ui.screens.runs_view import RunsView, status_line, title_line


def test_status_with_known_total() -> None:
    view = RunsView(sort=SortKey(METRIC, "accuracy"), filter_string="metrics.f1 > 0.5", include_deleted=True)
    line = status_line(loaded=200, total=20_000, has_more=True, view=view, complete=True, marked=2, error=None, loaded_at=None)
    assert line == "20,000 runs, 200 loaded, more below · sorted by accuracy ↓ · filter: metrics.f1 > 0.5 · deleted shown · 2 marked"


def test_status_without_total_says_more_exist() -> None:
    line = status_line(loaded=1_000, total=None, has_more=True, view=RunsView(), complete=True, marked=0, error=None, loaded_at=None)
    assert line == "1,000 loaded, more exist · newest first"


def test_status_marks_stale_data_and_partial_index() -> None:
    line = status_line(
        loaded=5, total=5, has_more=False, view=RunsView(), complete=False, marked=0, error="cannot connect", loaded_at=None
    )
    assert line.startswith("[b]stale[/b] (loaded never; [b]r[/b] retries): cannot connect")
    assert "newest first until the index is built" in line


def test_title_names_experiment_and_store() -> None:
    assert title_line(Experiment("1", "ct-project"), "SQLite /p/mlflow.db", "") == "Experiment [b]ct-project[/b] · SQLite /p/mlflow.db"
    assert "No runs yet" in title_line(None, "SQLite /p/mlflow.db", "ct-project")
