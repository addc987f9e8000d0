"""Ingest throughput of the rag starter vs llama-index's defaults, and the cost of a re-ingest.

Same corpus (pydoc pages of the standard library), same embedding model (the packaged
all-MiniLM-L6-v2), both models loaded before the clock starts:

  defaults   SimpleDirectoryReader + VectorStoreIndex.from_documents (SentenceSplitter
             1024/200, embed batch 10, in-memory store)
  starter    the generated `ingest` (256-token chunks, batch 64, LanceDB on disk, BM25 index;
             `embedding.precision: auto`, so bfloat16 on a CPU with AMX)
  starter@1024  the same with the defaults' chunk size, to separate chunking from the pipeline
  starter@1024 fp32  and with `embedding.precision=float32`, to separate the bfloat16 gain
  re-ingest  `ingest` again with nothing changed (goal: at most 5 % of the full ingest)

Then the same comparison as a user meets it, whole processes timed from start to exit (imports
and model loading included, bytecode cached): the defaults as a script against the project's
`ingest` command at the defaults' chunking, in float32 (what a CPU without AMX runs) and with
`precision: auto`.

    python bench/rag_ingest.py [--modules 40] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from rag_common import PACKAGE, load, rendered_corpus

AT_1024 = ("chunking.chunk_size=1024", "chunking.chunk_overlap=200")
DEFAULTS_SCRIPT = """
import sys
from llama_index.core import Settings, SimpleDirectoryReader, VectorStoreIndex
from llama_index.embeddings.huggingface import HuggingFaceEmbedding
Settings.embed_model = HuggingFaceEmbedding(model_name=sys.argv[2])
VectorStoreIndex.from_documents(SimpleDirectoryReader(sys.argv[1]).load_data())
"""


def llama_index_defaults(corpus: Path, model_path: str) -> tuple[float, int]:
    from llama_index.core import Settings, SimpleDirectoryReader, VectorStoreIndex
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    Settings.embed_model = HuggingFaceEmbedding(model_name=model_path)
    Settings.embed_model.get_text_embedding("warm up")
    start = time.perf_counter()
    documents = SimpleDirectoryReader(str(corpus)).load_data()
    index = VectorStoreIndex.from_documents(documents)
    return time.perf_counter() - start, len(index.docstore.docs)


def starter(project: Path, corpus: Path, *overrides: str) -> tuple[float, int, float]:
    from benchrag.ingest import ingest
    from benchrag.models import load_embedder

    config = load(project, f"data.paths=[{corpus}]", *overrides)
    load_embedder(config.embedding).get_text_embedding("warm up")
    start = time.perf_counter()
    report = ingest(config, progress=False)
    full = time.perf_counter() - start
    start = time.perf_counter()
    again = ingest(config, progress=False)
    assert again.embedded == 0
    return full, report.embedded, time.perf_counter() - start


def whole_process(command: list[str], project: Path) -> float:
    """Seconds from a command's start to its exit, run in the project with its code importable.

    With a bytecode cache, as a user's second run has one: this machine sets
    PYTHONDONTWRITEBYTECODE, which would make every process compile every module it imports
    (seconds, on both sides) and say little about either pipeline."""
    env = {**os.environ, "PYTHONPATH": str(project / "src")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(project / ".pycache")
    start = time.perf_counter()
    subprocess.run(command, cwd=project, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def whole_processes(project: Path, corpus: Path, model_path: str) -> dict[str, float]:
    """The defaults script and the `ingest` command, each a fresh process into a fresh index,
    each timed on its second run (the first fills the bytecode cache)."""
    defaults = [sys.executable, "-c", DEFAULTS_SCRIPT, str(corpus), model_path]
    whole_process(defaults, project)
    seconds = {"defaults": whole_process(defaults, project)}
    for precision in ("float32", "auto"):
        for run in ("warm", "timed"):
            settings = (
                f"data.paths=[{corpus}]",
                f"state_dir=.rag-{run}-{precision}",
                f"store.path=.rag-{run}-{precision}/vectors",
                f"embedding.precision={precision}",
                *AT_1024,
            )
            command = [sys.executable, "-m", PACKAGE, *(f"--set={s}" for s in settings), "ingest"]
            seconds[f"starter@1024 {precision}"] = whole_process(command, project)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modules", type=int, default=40)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with rendered_corpus(args.modules) as space:
        project, corpus = space.project, space.corpus
        size = sum(f.stat().st_size for f in corpus.iterdir())
        from benchrag.models import embedding_model_path

        base_s, base_chunks = llama_index_defaults(corpus, embedding_model_path("packaged"))
        ours_s, ours_chunks, re_s = starter(project, corpus)
        big_s, big_chunks, _ = starter(
            project, corpus, "state_dir=.rag-1024", "store.path=.rag-1024/vectors", *AT_1024
        )
        fp32_s, fp32_chunks, _ = starter(
            project,
            corpus,
            "state_dir=.rag-fp32",
            "store.path=.rag-fp32/vectors",
            *AT_1024,
            "embedding.precision=float32",
        )
        whole = whole_processes(project, corpus, embedding_model_path("packaged"))
    rows = {
        "defaults": {"seconds": base_s, "chunks": base_chunks},
        "starter": {"seconds": ours_s, "chunks": ours_chunks},
        "starter@1024": {"seconds": big_s, "chunks": big_chunks},
        "starter@1024 fp32": {"seconds": fp32_s, "chunks": fp32_chunks},
    }
    for row in rows.values():
        row["chunks_per_s"] = row["chunks"] / row["seconds"]
        row["kb_per_s"] = size / 1024 / row["seconds"]
    result = {
        "corpus_kb": size / 1024,
        "rows": rows,
        "reingest_seconds": re_s,
        "reingest_share": re_s / ours_s,
        "whole_process_seconds": whole,
    }
    print(f"corpus: {args.modules} pydoc pages, {size / 1024:.0f} KB")
    header = ("pipeline", "chunks", "seconds", "chunks/s", "KB/s", "vs defaults")
    print(
        f"{header[0]:<18}"
        + "".join(f"{h:>{w}}" for h, w in zip(header[1:], (8, 9, 10, 8, 13), strict=True))
    )
    for name, row in rows.items():
        ratio = row["chunks_per_s"] / rows["defaults"]["chunks_per_s"]
        print(
            f"{name:<18}{row['chunks']:>8}{row['seconds']:>9.1f}{row['chunks_per_s']:>10.1f}"
            f"{row['kb_per_s']:>8.1f}{ratio:>12.2f}x"
        )
    share = 100 * re_s / ours_s
    print(f"re-ingest, nothing changed: {re_s:.2f} s = {share:.1f} % of the full ingest")
    print("whole processes (imports and model loading included):")
    for name, seconds in whole.items():
        print(f"  {name:<22}{seconds:>8.1f} s{whole['defaults'] / seconds:>8.2f}x")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
