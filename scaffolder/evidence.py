"""Answers derived from the user's own files (`--evidence PATH`), each with what it was found in.

People rarely know how many labeled rows they have or how often their documents change, but
they have the files. This module reads them, without any model, and answers the questions it
can: `labeled_data` and `task` from labeled rows (JSONL, CSV or JSON), `knowledge_size` and
`knowledge_change` from documents (their count and bytes, and how often the folder changes by
its git history or, outside git, by file modification times). Every rule and threshold is
data in `templates/decision.yml` (`_decision.evidence`).

Anything that cannot be read is listed with the reason and skipped; nothing here raises on a
bad file. A path that does not exist is bad input, though, and stops the command.
"""

from __future__ import annotations

import csv
import json
import os
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scaffolder import git, questionnaire
from scaffolder.errors import InvalidInput

DAY = 86400
#: Folders that hold tooling, not the user's data.
IGNORED_FOLDERS = {"__pycache__", "node_modules"}


@dataclass(frozen=True)
class Finding:
    """One answer and what in the user's files it came from."""

    question: str
    answer: Any
    found: str

    def to_dict(self, used: bool = True) -> dict[str, Any]:
        return {"question": self.question, "answer": self.answer, "found": self.found, "used": used}


@dataclass(frozen=True)
class Skipped:
    """A path that gave no evidence, and why."""

    path: str
    reason: str


@dataclass(frozen=True)
class Evidence:
    findings: tuple[Finding, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    #: The files each rule read, for `new --data` to import: labeled-row files and documents.
    row_files: tuple[Path, ...] = ()
    documents: tuple[tuple[Path, str], ...] = ()  # (root given by the user, file)

    @property
    def answers(self) -> dict[str, Any]:
        return {finding.question: finding.answer for finding in self.findings}

    def finding(self, question: str) -> Finding | None:
        return next((f for f in self.findings if f.question == question), None)


@dataclass
class RowsFile:
    """What one labeled-rows file holds: its usable rows and the task shape its fields suggest."""

    path: Path
    rows: int
    task: str | None
    why: str
    labels: int = 0


@dataclass(frozen=True)
class _Document:
    root: Path  # the path the user gave
    path: str  # a string: a Path per file would be most of the time spent on 10,000 files
    size: int
    mtime: float


@dataclass
class _Scan:
    rows: list[RowsFile] = field(default_factory=list)
    documents: list[_Document] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    #: Files of other types, counted per (root, suffix): listing each would bury the rest.
    other: Counter = field(default_factory=Counter)


def gather(paths: Iterable[Path | str]) -> Evidence:
    """Read every path (file or folder) and derive what answers the files support."""
    rules = questionnaire.load().settings["evidence"]
    paths = [Path(p) for p in paths]
    missing = [str(p) for p in paths if not p.exists() and not p.is_symlink()]
    if missing:
        raise InvalidInput(f"evidence path not found: {', '.join(missing)}")
    scan = _Scan()
    suffixes = {"rows": set(rules["row_suffixes"]), "documents": set(rules["document_suffixes"])}
    for root in paths:
        for path in _files(root, scan):
            _read(root, path, rules, suffixes, scan)
    for (root, suffix), count in sorted(scan.other.items()):
        scan.skipped.append(
            Skipped(
                f"{root} ({count} *{suffix} file{'s' if count > 1 else ''})"
                if suffix
                else f"{root} ({count} file{'s' if count > 1 else ''} without a suffix)",
                "neither documents nor labeled rows",
            )
        )
    findings = _row_findings(scan.rows, rules) + _document_findings(scan, rules)
    return Evidence(
        findings=tuple(findings),
        skipped=tuple(scan.skipped),
        row_files=tuple(r.path for r in scan.rows),
        documents=tuple((d.root, d.path) for d in scan.documents),
    )


def _files(root: Path, scan: _Scan) -> Iterator[str]:
    """Every file under root (or root itself), hidden and tooling folders left out, sorted."""
    if not root.is_dir():
        yield str(root)
        return
    for folder, dirs, files in os.walk(root, onerror=lambda e: _skip(scan, e.filename, e)):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in IGNORED_FOLDERS)
        for name in sorted(files):
            if not name.startswith("."):
                yield os.path.join(folder, name)


