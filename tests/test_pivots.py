"""Pivots leave working code: the user's functions survive and every import still resolves."""

from __future__ import annotations

import json

import pytest
from conftest import run_make
from test_releases import (
    before_last_definition,
    imports_of_missing_modules,
    make_with_0_1_0,
    scaffolder_here,
)
from test_update_support import answers_of, commit_all, new_project

USER_FUNCTION = '\n\ndef our_team_helper() -> str:\n    return "still here after the pivot"\n'
# Where each starter keeps the module the user edits, relative to the package.
MODULE = {
    ("rag", "hybrid"): ("answer.py", "rag/answer.py"),
    ("hybrid", "rag"): ("rag/answer.py", "answer.py"),
    ("finetune", "hybrid"): ("data.py", "finetune/data.py"),
    ("hybrid", "finetune"): ("finetune/data.py", "data.py"),
}

# A generated test the user edited, which the new starter does not make: it stays, and its
# imports must follow the modules it tests.
EDITED_TEST = {
    ("rag", "hybrid"): "tests/test_answer.py",
    ("finetune", "hybrid"): "tests/test_data.py",
}


def dotted(package: str, module: str) -> str:
    return f"{package}." + module.removesuffix(".py").replace("/", ".")


def add_user_code(project, package: str, module: str) -> None:
    """A function in a generated module, a module of the user's importing it relatively,
    and a test of the user's importing it by its absolute name."""
    source = project / "src" / package / module
    source.write_text(before_last_definition(source.read_text(), USER_FUNCTION))
    relative = "." + module.removesuffix(".py").replace("/", ".")
    (project / "src" / package / "policies.py").write_text(
        f"from {relative} import our_team_helper\n\nRULE = our_team_helper()\n"
    )
    (project / "tests" / "test_mine.py").write_text(
        f"from {dotted(package, module)} import our_team_helper\n"
        f"from {package}.policies import RULE\n\n\n"
        "def test_our_helper_survives():\n"
        '    assert our_team_helper() == RULE == "still here after the pivot"\n'
    )
    commit_all(project, "our own code")


@pytest.mark.parametrize("pivot", MODULE, ids="->".join)
def test_a_pivot_moves_the_users_edited_module_and_every_import_follows(tmp_path, pivot):
    before, after = pivot
    project = new_project(tmp_path / "support-bot", approach=before)
    old_module, new_module = MODULE[pivot]
    if pivot in EDITED_TEST:
        edited = project / EDITED_TEST[pivot]
        edited.write_text(edited.read_text() + "# Our team runs this before every release.\n")
    add_user_code(project, "support_bot", old_module)

    result = scaffolder_here(project, "update", "--set", f"approach={after}", "--defaults")

    assert result.returncode in (0, 1) and "Traceback" not in result.stderr, result.stderr
    package = project / "src" / "support_bot"
    assert "def our_team_helper()" in (package / new_module).read_text()
    assert not (package / old_module).exists()
    assert dotted("support_bot", new_module) in (project / "tests" / "test_mine.py").read_text()
    if pivot in EDITED_TEST:
        assert "Our team runs this" in (project / EDITED_TEST[pivot]).read_text()
    assert imports_of_missing_modules(project, "support_bot") == []
    assert answers_of(project)["approach"] == after


def test_a_0_1_0_rag_project_pivoted_to_hybrid_still_passes_the_users_test(
    scaffolder_0_1_0, tmp_path, starter_env
):
    project = make_with_0_1_0(scaffolder_0_1_0, tmp_path / "support-bot")
    add_user_code(project, "support_bot", "answer.py")

    pivoted = scaffolder_here(project, "update", "--set", "approach=hybrid", "--defaults", "--json")

    assert pivoted.returncode == 0, pivoted.stdout + pivoted.stderr
    report = json.loads(pivoted.stdout)
    assert report["ancestor"] is True and report["answers_changed"]["approach"] == ["rag", "hybrid"]
    actions = {c["path"]: c["action"] for c in report["changes"]}
    assert actions["src/support_bot/answer.py"] == "removed"
    assert actions["tests/test_mine.py"] == "updated"
    assert imports_of_missing_modules(project, "support_bot") == []
    run_make(project, "test", starter_env, "PYTEST_ARGS=tests/test_mine.py tests/test_about.py")
