"""`new --data`: the user's own files in place of a starter's sample data.

Runs inside the staging folder before it is moved into place, so a bad row stops `new` with
nothing written. What goes where:

- labeled rows (fine-tuning starter): normalised to the starter's row format (`text` +
  `label`, `prompt` + `completion`, or `messages`) and written to `data/own/`; one file (or
  files not named after the splits) is split 80/10/10 into train / validation / test,
  deterministically and, for classification, per label; `config/train.yaml` points there
  (the sample rows stay in `data/sample/`: the project's own tests train on them).
- documents (RAG starter `data/docs/`, hybrid `data/knowledge/`): copied with their folder
  structure in place of the samples, and the evaluation questions are built from the
  documents' titles and headings (the README says how to add real ones).

The field names that count as input, output, label or chat turns are the evidence rules'
(`_decision.evidence` in decision.yml), so what `--evidence` recognises is what is imported.
"""

from __future__ import annotations

import csv
import json
import random
import re
import shutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from scaffolder import questionnaire
from scaffolder.errors import InvalidInput
from scaffolder.evidence import Evidence, load_rows
from scaffolder.project import read_answers

SPLITS = ("train", "validation", "test")
#: File names (stems) taken as a split the user already made.
SPLIT_NAMES = {
    "train": "train",
    "validation": "validation",
    "valid": "validation",
    "val": "validation",
    "dev": "validation",
    "test": "test",
}
ROLES = ("system", "user", "assistant")
#: Folder of the user's rows in a fine-tuning project, and of documents per starter.
ROWS_FOLDER = "data/own"
DOCUMENT_FOLDERS = {"rag": "data/docs", "hybrid": "data/knowledge"}
SEED = 42
#: How many bad rows the error lists (all are counted).
SHOWN_ERRORS = 20
#: How many evaluation questions are built from headings (the demo asks the first three).
GENERATED_QUESTIONS = 12
#: In a hybrid project every fourth heading question is held out for evaluation, the rest train.
HELD_OUT_EVERY = 4
HYBRID_PAIRS = "data/qa/train.jsonl"


@dataclass
class Imported:
    """What `new --data` brought in, for the command's summary."""

    documents: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    questions: int = 0
    unused: list[str] = field(default_factory=list)


def import_data(evidence: Evidence, roots: list[Path], project: Path, approach: str) -> Imported:
    """Put the files under `roots` (already read as `evidence`) into the rendered `project`."""
    roots = [Path(r).absolute() for r in roots]
    rows = [p for p in evidence.row_files if _under(p, roots)]
    documents = [(r, Path(p)) for r, p in evidence.documents if _under(p, roots)]
    imported = Imported()
    if approach == "finetune":
        if rows:
            imported.rows = _import_rows(rows, project)
        imported.unused = [str(p) for _, p in documents]
    else:
        if documents:
            imported.documents, imported.questions = _import_documents(
                documents, project, DOCUMENT_FOLDERS[approach], approach
            )
        imported.unused = [str(p) for p in rows]
    if not (imported.rows or imported.documents):
        wanted = "labeled rows (JSONL, CSV or JSON)" if approach == "finetune" else "documents"
        raise InvalidInput(
            f"--data: nothing the {approach} starter can use; it takes {wanted}, and "
            f"{', '.join(map(str, roots))} held none (see `scaffolder decide --evidence` "
            "for what was found and skipped)"
        )
    return imported


def _under(path: Path, roots: list[Path]) -> bool:
    path = Path(path).absolute()
    return any(path == root or path.is_relative_to(root) for root in roots)


# Labeled rows ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    file: Path
    line: int
    data: dict[str, Any]


