"""The log panel: bounded lines, the unfinished line, following new output."""

from __future__ import annotations

from textual.app import App, ComposeResult

from ct_tui.ui.widgets.log_view import LogView


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
