"""`--evidence` speed: reading a folder of 10,000 files against a bare walk of the same folder.

The folder holds 9,990 small Markdown documents in 100 sub-folders and 10 JSONL files of
1,000 labeled rows each, inside a git repository with a year of back-dated commits, so every
rule runs: documents counted, rows parsed and their fields read, the git history asked.
The baseline is what any tool must do at least: `os.walk` plus one `stat` per file.
Both run alternately in this process, so the machine's noise hits them alike; the ratio is the
figure that matters. Usage: python bench/bench_evidence.py [-n RUNS] [--files N]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from scaffolder.evidence import gather

ROW_FILES = 10
ROWS_PER_FILE = 1000


def make_folder(root: Path, files: int) -> Path:
    docs = root / "knowledge"
    for n in range(files - ROW_FILES):
        folder = docs / f"section-{n % 100:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"page-{n}.md").write_text(f"# Page {n}\n\nSome text about topic {n}.\n")
    for n in range(ROW_FILES):
        rows = (
            json.dumps({"text": f"row {i} of file {n}", "label": ("a", "b", "c")[i % 3]})
            for i in range(ROWS_PER_FILE)
        )
        (docs / f"labeled-{n}.jsonl").write_text("\n".join(rows) + "\n")
    _back_dated_history(root)
    return docs


def _back_dated_history(root: Path) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "bench",
        "GIT_AUTHOR_EMAIL": "bench@localhost",
        "GIT_COMMITTER_NAME": "bench",
        "GIT_COMMITTER_EMAIL": "bench@localhost",
    }

    def git(*args: str, days_ago: int | None = None) -> None:
        stamp = (
            {}
            if days_ago is None
            else {"GIT_AUTHOR_DATE": f"@{int(time.time()) - days_ago * 86400} +0000"}
        )
        stamp |= {"GIT_COMMITTER_DATE": stamp["GIT_AUTHOR_DATE"]} if stamp else {}
        subprocess.run(
            ["git", *args], cwd=root, env={**env, **stamp}, check=True, capture_output=True
        )

    git("init", "-q")
    git("add", "-A")
    git("commit", "-q", "-m", "import", days_ago=365)
    for week in range(52, 0, -1):
        (root / "knowledge" / "section-00" / "page-0.md").write_text(f"# Page 0\n\nweek {week}\n")
        git("commit", "-qam", f"week {week}", days_ago=week * 7)


def bare_walk(folder: Path) -> int:
    count = 0
    for current, _, names in os.walk(folder):
        for name in names:
            os.stat(os.path.join(current, name))
            count += 1
    return count


def timed(call) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", "--runs", type=int, default=5)
    parser.add_argument("--files", type=int, default=10_000)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="bench-evidence-"))
    try:
        folder = make_folder(root, args.files)
        evidence = gather([folder])
        subject, baseline = [], []
        for _ in range(args.runs):
            subject.append(timed(lambda: gather([folder])))
            baseline.append(timed(lambda: bare_walk(folder)))
        s, b = statistics.median(subject), statistics.median(baseline)
        print(f"{args.files} files, median of {args.runs} interleaved runs")
        print(f"  gather (--evidence): {s:.3f} s")
        print(f"  os.walk + stat:      {b:.3f} s")
        print(f"  ratio:               {s / b:.1f}x")
        for finding in evidence.findings:
            print(f"  {finding.question}={finding.answer}: {finding.found}")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
