"""Pivots that leave working code: modules the new starter keeps elsewhere move there.

The hybrid starter holds the RAG and fine-tuning starters' modules in subpackages of its
package (`<package>/rag/`, `<package>/finetune/`); the template's `pivots.yml` says which.
Without help, a pivot from RAG to hybrid would keep the user's edited `answer.py` at the top
of the package while the modules it imports moved away, and the project would no longer
import. So a pivot treats such a file as moved: the user's version is merged into the new
starter's file at its new place, and every import of a moved module, in the user's own files
too, is rewritten to follow it. The reverse pivot moves the modules back the same way.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

import yaml

from scaffolder.merging import Change

LAYOUT_FILE = "pivots.yml"
_FROM_IMPORT = re.compile(
    r"^(?P<indent>[ \t]*)from[ \t]+(?P<dots>\.*)(?P<module>[\w.]*)[ \t]+import[ \t]+(?P<names>.*)$",
    re.DOTALL,
)


def layout(template_root: Path) -> dict[str, dict[str, str]]:
    """Which subpackage of a starter holds another starter's modules ({} when not declared)."""
    path = template_root / LAYOUT_FILE
    if not path.is_file():
        return {}
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


@dataclass(frozen=True)
class Pivot:
    """What a change of starter relocates."""

    moves: dict[str, str]  # old path -> new path: the user's version is merged in there
    modules: dict[str, str]  # old dotted module -> the module that takes its place


NO_PIVOT = Pivot({}, {})


def plan(
    layout: Mapping[str, Mapping[str, str]],
    old_approach: str,
    new_approach: str,
    package: str,
    old_files: Iterable[str],
    new_files: Iterable[str],
    taken: Callable[[str], bool] = lambda path: False,
) -> Pivot:
    """The files a pivot moves and the modules whose imports must follow.

    A module of the old starter that the new one makes only at the other level of the package
    has a counterpart there. It moves there when nothing else claims that path; when the new
    starter's own file of that name is already merged in place (both versions make it, like
    `about.py`), imports of the old module point at that one instead. `taken` says which
    paths the user's own files hold (never overwritten).
    """
    outer = f"src/{package}/"
    if subpackage := layout.get(new_approach, {}).get(old_approach):
        source, target = outer, f"{outer}{subpackage}/"
    elif subpackage := layout.get(old_approach, {}).get(new_approach):
        source, target = f"{outer}{subpackage}/", outer
    else:
        return NO_PIVOT
    old, new = set(old_files), set(new_files)
    counterparts = {}
    for path in sorted(old - new):
        name = path.removeprefix(source)
        if path.startswith(source) and "/" not in name and name != "__init__.py":
            destination = target + name
            if destination in new and (destination in old or not taken(destination)):
                counterparts[path] = destination
    moves = {path: to for path, to in counterparts.items() if to not in old}
    return Pivot(moves, moved_modules(counterparts))


def module_of(path: str) -> str | None:
    """The dotted module a path under src/ defines (None for other files)."""
    pure = PurePosixPath(path)
    if pure.parts[:1] != ("src",) or pure.suffix != ".py":
        return None
    parts = pure.with_suffix("").parts[1:]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def moved_modules(counterparts: Mapping[str, str]) -> dict[str, str]:
    """Old dotted module -> new dotted module, for the Python files among the moves."""
    found = {}
    for old, new in counterparts.items():
        before, after = module_of(old), module_of(new)
        if before and after:
            found[before] = after
    return found


