"""`--evidence`: answers derived from the user's own files, each rule on files the tests make."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pexpect
import pytest
from click.testing import CliRunner

from scaffolder import decide
from scaffolder.cli import cli
from scaffolder.errors import InvalidInput
from scaffolder.evidence import gather

DAY = 86400


def write_jsonl(path: Path, rows) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def labeled(n: int, labels=("positive", "negative", "neutral")):
    return [
        {"text": f"row number {i} about earnings", "label": labels[i % len(labels)]}
        for i in range(n)
    ]


def answers_of(*paths) -> dict:
    return gather(paths).answers


def skipped_reasons(*paths) -> dict[str, str]:
    return {s.path: s.reason for s in gather(paths).skipped}


# Labeled rows: how many -------------------------------------------------------------------


@pytest.mark.parametrize(
    "rows,expected", [(10, "none"), (99, "none"), (100, "few"), (1000, "few"), (1001, "many")]
)
def test_labeled_row_count_answers_labeled_data_by_the_questionnaires_thresholds(
    tmp_path, rows, expected
):
    write_jsonl(tmp_path / "train.jsonl", labeled(rows))
    assert answers_of(tmp_path)["labeled_data"] == expected


def test_rows_are_counted_across_every_file_given(tmp_path):
    write_jsonl(tmp_path / "a" / "train.jsonl", labeled(600))
    write_jsonl(tmp_path / "b" / "more.jsonl", labeled(600))
    evidence = gather([tmp_path / "a", tmp_path / "b" / "more.jsonl"])
    assert evidence.answers["labeled_data"] == "many"
    assert "1,200 labeled rows in 2 files" in evidence.finding("labeled_data").found


def write_csv(path: Path, rows) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.mark.parametrize(
    "name,write",
    [
        ("rows.jsonl", write_jsonl),
        ("rows.csv", write_csv),
        ("rows.json", lambda p, rows: p.write_text(json.dumps(rows))),
        ("wrapped.json", lambda p, rows: p.write_text(json.dumps({"data": rows}))),
    ],
)
def test_jsonl_csv_and_json_rows_are_all_read(tmp_path, name, write):
    write(tmp_path / name, labeled(150))
    found = gather([tmp_path]).finding("labeled_data")
    assert found.answer == "few"
    assert found.found == f"150 labeled rows in {name} (3 labels)"


# Labeled rows: the task shape from the fields ---------------------------------------------


def chat(i):
    return {
        "messages": [
            {"role": "user", "content": f"question {i}"},
            {"role": "assistant", "content": f"answer {i}"},
        ]
    }


LONG = "The quarterly report describes revenue, costs, guidance and risks in detail. " * 5

SHAPES = {
    "chat turns": ([chat(i) for i in range(120)], "chatbot"),
    "JSON objects as outputs": (
        [
            {"input": f"claim form {i}", "output": {"policy": str(i), "amount": i}}
            for i in range(120)
        ],
        "extraction",
    ),
    "JSON objects written as strings": (
        [{"prompt": f"form {i}", "completion": json.dumps({"id": i})} for i in range(120)],
        "extraction",
    ),
    "a named label field": (labeled(120), "classification"),
    "a completion with few distinct values": (
        [{"prompt": f"review {i}", "completion": ["good", "bad"][i % 2]} for i in range(120)],
        "classification",
    ),
    "outputs much shorter than inputs": (
        [
            {"document": f"{LONG} {i}", "summary": f"Revenue rose in quarter {i}."}
            for i in range(120)
        ],
        "summarization",
    ),
}


@pytest.mark.parametrize("case", SHAPES, ids=list(SHAPES))
def test_the_fields_of_the_rows_answer_task(tmp_path, case):
    rows, task = SHAPES[case]
    write_jsonl(tmp_path / "rows.jsonl", rows)
    assert answers_of(tmp_path)["task"] == task


def test_rows_whose_shape_is_unclear_count_but_do_not_answer_task(tmp_path):
    rows = [
        {"prompt": f"Write a tagline for product {i}", "completion": f"Tagline {i}, bold and new"}
        for i in range(120)
    ]
    write_jsonl(tmp_path / "rows.jsonl", rows)
    answers = answers_of(tmp_path)
    assert answers["labeled_data"] == "few"
    assert "task" not in answers


# Documents: size --------------------------------------------------------------------------


def make_documents(folder: Path, count: int, size: int = 100) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        (folder / f"page-{i}.md").write_text("x" * size)
    return folder


@pytest.mark.parametrize("count,expected", [(5, "small"), (999, "small"), (1000, "large")])
def test_document_count_answers_knowledge_size(tmp_path, count, expected):
    assert answers_of(make_documents(tmp_path / "docs", count))["knowledge_size"] == expected


def test_document_bytes_answer_knowledge_size(tmp_path):
    docs = make_documents(tmp_path / "docs", 3)
    with (docs / "manual.pdf").open("wb") as handle:
        handle.truncate(25_000_000)  # sparse: the size is what is counted
    found = gather([docs]).finding("knowledge_size")
    assert found.answer == "large"
    assert found.found == "4 documents, 25.0 MB in total"


# Documents: how often they change -----------------------------------------------------------


def git(repo: Path, *args, when: float | None = None):
    stamp = f"@{int(when)} +0000" if when else None
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@localhost",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@localhost",
    }
    if stamp:
        env.update(GIT_AUTHOR_DATE=stamp, GIT_COMMITTER_DATE=stamp)
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


def repo_with_commits(repo: Path, days_ago: list[float], folder: str = "docs") -> Path:
    """A git repository whose `folder` got one commit on each of the given days (back-dated)."""
    repo.mkdir(parents=True, exist_ok=True)
    git(repo, "init", "-q")
    (repo / folder).mkdir(exist_ok=True)
    for n, days in enumerate(sorted(days_ago, reverse=True)):
        (repo / folder / "policy.md").write_text(f"version {n}\n")
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", f"edit {n}", when=time.time() - days * DAY)
    return repo


# The first commit, 120 days ago, lies outside the 90-day window; the rest are inside it.
CHANGE_BY_GIT = {
    "daily: 60 commits in 90 days": ([120] + [d * 1.5 for d in range(60)], "daily"),
    "weekly: 20 commits in 90 days": ([120] + [d * 4 for d in range(20)], "weekly"),
    "monthly: 4 commits in 90 days": ([120] + [d * 20 for d in range(4)], "monthly"),
    "rarely: 1 commit in 90 days": ([120, 30], "rarely"),
    "rarely: none in 90 days": ([400, 120], "rarely"),
}


@pytest.mark.parametrize("case", CHANGE_BY_GIT, ids=list(CHANGE_BY_GIT))
def test_git_commits_per_week_answer_knowledge_change(tmp_path, case):
    days_ago, expected = CHANGE_BY_GIT[case]
    repo = repo_with_commits(tmp_path / "repo", days_ago)
    found = gather([repo / "docs"]).finding("knowledge_change")
    assert found.answer == expected
    assert "commits in the last 90 days" in found.found


def test_only_commits_touching_the_folder_count(tmp_path):
    repo = repo_with_commits(tmp_path / "repo", [120, 30], folder="docs")
    for n in range(60):
        (repo / "code.py").write_text(f"x = {n}\n")
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", f"code {n}", when=time.time() - n * DAY)
    assert answers_of(repo / "docs")["knowledge_change"] == "rarely"


def test_a_history_younger_than_two_weeks_gives_no_answer_and_says_why(tmp_path):
    repo = repo_with_commits(tmp_path / "repo", [5, 3, 1])
    evidence = gather([repo / "docs"])
    assert "knowledge_change" not in evidence.answers
    assert "needs 14 days" in skipped_reasons(repo / "docs")[str(repo / "docs")]


def touched(folder: Path, days_ago: list[float]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for n, days in enumerate(days_ago):
        page = folder / f"page-{n}.md"
        page.write_text("text")
        stamp = time.time() - days * DAY
        os.utime(page, (stamp, stamp))
    return folder


CHANGE_BY_MTIME = {
    "daily: a file modified on 60 days of 90": ([d * 1.5 for d in range(60)] + [120], "daily"),
    "weekly: on 20 days": ([d * 4 for d in range(20)] + [120], "weekly"),
    "monthly: on 4 days": ([d * 20 for d in range(4)] + [120], "monthly"),
    "rarely: nothing for 200 days": ([200, 250, 300], "rarely"),
}


@pytest.mark.parametrize("case", CHANGE_BY_MTIME, ids=list(CHANGE_BY_MTIME))
def test_outside_git_modification_days_answer_knowledge_change(tmp_path, case):
    days_ago, expected = CHANGE_BY_MTIME[case]
    found = gather([touched(tmp_path / "docs", days_ago)]).finding("knowledge_change")
    assert found.answer == expected
    assert "days with modified files" in found.found


# What cannot be read ------------------------------------------------------------------------


UNREADABLE = {
    "undecodable bytes": ("rows.jsonl", b"\xff\xfe\x00garbage", "cannot read"),
    "malformed JSON": ("rows.json", b'{"data": [1, 2', "cannot read"),
    "JSON that is not a list of rows": ("rows.json", b'{"a": 1, "b": 2}', "list of objects"),
    "rows without labeled fields": ("rows.csv", b"name,colour\nx,red\ny,blue\n", "found colour"),
    "an empty file": ("rows.jsonl", b"", "no rows"),
}


@pytest.mark.parametrize("case", UNREADABLE, ids=list(UNREADABLE))
def test_unusable_files_are_listed_with_the_reason_and_skipped(tmp_path, case):
    name, content, reason = UNREADABLE[case]
    (tmp_path / name).write_bytes(content)
    write_jsonl(tmp_path / "good.jsonl", labeled(150))
    evidence = gather([tmp_path])
    assert evidence.answers["labeled_data"] == "few"
    assert reason in skipped_reasons(tmp_path)[str(tmp_path / name)]


def test_a_broken_link_is_listed_not_a_crash(tmp_path):
    (tmp_path / "gone.md").symlink_to(tmp_path / "nowhere.md")
    assert "cannot read" in skipped_reasons(tmp_path)[str(tmp_path / "gone.md")]


def test_files_of_other_types_are_counted_per_type(tmp_path):
    for n in range(3):
        (tmp_path / f"photo-{n}.png").write_bytes(b"\x89PNG")
    assert skipped_reasons(tmp_path) == {
        f"{tmp_path} (3 *.png files)": "neither documents nor labeled rows"
    }


def test_hidden_folders_such_as_git_are_not_read(tmp_path):
    repo = repo_with_commits(tmp_path / "repo", [120, 30])
    evidence = gather([repo])
    assert evidence.finding("knowledge_size").found.startswith("1 documents")
    assert not any(".git" in s.path for s in evidence.skipped)


def test_a_missing_path_is_bad_input(tmp_path):
    with pytest.raises(InvalidInput, match="evidence path not found"):
        gather([tmp_path / "nope"])


# Precedence and the decision ----------------------------------------------------------------


def test_evidence_answers_feed_the_decision_and_are_reported(tmp_path):
    write_jsonl(tmp_path / "train.jsonl", labeled(1500))
    recommendation = decide({"training_budget": True}, evidence=gather([tmp_path]))
    assert recommendation.answers["labeled_data"] == "many"
    assert recommendation.answers["task"] == "classification"
    assert "labeled_data" not in recommendation.assumed
    assert recommendation.approach == "finetune"
    assert recommendation.to_dict()["evidence"][0] == {
        "question": "labeled_data",
        "answer": "many",
        "found": "1,500 labeled rows in train.jsonl (3 labels)",
        "used": True,
    }


PRECEDENCE = {
    "evidence beats the default": ([], "many"),
    "the answers file beats evidence": (["--answers", "{file}"], "few"),
    "--set beats the answers file": (["--answers", "{file}", "--set", "labeled_data=none"], "none"),
}


@pytest.mark.parametrize("case", PRECEDENCE, ids=list(PRECEDENCE))
def test_precedence_is_set_then_answers_file_then_evidence_then_defaults(tmp_path, case):
    extra, expected = PRECEDENCE[case]
    write_jsonl(tmp_path / "data" / "train.jsonl", labeled(1500))
    answers = tmp_path / "answers.yml"
    answers.write_text("labeled_data: few\n")
    args = [a.format(file=answers) for a in extra]
    result = CliRunner().invoke(
        cli, ["decide", "--json", "--evidence", str(tmp_path / "data"), *args]
    )
    data = json.loads(result.stdout)
    labeled_data = next(e for e in data["evidence"] if e["question"] == "labeled_data")
    assert labeled_data["used"] == (expected == "many")
    reasons = {r["question"]: r["answer"] for r in data["reasons"]}
    assert reasons["labeled_data"] == expected


def test_decide_text_lists_the_evidence_with_where_it_came_from(tmp_path):
    write_jsonl(tmp_path / "train.jsonl", labeled(1500))
    (tmp_path / "logo.png").write_bytes(b"\x89PNG")
    result = CliRunner().invoke(cli, ["decide", "--defaults", "--evidence", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "labeled_data=many" in result.output
    assert "1,500 labeled rows in train.jsonl (3 labels)" in result.output
    assert "1 *.png file" in result.output


def test_evidence_answers_count_as_answered_without_a_terminal(tmp_path):
    write_jsonl(tmp_path / "train.jsonl", labeled(1500))
    result = CliRunner().invoke(cli, ["decide", "--evidence", str(tmp_path)])
    assert result.exit_code == 2
    missing = result.output.split("missing:")[1]
    assert "labeled_data" not in missing and "task" not in missing and "citations" in missing


def run_scaffolder(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "scaffolder", *args],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        cwd=cwd,
        timeout=60,
    )


def test_a_missing_evidence_path_exits_2_with_a_clear_message(tmp_path):
    result = run_scaffolder("decide", "--json", "--evidence", str(tmp_path / "nope"))
    assert result.returncode == 2
    assert f"evidence path not found: {tmp_path / 'nope'}" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_a_folder_of_garbage_is_reported_not_a_crash(tmp_path):
    (tmp_path / "rows.jsonl").write_bytes(b"\xff\xfe\x00")
    (tmp_path / "rows.json").write_text("[1, 2")
    (tmp_path / "dangling.md").symlink_to(tmp_path / "missing.md")
    result = run_scaffolder("decide", "--json", "--evidence", str(tmp_path))
    assert result.returncode == 0, result.stderr
    skipped = json.loads(result.stdout)["evidence_skipped"]
    assert {Path(s["path"]).name for s in skipped} == {"rows.jsonl", "rows.json", "dangling.md"}


def test_the_prompt_offers_the_evidence_answer_as_default_and_says_where_it_came_from(tmp_path):
    write_jsonl(tmp_path / "train.jsonl", labeled(1500))
    answered = [
        f"--set={q}=false"
        for q in (
            "citations",
            "style_consistency",
            "latency_critical",
            "external_context",
            "domain_language",
        )
    ]
    child = pexpect.spawn(
        sys.executable,
        [
            "-m",
            "scaffolder",
            "decide",
            "--evidence",
            str(tmp_path),
            "--set",
            "task=classification",
            "--set",
            "knowledge_change=rarely",
            "--set",
            "knowledge_size=small",
            "--set",
            "training_budget=true",
            *answered,
        ],
        env={**os.environ, "PROMPT_TOOLKIT_NO_CPR": "1", "NO_COLOR": "1"},
        encoding="utf-8",
        timeout=30,
        dimensions=(50, 160),
    )
    try:
        child.expect("How many quality labeled examples")
        child.expect(r"Many \(over 1,000\)  \(from your files: 1,500 labeled rows in train.jsonl")
        time.sleep(0.2)
        child.send("\r")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert "Recommendation: fine-tuning" in child.before
