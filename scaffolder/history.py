"""Every released version of the bundled templates, kept as git history inside the package.

`scaffolder update` needs the template version a project was made with, to render the
common ancestor of the three-way merge. A teammate's fresh clone may meet a newer
scaffolder that never saw that version, offline and with no cache. So the package carries
`template_history.bundle`: a git bundle with one commit and one tag (`v<version>`) per
release, appended by `scripts/release_templates.py` when a version is released.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from scaffolder.catalog import PACKAGE_DIR
from scaffolder.errors import ReleaseConflict
from scaffolder.git import clone_at, remote_refs
from scaffolder.git import run as git

HISTORY_BUNDLE = PACKAGE_DIR / "template_history.bundle"
_IDENTITY = ["-c", "user.name=scaffolder release", "-c", "user.email=release@scaffolder.invalid"]
_IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".DS_Store")


def tag_for(version: str) -> str:
    return version if version.startswith("v") else f"v{version}"


def released_tags(bundle: Path = HISTORY_BUNDLE) -> list[str]:
    """Tags held by a history bundle (none when the file does not exist)."""
    if not bundle.is_file():
        return []
    refs = remote_refs(str(bundle.resolve()))
    return [name.removeprefix("refs/tags/") for name in refs if _is_tag(name)]


def _is_tag(ref: str) -> bool:
    return ref.startswith("refs/tags/") and not ref.endswith("^{}")


def export(bundle: Path, tag: str, into: Path) -> Path:
    """Write the templates of one released version into `into` (a plain folder, no .git)."""
    clone_at(str(bundle.resolve()), f"refs/tags/{tag}", into)
    shutil.rmtree(into / ".git")
    return into


def record_release(templates: Path, version: str, bundle: Path = HISTORY_BUNDLE) -> str:
    """Append `templates` to the history bundle as tag v<version>; returns the tag.

    Re-recording a version with identical templates changes nothing; with different
    templates it is refused, since projects made with that version rely on it.
    """
    tag = tag_for(version)
    with tempfile.TemporaryDirectory(prefix="scaffolder-release-") as scratch:
        repo = Path(scratch) / "history"
        if bundle.is_file():
            git("clone", "-q", str(bundle.resolve()), str(repo))
            git("checkout", "-q", "-B", "main", "origin/main", cwd=repo)
        else:
            git("init", "-q", "-b", "main", str(repo))
        for entry in repo.iterdir():
            if entry.name != ".git":
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
        shutil.copytree(templates, repo, ignore=_IGNORED, dirs_exist_ok=True)
        git("add", "-A", cwd=repo)
        tree = git("write-tree", cwd=repo).strip()
        if tag in git("tag", "--list", cwd=repo).split():
            if git("rev-parse", f"{tag}^{{tree}}", cwd=repo).strip() != tree:
                raise ReleaseConflict(
                    f"{bundle} already holds different templates as {tag}; "
                    "a released version never changes: bump scaffolder's __version__ first"
                )
            return tag
        git(
            *_IDENTITY,
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            f"Templates of scaffolder {version}",
            cwd=repo,
        )
        git("tag", tag, cwd=repo)
        staged = bundle.with_suffix(".bundle.new")
        git("bundle", "create", "-q", str(staged.resolve()), "main", "--tags", cwd=repo)
        staged.replace(bundle)
    return tag


def release_problem(templates: Path, version: str, bundle: Path = HISTORY_BUNDLE) -> str | None:
    """Why `templates` cannot ship as `version`, or None when they can.

    A development version (`0.3.0.dev0`) may change freely. A release must be recorded in the
    history, and its templates may never change afterwards: projects made with it rely on
    getting exactly them back as the ancestor of their updates.
    """
    from packaging.version import Version

    parsed = Version(version)
    if parsed.is_devrelease or parsed.is_prerelease:
        return None
    tag = tag_for(version)
    next_dev = f"{parsed.major}.{parsed.minor + 1}.0.dev0"
    if tag not in released_tags(bundle):
        return (
            f"scaffolder {version} is a release, but {bundle.name} does not record {tag}: run "
            f"scripts/release_templates.py, or work on a development version such as {next_dev}"
        )
    with tempfile.TemporaryDirectory(prefix="scaffolder-release-check-") as scratch:
        copy = Path(scratch) / bundle.name
        shutil.copyfile(bundle, copy)
        try:
            record_release(templates, version, copy)
        except ReleaseConflict:
            return (
                f"templates changed after {tag} was recorded: bump the version "
                f"(to {next_dev} in scaffolder/__init__.py) so that {tag} stays what it shipped as"
            )
    return None