def _import_rows(files: list[Path], project: Path) -> dict[str, int]:
    shape = read_answers(project)["task_shape"]
    rules = questionnaire.load().settings["evidence"]
    rows, errors = [], []
    for path in files:
        for line, record in _records(path):
            problem, row = _normalised(record, shape, rules)
            if problem:
                errors.append(f"  {path}:{line}: {problem}")
            else:
                rows.append(_Row(path, line, row))
    if errors:
        listed = "\n".join(errors[:SHOWN_ERRORS])
        hidden = len(errors) - SHOWN_ERRORS
        more = f"\n  ... and {hidden} more" if hidden > 0 else ""
        raise InvalidInput(
            f"--data: {len(errors)} bad row(s); fix them and run again "
            f"(nothing was written):\n{listed}{more}"
        )
    splits = _given_splits(rows) or _split(rows, shape)
    target = project / ROWS_FOLDER
    target.mkdir(parents=True)
    for name, members in splits.items():
        with (target / f"{name}.jsonl").open("w", encoding="utf-8") as handle:
            handle.writelines(json.dumps(r.data, ensure_ascii=False) + "\n" for r in members)
    _point_config_at(project / "config" / "train.yaml", ROWS_FOLDER)
    return {name: len(members) for name, members in splits.items()}


def _records(path: Path) -> Iterator[tuple[int, Any]]:
    """(line, record) of a JSONL, CSV or JSON file; unparseable lines come back as errors."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidInput(f"--data: cannot read {path}: {error}") from error
    suffix = path.suffix.lower()
    if suffix == ".csv":
        reader = csv.DictReader(text.splitlines())
        for record in reader:
            yield reader.line_num, record
    elif suffix == ".json":
        # A JSON file has no useful line numbers; the item's 1-based position stands in.
        yield from enumerate(load_rows(path), start=1)
    else:
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                try:
                    yield number, json.loads(line)
                except json.JSONDecodeError as error:
                    yield number, _Unparsed(f"not valid JSON: {error.msg}")


@dataclass(frozen=True)
class _Unparsed:
    reason: str


def _normalised(
    record: Any, shape: str, rules: Mapping[str, Any]
) -> tuple[str | None, dict[str, Any]]:
    """(problem, row in the starter's format): the fine-tuning data check's rules, applied early."""
    if isinstance(record, _Unparsed):
        return record.reason, {}
    if not isinstance(record, dict):
        return f"expected an object, got {type(record).__name__}", {}
    chat = _first(record, rules["chat_fields"])
    if chat and shape == "generation":
        return _messages_problem(record[chat]), {"messages": record[chat]}
    source = _first(record, rules["input_fields"])
    target = _first(record, rules["label_fields"] + rules["output_fields"])
    if shape == "classification":
        target = _first(record, rules["label_fields"]) or _first(record, rules["output_fields"])
    if not source or not _text(record[source]):
        return f"needs a non-empty input text (one of: {', '.join(rules['input_fields'])})", {}
    if not target or record[target] in (None, "", [], {}):
        wanted = rules["label_fields"] if shape == "classification" else rules["output_fields"]
        return f"needs a non-empty {_target_word(shape)} (one of: {', '.join(wanted)})", {}
    value = record[target]
    if shape == "classification":
        if isinstance(value, (dict, list)):
            return f"'{target}' must be a single label, got {type(value).__name__}", {}
        return None, {"text": record[source], "label": str(value)}
    completion = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return None, {"prompt": record[source], "completion": completion}


def _target_word(shape: str) -> str:
    return "label" if shape == "classification" else "output text"


def _first(record: Mapping[str, Any], names: list[str]) -> str | None:
    return next((name for name in names if name in record), None)


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _messages_problem(messages: Any) -> str | None:
    if not isinstance(messages, list) or not messages:
        return "'messages' must be a non-empty list of {role, content} objects"
    for index, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") not in ROLES:
            return f"messages[{index}].role must be one of {', '.join(ROLES)}"
        if not isinstance(message.get("content"), str):
            return f"messages[{index}].content must be a string"
    if messages[-1]["role"] != "assistant":
        return "the last message must be the assistant's (it is what the model learns to write)"
    return None


def _given_splits(rows: list[_Row]) -> dict[str, list[_Row]] | None:
    """The user's own train / validation / test files, when those are exactly what was given."""
    names = {row.file: SPLIT_NAMES.get(row.file.stem.lower()) for row in rows}
    if None in names.values() or set(names.values()) != set(SPLITS):
        return None
    return {s: [r for r in rows if names[r.file] == s] for s in SPLITS}


def _split(rows: list[_Row], shape: str) -> dict[str, list[_Row]]:
    """80/10/10, the same every time: within each label (or all rows), shuffled with a fixed
    seed, every tenth row but one goes to validation and every tenth to test."""
    groups: dict[str, list[_Row]] = {}
    for row in rows:
        key = row.data["label"] if shape == "classification" else ""
        groups.setdefault(key, []).append(row)
    splits: dict[str, list[_Row]] = {name: [] for name in SPLITS}
    for key in sorted(groups):
        members = groups[key]
        random.Random(f"{SEED}:{key}").shuffle(members)
        for position, row in enumerate(members):
            slot = position % 10
            splits["validation" if slot == 8 else "test" if slot == 9 else "train"].append(row)
    empty = [name for name, members in splits.items() if not members]
    if empty:
        raise InvalidInput(
            f"--data: {len(rows)} rows are too few to hold out {' and '.join(empty)} rows "
            "(one in ten of each label goes to validation and one to test, so some label "
            "needs 10 rows or more); add rows, or give train, validation and test files"
        )
    return splits


def _point_config_at(config: Path, folder: str) -> None:
    """Change the `data_dir:` line of the rendered train.yaml, keeping its comment."""
    text = config.read_text(encoding="utf-8")
    config.write_text(
        re.sub(r"^data_dir: \S+", f"data_dir: {folder}", text, count=1, flags=re.M),
        encoding="utf-8",
    )


# Documents -----------------------------------------------------------------------------------


def _import_documents(
    documents: list[tuple[Path, Path]], project: Path, folder: str, approach: str
) -> tuple[int, int]:
    """Copy documents with their folder structure, then questions from their headings."""
    refusals = _unanswerable(project / "evaluation" / "questions.yaml")
    target = project / folder
    shutil.rmtree(target, ignore_errors=True)
    roots = list(dict.fromkeys(root for root, _ in documents))
    copied = []
    for root, path in documents:
        relative = _relative(root, path, several_roots=len(roots) > 1)
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, destination)
        copied.append((destination, f"{folder}/{relative.as_posix()}"))
    # Sections with a sentence under their heading first: those have a reference answer.
    sections = sorted(_sections_of(copied), key=lambda section: section.sentence is None)
    if approach == "hybrid":
        # Training questions and held-out ones must differ: every fourth goes to evaluation.
        held_out = sections[::HELD_OUT_EVERY][:GENERATED_QUESTIONS]
        training = [s for s in sections if s not in held_out and _quotable(s.sentence)]
        _write_pairs(project / HYBRID_PAIRS, training)
    else:
        held_out = sections[:GENERATED_QUESTIONS]
    questions = [s.question() for s in held_out]
    _write_questions(project / "evaluation" / "questions.yaml", questions + refusals)
    _write_demo_questions(project / "evaluation" / "demo-questions.txt", questions)
    return len(copied), len(questions)


