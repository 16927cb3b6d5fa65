"""``make perf`` ends with every figure the benchmarks recorded (tests/perf/figures.py)."""

from __future__ import annotations

from tests.perf.figures import RECORDED


def pytest_terminal_summary(terminalreporter) -> None:
    if not RECORDED:
        return
    terminalreporter.section("issue 17: every figure against its baseline")
    for figure in RECORDED:
        terminalreporter.write_line(figure.line())
    over = [figure.name for figure in RECORDED if figure.verdict == "OVER GOAL"]
    terminalreporter.write_line(f"{len(RECORDED)} figures, {len(over)} over their goal"
                                + (": " + "; ".join(over) if over else ""))
