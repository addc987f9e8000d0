"""Which project and package names give a working project, and for the others, why not.

A generated package lives in `src/<package_name>` and is imported by that name, so a Python
keyword cannot be imported at all, and the name of a standard-library module or of a library
the starter depends on would shadow that module inside the project. The project name is the
distribution and console-script name: taking a dependency's name would make the project depend
on itself. Both names are printed into generated code, so they have a maximum length at which
every generated line still fits ruff's line length.

The template lists the names it reserves in `_shared/reserved_names.yml` (its dependencies are
its own business); copier.yml's validators read the same file, so a name typed at copier's own
prompt is refused for the same reasons.
"""

from __future__ import annotations

import keyword
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from scaffolder.errors import InvalidInput, shorten

#: The longest project or package name; tests render every starter at this length.
MAX_LENGTH = 60
PROJECT_NAME = re.compile(r"[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?")
PACKAGE_NAME = re.compile(r"[a-z][a-z0-9_]*")
RESERVED_NAMES_FILE = Path("_shared") / "reserved_names.yml"


@dataclass(frozen=True)
class Reserved:
    """Names a template's projects may not take, grouped by the reason they would not work."""

    keywords: frozenset[str]
    standard_library: frozenset[str]
    imports: Mapping[str, str]  # import name -> the distribution that installs it
    distributions: frozenset[str]


def reserved(template_root: Path | None) -> Reserved:
    """Python's own names, plus the dependencies the template at `template_root` declares."""
    data = {}
    if template_root is not None and (template_root / RESERVED_NAMES_FILE).is_file():
        text = (template_root / RESERVED_NAMES_FILE).read_text(encoding="utf-8")
        data = yaml.safe_load(text) or {}
    keywords = {*keyword.kwlist, *keyword.softkwlist, *data.get("keywords", ())}
    standard_library = {*sys.stdlib_module_names, *data.get("standard_library", ())}
    dependencies: Mapping[str, Iterable[str]] = data.get("dependencies", {})
    return Reserved(
        keywords=frozenset(keywords),
        standard_library=frozenset(standard_library),
        imports=_first_distribution_of_each_import(dependencies),
        distributions=frozenset(map(_normalised, dependencies)),
    )


def package_name_problem(name: str, reserved: Reserved) -> str | None:
    """Why `name` cannot be the package's import name, or None when it can."""
    if not PACKAGE_NAME.fullmatch(name):
        return (
            "must be a lowercase Python identifier: letters, digits and '_', starting with a letter"
        )
    if len(name) > MAX_LENGTH:
        return f"must be at most {MAX_LENGTH} characters (it has {len(name)})"
    if name in reserved.keywords:
        return f"{name!r} is a Python keyword (or soft keyword), not a usable import name"
    if name in reserved.standard_library:
        return f"{name!r} is a module of Python's standard library, which the package would shadow"
    if name in reserved.imports:
        return (
            f"{name!r} is the import name of the dependency {reserved.imports[name]}, "
            "which the package would shadow"
        )
    return None


def project_name_problem(name: str, reserved: Reserved) -> str | None:
    """Why `name` cannot be the project's distribution name, or None when it can."""
    if not PROJECT_NAME.fullmatch(name):
        return (
            "must be letters, digits, '-', '_' or '.', starting and ending with a letter or digit"
        )
    if len(name) > MAX_LENGTH:
        return f"must be at most {MAX_LENGTH} characters (it has {len(name)})"
    if _normalised(name) in reserved.distributions:
        return f"{name!r} is the name of a dependency of the project, which would depend on itself"
    return None


def suggestion(name: str, reserved: Reserved) -> str:
    """A name like `name` that works: the usual fix is a suffix, e.g. json -> json_app."""
    base = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")[: MAX_LENGTH - 4] or "app"
    if not base[0].isalpha():
        base = f"app_{base}"[: MAX_LENGTH - 4]
    return base if package_name_problem(base, reserved) is None else f"{base}_app"


def check(answers: Mapping[str, object], reserved: Reserved) -> None:
    """Refuse the answers' project and package names, saying why and what would work."""
    for question, problem in (
        ("project_name", project_name_problem),
        ("package_name", package_name_problem),
    ):
        value = answers.get(question)
        if value is None:
            continue
        reason = problem(str(value), reserved)
        if reason:
            fix = suggestion(str(value), reserved)
            if question == "project_name":
                fix = fix.replace("_", "-")
            raise InvalidInput(
                f"invalid {question} {shorten(str(value))!r}: {reason}; "
                f"choose another, e.g. --set {question}={fix}"
            )


def _first_distribution_of_each_import(
    dependencies: Mapping[str, Iterable[str]],
) -> dict[str, str]:
    imports: dict[str, str] = {}
    for distribution, names in dependencies.items():
        for name in names:
            imports.setdefault(name, distribution)
    return imports


def _normalised(distribution: str) -> str:
    """PEP 503: names that differ only in case and runs of '-', '_', '.' are the same."""
    return re.sub(r"[-_.]+", "-", distribution).lower()
