"""Moving a finished rendering into DEST: all of it or nothing, and never through a link.

`new` renders into a staging folder beside DEST (same file system, so every move is a
rename). A missing DEST is the staging folder renamed in one step. Into an existing folder
(`new .`, or `--force`) only the paths the template produces are moved in: a path DEST lacks
arrives whole, a file DEST has is first moved aside into the staging folder. Any failure, or
Ctrl-C, undoes every move in reverse, so DEST is exactly as it was; DEST itself (its mode,
owner, and the shell sitting in it) is never replaced.
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from scaffolder.errors import FileSystemFailed, InvalidInput, RollbackFailed, shorten

#: Longest file name (in bytes) common file systems accept.
NAME_MAX = 255


def check_destination(dest: Path, force: bool) -> None:
    """Refuse, before anything is rendered, a DEST that cannot or may not be written."""
    try:
        _check_destination(dest, force)
    except OSError as error:
        raise FileSystemFailed.from_os_error(error, f"cannot use {dest}") from error


def _check_destination(dest: Path, force: bool) -> None:
    if len(os.fsencode(dest.name)) > NAME_MAX:
        raise InvalidInput(
            f"the folder name {shorten(dest.name, 60)!r} is {len(os.fsencode(dest.name))} bytes "
            f"long; file systems allow at most {NAME_MAX}"
        )
    if dest.is_symlink():
        target = os.readlink(dest)
        state = "" if dest.exists() else ", which does not exist"
        raise InvalidInput(
            f"{dest} is a symbolic link to {target}{state}; scaffolder does not write through "
            "links: pass the folder it points to, or another path"
        )
    if dest.exists() and not dest.is_dir():
        raise InvalidInput(f"{dest} exists and is not a folder")
    if dest.is_dir() and any(dest.iterdir()) and not force:
        raise InvalidInput(
            f"{dest} exists and is not empty; choose a new folder, or pass --force to render "
            "into it (files the template produces are overwritten, nothing else is touched)"
        )


@contextmanager
def staging(dest: Path) -> Iterator[Path]:
    """A scratch folder beside `dest` (parents created, and removed again on failure)."""
    created = _missing_parents(dest)
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=".scaffolder-", dir=dest.parent))
    except OSError as error:
        _remove(created)
        raise FileSystemFailed.from_os_error(error, f"cannot write beside {dest}") from error
    try:
        yield scratch
    except RollbackFailed:
        raise  # the user's files are in there
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        _remove(created)
        raise
    shutil.rmtree(scratch, ignore_errors=True)


def place(rendered: Path, dest: Path, backup: Path) -> None:
    """Move the finished tree `rendered` into `dest`, keeping replaced files in `backup`.

    Every path is checked first (no symbolic links, no file where a folder goes); then the
    moves run with Ctrl-C held back, and are undone in reverse if any of them fails.
    """
    _refuse_escapes(rendered)
    if not dest.exists():
        _rename(rendered, dest)
        return
    _refuse_links_and_clashes(rendered, dest)
    backup.mkdir()
    moves: list[tuple[Path, Path]] = []
    with _sigint_held() as interrupted:
        try:
            _move_into(rendered, dest, backup, moves)
            if interrupted():
                raise KeyboardInterrupt
        except BaseException:
            _undo(moves, backup)
            raise


def _refuse_escapes(rendered: Path) -> None:
    """Names typed at copier's own prompts, or a template's links, could point outside."""
    inside = rendered.resolve()
    for path in rendered.rglob("*"):
        if not path.resolve().is_relative_to(inside):
            raise InvalidInput(f"the template produced {path}, which lies outside the project")


def _refuse_links_and_clashes(rendered: Path, dest: Path) -> None:
    for entry in sorted(rendered.iterdir()):
        target = dest / entry.name
        if target.is_symlink():
            raise InvalidInput(
                f"{target} is a symbolic link (to {os.readlink(target)}) where the template "
                "writes; scaffolder never writes through links: remove it, or render elsewhere. "
                "Nothing was written"
            )
        if not target.exists():
            continue
        if entry.is_dir() != target.is_dir():
            kind = "a folder" if entry.is_dir() else "a file"
            raise InvalidInput(
                f"{target} is in the way: the template makes {kind} there. Nothing was written"
            )
        if entry.is_dir():
            _refuse_links_and_clashes(entry, target)


def _move_into(rendered: Path, dest: Path, backup: Path, moves: list[tuple[Path, Path]]) -> None:
    for entry in sorted(rendered.iterdir()):
        target = dest / entry.name
        if target.is_dir():
            _move_into(entry, target, backup / entry.name, moves)
            continue
        if target.exists():
            backup.mkdir(parents=True, exist_ok=True)
            _rename(target, backup / entry.name)
            moves.append((target, backup / entry.name))
        _rename(entry, target)
        moves.append((entry, target))


def _undo(moves: list[tuple[Path, Path]], backup: Path) -> None:
    """Every move reversed, newest first; the user's files are back where they were."""
    failed = []
    with _sigint_held():
        for source, target in reversed(moves):
            try:
                os.replace(target, source)
            except OSError as error:
                failed.append(f"{target}: {error.strerror}")
    if failed:
        raise RollbackFailed(
            f"rendering failed and {len(failed)} move(s) could not be undone "
            f"({shorten('; '.join(failed))}); your replaced files are kept in {backup}",
            kept=backup,
        )


def _rename(source: Path, target: Path) -> None:
    try:
        os.replace(source, target)
    except OSError as error:
        raise FileSystemFailed.from_os_error(
            error, f"could not move {target} into place"
        ) from error


@contextmanager
def _sigint_held() -> Iterator:
    """Hold Ctrl-C back while files move; the caller asks `interrupted()` when done.

    Outside the main thread signals cannot be caught here, and nothing is held back.
    """
    caught = []
    try:
        previous = signal.signal(signal.SIGINT, lambda *_: caught.append(True))
    except ValueError:  # not the main thread
        yield lambda: False
        return
    try:
        yield lambda: bool(caught)
    finally:
        signal.signal(signal.SIGINT, previous)
        if caught and previous not in (signal.SIG_IGN, None):
            raise KeyboardInterrupt


def _missing_parents(dest: Path) -> list[Path]:
    """Folders `mkdir -p` would create for dest's parent, outermost first (to undo on failure)."""
    missing = []
    for parent in [dest.parent, *dest.parent.parents]:
        if parent.exists():
            break
        missing.append(parent)
    return list(reversed(missing))


def _remove(created: list[Path]) -> None:
    for folder in created:
        shutil.rmtree(folder, ignore_errors=True)
