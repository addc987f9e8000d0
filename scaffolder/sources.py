"""Template sources: where a starter comes from, which versions it has, and whether to trust it.

A project's answers file records its source as a stable identifier (`_src_path`) and the
version that rendered it (`_commit`), never a path into an installed package:

- `bundled:scaffolder`: the templates shipped inside scaffolder; versions are scaffolder
  releases, older ones read from the package's template history (see `history`);
- a git URL, `gh:owner/repo` / `gl:owner/repo`, or a local git repository: versions are its tags;
- a plain local folder: unversioned (every update is a reviewable re-render).

A recorded id is input like any other (a project may come from anyone's clone): no `Source`
exists unless its id has one of these forms, so none reaches git as an option or an unexpected
transport. Trust compares resolved locations, whole path components at a time (`covers`).
Nothing here imports copier, so `scaffolder templates` stays fast.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from scaffolder import __version__, git, history
from scaffolder.catalog import bundled_templates, template_config
from scaffolder.errors import (
    GitFailed,
    InvalidInput,
    UntrustedTemplate,
    VersionNotFound,
    shorten,
)

if TYPE_CHECKING:
    from packaging.version import Version

BUNDLED = "bundled:scaffolder"
ALLOWED_FORMS = (
    "a local path, a file:// URL, a git bundle, bundled:scaffolder, gh:owner/repo, "
    "gl:owner/repo, or an https:// or ssh:// git URL (or user@host:path)"
)
_HOSTS = {"gh": "github.com", "gl": "gitlab.com"}
#: A name in a URL path or a shorthand: never starts with '-' (an option) or '.' ('..').
_NAME = r"[A-Za-z0-9_][A-Za-z0-9_.-]*"
_HOST = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.-]*$")
_SHORTHAND = re.compile(rf"^(gh|gl):({_NAME}(?:/{_NAME})+?)/?$")
_SCP = re.compile(rf"^({_NAME})@([A-Za-z0-9][A-Za-z0-9.-]*):(?!/)(.+)$")
_URL_SCHEMES = ("https", "ssh", "file")
#: copier settings that make a template run commands on the user's machine.
RISKY_SETTINGS = {
    "_tasks": "tasks",
    "_migrations": "migrations",
    "_jinja_extensions": "Jinja extensions",
}


@dataclass(frozen=True)
class Source:
    """A template source, by the identifier recorded in projects.

    Only the forms in `ALLOWED_FORMS` can be constructed, so no id that reaches git can be
    read as an option or pick an unexpected transport (`ext::`, `--upload-pack=...`).
    """

    id: str

    def __post_init__(self) -> None:
        problem = _problem(self.id)
        if problem:
            raise InvalidInput(
                f"template source {shorten(self.id)!r} is refused: {problem}; "
                f"a source is {ALLOWED_FORMS}"
            )

    @property
    def kind(self) -> str:
        if self.id == BUNDLED:
            return "bundled"
        if not self.id.startswith("/") or self.id.endswith(".bundle"):
            return "git"
        return "git" if Path(self.id, ".git").exists() else "folder"

    @property
    def url(self) -> str:
        """What git understands: shorthands expanded."""
        shorthand = _SHORTHAND.match(self.id)
        if shorthand:
            return f"https://{_HOSTS[shorthand[1]]}/{shorthand[2].removesuffix('.git')}.git"
        return self.id

    @property
    def location(self) -> tuple[str, ...]:
        """Where the source is, as components that trust compares (see `covers`)."""
        return ("bundled",) if self.kind == "bundled" else location(self.id)

    def describe(self) -> str:
        if self.kind == "bundled":
            return f"bundled with scaffolder {__version__} ({bundled_templates()})"
        return self.id


def _problem(text: object) -> str | None:
    """Why `text` is not a source id scaffolder accepts, or None when it is one."""
    if not isinstance(text, str) or not text:
        return "it is not a non-empty text"
    if not text.isprintable():
        # Control characters, and the invisible ones (format marks, separators other than
        # the space) that would make a source look like another one in a message.
        return "it contains a control or invisible character; only printable text is allowed"
    if text == BUNDLED:
        return None
    if text.startswith("bundled:"):
        return f"the only bundled templates are {BUNDLED}"
    if text.startswith("-"):
        return "it starts with '-', so git would read it as an option"
    if _SHORTHAND.match(text):
        return None
    if "://" in text:
        return _url_problem(text)
    scp = _SCP.match(text)
    if scp:
        return _segments_problem(scp[3])
    if text.startswith("/"):
        return None
    return "it is neither an absolute path nor a git URL"


def _url_problem(text: str) -> str | None:
    try:
        url = urlsplit(text)
        url.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError as error:
        return f"it is not a valid URL ({error})"
    if url.scheme.lower() not in _URL_SCHEMES:
        return f"the scheme {url.scheme!r} is not one of {', '.join(_URL_SCHEMES)}"
    if url.scheme.lower() == "file":
        return None if url.netloc in ("", "localhost") else "a file:// URL names no host"
    if not url.hostname or not _HOST.match(url.hostname):
        return f"{shorten(url.hostname or '')!r} is not a host name"
    if url.username and not re.fullmatch(_NAME, url.username):
        return f"{shorten(url.username)!r} is not a user name"
    return _segments_problem(url.path)


def _segments_problem(path: str) -> str | None:
    names = [name for name in path.split("/") if name]
    if not names:
        return "it names no repository"
    if any(name in (".", "..") or name.startswith("-") for name in names):
        return "its path contains '.', '..' or a name starting with '-'"
    return None


def location(text: str, base: Path | None = None) -> tuple[str, ...]:
    """Where a source id or a trusted prefix points, as comparable components.

    Local paths and file:// URLs are resolved (`..`, symlinks) to ('local', *parts);
    remote ones become ('remote', host, *names), whatever the transport or shorthand, with
    a trailing `.git` dropped. Relative paths are relative to `base` (default: here).
    """
    shorthand = re.match(r"^(gh|gl):(.*)$", text)
    if shorthand:
        return ("remote", _HOSTS[shorthand[1]], *_names(shorthand[2]))
    scp = _SCP.match(text)
    if scp:
        return ("remote", scp[2].lower(), *_names(scp[3]))
    if "://" in text:
        url = urlsplit(text)
        if url.scheme.lower() == "file":
            return _local(Path(unquote(url.path)), base)
        host = (url.hostname or "").lower() + (f":{url.port}" if url.port else "")
        return ("remote", host, *_names(url.path))
    return _local(Path(text).expanduser(), base)


def _local(path: Path, base: Path | None) -> tuple[str, ...]:
    absolute = path if path.is_absolute() else (base or Path.cwd()) / path
    return ("local", *Path(os.path.realpath(absolute)).parts)


def _names(path: str) -> tuple[str, ...]:
    names = [name for name in path.split("/") if name]
    if any(name in (".", "..") for name in names):
        raise InvalidInput(f"{shorten(path)!r}: '.' and '..' are not allowed in a git URL")
    if names:
        names[-1] = names[-1].removesuffix(".git")
    return tuple(names)


def covers(prefix: tuple[str, ...], place: tuple[str, ...]) -> bool:
    """Whether a trusted prefix covers a location, whole component by whole component:
    /x/good covers /x/good/a but never /x/good-evil."""
    return place[: len(prefix)] == prefix


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
    if text == "bundled":
        return Source(BUNDLED)
    if text.startswith("bundled:") or _SHORTHAND.match(text) or "://" in text or _SCP.match(text):
        return Source(text)
    path = Path(text).expanduser()
    path = (base or Path.cwd()) / path if not path.is_absolute() else path
    if not path.exists():
        raise InvalidInput(
            f"template source {shorten(text)!r}: no such folder or file; expected {ALLOWED_FORMS}"
        )
    return Source(str(path.resolve()))


def recorded(value: object, answers_file: Path | str) -> Source:
    """The source a project's answers file records (`_src_path`), checked before any use:
    a file from a clone is input like any other, and its source must not reach git unchecked."""
    if value is None:
        return Source(BUNDLED)
    try:
        return Source(value)  # type: ignore[arg-type]
    except InvalidInput as error:
        raise InvalidInput(f"{answers_file}: _src_path: {error}; nothing was run") from None


def latest_ref(source: Source) -> str | None:
    """The newest version a source offers: scaffolder's own for the bundled templates,
    the highest PEP 440 release tag for git (its HEAD commit when it has no version tags)."""
    if source.kind == "bundled":
        return history.tag_for(__version__)
    if source.kind == "folder":
        return None
    try:
        commits = git.remote_refs(source.url)
    except GitFailed as error:
        raise VersionNotFound(f"cannot read {source.id}: {error}") from error
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
        git.clone_at(source.url, ref, into)
    except (GitFailed, InvalidInput) as error:
        raise VersionNotFound(
            f"cannot get version {shorten(ref)!r} of {source.id}: {error}"
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


def is_trusted(source: Source, trusted: list[tuple[str, ...]]) -> bool:
    """Bundled templates are ours; anything else only when a trusted location covers it."""
    return source.kind == "bundled" or any(covers(prefix, source.location) for prefix in trusted)


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
