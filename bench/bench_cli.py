"""CLI speed: startup against a bare interpreter, `new` against a bare `copier copy`.

Both sides of each comparison run interleaved in the same process, so the machine's noise
hits them alike; the figures that matter are the ratios. Usage: python bench/bench_cli.py [-n N]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def timed(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        argv,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def compare(name: str, subject, baseline, runs: int) -> tuple[str, float, float]:
    """Median wall time of two commands, run alternately; each callable returns its argv."""
    subject_times, baseline_times = [], []
    for _ in range(runs):
        subject_times.append(timed(subject()))
        baseline_times.append(timed(baseline()))
    return name, statistics.median(subject_times), statistics.median(baseline_times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", "--runs", type=int, default=10)
    runs = parser.parse_args().runs
    work = Path(tempfile.mkdtemp(prefix="bench-cli-"))
    counter = iter(range(10**6))

    def fresh_dest() -> str:
        return str(work / f"p{next(counter)}")

    rows = [
        compare(
            "scaffolder --help vs python -c pass",
            lambda: [str(BIN / "scaffolder"), "--help"],
            lambda: [sys.executable, "-c", "pass"],
            runs,
        ),
        compare(
            "scaffolder decide --json vs python -c pass",
            lambda: [str(BIN / "scaffolder"), "decide", "--json"],
            lambda: [sys.executable, "-c", "pass"],
            runs,
        ),
        compare(
            "scaffolder new --defaults --no-git vs copier copy",
            lambda: [
                str(BIN / "scaffolder"),
                "new",
                fresh_dest(),
                "--approach",
                "rag",
                "--defaults",
                "--no-git",
            ],
            lambda: [
                str(BIN / "copier"),
                "copy",
                "--quiet",
                "--defaults",
                "--data",
                "approach=rag",
                str(TEMPLATES),
                fresh_dest(),
            ],
            runs,
        ),
    ]
    shutil.rmtree(work, ignore_errors=True)
    print("| comparison | subject (s) | baseline (s) | ratio |")
    print("|---|---|---|---|")
    for name, subject, baseline in rows:
        print(f"| {name} | {subject:.3f} | {baseline:.3f} | {subject / baseline:.2f}x |")


if __name__ == "__main__":
    main()
