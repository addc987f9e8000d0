"""Released template versions: 0.1.0 is recorded as it shipped, and its projects update.

Projects made by scaffolder 0.1.0 exist. These tests install the 0.1.0 code exactly as it
was released (the `scaffolder_0_1_0` fixture), make projects with it, edit them as a user
would, and update them with the code of this checkout.
"""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
from pathlib import Path

import copier
import pytest
import yaml
from conftest import run_make
from test_update_support import answers_of, commit_all, run_installed

import scaffolder
from scaffolder import history
from scaffolder.catalog import bundled_templates

REPO = Path(__file__).resolve().parent.parent
STARTERS = {
    "rag": {},
    "finetune-classification": {"approach": "finetune", "task": "classification"},
    "finetune-generation": {"approach": "finetune", "task": "summarization"},
    "hybrid": {"approach": "hybrid"},
}
# One of each kind of user edit, per starter: a function in a generated module, a changed
# config value, a generated file deleted.
USER_EDITS = {
    "rag": ("retrieve.py", "config/rag.yaml", "top_k"),
    "finetune-classification": ("data.py", "config/train.yaml", "learning_rate"),
    "finetune-generation": ("data.py", "config/train.yaml", "learning_rate"),
    "hybrid": ("compare.py", "config/hybrid.yaml", "limit"),
}
USER_FUNCTION = '\n\ndef our_team_helper() -> str:\n    return "kept across versions"\n'
README_NOTE = "Our team's note: ask #ml-platform before changing the retriever.\n"
DELETED = ".pre-commit-config.yaml"


def make_with_0_1_0(installation: Path, dest: Path, approach: str = "rag", **answers) -> Path:
    settings = [arg for key, value in answers.items() for arg in ("--set", f"{key}={value}")]
    made = run_installed(
        installation,
        dest.parent / "home",
        dest.parent,
        "new",
        dest.name,
        "--approach",
        approach,
        "--defaults",
        *settings,
    )
    assert made.returncode == 0, made.stderr
    return dest


def scaffolder_here(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scaffolder", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=600,
    )


def tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


def test_v0_1_0_is_recorded_in_the_template_history():
    assert "v0.1.0" in history.released_tags()


@pytest.mark.parametrize("starter", STARTERS)
def test_v0_1_0_from_the_history_renders_byte_for_byte_what_0_1_0_rendered(
    scaffolder_0_1_0, tmp_path, starter
):
    answers = dict(STARTERS[starter])
    shipped = make_with_0_1_0(
        scaffolder_0_1_0, tmp_path / "acme-bot", answers.pop("approach", "rag"), **answers
    )
    recorded = answers_of(shipped)
    templates = history.export(history.HISTORY_BUNDLE, "v0.1.0", tmp_path / "history")

    copier.run_copy(
        str(templates),
        tmp_path / "again" / "acme-bot",
        data={k: v for k, v in recorded.items() if not k.startswith("_")},
        defaults=True,
        quiet=True,
        settings=copier.Settings(),
    )

    again = tree(tmp_path / "again" / "acme-bot")
    shipped_files = tree(shipped)
    answers_file = ".copier-answers.yml"
    assert {k: v for k, v in yaml.safe_load(again.pop(answers_file)).items() if k[0] != "_"} == {
        k: v for k, v in yaml.safe_load(shipped_files.pop(answers_file)).items() if k[0] != "_"
    }
    assert again.keys() == shipped_files.keys()
    assert [p for p in again if again[p] != shipped_files[p]] == []


def before_last_definition(module: str, code: str) -> str:
    """`code` inserted above the module's last top-level def or class: inside the module, away
    from its end, where a template change and the user's edit would touch the same lines."""
    lines = module.splitlines(keepends=True)
    last = max(i for i, line in enumerate(lines) if line.startswith(("def ", "class ")))
    return "".join(lines[:last]) + code.strip("\n") + "\n\n\n" + "".join(lines[last:])


def user_edits(project: Path, starter: str) -> dict[str, list[str]]:
    """Edit a project as its team would, commit, and return the lines each file must keep."""
    module, config, key = USER_EDITS[starter]
    package = next((project / "src").iterdir())
    module_path = package / module
    module_path.write_text(before_last_definition(module_path.read_text(), USER_FUNCTION))
    config_path = project / config
    settings = config_path.read_text()
    old_line = next(line for line in settings.splitlines() if line.strip().startswith(f"{key}:"))
    new_line = old_line.split(":")[0] + ": 7  # our team's choice"
    config_path.write_text(settings.replace(old_line, new_line, 1))
    readme = project / "README.md"
    title, rest = readme.read_text().split("\n", 1)
    readme.write_text(f"{title}\n\n{README_NOTE}{rest}")
    (project / "docs").mkdir(exist_ok=True)
    (project / "docs" / "decisions.md").write_text("# Why we chose this\n\nBecause.\n")
    (project / DELETED).unlink()
    commit_all(project, "our team's changes")
    return {
        module_path.relative_to(project).as_posix(): USER_FUNCTION.strip().splitlines(),
        config: [new_line],
        "README.md": [README_NOTE.strip()],
        "docs/decisions.md": ["# Why we chose this", "Because."],
    }


