"""The side-by-side of a move laid out to a width: nothing past it, markers never cut."""

from __future__ import annotations

from ct_tui.domain.comparison import ComparisonRow, comparison_lines

ROWS = [
    ComparisonRow("version", "v3", "v1"),
    ComparisonRow("commit", "84d3a36b Add the CT project with a long subject", "84d3a36b Add the CT project"),
    ComparisonRow("uncommitted", "yes", "no", differs=True),
    ComparisonRow("data md5", "2f401289 ≠ dvc.lock", "2f401289", differs=True),
    ComparisonRow("accuracy", "0.8500", "0.9000", "-0.0500", differs=True, better=False),
    ComparisonRow("roc_auc", "0.9945", "0.9950", "-0.0005", differs=True),
    ComparisonRow("params that differ", "", ""),
    ComparisonRow("  train.C_hyperparameter_for_the_regulariser", "2.0", "1.0", differs=True),
]


def texts(width: int) -> list[str]:
    return [line.text for line in comparison_lines(ROWS, width)]


def test_lines_fit_width() -> None:
    for width in (60, 78, 100):
        for text in texts(width):
            assert len(text) <= width, f"{text!r} is wider than {width}"


def test_markers_and_deltas_whole_at_78() -> None:
    lines = texts(78)
    data = next(text for text in lines if text.startswith("data md5"))
    assert "2f401289 ≠ dvc.lock" in data
    accuracy = next(text for text in lines if text.startswith("accuracy"))
    assert accuracy.split() == ["accuracy", "0.8500", "0.9000", "-0.0500"]


def test_long_label_gets_own_line() -> None:
    lines = texts(78)
    index = lines.index("  train.C_hyperparameter_for_the_regulariser")
    assert lines[index + 1].split() == ["2.0", "1.0"]
    assert "params that differ" in lines


def test_long_value_ends_in_ellipsis() -> None:
    commit = next(text for text in texts(60) if text.startswith("commit"))
    assert "…" in commit
    assert commit.split()[1] == "84d3a36b"


def test_heading_without_deltas() -> None:
    rows = [ComparisonRow("version", "v2", "none")]
    heading = comparison_lines(rows, 80)[0].text
    assert heading.split() == ["candidate", "current", "holder"]
