"""Retrieval quality on a corpus no one here wrote, with mechanically derived questions.

Corpus: pydoc pages of standard-library modules. Queries: the first sentence of public
functions' docstrings; the relevant page is the function's module. Scored at page level:
nDCG@10, MRR@10 and hit rate@5, for llama-index's defaults (VectorStoreIndex.from_documents,
same embedding model) and the starter's dense, BM25, hybrid and hybrid+rerank modes.

The reranker is a cross-encoder built from the packaged MiniLM with an untrained scoring head
(no trained cross-encoder ships in a package), so its row shows the code path's cost and
what an untrained head does, not what a real reranker would achieve.

    python bench/rag_retrieval.py [--modules 60] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from rag_common import MODULES, load, queries, render, write_corpus


def page_of(source: str) -> str:
    return Path(source).stem


def score(ranked_pages: list[list[str]], wanted: list[str]) -> dict[str, float]:
    from benchrag.evaluate import distinct_sources, hit_rate, ndcg, reciprocal_rank

    totals = {"ndcg@10": 0.0, "mrr@10": 0.0, "hit@5": 0.0}
    for pages, page in zip(ranked_pages, wanted, strict=True):
        ranked = distinct_sources(pages)
        totals["ndcg@10"] += ndcg(ranked, {page}, 10)
        totals["mrr@10"] += reciprocal_rank(ranked, {page}, 10)
        totals["hit@5"] += hit_rate(ranked, {page}, 5)
    return {name: value / len(wanted) for name, value in totals.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modules", type=int, default=60)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        project = render(Path(tmp) / "project")
        corpus = Path(tmp) / "corpus"
        modules = write_corpus(corpus, MODULES[: args.modules])
        pairs = queries(modules)
        from benchrag.ingest import ingest
        from benchrag.models import embedding_model_path
        from benchrag.retrieve import Retriever
        from llama_index.core import Settings, SimpleDirectoryReader, VectorStoreIndex
        from llama_index.embeddings.huggingface import HuggingFaceEmbedding
        from sentence_transformers import CrossEncoder

        Settings.embed_model = HuggingFaceEmbedding(model_name=embedding_model_path("packaged"))
        defaults = VectorStoreIndex.from_documents(
            SimpleDirectoryReader(str(corpus)).load_data()).as_retriever(similarity_top_k=20)
        reranker = Path(tmp) / "cross-encoder"
        CrossEncoder(embedding_model_path("packaged"), num_labels=1).save(str(reranker))
        config = load(project, f"data.paths=[{corpus}]", f"reranker.model={reranker}",
                      "reranker.candidates=20")
        ingest(config, progress=False)
        retriever = Retriever(config)
        wanted = [module for _, module in pairs]
        runs = {"llama-index defaults": lambda q: [page_of(n.node.metadata["file_name"])
                                                   for n in defaults.retrieve(q)]}
        for mode in ("dense", "bm25", "hybrid", "hybrid+rerank"):
            base, rerank = mode.split("+")[0], mode.endswith("+rerank")
            runs[mode] = (lambda q, base=base, rerank=rerank: [
                page_of(p.chunk.source)
                for p in retriever.search(q, mode=base, top_k=20, rerank=rerank).passages])
        results = {}
        for name, run in runs.items():
            start = time.perf_counter()
            ranked = [run(query) for query, _ in pairs]
            results[name] = {**score(ranked, wanted),
                             "ms_per_query": 1000 * (time.perf_counter() - start) / len(pairs)}
    print(f"{len(pairs)} queries over {len(modules)} pydoc pages")
    print(f"{'retriever':<22}{'nDCG@10':>9}{'MRR@10':>8}{'hit@5':>7}{'ms/query':>10}")
    for name, row in results.items():
        print(f"{name:<22}{row['ndcg@10']:>9.3f}{row['mrr@10']:>8.3f}{row['hit@5']:>7.3f}"
              f"{row['ms_per_query']:>10.1f}")
    if args.json:
        args.json.write_text(json.dumps({"queries": len(pairs), "results": results}, indent=2))


if __name__ == "__main__":
    main()