@pytest.mark.parametrize("starter", STARTERS)
def test_a_0_1_0_project_with_user_edits_updates_with_an_ancestor_and_keeps_every_line(
    scaffolder_0_1_0, tmp_path, starter, request
):
    answers = dict(STARTERS[starter])
    project = make_with_0_1_0(
        scaffolder_0_1_0, tmp_path / "acme-bot", answers.pop("approach", "rag"), **answers
    )
    kept = user_edits(project, starter)

    updated = scaffolder_here(project, "update", "--json")

    assert updated.returncode in (0, 1) and "Traceback" not in updated.stderr, updated.stderr
    report = json.loads(updated.stdout)
    assert report["ancestor"] is True and report["from"] == "v0.1.0"
    assert report["to"] == f"v{scaffolder.__version__}"
    for path, lines in kept.items():
        text = (project / path).read_text()
        assert all(line in text for line in lines), f"a user line of {path} was lost"
    assert not (project / DELETED).exists(), "a file the user deleted came back"
    assert answers_of(project)["_commit"] == f"v{scaffolder.__version__}"
    assert answers_of(project)["template_version"] == scaffolder.__version__
    if starter == "rag":
        assert report["conflicts"] == [], "the tests below need a clean merge"
        # The tests of what the user edited (the retriever and its config); the whole current
        # suite runs on a fresh render in test_starter_rag.
        edited = "PYTEST_ARGS=tests/test_retrieve.py tests/test_config.py"
        run_make(project, "test", request.getfixturevalue("starter_env"), edited)


def test_update_json_is_one_object_with_the_public_shape(scaffolder_0_1_0, tmp_path):
    project = make_with_0_1_0(scaffolder_0_1_0, tmp_path / "acme-bot")

    pretend = scaffolder_here(project, "update", "--json", "--pretend")

    assert pretend.returncode == 0, pretend.stderr
    report = json.loads(pretend.stdout)
    assert set(report) == {
        "from",
        "to",
        "ancestor",
        "changes",
        "conflicts",
        "answers_changed",
        "pretend",
    }
    assert report["pretend"] is True and report["changes"]
    assert all(set(c) == {"path", "action"} for c in report["changes"])
    assert {c["action"] for c in report["changes"]} <= {
        "added",
        "updated",
        "merged",
        "conflict",
        "removed",
        "kept",
        "skipped",
    }
    assert report["answers_changed"]["template_version"] == ["0.1.0", scaffolder.__version__]
    assert (
        subprocess.run(
            ["git", "status", "--porcelain"], cwd=project, capture_output=True, text=True
        ).stdout
        == ""
    ), "--pretend wrote something"


def test_check_json_says_a_0_1_0_project_is_behind(scaffolder_0_1_0, tmp_path):
    project = make_with_0_1_0(scaffolder_0_1_0, tmp_path / "acme-bot")

    behind = scaffolder_here(project, "check", "--json")

    assert behind.returncode == 1
    report = json.loads(behind.stdout)
    assert report["current"] == "v0.1.0" and report["latest"] == f"v{scaffolder.__version__}"
    assert report["up_to_date"] is False


def imports_of_missing_modules(project: Path, package: str) -> list[str]:
    """Every import of the project's own package, in any of its Python files, that names a
    module that is not there."""
    src = project / "src"
    missing = []
    for path in sorted(project.rglob("*.py")):
        if ".venv" in path.parts:
            continue
        here = path.relative_to(src).parent.parts if src in path.parents else None
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and node.level and here is not None:
                modules = [[*here[: len(here) - node.level + 1], *(node.module or "").split(".")]]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                modules = [node.module.split(".")]
            elif isinstance(node, ast.Import):
                modules = [alias.name.split(".") for alias in node.names]
            else:
                continue
            for parts in ([p for p in module if p] for module in modules):
                if parts[:1] == [package] and not _module_exists(src, parts):
                    missing.append(f"{path.relative_to(project)}: {'.'.join(parts)}")
    return missing


def _module_exists(src: Path, parts: list[str]) -> bool:
    base = src.joinpath(*parts)
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def test_this_checkout_passes_the_release_guard():
    """Fails `make test` when a released version's templates were edited without a bump."""
    assert history.release_problem(bundled_templates(), scaffolder.__version__) is None


@pytest.fixture
def history_with_9_0_0(tmp_path) -> tuple[Path, Path]:
    templates = tmp_path / "templates"
    shutil.copytree(bundled_templates(), templates)
    bundle = tmp_path / "history.bundle"
    shutil.copyfile(history.HISTORY_BUNDLE, bundle)
    history.record_release(templates, "9.0.0", bundle)
    return templates, bundle


def test_the_release_guard_fails_when_a_recorded_versions_templates_change(history_with_9_0_0):
    templates, bundle = history_with_9_0_0
    (templates / "decision.yml").write_text((templates / "decision.yml").read_text() + "\n# x\n")

    problem = history.release_problem(templates, "9.0.0", bundle)

    assert problem and "templates changed after v9.0.0 was recorded: bump the version" in problem
    assert "9.1.0.dev0" in problem


def test_the_release_guard_lets_a_development_version_change_freely(history_with_9_0_0):
    templates, bundle = history_with_9_0_0
    (templates / "decision.yml").write_text((templates / "decision.yml").read_text() + "\n# x\n")

    assert history.release_problem(templates, "9.1.0.dev0", bundle) is None
    assert history.release_problem(templates, "9.0.0", bundle) is not None


def test_the_release_guard_fails_for_a_release_the_history_does_not_hold(history_with_9_0_0):
    templates, bundle = history_with_9_0_0

    problem = history.release_problem(templates, "9.1.0", bundle)

    assert problem and "does not record v9.1.0" in problem


def test_a_recorded_release_is_immutable(history_with_9_0_0):
    templates, bundle = history_with_9_0_0
    (templates / "copier.yml").write_text((templates / "copier.yml").read_text() + "\n# x\n")

    with pytest.raises(history.ReleaseConflict):
        history.record_release(templates, "9.0.0", bundle)
