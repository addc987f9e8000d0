"""The three-way merge behind `scaffolder update`, one file at a time.

Inputs are three trees: the old template rendering (the common ancestor; None when the old
version could not be found), the new rendering, and the user's project. Only paths the
template produces (in either version) are considered; the user's own files are never touched.
Rules that copier's own update does not keep, and this module does:

- a file the template stopped producing is deleted only when the user never changed it;
- a conflict never removes a user line: inline markers keep both sides, and with
  `conflict="rej"` the user's side stays in the file and the template's wish goes to `.rej`;
- without an ancestor every difference is a conflict for the user to review, never an overwrite.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from scaffolder import git

CONFLICT_MODES = ("inline", "rej")
_REJ_MARKER_SIZE = 31  # long markers cannot clash with a user's own "=======" lines


@dataclass(frozen=True)
class Labels:
    ours: str
    base: str
    theirs: str


@dataclass(frozen=True)
class Change:
    """What the update does (or would do) to one path."""

    path: str
    action: str  # added | updated | merged | conflict | removed | kept | skipped
    note: str = ""
    content: bytes | None = None  # what to write; None for no write
    mode_from: Path | None = None
    reject: bytes | None = None  # content of the .rej file beside it


def plan(
    old: Path | None,
    new: Path,
    project: Path,
    *,
    conflict: str,
    labels: Labels,
    skip: frozenset[str] = frozenset(),
    moves: Mapping[str, str] | None = None,
) -> list[Change]:
    """Decide every path's fate without touching the project.

    `moves` maps an old path to the place where the new template keeps that file (a pivot,
    see `pivoting`): the user's version is merged into the new file there, and the old path
    is removed.
    """
    moves = moves or {}
    origins = {target: origin for origin, target in moves.items()}
    paths = sorted((files(old) if old else set()) | files(new))
    changes = []
    for path in paths:
        if path in skip:
            continue
        if path in moves:
            change = _move_away(path, moves[path], _read(project / path))
        else:
            origin = origins.get(path, path)
            change = _decide(
                path,
                _read(old / origin if old else None),
                _read(new / path),
                _read(project / origin),
                has_base=old is not None,
                conflict=conflict,
                labels=labels,
            )
            if origin != path:
                change = _arrive(path, origin, change, _read(project / origin))
        if change:
            changes.append(_with_mode(change, new / path))
    return changes


def apply(changes: list[Change], project: Path) -> None:
    for change in changes:
        target = project / change.path
        if change.action == "removed":
            target.unlink()
            _remove_empty_parents(target.parent, project)
            continue
        if change.content is not None:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(change.content)
            if change.mode_from is not None and change.action == "added":
                os.chmod(target, change.mode_from.stat().st_mode & 0o777)
        if change.reject is not None:
            Path(f"{target}.rej").write_bytes(change.reject)


def _decide(
    path: str,
    base: bytes | None,
    theirs: bytes | None,
    ours: bytes | None,
    *,
    has_base: bool,
    conflict: str,
    labels: Labels,
) -> Change | None:
    if theirs is None:  # the new template no longer produces it
        if ours is None:
            return None
        if ours == base:
            return Change(path, "removed", "the template no longer produces it")
        return Change(
            path,
            "kept",
            "the template no longer produces it, but you changed it, "
            "so it stays; delete it yourself if you no longer need it",
        )
    if ours is None:
        if base is None:
            return Change(path, "added", content=theirs)
        if base != theirs:
            return Change(
                path,
                "skipped",
                "you deleted it; the template changed it, but it is not brought back",
            )
        return None
    if ours == theirs or base == theirs:
        return None
    if ours == base:
        return Change(path, "updated", content=theirs)
    return _merge(
        path,
        base or b"",
        theirs,
        ours,
        conflict=conflict,
        labels=labels,
        note="" if has_base else "no old template version to compare with",
    )


def _move_away(path: str, target: str, ours: bytes | None) -> Change | None:
    return Change(path, "removed", f"moved to {target}") if ours is not None else None


def _arrive(path: str, origin: str, change: Change | None, ours: bytes | None) -> Change | None:
    """A moved file lands at `path`: merged with the template's when both changed it, else
    the user's version as it was (a file the user deleted stays deleted)."""
    if ours is None:
        return change
    if change is None:
        change = Change(path, "added", content=ours)
    note = f"moved from {origin}" + (f"; {change.note}" if change.note else "")
    return replace(change, note=note)


