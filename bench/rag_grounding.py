"""What the grounding check costs, and what it and the answer settings do to answers.

Renders the rag starter, ingests its sample documents (or CPython's `pydoc_data` topics with
`--corpus pydoc`) and answers each answerable question of the evaluation set one at a time with
the packaged model. Per question it times, in the same run:

- the answer without the check: retrieval, generation and the reply's clean-up;
- the check: every claim-bearing span against the cited passages, the citation's section,
  and, for a failing reply, the extractive answer (a repair is a second answer and is
  counted apart, not as the check's cost).

It also scores the raw reply (what the starter showed before the check) and the final answer
(without the one repair try, which `answer.grounding: extractive` also skips): right (every
number of the reference) and holding a number absent from the passages. Refused questions
count as not right.

    python bench/rag_grounding.py [--corpus sample|pydoc] [--limit N] [--set key=value ...]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from rag_common import load, render

# A fixed question set over CPython's help topics: (question, reference holding the number).
PYDOC_QUESTIONS = (
    ("What does 10**-2 return?", "0.01"),
    ("Since which Python version are underscores allowed in floating point literals?", "3.6"),
    ("In which version was the 'rb' prefix of raw bytes literals added?", "3.3"),
    ("Bytes with a numeric value of what or greater must be expressed with escapes?", "128"),
    ("How is the bitwise inversion of x defined?", "-(x+1)"),
    ("A right shift by n bits is defined as floor division by what?", "pow(2,n)"),
    ("What does 10**2 return?", "100"),
    ("Before which version did Python use C-style octal literals?", "3.0"),
    ("What real part does an imaginary literal yield?", "0.0"),
    ("Since which version do octal escapes above 0o377 produce a DeprecationWarning?", "3.11"),
    ("Since which version can parentheses split a with statement over several lines?", "3.10"),
    ("Since which version may a with statement have multiple context expressions?", "3.1"),
    ("Which PEP advises comparing singletons with is or is not?", "PEP 8"),
    ("Which IEEE standard do the comparisons with NaN comply with?", "IEEE 754"),
    ("Which PEP specifies the with statement?", "PEP 343"),
    ("In which version was the @ matrix multiplication operator added?", "3.5"),
)
PYDOC_TOPICS = (
    "power",
    "floating",
    "integers",
    "imaginary",
    "shifting",
    "unary",
    "strings",
    "comparisons",
    "with",
    "binary",
)


def pydoc_corpus(project) -> list[tuple[str, str]]:
    """CPython's help topics (nobody here wrote them) as the knowledge base; the questions."""
    from pydoc_data.topics import topics

    folder = project / "data" / "docs"
    shutil.rmtree(folder)
    folder.mkdir()
    for name in PYDOC_TOPICS:
        (folder / f"{name}.txt").write_text(topics[name], encoding="utf-8")
    return list(PYDOC_QUESTIONS)


def run(project, overrides: list[str], limit: int, corpus: str) -> dict:
    from benchrag.answer import Answerer, build_messages, cited_passages, evidence, placed, texts
    from benchrag.evaluate import is_correct, load_questions
    from benchrag.grounding import extractive, numbers, unsupported
    from benchrag.ingest import ingest

    config = load(project, *overrides)
    if corpus == "pydoc":
        asked = pydoc_corpus(project)[:limit]
    else:
        found = load_questions(config.resolve(config.evaluation.questions))
        asked = [(q.question, q.answer) for q in found if q.answerable][:limit]
    ingest(config, progress=False)
    answerer = Answerer(config)
    answerer.generator.generate([{"role": "user", "content": "Hello"}])  # warm up
    rows = []
    for question, reference in asked:
        start = time.perf_counter()
        passages, relevance = answerer.context(question)
        if answerer._refuses(passages, relevance):
            rows.append({"refused": True})
            continue
        reply = answerer.generator.generate(build_messages(config, question, passages))
        draft = answerer._draft(reply, passages)
        answered = time.perf_counter()
        if draft is None:
            rows.append({"refused": True})
            continue
        given = evidence(passages)
        problems = unsupported(draft, given)
        cited = cited_passages(draft, passages)
        final = extractive(question, texts(passages), cited)[0] if problems else draft
        for passage in passages:
            placed(passage, final)
        checked = time.perf_counter()
        rows.append(
            {
                "answer_s": answered - start,
                "check_s": checked - answered,
                "raw_right": is_correct(draft, reference),
                "raw_grounded": not problems,
                "raw_stray_numbers": bool(numbers(draft) - set().union(*map(numbers, given))),
                "final_right": is_correct(final, reference),
                "final_stray_numbers": bool(numbers(final) - set().union(*map(numbers, given))),
            }
        )
    answered_rows = [r for r in rows if not r.get("refused")]
    answer_s = sum(r["answer_s"] for r in answered_rows)
    check_s = sum(r["check_s"] for r in answered_rows)
    share = lambda key: round(sum(r[key] for r in answered_rows) / len(rows), 3)  # noqa: E731
    return {
        "questions": len(rows),
        "refused": len(rows) - len(answered_rows),
        "median_answer_s": round(statistics.median(r["answer_s"] for r in answered_rows), 3),
        "median_check_ms": round(1000 * statistics.median(r["check_s"] for r in answered_rows), 3),
        "check_over_answer": round(check_s / answer_s, 5),
        "raw_right": share("raw_right"),
        "raw_grounded": share("raw_grounded"),
        "raw_with_stray_numbers": sum(r["raw_stray_numbers"] for r in answered_rows),
        "final_right": share("final_right"),
        "final_with_stray_numbers": sum(r["final_stray_numbers"] for r in answered_rows),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    parser.add_argument("--corpus", choices=["sample", "pydoc"], default="sample")
    parser.add_argument("--limit", type=int, default=20, help="answerable questions to ask")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        project = render(Path(tmp) / "project")
        result = run(project, args.overrides, args.limit, args.corpus)
    print(json.dumps({"corpus": args.corpus, "settings": args.overrides, **result}, indent=1))


if __name__ == "__main__":
    main()
