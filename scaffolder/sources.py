"""Template sources: where a starter comes from, which versions it has, and whether to trust it.

A project's answers file records its source as a stable identifier (`_src_path`) and the
version that rendered it (`_commit`), never a path into an installed package:

- `bundled:scaffolder`: the templates shipped inside scaffolder; versions are scaffolder
  releases, older ones read from the package's template history (see `history`);
- a git URL, `gh:owner/repo` / `gl:owner/repo`, or a local git repository: versions are its tags;
- a plain local folder: unversioned (every update is a reviewable re-render).

Nothing here imports copier, so `scaffolder templates` stays fast.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from scaffolder import __version__, history
from scaffolder.catalog import bundled_templates, template_config
from scaffolder.errors import InvalidInput, ScaffolderError

if TYPE_CHECKING:
    from packaging.version import Version

BUNDLED = "bundled:scaffolder"
_ALIASES = {"gh:": "https://github.com/", "gl:": "https://gitlab.com/"}
_REMOTE = re.compile(r"^([a-z][a-z0-9+.-]*://|[\w.-]+@[\w.-]+:|gh:|gl:)", re.IGNORECASE)
#: copier settings that make a template run commands on the user's machine.
RISKY_SETTINGS = {
    "_tasks": "tasks",
    "_migrations": "migrations",
    "_jinja_extensions": "Jinja extensions",
}


class VersionNotFound(ScaffolderError):
    """The source does not hold the requested version (or cannot be reached)."""

    exit_code = 2


class UntrustedTemplate(ScaffolderError):
    """A template would run commands and nobody said it may; nothing was written."""

    exit_code = 2


@dataclass(frozen=True)
class Source:
    """A template source, by the identifier recorded in projects."""

    id: str

    @property
    def kind(self) -> str:
        if self.id == BUNDLED:
            return "bundled"
        if _REMOTE.match(self.id) or Path(self.id, ".git").exists() or self.id.endswith(".bundle"):
            return "git"
        return "folder"

    @property
    def url(self) -> str:
        """What git understands: shorthands expanded."""
        for prefix, base in _ALIASES.items():
            if self.id.startswith(prefix):
                return base + self.id[len(prefix) :].removesuffix(".git") + ".git"
        return self.id

    def describe(self) -> str:
        if self.kind == "bundled":
            return f"bundled with scaffolder {__version__} ({bundled_templates()})"
        return self.id


@dataclass(frozen=True)
class Checkout:
    """One version of a source, rendered-ready in a local folder."""

    source: Source
    root: Path
    ref: str | None  # recorded as `_commit`; None for an unversioned folder
    version: str  # the `template_version` answer

    def risky_features(self) -> list[str]:
        """The copier settings in this template that would run code, by name."""
        config = template_config(self.root)
        return [name for key, name in RISKY_SETTINGS.items() if config.get(key)]


def bundled() -> Source:
    return Source(BUNDLED)


def parse(text: str, base: Path | None = None) -> Source:
    """A source given on the command line or in a team config (paths relative to `base`)."""
    text = text.strip()
    if text in (BUNDLED, "bundled"):
        return Source(BUNDLED)
    if _REMOTE.match(text):
        return Source(text)
    path = Path(text).expanduser()
    path = (base or Path.cwd()) / path if not path.is_absolute() else path
    if not path.exists():
        raise InvalidInput(
            f"template source {text!r}: no such folder or file; expected a git URL, "
            "gh:owner/repo, gl:owner/repo, or a local path to a template repository"
        )
    return Source(str(path.resolve()))


def latest_ref(source: Source) -> str | None:
    """The newest version a source offers: scaffolder's own for the bundled templates,
    the highest PEP 440 release tag for git (its HEAD commit when it has no version tags)."""
    if source.kind == "bundled":
        return history.tag_for(__version__)
    if source.kind == "folder":
        return None
    try:
        listing = history.git("ls-remote", source.url)
    except subprocess.CalledProcessError as error:
        raise VersionNotFound(f"cannot read {source.id}: {error.stderr.strip()}") from error
    commits = {}
    for line in listing.splitlines():
        commit, name = line.split("\t", 1)
        commits[name] = commit
    tags = [name.removeprefix("refs/tags/") for name in commits if name.startswith("refs/tags/")]
    versions = sorted((v, t) for t in tags if (v := parse_version(t)) and not v.is_prerelease)
    return versions[-1][1] if versions else commits.get("HEAD")


def parse_version(ref: str | None) -> Version | None:
    """A PEP 440 version from a tag like `v1.2.0`, or None when the ref is not one."""
    from packaging.version import InvalidVersion, Version

    try:
        return Version(ref) if ref else None
    except InvalidVersion:
        return None


@contextmanager
def checkout(source: Source, ref: str | None = None) -> Iterator[Checkout]:
    """Make version `ref` (default: the newest) of `source` available as a local folder."""
    if source.kind == "folder":
        if not Path(source.id).is_dir():
            raise VersionNotFound(
                f"the template source {source.id} does not exist on this machine; "
                "restore it there, or make the project from a git source other machines can reach"
            )
        yield Checkout(source, _template_root(Path(source.id)), None, __version__)
        return
    ref = ref or latest_ref(source)
    if source.kind == "bundled" and parse_version(ref) == parse_version(__version__):
        yield Checkout(source, bundled_templates(), history.tag_for(__version__), __version__)
        return
    with tempfile.TemporaryDirectory(prefix="scaffolder-template-") as scratch:
        folder = Path(scratch) / "template"
        if source.kind == "bundled":
            tag = history.tag_for(ref)
            yield Checkout(source, _export_release(tag, folder), tag, tag.removeprefix("v"))
        else:
            yield Checkout(source, _template_root(_clone(source, ref, folder)), ref, ref)


def _export_release(tag: str, into: Path) -> Path:
    if tag not in history.released_tags():
        raise VersionNotFound(
            f"scaffolder {__version__} does not carry the templates of version "
            f"{tag.removeprefix('v')} "
            f"(its template history has: {', '.join(history.released_tags()) or 'nothing'})"
        )
    return history.export(history.HISTORY_BUNDLE, tag, into)


def _clone(source: Source, ref: str, into: Path) -> Path:
    """A plain folder holding `ref` of a git source (copier then renders it like any folder)."""
    try:
        history.git("clone", "-q", "--no-checkout", source.url, str(into))
        history.git("-c", "advice.detachedHead=false", "checkout", "-q", "--detach", ref, cwd=into)
    except subprocess.CalledProcessError as error:
        raise VersionNotFound(
            f"cannot get version {ref!r} of {source.id}: {error.stderr.strip()}"
        ) from error
    shutil.rmtree(into / ".git")
    return into


def _template_root(folder: Path) -> Path:
    """The folder holding copier.yml: the repository root, or its templates/ (a fork of ours)."""
    for candidate in (folder, folder / "templates"):
        if (candidate / "copier.yml").is_file():
            return candidate
    raise InvalidInput(
        f"{folder} is not a scaffolder template: no copier.yml there or in templates/"
    )


def is_trusted(source: Source, trusted_prefixes: list[str]) -> bool:
    """Bundled templates are ours; anything else only when listed (by prefix) in the team config."""
    return source.kind == "bundled" or any(source.id.startswith(p) for p in trusted_prefixes)


def ensure_allowed(template: Checkout, *, trust: bool, config_hint: str) -> bool:
    """Refuse a template that would run commands unless trusted; True when it may run them."""
    features = template.risky_features()
    if not features or trust:
        return bool(features)
    raise UntrustedTemplate(
        f"the template {template.source.id} ({template.ref or 'unversioned'}) declares copier "
        f"{' and '.join(features)}, which run commands on this machine; scaffolder did not run "
        f"them and wrote nothing. If you trust this source, pass --trust, or add it to "
        f"[trust] sources in your team config ({config_hint})."
    )


def stamp_answers(answers_file: Path, template: Checkout) -> None:
    """Record the stable source id and version in a rendered answers file.

    copier would record the folder it rendered from (a temporary checkout, or a path inside
    the installed package), which breaks as soon as that folder moves or disappears.
    """
    import yaml

    text = answers_file.read_text(encoding="utf-8")
    header = "".join(line for line in text.splitlines(keepends=True) if line.startswith("#"))
    recorded = yaml.safe_load(text) or {}
    answers = {k: v for k, v in recorded.items() if k not in ("_commit", "_src_path")}
    stamp = {"_commit": template.ref, "_src_path": template.source.id}
    answers = {**{k: v for k, v in stamp.items() if v is not None}, **answers}
    answers_file.write_text(
        header + yaml.safe_dump(answers, sort_keys=False, allow_unicode=True, width=1000),
        encoding="utf-8",
    )
