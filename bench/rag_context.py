"""How many passages the packaged model should read, and whether to trim them to sentences.

Renders the rag starter, ingests its sample documents (or CPython's `pydoc_data` topics with
`--corpus pydoc`, the fixed question set of rag_grounding.py) and answers the same questions
under every setting of `answer.context_passages` x `answer.trim_sentences` given, with the
packaged model and one retriever and generator shared by all settings. Per setting it reports:

- right: share of questions whose final answer states every number of the reference (or half
  its content words), as `evaluate` scores it; a refusal counts as not right;
- grounded: share whose reply passed the grounding check as the model wrote it (`verified`);
- cited_expected (sample corpus): share citing a file the evaluation set expects;
- prompt_tokens: mean length of the prompt the model reads (what the latency follows);
- seconds_per_answer and its ratio to the first setting, measured in the same run.

Answers use `answer.grounding: extractive` (a failing reply is quoted from its passages at
once), so every setting costs one generation per question; a repair would add a second one.

    python bench/rag_context.py [--corpus sample|pydoc] [--limit N] [--json FILE]
        [--setting PASSAGES:TRIM[:PROMPT] ...]
    TRIM: a number of neighbour sentences, or none; PROMPT: one of PROMPTS (default: shipped,
    the sample set's own system prompt and task instruction)
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from rag_common import load, render
from rag_grounding import pydoc_corpus

# The first is the baseline the ratios are taken against: the starter's setting before this
# measurement (one whole passage).
SETTINGS = ("1:none", "2:1", "3:1", "1:1", "2:none", "3:none")
# Prompt wordings to compare (answer.system_prompt, answer.task_instruction); `shipped` keeps
# the project's own. No colon inside: each reaches the config as a `--set` value.
PROMPTS = {
    "shipped": None,
    "bare": ("Answer using only the numbered passages.", ""),
    "exact": (
        "Answer using only the numbered passages. Copy names, numbers and dates exactly as"
        " the passage writes them, and put the passage number in brackets after each fact.",
        "Answer in one short sentence.",
    ),
}


def questions_for(project, config, corpus: str, limit: int) -> list[tuple[str, str, list]]:
    """(question, reference, expected sources) for the answerable questions of the corpus."""
    from benchrag.evaluate import load_questions

    if corpus == "pydoc":
        return [(q, reference, []) for q, reference in pydoc_corpus(project)][:limit]
    found = load_questions(config.resolve(config.evaluation.questions))
    return [(q.question, q.answer, q.expected_sources) for q in found if q.answerable][:limit]


def measure(project, setting: str, asked, retriever, generator) -> dict:
    """Every question answered one at a time under one setting."""
    from benchrag.answer import Answerer, build_messages
    from benchrag.evaluate import is_correct

    passages, trim, *wording = setting.split(":")
    prompt = PROMPTS[wording[0] if wording else "shipped"]
    config = load(
        project,
        f"answer.context_passages={passages}",
        f"answer.trim_sentences={'null' if trim == 'none' else trim}",
        "answer.grounding=extractive",
        *(
            (f'answer.system_prompt="{prompt[0]}"', f'answer.task_instruction="{prompt[1]}"')
            if prompt
            else ()
        ),
    )
    answerer = Answerer(config, retriever=retriever, generator=generator)
    rows = []
    for question, reference, expected in asked:
        shown, _ = answerer.context(question)
        prompt = build_messages(config, question, shown)
        encoded = generator.tokenizer.apply_chat_template(
            prompt, add_generation_prompt=True, return_dict=True
        )
        tokens = len(encoded["input_ids"])
        start = time.perf_counter()
        answer = answerer.ask(question)
        seconds = time.perf_counter() - start
        cited = {answer.sources[n - 1].chunk.source for n in answer.cited}
        rows.append(
            {
                "question": question,
                "answer": answer.text,
                "right": not answer.refused and is_correct(answer.text, reference),
                "grounded": bool(answer.grounding) and answer.grounding.status == "verified",
                "cited_expected": bool(cited & set(expected)),
                "prompt_tokens": tokens,
                "seconds": seconds,
            }
        )
    share = lambda key: round(sum(r[key] for r in rows) / len(rows), 3)  # noqa: E731
    return {
        "setting": setting,
        "questions": len(rows),
        "right": share("right"),
        "grounded": share("grounded"),
        "cited_expected": share("cited_expected"),
        "prompt_tokens": round(statistics.mean(r["prompt_tokens"] for r in rows)),
        "seconds_per_answer": round(statistics.mean(r["seconds"] for r in rows), 2),
        "rows": rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", choices=["sample", "pydoc"], default="sample")
    parser.add_argument("--limit", type=int, default=12, help="answerable questions to ask")
    parser.add_argument("--setting", dest="settings", action="append", default=[])
    parser.add_argument("--json", type=Path, help="also write the results here, after each setting")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        project = render(Path(tmp) / "project")
        from benchrag.answer import Answerer
        from benchrag.ingest import ingest

        config = load(project)
        asked = questions_for(project, config, args.corpus, args.limit)
        ingest(config, progress=False)
        shared = Answerer(config)
        shared.generator.generate([{"role": "user", "content": "Hello"}])  # load and warm up
        results = []
        for setting in args.settings or SETTINGS:
            results.append(measure(project, setting, asked, shared.retriever, shared.generator))
            base = results[0]["seconds_per_answer"]
            for result in results:
                result["time_vs_first"] = round(result["seconds_per_answer"] / base, 2)
            summary = [{k: v for k, v in r.items() if k != "rows"} for r in results]
            print(json.dumps(summary[-1]), flush=True)
            if args.json:
                report = {"corpus": args.corpus, "results": results}
                args.json.write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
