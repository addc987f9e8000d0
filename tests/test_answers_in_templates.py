"""Answers are data in every file they reach: whatever text a person gives as a description or
an author, each starter's pyproject.toml still parses, its Python compiles and lints, and every
file that carries the text gives it back unchanged."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import scaffolder

RUFF = Path(sys.executable).parent / "ruff"
APPROACHES = ("rag", "finetune", "hybrid")
#: One line of text: anything printable, plus what breaks strings, templates and markup.
NASTY = ['"', "'", "\\", '"""', "\\u0041", "{{ x }}", "{% if %}", "#", "|", "<b>", "&amp;", "`"]
ONE_LINE = st.lists(
    st.sampled_from(NASTY)
    | st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1),
    min_size=1,
    max_size=6,
).map("".join)


def render(tmp_path: Path, approach: str, **answers: str) -> Path:
    project = tmp_path / "project"
    scaffolder.new(project, approach=approach, answers=answers, git=False, defaults=True)
    return project


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(approach=st.sampled_from(APPROACHES), description=ONE_LINE, author=ONE_LINE)
def test_any_one_line_description_and_author_give_a_valid_project(
    tmp_path_factory, approach, description, author
):
    project = render(
        tmp_path_factory.mktemp(approach), approach, description=description, author_name=author
    )
    metadata = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert metadata["description"] == description
    assert metadata["authors"] == [{"name": author}]
    for module in project.rglob("*.py"):
        compile(module.read_text(encoding="utf-8"), str(module), "exec")
    lint = subprocess.run(
        [str(RUFF), "check", "--no-cache", "."], cwd=project, capture_output=True, text=True
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr
    package = project / "src" / metadata["name"].replace("-", "_")
    shipped = json.loads((package / "answers.json").read_text(encoding="utf-8"))
    assert (shipped["description"], shipped["author_name"]) == (description, author)
    recorded = yaml.safe_load((project / ".copier-answers.yml").read_text(encoding="utf-8"))
    assert (recorded["description"], recorded["author_name"]) == (description, author)


@pytest.mark.parametrize("approach", APPROACHES)
def test_about_shows_the_description_exactly_as_given(tmp_path, approach):
    description = 'Construed, untrue and false: "quoted" \\ {{ raw }} café 😀'
    project = render(tmp_path, approach, description=description)
    show = "from project.about import ANSWERS; print(ANSWERS['description'])"
    result = subprocess.run(
        [sys.executable, "-c", show],
        cwd=project / "src",
        capture_output=True,
        text=True,
        encoding="utf-8",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.rstrip("\n") == description


@pytest.mark.parametrize("question", ["description", "author_name"])
@pytest.mark.parametrize("text", ["first line\nsecond line", "tab\there", "bell\a"])
def test_a_description_or_author_that_is_not_one_line_of_text_exits_2(tmp_path, question, text):
    command = [sys.executable, "-m", "scaffolder", "new", str(tmp_path / "project")]
    command += ["--approach", "rag", "--defaults", "--no-git", "--set", f"{question}={text}"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr
    assert "one line of text" in result.stderr
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_the_readme_shows_a_description_as_text_not_markup(tmp_path):
    project = render(tmp_path, "rag", description="# <b>Bold</b> *claims* | [link](x) & `code`")
    readme = (project / "README.md").read_text(encoding="utf-8")
    escaped = r"\# \<b\>Bold\</b\> \*claims\* \| \[link\](x) \& \`code\`"
    assert f"\n{escaped}\n" in readme
    assert f"| description | {escaped} |" in readme


def test_a_base_model_that_looks_like_yaml_stays_one_string_in_the_config(tmp_path):
    base_model = 'org/model: "v2" # `tuned` \\ [a, b]'
    project = render(tmp_path, "finetune", base_model=base_model)
    config = yaml.safe_load((project / "config" / "train.yaml").read_text(encoding="utf-8"))
    assert config["base_model"] == base_model
    readme = (project / "README.md").read_text(encoding="utf-8")
    assert f"`` {base_model} ``" in readme
