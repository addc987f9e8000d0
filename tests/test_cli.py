"""The CLI through click's runner: output, exit codes, and nothing written on bad input."""

import json

import pytest
import yaml
from click.testing import CliRunner

from scaffolder import __version__
from scaffolder.cli import cli


@pytest.fixture
def invoke():
    def _invoke(*args, **kwargs):
        return CliRunner().invoke(cli, list(args), **kwargs)

    return _invoke


def test_version_is_printed(invoke):
    result = invoke("--version")
    assert result.exit_code == 0
    assert __version__ in result.output


def test_decide_json_prints_one_json_object(invoke):
    result = invoke("decide", "--json", "--set", "task=qa")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["approach"] in ("rag", "finetune", "hybrid")
    assert data["reasons"][0]["question"] == "task"


def test_decide_reads_an_answers_file_and_set_overrides_it(invoke, tmp_path):
    answers = tmp_path / "answers.yml"
    answers.write_text(
        "task: classification\nlabeled_data: many\ntraining_budget: true\n"
        "domain_language: true\nknowledge_change: rarely\n"
    )
    assert (
        json.loads(invoke("decide", "--json", "--answers", str(answers)).stdout)["approach"]
        == "finetune"
    )
    overridden = invoke("decide", "--json", "--answers", str(answers), "--set", "labeled_data=none")
    assert json.loads(overridden.stdout)["approach"] == "rag"


def test_decide_explains_the_recommendation_with_every_reason(invoke):
    result = invoke("decide", "--defaults", "--set", "task=chatbot", "--set", "citations=true")
    assert result.exit_code == 0, result.output
    assert "Recommendation: RAG" in result.output
    assert "citations=true" in result.output
    assert "Caveats:" in result.output


def test_decide_without_terminal_and_missing_answers_exits_2_listing_them(invoke):
    result = invoke("decide", "--set", "task=qa")
    assert result.exit_code == 2
    assert "knowledge_change" in result.output and "task," not in result.output


def test_decide_bad_value_exits_2_with_allowed_values(invoke):
    result = invoke("decide", "--json", "--set", "knowledge_change=hourly")
    assert result.exit_code == 2
    assert "rarely, monthly, weekly, daily" in result.output


def test_decide_unknown_id_exits_2_with_known_ids(invoke):
    result = invoke("decide", "--json", "--set", "colour=blue")
    assert result.exit_code == 2
    assert "'colour'" in result.output and "knowledge_size" in result.output


def test_decide_malformed_answers_file_names_the_line(invoke, tmp_path):
    answers = tmp_path / "a.yml"
    answers.write_text("task: qa\n  citations: true\n")
    result = invoke("decide", "--json", "--answers", str(answers))
    assert result.exit_code == 2
    assert "line 2" in result.output


def test_templates_lists_the_three_starters(invoke):
    result = invoke("templates")
    assert result.exit_code == 0
    names = [line.split()[0] for line in result.output.splitlines()[:3]]
    assert names == ["rag", "finetune", "hybrid"]


def test_new_with_approach_renders_records_answers_and_commits(invoke, tmp_path):
    dest = tmp_path / "support-bot"
    result = invoke(
        "new", str(dest), "--approach", "finetune", "--defaults", "--set", "task=classification"
    )
    assert result.exit_code == 0, result.output
    answers = yaml.safe_load((dest / ".copier-answers.yml").read_text())
    assert answers["approach"] == "finetune"
    assert answers["task"] == "classification"
    assert answers["project_name"] == "support-bot"
    assert answers["package_name"] == "support_bot"
    assert answers["template_version"] == __version__
    assert (dest / ".git").is_dir()
    assert "make demo" in result.output and "make test" in result.output


def test_new_without_approach_follows_the_recommendation(invoke, tmp_path):
    dest = tmp_path / "bank-bot"
    result = invoke(
        "new",
        str(dest),
        "--defaults",
        "--no-git",
        "--set",
        "task=chatbot",
        "--set",
        "knowledge_change=daily",
        "--set",
        "external_context=true",
        "--set",
        "style_consistency=true",
        "--set",
        "labeled_data=many",
        "--set",
        "training_budget=true",
    )
    assert result.exit_code == 0, result.output
    assert "Recommended: hybrid" in result.output
    assert yaml.safe_load((dest / ".copier-answers.yml").read_text())["approach"] == "hybrid"
    assert not (dest / ".git").exists()


def test_new_without_terminal_or_defaults_lists_missing_answers(invoke, tmp_path):
    dest = tmp_path / "app"
    result = invoke("new", str(dest), "--approach", "rag")
    assert result.exit_code == 2
    assert "project_name" in result.output and "description" in result.output
    assert not dest.exists()


@pytest.mark.parametrize("name", ["../escape", "/abs/path", "has space", "-dash-first"])
def test_new_refuses_a_bad_project_name_and_writes_nothing(invoke, tmp_path, name):
    dest = tmp_path / "app"
    result = invoke(
        "new", str(dest), "--approach", "rag", "--defaults", "--set", f"project_name={name}"
    )
    assert result.exit_code == 2
    assert "project_name" in result.output and "letters, digits" in result.output
    assert not dest.exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["1abc", "my-pkg", "../up", "Caps"])
def test_new_refuses_a_bad_package_name(invoke, tmp_path, name):
    result = invoke(
        "new",
        str(tmp_path / "app"),
        "--approach",
        "rag",
        "--defaults",
        "--set",
        f"package_name={name}",
    )
    assert result.exit_code == 2
    assert "package_name" in result.output and "identifier" in result.output


def test_new_refuses_a_non_empty_destination(invoke, tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    result = invoke("new", str(tmp_path), "--approach", "rag", "--defaults")
    assert result.exit_code == 2
    assert "not empty" in result.output and "--force" in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_new_force_renders_into_a_folder_without_deleting_other_files(invoke, tmp_path):
    dest = tmp_path / "app"
    dest.mkdir()
    (dest / "notes.txt").write_text("mine")
    result = invoke("new", str(dest), "--approach", "rag", "--defaults", "--force", "--no-git")
    assert result.exit_code == 0, result.output
    assert (dest / "notes.txt").read_text() == "mine"
    assert (dest / "pyproject.toml").is_file()


def test_new_unknown_set_id_names_decision_and_template_ids(invoke, tmp_path):
    result = invoke(
        "new", str(tmp_path / "x"), "--approach", "rag", "--defaults", "--set", "colour=red"
    )
    assert result.exit_code == 2
    assert "task" in result.output and "project_name" in result.output


def test_new_refuses_to_let_the_user_set_the_template_version(invoke, tmp_path):
    result = invoke(
        "new", str(tmp_path / "x"), "--approach", "rag", "--defaults", "--set", "template_version=9"
    )
    assert result.exit_code == 2
    assert "set by scaffolder" in result.output
