"""Names that work: a project or package name that cannot work is refused before anything is
written, saying why and what would work; every accepted name gives a project that lints."""

from __future__ import annotations

import keyword
import re
import subprocess
import sys
from pathlib import Path

import copier
import pytest
import tomllib
import yaml

import scaffolder
from scaffolder import catalog, names
from scaffolder.errors import InvalidInput

REPO = Path(__file__).resolve().parent.parent
TEMPLATES = catalog.bundled_templates()
RUFF = Path(sys.executable).parent / "ruff"
APPROACHES = ("rag", "finetune", "hybrid")
LONGEST = "a" + "b" * (names.MAX_LENGTH - 2) + "z"


def scaffolder_new(dest: Path, *settings: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "scaffolder", "new", str(dest), "--approach", "rag"]
    command += ["--defaults", "--no-git"]
    for setting in settings:
        command += ["--set", setting]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(
    ("setting", "reason", "suggested"),
    [
        ("package_name=json", "standard library", "json_app"),
        ("package_name=test", "standard library", "test_app"),
        ("package_name=import", "keyword", "import_app"),
        ("project_name=import", "keyword", "import_app"),
        ("package_name=match", "keyword", "match_app"),
        ("package_name=fastapi", "dependency", "fastapi_app"),
        ("package_name=llama_index", "dependency", "llama_index_app"),
        ("project_name=click", "dependency", "click-app"),
        (f"package_name={'a' * (names.MAX_LENGTH + 1)}", "at most 60 characters", None),
        (f"project_name={'a' * 300}", "at most 60 characters", None),
    ],
)
def test_a_name_that_cannot_work_exits_2_saying_why_and_writing_nothing(
    tmp_path, setting, reason, suggested
):
    result = scaffolder_new(tmp_path / "project", setting)
    assert result.returncode == 2, result.stderr
    assert reason in result.stderr
    if suggested:
        assert suggested in result.stderr
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_the_destination_folder_name_is_checked_like_a_given_name(tmp_path):
    result = scaffolder_new(tmp_path / "json")
    assert result.returncode == 2
    assert "standard library" in result.stderr and "json_app" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_names_module_refuses_the_same_names_as_copiers_own_validators(tmp_path):
    """Copier asks for names itself on a terminal; its validators must agree with names.py."""
    reserved = names.reserved(TEMPLATES)
    candidates = ["json", "os", "sys", "import", "class", "type", "fastapi", "sklearn", "yaml"]
    candidates += ["bs4", "my_app", "acme_support_bot", "tests", "Upper", "9x", "a", LONGEST]
    candidates += [LONGEST + "c"]
    for candidate in candidates:
        expected = names.package_name_problem(candidate, reserved) is not None
        assert copier_refuses({"package_name": candidate}, tmp_path) == expected, candidate
    for candidate in ["click", "PyYAML", "py.yaml", "my-app", "-x", "a" * 61, LONGEST]:
        expected = names.project_name_problem(candidate, reserved) is not None
        answers = {"project_name": candidate, "package_name": "valid_name"}
        assert copier_refuses(answers, tmp_path) == expected, candidate


def copier_refuses(answers: dict[str, str], tmp_path: Path) -> bool:
    try:
        copier.run_copy(
            str(TEMPLATES),
            tmp_path / "copier",
            data={"approach": "rag", **answers},
            defaults=True,
            quiet=True,
            pretend=True,
        )
    except ValueError:
        return True
    return False


def test_reserved_names_cover_every_keyword_and_standard_module_of_this_python():
    listed = yaml.safe_load((TEMPLATES / names.RESERVED_NAMES_FILE).read_text(encoding="utf-8"))
    shaped = names.PACKAGE_NAME.fullmatch
    assert {k for k in keyword.kwlist + keyword.softkwlist if shaped(k)} <= set(listed["keywords"])
    stdlib = {module for module in sys.stdlib_module_names if shaped(module)}
    assert stdlib <= set(listed["standard_library"])


@pytest.mark.parametrize(
    "answers",
    [
        {"approach": "rag"},
        {"approach": "rag", "vector_store": "qdrant", "llm_provider": "openai_compatible"},
        {"approach": "finetune", "task_shape": "classification", "experiment_logger": "wandb"},
        {"approach": "finetune", "base_model": "gemma3-270m", "qlora": True},
        {"approach": "finetune", "base_model": "smollm2-135m-instruct", "qlora": False},
        {"approach": "finetune", "experiment_logger": "mlflow"},
        {"approach": "hybrid", "base_model": "gemma3-270m", "experiment_logger": "tensorboard"},
    ],
    ids=lambda answers: "-".join(str(v) for v in answers.values()),
)
def test_every_dependency_of_a_rendered_starter_has_its_import_names_reserved(tmp_path, answers):
    """Adding a dependency to a starter without reserving its import names fails here."""
    copier.run_copy(str(TEMPLATES), tmp_path, data=answers, defaults=True, quiet=True)
    project = tomllib.loads((tmp_path / "pyproject.toml").read_text(encoding="utf-8"))
    requirements = [*project["build-system"]["requires"], *project["project"]["dependencies"]]
    for group in project["project"].get("optional-dependencies", {}).values():
        requirements += group
    reserved = names.reserved(TEMPLATES)
    for requirement in requirements:
        distribution = re.match(r"[A-Za-z0-9._-]+", requirement).group()
        assert names.project_name_problem(distribution, reserved), requirement


NAME_SHAPED_EDGE_CASES = [LONGEST, "a", "zzzz", "acme-support-bot", "9lives", "Q.R_s-t"]


@pytest.mark.parametrize("approach", APPROACHES)
@pytest.mark.parametrize("name", NAME_SHAPED_EDGE_CASES)
def test_every_accepted_name_gives_a_project_that_passes_ruff(tmp_path, approach, name):
    project = tmp_path / "project"
    scaffolder.new(
        project, approach=approach, answers={"project_name": name}, git=False, defaults=True
    )
    for check in (["check"], ["format", "--check"]):
        result = subprocess.run(
            [str(RUFF), *check, "--no-cache", "."], cwd=project, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stdout + result.stderr


def test_a_template_without_reserved_names_still_gets_pythons_own_rules(tmp_path):
    """A team template need not list its dependencies; keywords and the stdlib still apply."""
    reserved = names.reserved(tmp_path)
    with pytest.raises(InvalidInput, match="standard library.*package_name=os_app"):
        names.check({"project_name": "os", "package_name": "os"}, reserved)
    names.check({"project_name": "fastapi", "package_name": "fastapi"}, reserved)
