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
        nltk_data_copy(folder / "nltk_data")
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


def nltk_data_copy(folder: Path) -> None:
    """Point llama-index at a plain copy of the NLTK data it ships (its default splitter and
    stopwords read it): nltk refuses a file with several hard links, and uv installs them so."""
    import shutil

    if "NLTK_DATA" in os.environ:
        return
    import llama_index.core

    bundled = Path(llama_index.core.__file__).parent / "_static" / "nltk_cache"
    shutil.copytree(bundled, folder, copy_function=shutil.copy)
    os.environ["NLTK_DATA"] = str(folder)


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
    """(query, module) pairs: the first sentence of public functions' docstrings.

    Only functions that the module's page documents count (pydoc leaves out names missing from
    a module's `__all__`): a query whose answer is not on its page cannot be found by anyone.
    """
    pairs = []
    for name in modules:
        module = importlib.import_module(name)
        documented = getattr(module, "__all__", None)
        found = 0
        for attr, value in sorted(vars(module).items()):
            if not inspect.isfunction(value) or not pydoc.visiblename(attr, documented, value):
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


def hide_query_sentences(corpus: Path, pairs: list[tuple[str, str]]) -> int:
    """Delete from each module's page the lines that hold one of its queries' sentences.

    What is left of a function's entry (its name, signature and the rest of its docstring) has to
    carry the match: the query's words are no longer on the page, as with a user who asks in
    words of their own. Returns the number of lines deleted.
    """
    by_module: dict[str, list[str]] = {}
    for sentence, module in pairs:
        by_module.setdefault(module, []).append(sentence)
    deleted = 0
    for module, sentences in by_module.items():
        page = corpus / f"{module}.txt"
        kept = []
        for line in page.read_text(encoding="utf-8").splitlines():
            text = line.strip().lstrip("|").strip()
            if len(text) >= 12 and any(_holds_part_of(s, text) for s in sentences):
                deleted += 1
            else:
                kept.append(line)
        page.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return deleted


def _holds_part_of(sentence: str, line: str) -> bool:
    """A docstring line of the sentence: inside it, or its last line, which may run on into the
    next sentence."""
    head = line.split(". ")[0].rstrip(".")
    return line in sentence or (len(head) >= 12 and sentence.endswith(head))


def load(project: Path, *overrides: str):
    """The project's config with overrides, and its package's modules."""
    config_module = importlib.import_module(f"{PACKAGE}.config")
    config = config_module.load_config(project / "config" / "rag.yaml", overrides, environ={})
    return config
