"""Every released version of the bundled templates, kept as git history inside the package.

`scaffolder update` needs the template version a project was made with, to render the
common ancestor of the three-way merge. A teammate's fresh clone may meet a newer
scaffolder that never saw that version, offline and with no cache. So the package carries
`template_history.bundle`: a git bundle with one commit and one tag (`v<version>`) per
release, appended by `scripts/release_templates.py` when a version is released.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from scaffolder.catalog import PACKAGE_DIR
from scaffolder.errors import ScaffolderError

HISTORY_BUNDLE = PACKAGE_DIR / "template_history.bundle"
_IDENTITY = ["-c", "user.name=scaffolder release", "-c", "user.email=release@scaffolder.invalid"]
_IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".DS_Store")


class ReleaseConflict(ScaffolderError):
    """A version tag already holds other templates: releases are immutable."""


def tag_for(version: str) -> str:
    return version if version.startswith("v") else f"v{version}"


def git(*args: str, cwd: Path | None = None) -> str:
    """Run git quietly and return its stdout; a failure raises CalledProcessError."""
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout


def released_tags(bundle: Path = HISTORY_BUNDLE) -> list[str]:
    """Tags held by a history bundle (none when the file does not exist)."""
    if not bundle.is_file():
        return []
    listing = git("ls-remote", "--tags", "--refs", str(bundle.resolve()))
    return [line.split("refs/tags/", 1)[1] for line in listing.splitlines()]


def export(bundle: Path, tag: str, into: Path) -> Path:
    """Write the templates of one released version into `into` (a plain folder, no .git)."""
    git("clone", "-q", "--no-checkout", str(bundle.resolve()), str(into))
    git("-c", "advice.detachedHead=false", "checkout", "-q", f"refs/tags/{tag}", cwd=into)
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
