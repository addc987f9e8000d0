"""Rendering: every starter gets the shared skeleton, records its answers, and fails atomically."""

import shutil
import subprocess

import pytest
import tomllib
import yaml
from conftest import run_make

import scaffolder
from scaffolder.catalog import bundled_templates
from scaffolder.errors import InvalidInput, RenderFailed

APPROACHES = ["rag", "finetune", "hybrid"]
SKELETON = [
    "pyproject.toml",
    "README.md",
    "Makefile",
    ".env.example",
    ".gitignore",
    ".pre-commit-config.yaml",
    ".github/workflows/ci.yml",
    ".copier-answers.yml",
    "src/acme_bot/__init__.py",
    "src/acme_bot/__main__.py",
    "src/acme_bot/cli.py",
    "tests",
]


@pytest.mark.parametrize("approach", APPROACHES)
def test_every_starter_renders_the_shared_skeleton(render, approach):
    project = render(approach, name="acme-bot")
    for path in SKELETON:
        assert (project / path).exists(), path


@pytest.mark.parametrize("approach", APPROACHES)
def test_readme_starts_with_the_two_commands(render, approach):
    readme = (render(approach) / "README.md").read_text()
    first_block = readme.split("```")[1]
    assert "make demo" in first_block and "make test" in first_block


@pytest.mark.parametrize("approach", APPROACHES)
def test_pyproject_declares_a_console_script_for_the_package(render, approach):
    project = render(approach, name="acme-bot")
    metadata = tomllib.loads((project / "pyproject.toml").read_text())
    assert metadata["project"]["name"] == "acme-bot"
    assert metadata["project"]["scripts"]["acme-bot"] == "acme_bot.cli:main"


def test_every_decision_answer_and_the_approach_are_recorded(render):
    project = render("rag", task="summarization", citations="true")
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["approach"] == "rag"
    assert answers["task"] == "summarization" and answers["citations"] is True
    for question in scaffolder.decide({}).answers:
        assert question in answers
    assert answers["template_version"] == scaffolder.__version__


def test_a_template_error_halfway_leaves_no_destination(tmp_path):
    broken = tmp_path / "broken-templates"
    shutil.copytree(bundled_templates(), broken)
    (broken / "rag" / "zz-broken.txt.jinja").write_text("{{ undefined_function() }}")
    dest = tmp_path / "out" / "app"
    with pytest.raises(RenderFailed):
        scaffolder.new(dest, approach="rag", template=broken, defaults=True, git=False)
    assert not (tmp_path / "out").exists()


def test_a_template_error_keeps_an_existing_folder_untouched(tmp_path):
    broken = tmp_path / "broken-templates"
    shutil.copytree(bundled_templates(), broken)
    (broken / "rag" / "zz-broken.txt.jinja").write_text("{{ undefined_function() }}")
    dest = tmp_path / "app"
    dest.mkdir()
    (dest / "keep.txt").write_text("mine")
    with pytest.raises(RenderFailed):
        scaffolder.new(dest, approach="rag", template=broken, defaults=True, git=False, force=True)
    assert [p.name for p in dest.iterdir()] == ["keep.txt"]
    assert [p.name for p in tmp_path.iterdir()] == sorted(["app", "broken-templates"])


@pytest.mark.parametrize(
    ("task", "shipped", "absent"),
    [
        ("qa", "products/summit-stove.html", "community-policies"),
        ("code", "products/summit-stove.html", "field-reports"),
        ("classification", "community-policies/allowed-content.md", "products"),
        ("summarization", "field-reports/trailhead-2-field-test.md", "handbook"),
    ],
)
def test_the_rag_sample_set_follows_the_task_in_documents_questions_and_task_text(
    render, task, shipped, absent
):
    project = render("rag", task=task)
    docs = project / "data" / "docs"
    assert (docs / shipped).is_file() and not (docs / absent).exists()
    config = yaml.safe_load((project / "config" / "rag.yaml").read_text())
    questions = yaml.safe_load((project / "evaluation" / "questions.yaml").read_text())
    demo = (project / "evaluation" / "demo-questions.txt").read_text().splitlines()
    sources = {s for q in questions["questions"] for s in q.get("expected_sources") or []}
    assert sources and all((project / source).is_file() for source in sources)
    assert len(demo) == 3 and config["answer"]["system_prompt"].startswith("You ")


def test_the_sample_set_is_computed_and_cannot_be_answered(tmp_path):
    with pytest.raises(InvalidInput, match="unknown question id 'sample_set'"):
        scaffolder.new(tmp_path / "x", approach="rag", answers={"sample_set": "kb"}, defaults=True)
    assert not (tmp_path / "x").exists()


def test_unknown_approach_is_refused_with_the_choices(tmp_path):
    with pytest.raises(InvalidInput, match="rag, finetune, hybrid"):
        scaffolder.new(tmp_path / "x", approach="agents", defaults=True)


@pytest.mark.slow
@pytest.mark.parametrize("approach", APPROACHES)
def test_generated_project_sets_itself_up_in_a_fresh_venv(render, fresh_env, approach):
    """The full starter suites run in the shared environment (tests/test_starter_*.py); here
    `make test` builds .venv from nothing and runs the skeleton's tests in it."""
    project = render(approach)
    run_make(project, "test", fresh_env, "PYTEST_ARGS=tests/test_about.py")
    assert (project / ".venv" / "bin" / "python").exists()


def test_force_refuses_a_file_where_the_template_makes_a_folder(tmp_path):
    dest = tmp_path / "app"
    dest.mkdir()
    (dest / "README.md").write_text("mine")
    (dest / "src").write_text("a file where the template makes a folder")
    with pytest.raises(InvalidInput, match=r"src is in the way: the template makes a folder"):
        scaffolder.new(dest, approach="rag", defaults=True, git=False, force=True)
    assert sorted(p.name for p in dest.iterdir()) == ["README.md", "src"]
    assert (dest / "README.md").read_text() == "mine"
    assert [p.name for p in tmp_path.iterdir()] == ["app"]


def test_force_into_an_empty_folder_makes_the_first_commit_there(tmp_path):
    dest = tmp_path / "app"
    dest.mkdir()
    scaffolder.new(dest, approach="rag", defaults=True, force=True)
    log = subprocess.run(
        ["git", "log", "--oneline"], cwd=dest, capture_output=True, text=True, check=True
    )
    assert "Initial project from scaffolder" in log.stdout
