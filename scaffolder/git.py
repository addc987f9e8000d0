"""Every git command scaffolder runs, in one place, so that no input can steer one.

Values that come from a file or a person (a template URL, a ref, a path) never reach git
where it could read them as options: sources are validated before they get here (see
`sources.Source`), repositories and paths are passed after `--`, and a ref is resolved
with `rev-parse --end-of-options` to a commit id first. A failure is a `GitFailed` (exit 2)
that carries git's own reason on one line.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from scaffolder.errors import GitFailed, InvalidInput, one_line, shorten

#: Identity for commits scaffolder makes when git does not know the user.
FALLBACK_IDENTITY = ("-c", "user.name=scaffolder", "-c", "user.email=scaffolder@localhost")
_COMMIT_ID = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")


def run(
    *args: str, cwd: Path | None = None, stdin: str | None = None, timeout: float | None = None
) -> str:
    """Run git and return its stdout; a failure raises GitFailed with git's reason."""
    try:
        result = subprocess.run(
            ["git", *args],
            cwd=cwd,
            input=stdin,
            capture_output=True,
            encoding="utf-8",
            errors="surrogateescape",  # file names need not be UTF-8
            timeout=timeout,
        )
    except FileNotFoundError as error:
        raise GitFailed("git is not installed (or not on PATH); scaffolder needs it") from error
    except OSError as error:
        raise GitFailed(f"could not run git in {cwd}: {error.strerror}") from error
    except subprocess.TimeoutExpired as error:
        raise GitFailed(f"git {_command_name(args)} took over {timeout} s; stopped") from error
    if result.returncode != 0:
        raise GitFailed(
            f"git {_command_name(args)} failed: {one_line(result.stderr) or 'no reason given'}"
        )
    return result.stdout


def _command_name(args: tuple[str, ...]) -> str:
    """The git subcommand, skipping `-c key=value` options, for messages."""
    rest = list(args)
    while rest and rest[0] == "-c":
        rest = rest[2:]
    return rest[0] if rest else ""


# Reading template sources -------------------------------------------------------------------


def remote_refs(url: str) -> dict[str, str]:
    """Every ref a repository (URL, path or bundle) offers, by name: {'refs/tags/v1': sha}."""
    refs = {}
    for line in run("ls-remote", "--", url).splitlines():
        commit, name = line.split("\t", 1)
        refs[name] = commit
    return refs


def clone_at(url: str, ref: str | None, into: Path) -> Path:
    """A plain folder (no .git) holding `ref` of a repository; HEAD when `ref` is None."""
    run("clone", "-q", "--no-checkout", "--", url, str(into))
    commit = resolve_commit(into, ref or "HEAD")
    run("-c", "advice.detachedHead=false", "checkout", "-q", "--detach", commit, cwd=into)
    return into


def resolve_commit(repo: Path, ref: str) -> str:
    """The commit id a tag, branch or commit names; a ref that looks like an option is refused."""
    if not ref or ref.startswith("-") or any(ch.isspace() or ord(ch) < 32 for ch in ref):
        raise InvalidInput(
            f"{shorten(ref)!r} is not a git ref: expected a tag, branch or commit id "
            "(no leading '-', no spaces)"
        )
    verify = ("rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
    try:
        commit = run(*verify, cwd=repo).strip()
    except GitFailed as error:
        raise GitFailed(f"no commit, tag or branch {shorten(ref)!r} there") from error
    if not _COMMIT_ID.match(commit):
        raise GitFailed(f"git rev-parse gave {shorten(commit)!r} for {shorten(ref)!r}")
    return commit


# A new project's first commit ----------------------------------------------------------------


def first_commit(project: Path, message: str) -> None:
    """`git init`, add everything, commit: as the user when git knows them, else as scaffolder."""
    run("init", "-q", cwd=project)
    run("add", "-A", cwd=project)
    run(*_identity(project), "commit", "-q", "-m", message, cwd=project)


def _identity(project: Path) -> tuple[str, ...]:
    try:
        known = run("config", "user.email", cwd=project).strip()
    except GitFailed:  # git config exits 1 when the key is not set
        known = ""
    return () if known else FALLBACK_IDENTITY


# The project an update works on ---------------------------------------------------------------


def is_work_tree(project: Path) -> bool:
    try:
        return run("rev-parse", "--is-inside-work-tree", cwd=project).strip() == "true"
    except GitFailed:
        return False


def uncommitted(project: Path) -> list[str]:
    """Paths under `project` with uncommitted changes, untracked files included."""
    status = run("status", "--porcelain", "--untracked-files=all", "--", ".", cwd=project)
    return [line[3:] for line in status.splitlines()]


def tracked_files(project: Path) -> list[str]:
    """Paths under `project` that git tracks, relative to it."""
    listing = run("ls-files", "-z", "--", ".", cwd=project)
    return [name for name in listing.split("\0") if name]


def toplevel_and_prefix(project: Path) -> tuple[str, str]:
    """The repository root, and `project`'s path inside it ('' or ending in '/')."""
    top, prefix = run("rev-parse", "--show-toplevel", "--show-prefix", cwd=project).split("\n")[:2]
    return top, prefix


def hash_object(project: Path, path: Path) -> str:
    """Store a file's content in the project's object database; its blob id."""
    return run("hash-object", "-w", "--", str(path), cwd=project).strip()


def staged_entry(project: Path, path: str) -> tuple[str, str] | None:
    """(mode, blob id) of a tracked path, or None when git does not track it."""
    fields = run("ls-files", "--stage", "--", path, cwd=project).split()
    return (fields[0], fields[1]) if fields else None


def update_index(top: Path | str, entries: list[str]) -> None:
    """Write index entries (`git update-index --index-info` lines)."""
    run("update-index", "--index-info", cwd=Path(top), stdin="\n".join(entries) + "\n")


# The user's own files ----------------------------------------------------------------------


def commit_times(folder: Path, pathspec: str) -> list[float]:
    """When each commit touching `pathspec` (under `folder`) was made; none outside git."""
    try:
        log = run("log", "--format=%ct", "--", pathspec, cwd=folder, timeout=60)
    except GitFailed:
        return []
    return [float(t) for t in log.split()]


# Merging one file ----------------------------------------------------------------------------


def merge_file(
    ours: Path, base: Path, theirs: Path, *, labels: tuple[str, str, str], marker: int, diff3: bool
) -> tuple[bytes, int]:
    """`git merge-file -p` on three files; the merged bytes and the number of conflicts."""
    label_options = [option for label in labels for option in ("-L", label)]
    try:
        result = subprocess.run(
            [
                "git",
                "merge-file",
                "-p",
                f"--marker-size={marker}",
                *(["--diff3"] if diff3 else []),
                *label_options,
                "--",
                str(ours),
                str(base),
                str(theirs),
            ],
            capture_output=True,
        )
    except OSError as error:
        raise GitFailed(f"could not run git merge-file: {error.strerror}") from error
    if result.returncode < 0 or result.returncode > 127:
        raise GitFailed(
            f"git merge-file failed: {one_line(result.stderr.decode(errors='replace'))}"
        )
    return result.stdout, result.returncode