def _read(root: Path, path: str, rules: Mapping[str, Any], suffixes, scan: _Scan) -> None:
    suffix = os.path.splitext(path)[1].lower()
    try:
        stat = os.stat(path)
    except OSError as error:
        _skip(scan, path, error)
        return
    if suffix in suffixes["rows"]:
        rows = _rows_file(Path(path), rules)
        if isinstance(rows, RowsFile):
            scan.rows.append(rows)
        else:
            scan.skipped.append(Skipped(path, rows))
    elif suffix in suffixes["documents"]:
        if os.access(path, os.R_OK):
            scan.documents.append(_Document(root, path, stat.st_size, stat.st_mtime))
        else:
            scan.skipped.append(Skipped(path, "cannot read: permission denied"))
    else:
        scan.other[(str(root), suffix)] += 1


def _skip(scan: _Scan, path: Any, error: OSError) -> None:
    scan.skipped.append(Skipped(str(path), f"cannot read: {error.strerror or error}"))


# Labeled rows ---------------------------------------------------------------------------------


def load_rows(path: Path) -> list[Any]:
    """The records of a JSONL, CSV or JSON file; raises ValueError or OSError when unreadable.

    JSONL lines that are not valid JSON are left out here (the fine-tuning data check names
    them by line); a JSON file must hold a list of records, or one key whose value is one.
    """
    suffix = path.suffix.lower()
    text = path.read_text(encoding="utf-8")
    if suffix == ".csv":
        return list(csv.DictReader(text.splitlines()))
    if suffix == ".json":
        data = json.loads(text)
        lists = [v for v in data.values() if isinstance(v, list)] if isinstance(data, dict) else []
        if isinstance(data, list):
            return data
        if len(lists) == 1:
            return lists[0]
        raise ValueError("a JSON file of rows holds a list of objects")
    return [row for row in _jsonl(text.splitlines()) if row is not None]


def _jsonl(lines: Iterable[str]) -> Iterator[Any]:
    for line in lines:
        if line.strip():
            try:
                yield json.loads(line)
            except json.JSONDecodeError:
                yield None


def _rows_file(path: Path, rules: Mapping[str, Any]) -> RowsFile | str:
    """A RowsFile, or the reason the file gives no labeled rows."""
    try:
        records = [r for r in load_rows(path) if isinstance(r, dict)]
    except (OSError, UnicodeDecodeError, ValueError, csv.Error) as error:
        reason = error.strerror if isinstance(error, OSError) else str(error).split("\n")[0]
        return f"cannot read: {reason}"
    if not records:
        return "no rows (expected JSON objects, or CSV with a header)"
    return _shape(path, records, rules)


def _shape(path: Path, rows: list[dict[str, Any]], rules: Mapping[str, Any]) -> RowsFile | str:
    """The task shape the fields suggest, checked in the order decision.yml documents."""
    chat = _common(rows, rules["chat_fields"])
    if chat and _mostly(rows, lambda r: isinstance(r.get(chat), list) and r[chat]):
        labeled = [r for r in rows if isinstance(r.get(chat), list) and r[chat]]
        return RowsFile(path, len(labeled), "chatbot", f"'{chat}' holds chat turns")
    source = _common(rows, rules["input_fields"])
    output = _common(rows, rules["output_fields"])
    label = _common(rows, rules["label_fields"])
    if not source or not (output or label):
        fields = ", ".join(sorted({k for r in rows[:50] for k in r})) or "none"
        return (
            "no labeled-row fields: expected an input field "
            f"({', '.join(rules['input_fields'])}) with an output or label field "
            f"({', '.join(rules['output_fields'] + rules['label_fields'])}); found {fields}"
        )
    labeled = [r for r in rows if _filled(r.get(source)) and _filled(r.get(label or output))]
    n = len(labeled)
    if output and _mostly(labeled, lambda r: isinstance(_as_object(r[output]), dict)):
        return RowsFile(path, n, "extraction", f"'{output}' holds JSON objects")
    target = label or output
    values = Counter(str(r[target]) for r in labeled if _short_scalar(r[target]))
    if values and _label_like(values, n, rules, named=bool(label)):
        return RowsFile(
            path, n, "classification", f"'{target}' has {len(values)} distinct values", len(values)
        )
    if output and source:
        ratio = _mean_len(labeled, output) / max(_mean_len(labeled, source), 1)
        if ratio <= rules["summary_ratio"]:
            return RowsFile(
                path, n, "summarization", f"'{output}' is {ratio:.0%} of '{source}' on average"
            )
    return RowsFile(path, n, None, f"'{source}' -> '{target}' rows")


def _common(rows: list[dict[str, Any]], names: list[str]) -> str | None:
    """The first of `names` present in most rows."""
    return next((name for name in names if _mostly(rows, lambda r, n=name: n in r)), None)


