"""At 80 columns the Registry screen, its dialogs and its footer show their text whole."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable
from textual.widgets._toast import Toast
from textual.widgets._footer import FooterKey

from ct_tui.domain.project import open_project
from ct_tui.domain.tracking_client import make_client
from tests.app.registry_pilot import make_app, open_registry, select_version, text_of, wait_for, wait_for_screen
from tests.registry_store import DATA_MD5, MODEL


def assert_cells_fit(table: DataTable) -> None:
    """Fail when a cell is cut or the columns are wider than the table."""
    for column in table.ordered_columns:
        shown_width = column.get_render_width(table) - 2 * table.cell_padding
        for cell in table.get_column(column.key):
            assert not str(cell).endswith("…"), f"cell {str(cell)!r} of column {column.key.value} is cut"
            assert len(str(cell)) <= shown_width, f"cell {str(cell)!r} is wider than column {column.key.value}"
    total = sum(column.get_render_width(table) for column in table.ordered_columns)
    assert total <= table.size.width, f"columns need {total} cells, the table has {table.size.width}"


def toast_texts(app) -> list[str]:
    return [text_of(toast) for toast in app.screen.query(Toast)]


async def promote_selected(pilot, override: bool = False) -> None:
    await pilot.press("p")
    await wait_for_screen(pilot, "TextInputDialog")
    await pilot.press("enter")
    await wait_for_screen(pilot, "PromoteDialog")
    if override:
        await pilot.press(*"override", "enter")
    else:
        await pilot.press("y")


async def test_footer_shows_every_key_at_80(registry_project: Path) -> None:
    app = make_app(registry_project)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_registry(pilot)
        await pilot.pause(0.2)

        keys = {key.key: key.region for key in app.screen.query(FooterKey)}
        assert set(keys) == {"p", "b", "h", "1", "2", "3", "4", "question_mark", "q"}
        for key, region in keys.items():
            assert region.right <= 80, f"footer key {key} ends at column {region.right}"


async def test_versions_fit_after_promote(registry_project: Path) -> None:
    app = make_app(registry_project)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        table = await open_registry(pilot)
        assert_cells_fit(table)
        assert table.shown_columns[-1] == "run"

        await select_version(pilot, table, 2)
        await promote_selected(pilot)
        await wait_for(pilot, lambda: str(table.get_row("2")[1]) == "champion", "champion on v2")
        await pilot.pause(0.2)

        assert_cells_fit(table)
        # DataTable measures auto-width columns only when idle; a table that
        # was drawn before that showed `champio` for `champion` until the
        # next screen switch. Widths must be right as soon as a reload returns.
        table.show(app.screen.detail)
        assert_cells_fit(table)
        await wait_for(pilot, lambda: toast_texts(app), "the notification")
        assert "Promoted\nct-model champion: v1 → v2, recorded" in toast_texts(app)


async def test_narrow_table_leaves_out_run_first(registry_project: Path) -> None:
    app = make_app(registry_project)
    async with app.run_test(size=(60, 24)) as pilot:
        table = await open_registry(pilot)

        assert table.shown_columns == ["version", "aliases", "metric:accuracy", "metric:f1", "commit", "data"]
        assert_cells_fit(table)


async def test_history_cells_fit_after_override(registry_project: Path) -> None:
    app = make_app(registry_project)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_registry(pilot)
        await select_version(pilot, table, 3)
        await promote_selected(pilot, override=True)
        await wait_for(pilot, lambda: str(table.get_row("3")[1]) == "champion", "champion on v3")

        await pilot.press("h")
        history = await wait_for_screen(pilot, "HistoryDialog")
        rows = history.query_one("#history-table")
        assert [str(cell) for cell in rows.get_row_at(0)[1:4]] == ["promote", "champion", "v1 → v3"]
        assert str(rows.get_row_at(0)[5]) == "overridden"
        assert_cells_fit(rows)
        record = text_of(history.query_one("#history-record"))
        assert "via tui" in record
        assert "gate on accuracy 0.8500 vs 0.9000: failed, overridden" in record


async def test_promote_dialog_names_gate_cause(registry_project: Path) -> None:
    # New data in dvc.lock gives every version a lineage warning, and without
    # a holder the metric cannot fail: the warning alone fails the gate.
    lock = registry_project / "dvc.lock"
    lock.write_text(lock.read_text().replace(DATA_MD5, "0123456789abcdef" * 2))
    make_client(open_project(registry_project)).delete_registered_model_alias(MODEL, "champion")

    app = make_app(registry_project)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_registry(pilot)
        await select_version(pilot, table, 2)
        await pilot.press("p")
        await wait_for_screen(pilot, "TextInputDialog")
        await pilot.press("enter")
        dialog = await wait_for_screen(pilot, "PromoteDialog")

        comparison = dialog.query_one("#promote-comparison")
        lines = text_of(comparison).splitlines()
        assert any("5d41402a ≠ dvc.lock" in line for line in lines)
        for line in lines:
            assert len(line) <= comparison.size.width, f"line {line!r} is wider than the dialog"
        gate = text_of(dialog.query_one("#promote-gate"))
        assert "Gate: no version holds the alias now, so accuracy is not compared" in gate
        assert "The gate did not pass, so promoting needs an override:" in gate
        assert "- lineage: data data/raw/train.csv differs from the current dvc.lock" in gate
