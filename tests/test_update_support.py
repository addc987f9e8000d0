"""Helpers for the update and team-template tests: real git repositories, real templates.

Templates here are tiny copier templates in local git repositories (one tag per version), or
copies of the bundled templates; projects are made with `scaffolder.new` and committed, as
a user would. Nothing is mocked.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

import scaffolder
from scaffolder import history
from scaffolder.catalog import bundled_templates

REPO = Path(__file__).resolve().parent.parent
IDENTITY = ["-c", "user.name=Test User", "-c", "user.email=test@example.invalid"]
ANSWERS = ".copier-answers.yml"
TINY_COPIER = {
    "_answers_file": ANSWERS,
    "_templates_suffix": ".jinja",
    "project_name": {"type": "str", "default": "tiny"},
}
ANSWERS_TEMPLATE = "{{ _copier_answers|to_nice_yaml -}}\n"


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *IDENTITY, *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout


def commit_all(repo: Path, message: str = "work") -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message)


def write_files(root: Path, files: dict[str, str | None]) -> None:
    """Write text files (a None value deletes the file)."""
    for name, text in files.items():
        path = root / name
        if text is None:
            path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def tiny_template(
    repo: Path, files: dict[str, str], *, tag: str | None = "v1.0.0", config: dict | None = None
) -> Path:
    """A minimal copier template in a git repository, tagged as its first version."""
    repo.mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    write_files(
        repo,
        {
            "copier.yml": yaml.safe_dump({**TINY_COPIER, **(config or {})}, sort_keys=False),
            "{{_copier_conf.answers_file}}.jinja": ANSWERS_TEMPLATE,
            **files,
        },
    )
    commit_all(repo, "first version")
    if tag:
        git(repo, "tag", tag)
    return repo


def release(
    repo: Path, tag: str, files: dict[str, str | None] | None = None, config: dict | None = None
) -> None:
    """Commit changes to a template repository and tag them as a new version."""
    write_files(repo, files or {})
    if config is not None:
        write_files(repo, {"copier.yml": yaml.safe_dump({**TINY_COPIER, **config})})
    commit_all(repo, f"release {tag}")
    git(repo, "tag", tag)


def new_project(dest: Path, template: Path | str | None = None, **answers) -> Path:
    """A project as `scaffolder new` makes it, committed."""
    scaffolder.new(
        dest,
        approach=answers.pop("approach", "rag"),
        answers=answers,
        template=template,
        defaults=True,
        git=True,
    )
    return dest


def answers_of(project: Path) -> dict:
    return yaml.safe_load((project / ANSWERS).read_text())


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under root (git's own included), to prove nothing was written."""
    files = sorted(p for p in root.rglob("*") if p.is_file())
    return {str(p.relative_to(root)): p.read_bytes() for p in files}


def install(
    into: Path,
    version: str,
    *,
    template_edits: dict[str, str] | None = None,
    history_from: Path | None = None,
    release_it: bool = True,
) -> Path:
    """A separate installation of scaffolder at `version`, laid out like the wheel.

    The package is copied with its templates inside it (as in the wheel), its version set,
    optional template edits applied, and its template history made by the release step:
    the previous installation's history (if any) plus this version.
    """
    package = into / "scaffolder"
    shutil.copytree(
        REPO / "scaffolder",
        package,
        ignore=shutil.ignore_patterns("__pycache__", "template_history.bundle"),
    )
    shutil.copytree(
        bundled_templates(), package / "templates", ignore=shutil.ignore_patterns("__pycache__")
    )
    init = package / "__init__.py"
    init.write_text(
        init.read_text().replace(
            f'__version__ = "{scaffolder.__version__}"', f'__version__ = "{version}"'
        )
    )
    for name, extra in (template_edits or {}).items():
        target = package / "templates" / name
        target.write_text(target.read_text() + extra)
    bundle = package / history.HISTORY_BUNDLE.name
    if history_from is not None:
        shutil.copy(history_from / "scaffolder" / history.HISTORY_BUNDLE.name, bundle)
    if release_it:
        history.record_release(package / "templates", version, bundle)
    return into


def run_installed(installation: Path, home: Path, cwd: Path, *args: str):
    """Run `python -m scaffolder` from one installation, with a private, empty home."""
    home.mkdir(parents=True, exist_ok=True)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("XDG_", "SCAFFOLDER_", "COPIER_", "GIT_"))
    }
    env.update(HOME=str(home), PYTHONPATH=str(installation))
    return subprocess.run(
        [sys.executable, "-m", "scaffolder", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=300,
    )