def _mostly(rows: list[dict[str, Any]], test) -> bool:
    return bool(rows) and sum(1 for r in rows if test(r)) * 2 > len(rows)


def _filled(value: Any) -> bool:
    return value not in (None, "", [], {})


def _short_scalar(value: Any) -> bool:
    return isinstance(value, (bool, int)) or (isinstance(value, str) and 0 < len(value) <= 40)


def _label_like(values: Counter, rows: int, rules: Mapping[str, Any], named: bool) -> bool:
    few = len(values) <= rules["max_label_values"]
    repeated = len(values) * 2 <= rows
    return few and (named or repeated)


def _as_object(value: Any) -> Any:
    if isinstance(value, str) and value.lstrip().startswith("{"):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def _mean_len(rows: list[dict[str, Any]], key: str) -> float:
    return sum(len(str(r[key])) for r in rows) / max(len(rows), 1)


def _row_findings(files: list[RowsFile], rules: Mapping[str, Any]) -> list[Finding]:
    if not files:
        return []
    total = sum(f.rows for f in files)
    thresholds = rules["labeled_data_at_least"]
    answer = next((a for a in ("many", "few") if total >= thresholds[a]), "none")
    where = files[0].path.name if len(files) == 1 else f"{len(files)} files"
    labels = max((f.labels for f in files), default=0)
    detail = f" ({labels} labels)" if labels else ""
    findings = [Finding("labeled_data", answer, f"{total:,} labeled rows in {where}{detail}")]
    shapes = Counter()
    for f in files:
        if f.task:
            shapes[f.task] += f.rows
    if shapes:
        task = shapes.most_common(1)[0][0]
        example = next(f for f in files if f.task == task)
        findings.append(Finding("task", task, f"{example.why} in {example.path.name}"))
    return findings


# Documents ------------------------------------------------------------------------------------


def _document_findings(scan: _Scan, rules: Mapping[str, Any]) -> list[Finding]:
    if not scan.documents:
        return []
    count = len(scan.documents)
    size = sum(d.size for d in scan.documents)
    large = rules["knowledge_large_at_least"]
    answer = "large" if count >= large["files"] or size >= large["bytes"] else "small"
    findings = [
        Finding("knowledge_size", answer, f"{count:,} documents, {_megabytes(size)} in total")
    ]
    change = _knowledge_change(scan, rules)
    if change:
        findings.append(change)
    return findings


def _megabytes(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size >= 100_000 else f"{size / 1e3:.1f} kB"


def _knowledge_change(scan: _Scan, rules: Mapping[str, Any]) -> Finding | None:
    """The fastest-changing folder decides: knowledge changes as often as its busiest part."""
    rates = []
    for root in dict.fromkeys(d.root for d in scan.documents):
        mtimes = [d.mtime for d in scan.documents if d.root == root]
        history = _git_history(root) or _mtime_history(mtimes)
        age_days = (time.time() - min(history.events, default=time.time())) / DAY
        if age_days < rules["min_history_days"]:
            scan.skipped.append(
                Skipped(
                    str(root),
                    f"its history ({history.kind}) spans {age_days:.0f} days; telling how "
                    f"often it changes needs {rules['min_history_days']} days or more",
                )
            )
            continue
        window = min(rules["window_days"], age_days)
        recent = [t for t in history.events if t >= time.time() - window * DAY]
        rates.append((len(recent) / (window / 7), root, history.kind, len(recent), window))
    if not rates:
        return None
    per_week, root, kind, events, window = max(rates, key=lambda r: r[0])
    thresholds = rules["knowledge_change_per_week_at_least"]
    answer = next(
        (a for a in ("daily", "weekly", "monthly") if per_week >= thresholds[a]), "rarely"
    )
    return Finding(
        "knowledge_change",
        answer,
        f"{events} {kind} in the last {window:.0f} days in {root} ({per_week:.1f} a week)",
    )


@dataclass(frozen=True)
class _History:
    kind: str  # what one event is, in words
    events: list[float]  # their times


def _git_history(root: Path) -> _History | None:
    """Commit times touching root, if root lies in a git work tree that has ever committed it."""
    folder, pathspec = (root, ".") if root.is_dir() else (root.parent, root.name)
    times = git.commit_times(folder, pathspec)
    return _History("commits", times) if times else None


def _mtime_history(mtimes: list[float]) -> _History:
    """Outside git: each calendar day on which some document was modified is one change."""
    days = {int(mtime // DAY) for mtime in mtimes}
    return _History("days with modified files", [day * DAY for day in sorted(days)])