def _unanswerable(path: Path) -> list[dict[str, Any]]:
    """The sample set's questions that no document answers: they stay refusals on any data."""
    if not path.is_file():
        return []
    entries = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("questions") or []
    return [e for e in entries if isinstance(e, dict) and not e.get("expected_sources")]


def _relative(root: Path, path: Path, several_roots: bool) -> Path:
    """Where a document goes under the knowledge folder: its path below what the user gave."""
    if not root.is_dir():
        return Path(path.name)
    below = Path(path).relative_to(root)
    return Path(root.absolute().name) / below if several_roots else below


HEADING = re.compile(r"^#{1,3}[ \t]+(.+?)[ \t#]*$", re.M)
HTML_HEADING = re.compile(r"<(title|h1|h2|h3)[^>]*>(.*?)</\1>", re.I | re.S)
HTML_NOISE = re.compile(r"<(script|style)[^>]*>.*?</\1>", re.I | re.S)
TAG = re.compile(r"<[^>]+>")
SENTENCE = re.compile(r"(.+?[.!?])(?:\s|$)", re.S)
#: Sentences with markup may read differently once a starter has parsed the file.
MARKUP = set("*_[]`|<>#")


@dataclass(frozen=True)
class _Section:
    """A heading of a document and the first sentence under it (None if there is none)."""

    heading: str
    sentence: str | None
    source: str

    def question(self) -> dict[str, Any]:
        return {
            "question": f"What do the documents say about {self.heading}?",
            "expected_sources": [self.source],
            "answer": self.sentence,
        }


