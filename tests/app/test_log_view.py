"""The log panel: bounded lines, the unfinished line, following new output, wrapping."""

from __future__ import annotations

from rich.cells import cell_len
from textual.app import App, ComposeResult

from ct_tui.ui.widgets.log_view import CONTINUATION_MARK, LogView


class LogApp(App[None]):
    def compose(self) -> ComposeResult:
        yield LogView(max_lines=100)


async def test_log_view_keeps_last_lines() -> None:
    app = LogApp()
    async with app.run_test(size=(80, 24)) as pilot:
        log_view = app.query_one(LogView)

        log_view.write_lines([f"line {n}" for n in range(250)], partial="50%")
        await pilot.pause()

        assert log_view.lines[0] == "line 150"
        assert log_view.lines[-2:] == ["line 249", "50%"]
        assert log_view.lines_written == 250


async def test_log_view_follows_through_partial_and_long_lines() -> None:
    app = LogApp()
    async with app.run_test(size=(80, 24)) as pilot:
        log_view = app.query_one(LogView)

        for batch in range(8):
            lines = [f"batch {batch} line {n}" for n in range(30)]
            if batch == 4:
                lines.append("x" * 200)
            log_view.write_lines(lines, partial="working" if batch % 2 else "")
            await pilot.pause()

        assert log_view.scroll_offset.y == log_view.max_scroll_y


async def test_log_view_stays_where_user_scrolled() -> None:
    app = LogApp()
    async with app.run_test(size=(80, 24)) as pilot:
        log_view = app.query_one(LogView)
        log_view.write_lines([f"line {n}" for n in range(60)])
        await pilot.pause()

        log_view.scroll_home(animate=False, immediate=True)
        log_view.write_lines([f"more {n}" for n in range(10)])
        await pilot.pause()

        assert log_view.scroll_offset.y == 0


async def test_log_view_marks_dropped_lines() -> None:
    app = LogApp()
    async with app.run_test(size=(80, 24)) as pilot:
        log_view = app.query_one(LogView)

        log_view.write_lines(["after the gap"], dropped=12_345)
        await pilot.pause()

        assert log_view.lines == ["… 12,345 lines skipped here; the log file has every line", "after the gap"]


def visible_rows(log_view: LogView) -> list[str]:
    return [log_view.render_line(y).text.rstrip() for y in range(log_view.size.height)]


async def test_log_view_wraps_long_line() -> None:
    app = LogApp()
    async with app.run_test(size=(80, 24)) as pilot:
        log_view = app.query_one(LogView)
        url = "sqlite:////tmp/pytest-of-user/pytest-12/project/mlflow.db"
        line = f"evaluate: logged MLflow run 2b1bdf250ba84f53b61ab9c6872517ac to {url}"

        log_view.write_lines(["before", line, "after"])
        await pilot.pause()

        rows = visible_rows(log_view)
        width = log_view.scrollable_content_region.width
        assert rows[:2] == ["before", "evaluate: logged MLflow run 2b1bdf250ba84f53b61ab9c6872517ac to"]
        assert rows[2] == f"{CONTINUATION_MARK}{url}"
        assert rows[3] == "after"
        assert all(len(row) <= width for row in rows)
        assert log_view.lines == ["before", line, "after"]


async def test_log_view_cuts_word_longer_than_row() -> None:
    app = LogApp()
    async with app.run_test(size=(40, 10)) as pilot:
        log_view = app.query_one(LogView)
        width = log_view.scrollable_content_region.width

        log_view.write_lines(["x" * 100])
        await pilot.pause()

        rows = visible_rows(log_view)[:3]
        assert rows[0] == "x" * width
        assert rows[1] == CONTINUATION_MARK + "x" * (width - len(CONTINUATION_MARK))
        assert "".join(row.removeprefix(CONTINUATION_MARK) for row in rows) == "x" * 100


async def test_log_view_wraps_wide_characters_by_cells() -> None:
    app = LogApp()
    async with app.run_test(size=(40, 10)) as pilot:
        log_view = app.query_one(LogView)
        width = log_view.scrollable_content_region.width
        line = "训练完成" * 10

        log_view.write_lines([line])
        await pilot.pause()

        rows = [row for row in visible_rows(log_view) if row]
        assert len(rows) == 3
        assert all(cell_len(row) <= width for row in rows)
        assert log_view.lines == [line]


async def test_log_view_rewraps_on_resize() -> None:
    app = LogApp()
    async with app.run_test(size=(80, 24)) as pilot:
        log_view = app.query_one(LogView)
        line = " ".join(f"word{n}" for n in range(30))
        log_view.write_lines([line], partial="progress " * 12)
        await pilot.pause()
        rows_at_80 = log_view.row_count

        await pilot.resize_terminal(40, 24)
        await pilot.pause()

        assert log_view.row_count > rows_at_80
        assert log_view.lines == [line, "progress " * 12]
        assert all(len(row) <= log_view.scrollable_content_region.width for row in visible_rows(log_view))


async def test_log_view_drops_wrapped_lines_whole() -> None:
    app = LogApp()
    async with app.run_test(size=(80, 24)) as pilot:
        log_view = app.query_one(LogView)

        for batch in range(3):
            # 110 characters: two rows each at 79 columns.
            log_view.write_lines([f"line {batch}-{n} " + "y" * 100 for n in range(60)])
        await pilot.pause()

        assert len(log_view.lines) == 100
        assert log_view.lines[0].startswith("line 1-20 ")
        assert log_view.row_count == 100 * 2