def follow_imports(
    changes: list[Change], project: Path, tracked: Iterable[str], pivot: Pivot
) -> list[Change]:
    """Rewrite every import of a relocated module in the project's Python files after the merge.

    Files the merge writes get the rewrite in what is written; the user's own files that
    import a relocated module get an `updated` change of their own, so `git diff` shows it.
    """
    modules = pivot.modules
    if not modules:
        return changes
    planned = {change.path for change in changes}
    arrivals = {new: old for old, new in pivot.moves.items()}
    result = []
    for change in changes:
        if change.content is not None and change.path.endswith(".py"):
            rewritten = rewrite(
                change.content.decode("utf-8", errors="surrogateescape"),
                arrivals.get(change.path, change.path),
                change.path,
                modules,
            ).encode("utf-8", errors="surrogateescape")
            change = replace(change, content=rewritten)
        elif change.action == "kept" and change.path.endswith(".py"):
            change = _kept_with_imports_followed(change, project, modules)
        result.append(change)
    for path in sorted(tracked):
        if path in planned or not path.endswith(".py") or not (project / path).is_file():
            continue
        text = (project / path).read_text(encoding="utf-8", errors="surrogateescape")
        rewritten = rewrite(text, path, path, modules)
        if rewritten != text:
            result.append(
                Change(
                    path,
                    "updated",
                    "imports of modules the pivot moved",
                    content=rewritten.encode("utf-8", errors="surrogateescape"),
                )
            )
    return result


def _kept_with_imports_followed(change: Change, project: Path, modules) -> Change:
    """A starter file the user edited and the new starter dropped stays, importing the
    relocated modules at their new place."""
    text = (project / change.path).read_text(encoding="utf-8", errors="surrogateescape")
    rewritten = rewrite(text, change.path, change.path, modules)
    if rewritten == text:
        return change
    content = rewritten.encode("utf-8", errors="surrogateescape")
    return replace(change, note=f"{change.note}; its imports follow the pivot", content=content)


def rewrite(text: str, old_path: str, new_path: str, modules: Mapping[str, str]) -> str:
    """`text` (a Python file that was at `old_path` and will be at `new_path`) with every
    import of a moved module pointing at its new place; relative imports stay relative."""
    here_before, here_after = _package_of(old_path), _package_of(new_path)
    return "".join(
        _rewrite_line(line, here_before, here_after, modules)
        for line in text.splitlines(keepends=True)
    )


def _rewrite_line(
    line: str, here_before: str | None, here_after: str | None, modules: Mapping[str, str]
) -> str:
    match = _FROM_IMPORT.match(line)
    if not match:
        return _rewrite_dotted(line, modules)
    relative = bool(match["dots"])
    if relative and here_before is None:
        return line
    source = _resolve(match["dots"], match["module"], here_before) if relative else match["module"]
    target = modules.get(source) or _home_of_names(source, match["names"], modules)
    if target is None:  # not a relocated module: the line stays as the merge made it
        return line
    spelled = _relative(target, here_after) if relative else target
    return f"{match['indent']}from {spelled} import {match['names']}"


def _resolve(dots: str, module: str, package: str) -> str:
    """The absolute module of `from <dots><module> import` inside `package`."""
    parts = package.split(".")
    base = parts[: len(parts) - (len(dots) - 1)]
    return ".".join([*base, *filter(None, [module])])


def _home_of_names(source: str, names: str, modules: Mapping[str, str]) -> str | None:
    """For `from pkg import answer, retrieve`: the new package when every name is a module
    that moved there."""
    bare = [part.split(" as ")[0].strip() for part in names.strip(" \t\r\n()\\").split(",")]
    homes = {modules.get(f"{source}.{name}", "").rpartition(".")[0] for name in bare if name}
    return homes.pop() if len(homes) == 1 and "" not in homes else None


def _rewrite_dotted(line: str, modules: Mapping[str, str]) -> str:
    """Absolute references (`pkg.answer`, `from pkg.answer import x`, "pkg.answer.f"), all
    in one pass so that a rewritten name is never rewritten again."""
    names = "|".join(re.escape(old) for old in sorted(modules, key=len, reverse=True))
    return re.sub(rf"(?<![\w.])(?:{names})(?!\w)", lambda found: modules[found[0]], line)


def _relative(module: str, package: str | None) -> str:
    """`module` spelled relative to `package` (`.x`, `..x`); absolute when outside it."""
    if package is None:
        return module
    here, there = package.split("."), module.split(".")
    if here[0] != there[0]:
        return module
    common = 0
    while common < min(len(here), len(there)) and here[common] == there[common]:
        common += 1
    return "." * (len(here) - common + 1) + ".".join(there[common:])


def _package_of(path: str) -> str | None:
    module = module_of(path)
    if module is None:
        return None
    return module if path.endswith("__init__.py") else module.rpartition(".")[0]
