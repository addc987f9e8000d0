"""Shared set-up of the RAG benchmarks: a rendered rag project and a corpus nobody here wrote.

The corpus is the plain-text help that `pydoc` renders for CPython standard-library modules:
real technical prose, a few MB, reproducible on any machine with the same Python.
Run the benchmarks with an interpreter that has the rag starter's dependencies (for example
the venv a rendered project's `make install` made), from this repository's root, with
`scaffolder` on PATH.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import io
import os
import pydoc
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "benchrag"
# Pure-Python modules that import without side effects and document their functions.
MODULES = (
    "argparse",
    "base64",
    "bisect",
    "calendar",
    "cmd",
    "codecs",
    "collections",
    "colorsys",
    "configparser",
    "contextlib",
    "copy",
    "csv",
    "dataclasses",
    "datetime",
    "decimal",
    "difflib",
    "dis",
    "email.utils",
    "enum",
    "filecmp",
    "fileinput",
    "fnmatch",
    "fractions",
    "ftplib",
    "functools",
    "getopt",
    "gettext",
    "glob",
    "gzip",
    "hashlib",
    "heapq",
    "hmac",
    "html",
    "http.cookies",
    "imaplib",
    "inspect",
    "ipaddress",
    "json",
    "keyword",
    "linecache",
    "locale",
    "logging",
    "mailbox",
    "mimetypes",
    "netrc",
    "numbers",
    "operator",
    "optparse",
    "os.path",
    "pathlib",
    "pickle",
    "pkgutil",
    "platform",
    "plistlib",
    "poplib",
    "pprint",
    "quopri",
    "random",
    "re",
    "reprlib",
    "sched",
    "secrets",
    "selectors",
    "shlex",
    "shutil",
    "smtplib",
    "socketserver",
    "statistics",
    "string",
    "struct",
    "subprocess",
    "tarfile",
    "tempfile",
    "textwrap",
    "threading",
    "timeit",
    "tokenize",
    "trace",
    "traceback",
    "typing",
    "urllib.parse",
    "uuid",
    "warnings",
    "wave",
    "weakref",
    "webbrowser",
    "zipfile",
)


@dataclass
class Workspace:
    """A temporary folder holding a rendered project and a pydoc corpus beside it."""

    folder: Path
    project: Path
    corpus: Path
    modules: list[str]


@contextlib.contextmanager
def rendered_corpus(modules: int) -> Iterator[Workspace]:
    """The opening every RAG benchmark shares: render the project, write the first `modules`
    pydoc pages, and remove both afterwards."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        project = render(folder / "project")
        written = write_corpus(folder / "corpus", MODULES[:modules])
        yield Workspace(folder, project, folder / "corpus", written)


def render(dest: Path) -> Path:
    """A default rag project from this repository's templates, importable as PACKAGE."""
    subprocess.run(
        [
            "scaffolder",
            "new",
            str(dest),
            "--approach",
            "rag",
            "--defaults",
            "--no-git",
            "--set",
            f"project_name={PACKAGE}",
        ],
        check=True,
        capture_output=True,
    )
    sys.path.insert(0, str(dest / "src"))
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    return dest


def write_corpus(folder: Path, modules: tuple[str, ...] = MODULES) -> list[str]:
    """One .txt page per module, as `pydoc` renders it; returns the module names written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in modules:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        with contextlib.redirect_stdout(io.StringIO()):
            text = pydoc.render_doc(module, renderer=pydoc.plaintext)
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
        written.append(name)
    return written


def queries(modules: list[str], per_module: int = 3) -> list[tuple[str, str]]:
    """(query, module) pairs: the first sentence of public functions' docstrings."""
    pairs = []
    for name in modules:
        module = importlib.import_module(name)
        found = 0
        for attr, value in sorted(vars(module).items()):
            if attr.startswith("_") or not inspect.isfunction(value):
                continue
            if getattr(value, "__module__", None) != module.__name__:
                continue
            doc = inspect.getdoc(value) or ""
            sentence = doc.split("\n\n")[0].replace("\n", " ").split(". ")[0].strip()
            if len(sentence) >= 25:
                pairs.append((sentence, name))
                found += 1
            if found == per_module:
                break
    return pairs


def load(project: Path, *overrides: str):
    """The project's config with overrides, and its package's modules."""
    config_module = importlib.import_module(f"{PACKAGE}.config")
    config = config_module.load_config(project / "config" / "rag.yaml", overrides, environ={})
    return config
