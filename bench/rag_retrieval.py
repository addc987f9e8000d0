"""Retrieval quality on a corpus no one here wrote, with mechanically derived questions.

Corpus: pydoc pages of standard-library modules. Queries: the first sentence of public
functions' docstrings; the relevant page is the function's module. Scored at page level:
nDCG@10, MRR@10 and hit rate@5, for llama-index's defaults (VectorStoreIndex.from_documents,
same embedding model) and the starter's dense, BM25 and hybrid modes, hybrid fused both ways
(`retrieval.fusion: rrf` and `convex`), plus hybrid + rerank with `--rerank`; once per
chunking (`chunking.splitter`: sentence, the default, and sentence_window).

The convex fusion weight alpha is chosen on one half of the queries (every other query, so
both halves cover every module), for each chunking, and every figure is
reported on the other half: the chosen weight never sees the queries it is scored on.

The reranker is a cross-encoder built from the packaged MiniLM with an untrained scoring head
(no trained cross-encoder ships in a package), so its row shows the code path's cost and
what an untrained head does, not what a real reranker would achieve.

    python bench/rag_retrieval.py [--modules 40] [--per-module 5] [--splitters sentence ...]
                                  [--rerank] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from rag_common import load, queries, rendered_corpus

ALPHAS = [round(0.05 * step, 2) for step in range(21)]


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


def pages(passages) -> list[str]:
    return [page_of(p.chunk.source) for p in passages]


class Setup:
    """One chunking of the corpus, ingested into its own store, with each query's dense and
    BM25 candidates computed once (fusion is then pure arithmetic on them).
    """

    def __init__(self, space, splitter: str, pairs: list[tuple[str, str]], extra: list[str]):
        from benchrag.ingest import ingest
        from benchrag.retrieve import Retriever

        self.config = load(
            space.project,
            f"data.paths=[{space.corpus}]",
            f"chunking.splitter={splitter}",
            f"state_dir=.rag-{splitter}",
            f"store.path=.rag-{splitter}/vectors",
            *extra,
        )
        start = time.perf_counter()
        self.chunks = ingest(self.config, progress=False).embedded
        self.ingest_s = time.perf_counter() - start
        self.retriever = Retriever(self.config)
        pool = self.config.retrieval.candidates
        self.candidates = {
            q: (self.retriever.dense(q, pool), self.retriever.keyword(q, pool)) for q, _ in pairs
        }

    def curve(self, pairs: list[tuple[str, str]]) -> dict[float, float]:
        """nDCG@10 of convex fusion at each alpha on these queries."""
        from benchrag.retrieve import convex_fusion

        wanted = [m for _, m in pairs]
        return {
            alpha: score(
                [pages(convex_fusion(*self.candidates[q], alpha)) for q, _ in pairs], wanted
            )["ndcg@10"]
            for alpha in ALPHAS
        }

    def runs(self, alpha: float, rerank: bool) -> dict:
        """Ranking functions of this setup's rows, by name."""
        from benchrag.retrieve import convex_fusion, reciprocal_rank_fusion

        rrf_k = self.config.retrieval.rrf_k
        rows = {
            "dense": lambda q: pages(self.candidates[q][0]),
            "bm25": lambda q: pages(self.candidates[q][1]),
            "hybrid rrf": lambda q: pages(reciprocal_rank_fusion(list(self.candidates[q]), rrf_k)),
            f"hybrid convex a={alpha}": lambda q: pages(convex_fusion(*self.candidates[q], alpha)),
        }
        if rerank:
            rows[f"hybrid convex a={alpha} + rerank"] = lambda q: pages(
                self.retriever.rerank(q, convex_fusion(*self.candidates[q], alpha)[:20])
            )
        return rows


def choose_alpha(curve: dict[float, float]) -> float:
    """The weight with the best nDCG@10 on the tuning queries; ties go to the weight nearest
    0.5, the least extreme mix.
    """
    best = max(curve.values())
    return min((a for a, v in curve.items() if v >= best - 1e-9), key=lambda a: abs(a - 0.5))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modules", type=int, default=40)
    parser.add_argument("--per-module", type=int, default=5)
    parser.add_argument("--splitters", nargs="+", default=["sentence", "sentence_window"])
    parser.add_argument("--rerank", action="store_true", help="add the (slow) rerank rows")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with rendered_corpus(args.modules) as space:
        pairs = queries(space.modules, per_module=args.per_module)
        tune, test = pairs[0::2], pairs[1::2]
        from benchrag.models import embedding_model_path
        from llama_index.core import Settings, SimpleDirectoryReader, VectorStoreIndex
        from llama_index.embeddings.huggingface import HuggingFaceEmbedding

        Settings.embed_model = HuggingFaceEmbedding(model_name=embedding_model_path("packaged"))
        defaults = VectorStoreIndex.from_documents(
            SimpleDirectoryReader(str(space.corpus)).load_data()
        ).as_retriever(similarity_top_k=20)
        extra = []
        if args.rerank:
            from sentence_transformers import CrossEncoder

            reranker = space.folder / "cross-encoder"
            CrossEncoder(embedding_model_path("packaged"), num_labels=1).save(str(reranker))
            extra = [f"reranker.model={reranker}", "reranker.candidates=20"]
        setups = {splitter: Setup(space, splitter, pairs, extra) for splitter in args.splitters}
        tuning = {name: setup.curve(tune) for name, setup in setups.items()}
        scored = {name: setup.curve(test) for name, setup in setups.items()}
        alphas = {name: choose_alpha(curve) for name, curve in tuning.items()}
        asked, wanted = [q for q, _ in test], [m for _, m in test]
        results = {
            "llama-index defaults": score(
                [
                    [page_of(n.node.metadata["file_name"]) for n in defaults.retrieve(q)]
                    for q in asked
                ],
                wanted,
            )
        }
        for name, setup in setups.items():
            for row, run in setup.runs(alphas[name], args.rerank).items():
                results[f"{name}: {row}"] = score([run(q) for q in asked], wanted)
    print(
        f"{len(pairs)} queries over {len(space.modules)} pydoc pages: alpha chosen on "
        f"{len(tune)} (every other query), scored on the other {len(test)}"
    )
    for name, setup in setups.items():
        print(
            f"{name}: {setup.chunks} chunks, ingested in {setup.ingest_s:.0f} s; convex "
            "nDCG@10 by alpha, tuning / scored half:"
        )
        print(
            "  "
            + "  ".join(f"{a:.1f}:{tuning[name][a]:.3f}/{scored[name][a]:.3f}" for a in ALPHAS[::2])
        )
        print(f"  alpha chosen on the tuning half: {alphas[name]}")
    print(f"{'retriever (scored half)':<44}{'nDCG@10':>9}{'MRR@10':>8}{'hit@5':>7}")
    for name, row in results.items():
        print(f"{name:<44}{row['ndcg@10']:>9.3f}{row['mrr@10']:>8.3f}{row['hit@5']:>7.3f}")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "queries": len(pairs),
                    "tuning": len(tune),
                    "scored": len(test),
                    "alphas": alphas,
                    "chunks": {name: setup.chunks for name, setup in setups.items()},
                    "tuning_curves": tuning,
                    "scored_curves": scored,
                    "results": results,
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