def _merge(path, base, theirs, ours, *, conflict, labels, note) -> Change:
    if any(_is_binary(b) for b in (base, theirs, ours)):
        return Change(
            path,
            "conflict",
            "binary file changed on both sides: yours is kept, "
            "the template's new version is in the .rej file",
            reject=theirs,
        )
    marker = _REJ_MARKER_SIZE if conflict == "rej" else 7
    merged, conflicts = _merge_file(
        base, theirs, ours, labels=labels, marker=marker, diff3=conflict == "rej"
    )
    if not conflicts:
        return Change(path, "merged", note, content=merged)
    if conflict == "inline":
        return Change(
            path,
            "conflict",
            note or f"{conflicts} conflicting hunk(s) marked inline",
            content=merged,
        )
    kept, reject = _split_rejects(merged.decode("utf-8"), path, labels)
    return Change(
        path,
        "conflict",
        note
        or f"{conflicts} hunk(s) of the template's change "
        "could not apply; your lines are kept, the template's are in the .rej file",
        content=kept.encode("utf-8"),
        reject=reject.encode("utf-8"),
    )


def _merge_file(
    base: bytes, theirs: bytes, ours: bytes, *, labels: Labels, marker: int, diff3: bool
) -> tuple[bytes, int]:
    """git merge-file on three versions; returns the result and the number of conflicts."""
    with tempfile.TemporaryDirectory(prefix="scaffolder-merge-") as scratch:
        files = []
        for name, content in (("ours", ours), ("base", base), ("theirs", theirs)):
            file = Path(scratch, name)
            file.write_bytes(content)
            files.append(file)
        return git.merge_file(
            *files, labels=(labels.ours, labels.base, labels.theirs), marker=marker, diff3=diff3
        )


def _split_rejects(merged: str, path: str, labels: Labels) -> tuple[str, str]:
    """From diff3 output, keep the user's side in the file and describe the template's
    change of each conflicting hunk (ancestor -> new) as a patch hunk in the .rej text."""
    start, middle, end = ("<" * _REJ_MARKER_SIZE, "|" * _REJ_MARKER_SIZE, ">" * _REJ_MARKER_SIZE)
    separator = "=" * _REJ_MARKER_SIZE
    kept: list[str] = []
    hunks: list[str] = []
    section = None
    sides: dict[str, list[str]] = {}
    for line in merged.splitlines(keepends=True):
        bare = line.rstrip("\r\n")
        if bare.startswith(start + " "):
            section, sides = "ours", {"ours": [], "base": [], "theirs": []}
        elif section and bare.startswith(middle + " "):
            section = "base"
        elif section and bare == separator:
            section = "theirs"
        elif section and bare.startswith(end + " "):
            at = len(kept) + 1
            kept.extend(sides["ours"])
            hunks.append(_hunk(at, sides))
            section = None
        elif section:
            sides[section].append(line)
        else:
            kept.append(line)
    header = (
        f"--- {path}\t({labels.base})\n+++ {path}\t({labels.theirs})\n"
        f"# The template's change that conflicts with yours; {labels.ours} is kept "
        "in the file.\n"
    )
    return "".join(kept), header + "".join(hunks)


def _hunk(at: int, sides: dict[str, list[str]]) -> str:
    def lines(prefix: str, block: list[str]) -> str:
        return "".join(prefix + (line if line.endswith("\n") else line + "\n") for line in block)

    return (
        f"@@ -{at},{len(sides['base'])} +{at},{len(sides['theirs'])} @@\n"
        + lines("-", sides["base"])
        + lines("+", sides["theirs"])
    )


def files(root: Path) -> set[str]:
    """Every file under `root` as a POSIX path relative to it (git's own folder left out)."""
    return {path.relative_to(root).as_posix() for path in _walk(root)}


def _walk(root: Path) -> Iterator[Path]:
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d != ".git"]
        for name in files:
            yield Path(folder, name)


def _read(path: Path | None) -> bytes | None:
    return path.read_bytes() if path is not None and path.is_file() else None


def _is_binary(content: bytes) -> bool:
    """Not text git can merge line by line (a NUL byte), or not UTF-8 text."""
    if b"\0" in content[:8000]:
        return True
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def _with_mode(change: Change, source: Path) -> Change:
    if change.content is None or not source.is_file():
        return change
    return Change(change.path, change.action, change.note, change.content, source, change.reject)


def _remove_empty_parents(folder: Path, stop: Path) -> None:
    while folder != stop and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
