"""`new --data` (the user's files instead of the samples) and `new` against the recommendation."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml
from conftest import run_make

LABELS = ("positive", "negative", "neutral")
PHRASES = {
    "positive": ("beat estimates", "record profit", "raised its guidance"),
    "negative": ("warned of headwinds", "missed forecasts", "announced layoffs"),
    "neutral": ("held its dividend steady", "reported flat revenue", "kept its outlook"),
}


def headlines(n: int) -> list[dict]:
    rows = []
    for i in range(n):
        label = LABELS[i % 3]
        rows.append(
            {"text": f"Company {i} {PHRASES[label][i % 3]} this quarter.", "sentiment": label}
        )
    return rows


def write_jsonl(path: Path, rows) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def scaffolder(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "scaffolder", *args],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        cwd=cwd,
        timeout=300,
    )


def new(dest: Path, *args: str) -> subprocess.CompletedProcess:
    result = scaffolder("new", str(dest), "--defaults", "--no-git", *args)
    assert result.returncode == 0, result.stderr
    return result


def rows_of(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def answers_of(project: Path) -> dict:
    return yaml.safe_load((project / ".copier-answers.yml").read_text())


# Labeled rows into a fine-tuning project ------------------------------------------------------


def test_one_file_of_rows_is_split_80_10_10_per_label(tmp_path):
    data = write_jsonl(tmp_path / "in" / "headlines.jsonl", headlines(300))
    project = tmp_path / "p"
    new(project, "--approach", "finetune", "--set", "task=classification", "--data", str(data))
    splits = {
        s: rows_of(project / "data" / "own" / f"{s}.jsonl") for s in ("train", "validation", "test")
    }
    assert {s: len(r) for s, r in splits.items()} == {"train": 240, "validation": 30, "test": 30}
    for rows in splits.values():
        assert Counter(r["label"] for r in rows) == Counter(
            {label: len(rows) // 3 for label in LABELS}
        )
    assert splits["train"][0].keys() == {
        "text",
        "label",
    }  # 'sentiment' became the starter's 'label'


def test_the_split_is_the_same_every_time(tmp_path):
    data = write_jsonl(tmp_path / "in" / "headlines.jsonl", headlines(120))
    for name in ("a", "b"):
        new(
            tmp_path / name,
            "--approach",
            "finetune",
            "--set",
            "task=classification",
            "--data",
            str(data),
        )
    for split in ("train", "validation", "test"):
        assert (tmp_path / "a" / "data" / "own" / f"{split}.jsonl").read_text() == (
            tmp_path / "b" / "data" / "own" / f"{split}.jsonl"
        ).read_text()


def test_the_config_reads_the_users_rows_and_the_samples_stay_for_the_tests(tmp_path):
    data = write_jsonl(tmp_path / "in" / "rows.jsonl", headlines(60))
    project = tmp_path / "p"
    new(project, "--approach", "finetune", "--set", "task=classification", "--data", str(data))
    config = yaml.safe_load((project / "config" / "train.yaml").read_text())
    assert config["data_dir"] == "data/own"
    assert (project / "data" / "sample" / "train.jsonl").is_file()


def test_train_validation_and_test_files_are_kept_as_given(tmp_path):
    folder = tmp_path / "in"
    for split, n in (("train", 30), ("valid", 6), ("test", 9)):
        write_jsonl(folder / f"{split}.jsonl", headlines(n))
    project = tmp_path / "p"
    new(project, "--approach", "finetune", "--set", "task=classification", "--data", str(folder))
    counts = {
        s: len(rows_of(project / "data" / "own" / f"{s}.jsonl"))
        for s in ("train", "validation", "test")
    }
    assert counts == {"train": 30, "validation": 6, "test": 9}


def test_generation_rows_with_other_field_names_become_prompt_and_completion(tmp_path):
    data = tmp_path / "in" / "notes.csv"
    data.parent.mkdir()
    data.write_text(
        "document,summary\n"
        + "".join(
            f'"Long claim note number {i} about a water leak in the kitchen.",Leak {i}.\n'
            for i in range(40)
        )
    )
    project = tmp_path / "p"
    new(project, "--approach", "finetune", "--set", "task=summarization", "--data", str(data))
    row = rows_of(project / "data" / "own" / "train.jsonl")[0]
    assert row.keys() == {"prompt", "completion"} and row["completion"].startswith("Leak ")


def test_bad_rows_are_reported_by_file_and_line_and_nothing_is_written(tmp_path):
    data = write_jsonl(tmp_path / "in" / "rows.jsonl", headlines(20))
    with data.open("a") as handle:
        handle.write('{"text": "no label here"}\n')
        handle.write("{not json\n")
    project = tmp_path / "p"
    result = scaffolder(
        "new",
        str(project),
        "--approach",
        "finetune",
        "--defaults",
        "--no-git",
        "--set",
        "task=classification",
        "--data",
        str(data),
    )
    assert result.returncode == 2
    assert f"{data}:21: needs a non-empty label" in result.stderr
    assert f"{data}:22: not valid JSON" in result.stderr
    assert "Traceback" not in result.stderr
    assert not project.exists()
    assert list(tmp_path.iterdir()) == [tmp_path / "in"]  # no staging folder left behind


def test_too_few_rows_to_hold_out_a_test_split_is_refused(tmp_path):
    data = write_jsonl(tmp_path / "in" / "rows.jsonl", headlines(12))
    result = scaffolder(
        "new",
        str(tmp_path / "p"),
        "--approach",
        "finetune",
        "--defaults",
        "--no-git",
        "--set",
        "task=classification",
        "--data",
        str(data),
    )
    assert result.returncode == 2
    assert "too few to hold out" in result.stderr


def test_data_the_starter_cannot_use_is_refused(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "guide.md").write_text("# Guide\n")
    result = scaffolder(
        "new",
        str(tmp_path / "p"),
        "--approach",
        "finetune",
        "--defaults",
        "--no-git",
        "--data",
        str(docs),
    )
    assert result.returncode == 2
    assert "nothing the finetune starter can use" in result.stderr
    assert not (tmp_path / "p").exists()


def test_data_implies_evidence_and_its_answers_are_recorded(tmp_path):
    data = write_jsonl(tmp_path / "in" / "rows.jsonl", headlines(1200))
    project = tmp_path / "p"
    result = new(
        project,
        "--set",
        "training_budget=true",
        "--set",
        "knowledge_change=rarely",
        "--data",
        str(data),
    )
    assert "1,200 labeled rows in rows.jsonl" in result.stdout
    answers = answers_of(project)
    assert answers["labeled_data"] == "many" and answers["task"] == "classification"
    assert answers["approach"] == "finetune" and answers["approach_override"] is False


@pytest.mark.slow
def test_make_demo_trains_and_evaluates_on_the_users_rows(tmp_path, starter_env):
    data = write_jsonl(tmp_path / "in" / "headlines.jsonl", headlines(240))
    project = tmp_path / "p"
    new(
        project,
        "--approach",
        "finetune",
        "--set",
        "task=classification",
        "--set",
        "project_name=own-rows",
        "--data",
        str(data),
    )
    # Fewer steps than the demo's own 10 epochs: this shows the demo runs on the user's rows.
    output = run_make(project, "demo", starter_env, "DEMO_SET=--set max_steps=10").stdout
    assert "240 valid rows" in output  # data check ran on the user's rows, not the 750 samples
    assert "train          192 valid rows" in output
    assert "labels: negative 80, neutral 80, positive 80" in output
    assert "macro_f1" in output and "tuned" in output  # evaluate compared base and tuned


# Documents into a RAG or hybrid project -----------------------------------------------------


def knowledge(folder: Path) -> Path:
    (folder / "guides").mkdir(parents=True)
    (folder / "guides" / "returns.md").write_text(
        "# Returns\n\nItems can be returned within 60 days.\n\n"
        "## Refund timing\n\nRefunds take 5 days.\n"
    )
    (folder / "faq.html").write_text(
        "<html><title>Shipping FAQ</title><h2>Express delivery</h2></html>"
    )
    (folder / "notes.txt").write_text("Warehouse opening hours\nMonday to Friday.\n")
    return folder


@pytest.mark.parametrize("approach,folder", [("rag", "data/docs"), ("hybrid", "data/knowledge")])
def test_documents_replace_the_samples_keeping_their_folders(tmp_path, approach, folder):
    docs = knowledge(tmp_path / "kb")
    project = tmp_path / "p"
    new(project, "--approach", approach, "--data", str(docs))
    copied = sorted(
        p.relative_to(project / folder).as_posix()
        for p in (project / folder).rglob("*")
        if p.is_file()
    )
    assert copied == ["faq.html", "guides/returns.md", "notes.txt"]


def test_evaluation_questions_are_built_from_titles_and_headings(tmp_path):
    project = tmp_path / "p"
    new(project, "--approach", "rag", "--data", str(knowledge(tmp_path / "kb")))
    questions = yaml.safe_load((project / "evaluation" / "questions.yaml").read_text())["questions"]
    asked = {q["question"]: q["expected_sources"] for q in questions}
    assert asked["What do the documents say about Returns?"] == ["data/docs/guides/returns.md"]
    assert asked["What do the documents say about Shipping FAQ?"] == ["data/docs/faq.html"]
    assert asked["What do the documents say about Warehouse opening hours?"] == [
        "data/docs/notes.txt"
    ]
    for sources in asked.values():
        assert all((project / s).is_file() for s in sources)
    assert (
        "Replace them with real questions"
        in (project / "evaluation" / "questions.yaml").read_text()
    )


def test_the_reference_answer_is_the_first_sentence_under_the_heading(tmp_path):
    project = tmp_path / "p"
    new(project, "--approach", "rag", "--data", str(knowledge(tmp_path / "kb")))
    questions = yaml.safe_load((project / "evaluation" / "questions.yaml").read_text())["questions"]
    answers = {q["question"]: q["answer"] for q in questions}
    assert answers["What do the documents say about Refund timing?"] == "Refunds take 5 days."
    assert answers["What do the documents say about Express delivery?"] is None  # no sentence


def test_the_sample_sets_unanswerable_questions_stay_as_refusals(tmp_path):
    project = tmp_path / "p"
    new(project, "--approach", "rag", "--data", str(knowledge(tmp_path / "kb")))
    questions = yaml.safe_load((project / "evaluation" / "questions.yaml").read_text())["questions"]
    refusals = [q for q in questions if not q["expected_sources"]]
    assert refusals and all(q["answer"] is None for q in refusals)
    assert not any(q["question"].endswith("Returns?") for q in refusals)


def test_hybrid_training_questions_quote_their_document_and_are_not_evaluated(tmp_path):
    docs = tmp_path / "kb"
    docs.mkdir()
    for n in range(4):
        (docs / f"topic-{n}.md").write_text(
            f"# Topic {n}\n\nTopic {n} opens at {n + 8} o'clock every weekday.\n\n"
            f"## Fees {n}\n\nThe fee for topic {n} is {n + 2} euros per month.\n"
        )
    project = tmp_path / "p"
    new(project, "--approach", "hybrid", "--data", str(docs))
    pairs = rows_of(project / "data" / "qa" / "train.jsonl")
    assert pairs
    for pair in pairs:
        assert pair["evidence"] in (project / pair["source"]).read_text()
        assert pair["answer"] == pair["evidence"]
    held_out = yaml.safe_load((project / "evaluation" / "questions.yaml").read_text())["questions"]
    assert {q["question"] for q in held_out}.isdisjoint(p["question"] for p in pairs)
    # Each of the 8 sentences under a heading either trains or is held out, never both.
    assert len(pairs) + len([q for q in held_out if q["answer"]]) == 8


def test_the_demo_asks_the_first_built_questions(tmp_path):
    project = tmp_path / "p"
    new(project, "--approach", "rag", "--data", str(knowledge(tmp_path / "kb")))
    questions = yaml.safe_load((project / "evaluation" / "questions.yaml").read_text())["questions"]
    demo = (project / "evaluation" / "demo-questions.txt").read_text().splitlines()
    assert demo == [q["question"] for q in questions[:3]]


# Choosing against the recommendation --------------------------------------------------------


def test_approach_against_the_recommendation_warns_on_stderr_and_is_recorded(tmp_path):
    project = tmp_path / "p"
    result = new(project, "--approach", "finetune", "--set", "task=qa", "--set", "citations=true")
    assert "fine-tuning goes against the recommendation, RAG" in result.stderr
    assert "citations=true" in result.stderr  # a reason for RAG
    assert "labeled_data" in result.stderr  # and an assumption behind it
    assert answers_of(project)["approach_override"] is True


def test_approach_that_agrees_is_recorded_as_no_override(tmp_path):
    project = tmp_path / "p"
    result = new(project, "--approach", "rag", "--set", "task=qa")
    assert "against the recommendation" not in result.stderr
    assert answers_of(project)["approach_override"] is False


def test_the_override_cannot_be_set_by_hand(tmp_path):
    result = scaffolder(
        "new",
        str(tmp_path / "p"),
        "--approach",
        "rag",
        "--defaults",
        "--set",
        "approach_override=true",
    )
    assert result.returncode == 2
    assert "set by scaffolder itself" in result.stderr


def test_new_for_a_multimodal_task_says_the_starters_are_text_only(tmp_path):
    result = new(tmp_path / "p", "--approach", "finetune", "--set", "task=multimodal")
    assert "text-only" in result.stderr and "speech-to-text" in result.stderr
