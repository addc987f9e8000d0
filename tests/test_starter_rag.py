"""The rag starter: it renders, its own test suite passes, and the task answer shapes it."""

from __future__ import annotations

import pytest
import yaml
from conftest import run_make


@pytest.mark.slow
def test_the_rag_starter_passes_its_own_tests(render, starter_env):
    project = render("rag")
    run_make(project, "test", starter_env)


def sample_files(project):
    return sorted(
        p.relative_to(project).as_posix()
        for p in (project / "data" / "docs").rglob("*")
        if p.is_file()
    )


def evaluation_set(project):
    return yaml.safe_load((project / "evaluation" / "questions.yaml").read_text())["questions"]


def test_qa_renders_a_company_knowledge_base_of_markdown_html_and_a_pdf(render):
    project = render("rag", task="qa")
    files = sample_files(project)
    assert {f.rsplit(".", 1)[1] for f in files} == {"md", "html", "pdf"}
    assert (
        (project / files[[f.endswith(".pdf") for f in files].index(True)])
        .read_bytes()
        .startswith(b"%PDF-")
    )
    questions = evaluation_set(project)
    assert len(questions) >= 40
    assert any(q["answer"] is None and q["expected_sources"] == [] for q in questions)
    assert {s for q in questions for s in q["expected_sources"]} <= set(files)
    assert "Answer in one or two short sentences" in (project / "config" / "rag.yaml").read_text()


@pytest.mark.parametrize(
    "task, prompt_word", [("classification", "label"), ("summarization", "Summarise")]
)
def test_the_task_picks_its_own_sample_data_prompt_and_evaluation_set(render, task, prompt_word):
    qa = sample_files(render("rag", name="qa-app", task="qa"))
    project = render("rag", task=task)
    files = sample_files(project)
    assert files and not set(files) & set(qa), "each task ships its own documents"
    assert any(f.endswith(".pdf") for f in files) and any(f.endswith(".html") for f in files)
    questions = evaluation_set(project)
    assert len(questions) >= 20
    assert {s for q in questions for s in q["expected_sources"]} <= set(files)
    assert any(not q["expected_sources"] for q in questions)
    config = yaml.safe_load((project / "config" / "rag.yaml").read_text())
    assert prompt_word in config["answer"]["task_instruction"]


@pytest.mark.parametrize(
    "answers, kind",
    [
        ({}, "lancedb"),
        ({"knowledge_size": "large"}, "chroma"),
        ({"vector_store": "chroma_persistent"}, "chroma_persistent"),
        ({"vector_store": "qdrant"}, "qdrant"),
        ({"vector_store": "pgvector"}, "pgvector"),
    ],
)
def test_the_store_question_and_knowledge_size_pick_the_vector_store(render, answers, kind):
    config = yaml.safe_load((render("rag", **answers) / "config" / "rag.yaml").read_text())
    assert config["store"]["kind"] == kind


def test_the_code_task_chunks_python_files_at_definitions_by_default(render):
    code = yaml.safe_load((render("rag", task="code") / "config" / "rag.yaml").read_text())
    qa = yaml.safe_load(
        (render("rag", name="qa-app", task="qa") / "config" / "rag.yaml").read_text()
    )
    assert code["chunking"]["splitter"] == "code" and ".py" in code["data"]["file_types"]
    assert qa["chunking"]["splitter"] == "sentence" and ".py" not in qa["data"]["file_types"]


def test_citations_answer_makes_citations_mandatory(render):
    on = yaml.safe_load(
        (render("rag", name="on", citations=True) / "config" / "rag.yaml").read_text()
    )
    off = yaml.safe_load(
        (render("rag", name="off", citations=False) / "config" / "rag.yaml").read_text()
    )
    assert on["answer"]["require_citations"] is True
    assert off["answer"]["require_citations"] is False


def test_finetune_is_not_asked_the_rag_questions(render):
    answers = yaml.safe_load((render("finetune") / ".copier-answers.yml").read_text())
    assert "vector_store" not in answers and "llm_provider" not in answers


def test_make_demo_ingests_then_asks_in_one_chat_then_evaluates_saying_what_each_step_does(
    render,
):
    makefile = (render("rag") / "Makefile").read_text()
    recipe = makefile.split("\ndemo:", 1)[1].split("\n\n", 1)[0].splitlines()[1:]
    commands = [
        line.split("python -m ", 1)[1].split()[:2] for line in recipe if "python -m" in line
    ]
    assert commands == [["demo_app", "ingest"], ["demo_app", "chat"], ["demo_app", "evaluate"]]
    steps = [line for line in recipe if line.strip().startswith("@echo") and "== " in line]
    assert len(steps) == len(commands)
