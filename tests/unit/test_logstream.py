"""Turning raw output into log lines: progress bars, ANSI codes, split chunks, batching."""

from __future__ import annotations

from ct_tui.domain.logstream import (
    MAX_PARTIAL_CHARS,
    LineAssembler,
    OutputBuffer,
    clean_line,
    last_state,
)


def test_clean_line_strips_ansi_colours() -> None:
    assert clean_line("\x1b[31mERROR\x1b[0m: failed") == "ERROR: failed"


def test_clean_line_strips_osc_and_controls() -> None:
    assert clean_line("\x1b]0;title\x07done\x08\x07") == "done"


def test_clean_line_expands_tabs() -> None:
    assert clean_line("a\tb") == "a       b"


def test_last_state_of_progress_bar() -> None:
    assert last_state("\r 10%|#   |\r 50%|##  |\r100%|####|") == "100%|####|"


def test_last_state_keeps_text_before_crlf() -> None:
    assert last_state("done\r") == "done"


def test_assembler_joins_lines_split_across_chunks() -> None:
    assembler = LineAssembler()

    assert assembler.feed(b"first li") == []
    assert assembler.partial == "first li"
    assert assembler.feed(b"ne\nsecond\n") == ["first line", "second"]
    assert assembler.partial == ""


def test_assembler_collapses_progress_bar() -> None:
    assembler = LineAssembler()
    lines = []
    for percent in range(0, 101, 10):
        lines += assembler.feed(f"\r{percent:3d}%|{'#' * (percent // 10):10}|".encode())
        assert assembler.partial.startswith(f"{percent:3d}%")
    lines += assembler.feed(b"\nafter\n")

    assert lines == ["100%|##########|", "after"]


def test_assembler_bounds_a_bar_that_never_ends() -> None:
    assembler = LineAssembler()
    for step in range(10_000):
        assembler.feed(f"\rstep {step}".encode())

    assert assembler.partial == "step 9999"
    assert len(assembler._partial) < 100


def test_assembler_cuts_endless_line() -> None:
    assembler = LineAssembler()

    lines = assembler.feed(b"x" * (MAX_PARTIAL_CHARS + 10))

    assert lines == ["x" * MAX_PARTIAL_CHARS]
    assert assembler.partial == "x" * 10


def test_assembler_decodes_utf8_split_in_chunk() -> None:
    assembler = LineAssembler()
    data = "accuracy ≥ 0.9\n".encode()

    lines = assembler.feed(data[:10]) + assembler.feed(data[10:])

    assert lines == ["accuracy ≥ 0.9"]


def test_assembler_replaces_invalid_bytes() -> None:
    assembler = LineAssembler()

    assert assembler.feed(b"bad \xff byte\n") == ["bad \ufffd byte"]


def test_assembler_finish_returns_last_line() -> None:
    assembler = LineAssembler()
    assembler.feed(b"one\ntwo")

    assert assembler.finish() == ["two"]
    assert assembler.finish() == []


def test_buffer_notifies_once_until_taken() -> None:
    buffer = OutputBuffer(max_lines=100)

    assert buffer.put(["a"], "") is True
    assert buffer.put(["b"], "par") is False
    batch = buffer.take()
    assert batch.lines == ["a", "b"]
    assert batch.partial == "par"
    assert batch.dropped == 0
    assert buffer.put(["c"], "") is True


def test_buffer_keeps_last_lines_and_counts_dropped() -> None:
    buffer = OutputBuffer(max_lines=3)
    buffer.put([f"line {n}" for n in range(5)], "")
    buffer.put(["line 5"], "")

    batch = buffer.take()

    assert batch.lines == ["line 3", "line 4", "line 5"]
    assert batch.dropped == 3