def _sections_of(copied: list[tuple[Path, str]]) -> list[_Section]:
    """Every document's sections, taken round-robin so the first few cover many documents."""
    per_document = [_sections(path, source) for path, source in copied]
    ordered, seen = [], set()
    for round_ in range(max((len(s) for s in per_document), default=0)):
        for sections in per_document:
            if round_ < len(sections) and sections[round_].heading.lower() not in seen:
                seen.add(sections[round_].heading.lower())
                ordered.append(sections[round_])
    return ordered


def _sections(path: Path, source: str) -> list[_Section]:
    """Markdown and HTML headings, a text file's first line, else the file's name."""
    suffix = path.suffix.lower()
    text = path.read_text(encoding="utf-8", errors="replace")[:200_000]
    if suffix in (".md", ".markdown"):
        parts = _split_at(text, [(m.start(), m.end(), m.group(1)) for m in HEADING.finditer(text)])
    elif suffix in (".html", ".htm"):
        text = HTML_NOISE.sub("", text)
        found = [(m.start(), m.end(), TAG.sub("", m.group(2))) for m in HTML_HEADING.finditer(text)]
        parts = [(h, TAG.sub(" ", body)) for h, body in _split_at(text, found)]
    elif suffix in (".txt", ".rst"):
        first, _, rest = text.strip().partition("\n")
        parts = [(first, rest)]
    else:
        parts = []
    sections = []
    for heading, body in parts:
        heading = " ".join(heading.split()).strip(" #:")
        if 2 < len(heading) <= 80:
            sections.append(_Section(heading, _first_sentence(body), source))
    return sections or [_Section(path.stem.replace("-", " ").replace("_", " "), None, source)]


def _split_at(text: str, headings: list[tuple[int, int, str]]) -> list[tuple[str, str]]:
    """(heading, the text up to the next heading) for each heading found at (start, end)."""
    if not headings:
        return []
    ends = [start for start, _, _ in headings[1:]] + [len(text)]
    return [(title, text[end:stop]) for (_, end, title), stop in zip(headings, ends, strict=True)]


def _first_sentence(body: str) -> str | None:
    for paragraph in re.split(r"\n\s*\n", body):
        flat = " ".join(paragraph.split())
        match = SENTENCE.match(flat)
        if match and len(match.group(1)) >= 20:
            return match.group(1)
    return None


def _quotable(sentence: str | None) -> bool:
    return bool(sentence) and not (set(sentence) & MARKUP)


def _write_pairs(path: Path, sections: list[_Section]) -> None:
    """The hybrid's training questions: each answer is a sentence its source file holds."""
    rows = (
        {
            "question": s.question()["question"],
            "answer": s.sentence,
            "source": s.source,
            "evidence": s.sentence,
        }
        for s in sections
    )
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")


def _write_questions(path: Path, questions: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    header = (
        "# Questions built by `scaffolder new --data` from your documents' titles and headings.\n"
        "# They measure retrieval (does search find the document the heading came from?), and\n"
        "# the reference answer is the first sentence under the heading. The questions with an\n"
        "# empty expected_sources list are the sample set's: no document should answer them.\n"
        "# Replace them with real questions your users ask, each with the files that hold the\n"
        "# answer (expected_sources) and a reference answer; an empty expected_sources list\n"
        "# marks a question the documents cannot answer (the right response is a refusal).\n"
    )
    body = yaml.safe_dump({"questions": questions}, sort_keys=False, allow_unicode=True)
    path.write_text(header + body, encoding="utf-8")


def _write_demo_questions(path: Path, questions: list[dict[str, Any]]) -> None:
    if path.exists():
        path.write_text("".join(q["question"] + "\n" for q in questions[:3]), encoding="utf-8")
