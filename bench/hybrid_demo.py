"""The hybrid starter's `make demo`, stage by stage, and what a batched bake-off saves.

Renders a hybrid project, times `make install`, then runs each command that `make -n demo`
prints, one after another, timing each. Then it runs the demo's bake-off again one question
at a time (`compare.batched=false`): the baseline, measured in the same run, for the batched
bake-off the demo uses. Both bake-offs must give the same answers.

Run from this repository's root with `scaffolder` on PATH:

    python bench/hybrid_demo.py [--torch torch==2.13.0] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PACKAGE = "benchhybrid"
# The project's own .venv, as on a fresh machine: an active virtual environment would be used.
ENV = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}


def render(dest: Path) -> Path:
    subprocess.run(
        ["scaffolder", "new", str(dest), "--approach", "hybrid", "--defaults", "--no-git"]
        + ["--set", f"project_name={PACKAGE}"],
        check=True,
        capture_output=True,
        stdin=subprocess.DEVNULL,
    )
    return dest


def timed(command: list[str], project: Path) -> float:
    """Seconds `command` takes in the project folder; its output is kept only on failure."""
    start = time.perf_counter()
    done = subprocess.run(command, cwd=project, capture_output=True, text=True, env=ENV)
    if done.returncode:
        sys.exit(f"{shlex.join(command)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return time.perf_counter() - start


def demo_commands(project: Path, torch: str) -> list[list[str]]:
    """The project commands of `make demo`, as make would run them (echo lines left out)."""
    listed = subprocess.run(
        ["make", "-s", "-n", "demo", f"TORCH={torch}"],
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
        env=ENV,
    ).stdout
    return [shlex.split(line) for line in listed.splitlines() if f" -m {PACKAGE} " in line]


def answers(project: Path) -> dict[tuple[str, str], str]:
    rows = (project / "reports" / "compare-answers.jsonl").read_text().splitlines()
    return {(r["system"], r["question"]): r["answer"] for r in map(json.loads, rows)}


def measure(project: Path, torch: str) -> dict:
    stages = {"make install": timed(["make", "install", f"TORCH={torch}"], project)}
    compare_command: list[str] = []
    for command in demo_commands(project, torch):
        stages[command[3]] = timed(command, project)
        if command[3] == "compare":
            compare_command = command
    batched = answers(project)
    one_at_a_time = timed([*compare_command, "--set", "compare.batched=false"], project)
    return {
        "stages": {name: round(seconds, 1) for name, seconds in stages.items()},
        "demo_seconds": round(sum(stages.values()), 1),
        "compare_batched_seconds": round(stages["compare"], 1),
        "compare_one_at_a_time_seconds": round(one_at_a_time, 1),
        "same_answers": answers(project) == batched,
    }


def markdown(result: dict) -> str:
    total = result["demo_seconds"]
    lines = ["| stage | seconds | share |", "|---|---|---|"]
    lines += [
        f"| {name} | {seconds:.1f} | {seconds / total:.0%} |"
        for name, seconds in result["stages"].items()
    ]
    lines.append(f"| **make demo, bare render** | **{total:.1f}** | 100% |")
    batched, alone = result["compare_batched_seconds"], result["compare_one_at_a_time_seconds"]
    lines += [
        "",
        "| bake-off | seconds | x one at a time |",
        "|---|---|---|",
        f"| one question at a time (baseline) | {alone:.1f} | 1.00 |",
        f"| batched (the demo's) | {batched:.1f} | {batched / alone:.2f} |",
        "",
        f"same answers both ways: {result['same_answers']}",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--torch", default="torch==2.13.0", help="TORCH for the project's make")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    ENV.setdefault("HF_HUB_OFFLINE", "1")
    with tempfile.TemporaryDirectory() as tmp:
        result = measure(render(Path(tmp) / PACKAGE), args.torch)
    print(markdown(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
