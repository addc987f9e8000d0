"""Retrieval quality on a corpus no one here wrote, with mechanically derived questions.

Corpus: pydoc pages of standard-library modules. Queries: the first sentence of the docstrings
of the public functions each page documents; the relevant page is the function's module.
Scored at page level: nDCG@10, MRR@10 and hit rate@5, for llama-index's defaults
(VectorStoreIndex.from_documents, same embedding model) and the starter's dense, BM25 and
hybrid modes, hybrid fused both ways (`retrieval.fusion: rrf` and `convex`), plus hybrid +
rerank with `--rerank`; once per chunking (`chunking.splitter`: sentence, the default, and
sentence_window).

With `--unseen`, the lines holding each query's sentence are deleted from its page before
anything is ingested: the function's name, signature and the rest of its docstring must carry
the match, as when a user asks in words of their own rather than the documentation's.

The queries are split in two halves (every other query, so both halves cover every module).
Every figure is reported on the second half. Convex fusion appears twice: at the starter's
default alpha (fixed in its config, chosen without the scored half) and at the alpha that does
best on the first half for this chunking. Each hybrid row's nDCG@10 difference to dense and to
BM25 comes with a paired bootstrap 95 % confidence interval over the scored queries: a
difference whose interval excludes 0 is one this query sample supports.

The reranker is a cross-encoder built from the packaged MiniLM with an untrained scoring head
(no trained cross-encoder ships in a package), so its row shows the code path's cost and
what an untrained head does, not what a real reranker would achieve.

    python bench/rag_retrieval.py [--modules 88] [--per-module 100] [--splitters sentence ...]
                                  [--rerank] [--unseen] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
from rag_common import MODULES, hide_query_sentences, load, queries, rendered_corpus

ALPHAS = [round(0.05 * step, 2) for step in range(21)]
METRICS = ("ndcg@10", "mrr@10", "hit@5")


def page_of(source: str) -> str:
    return Path(source).stem


def per_query(ranked_pages: list[list[str]], wanted: list[str]) -> dict[str, list[float]]:
    """Each metric's value for every query, in query order (kept for the paired intervals)."""
    from benchrag.evaluate import distinct_sources, hit_rate, ndcg, reciprocal_rank

    values = {name: [] for name in METRICS}
    for pages, page in zip(ranked_pages, wanted, strict=True):
        ranked = distinct_sources(pages)
        values["ndcg@10"].append(ndcg(ranked, {page}, 10))
        values["mrr@10"].append(reciprocal_rank(ranked, {page}, 10))
        values["hit@5"].append(hit_rate(ranked, {page}, 5))
    return values


def means(values: dict[str, list[float]]) -> dict[str, float]:
    return {name: float(np.mean(v)) for name, v in values.items()}


def paired_interval(a: list[float], b: list[float], draws: int = 10000) -> dict[str, float]:
    """Mean of a - b over the same queries, with a 95 % paired bootstrap interval: queries are
    resampled with replacement and both systems keep their own score for each one drawn."""
    difference = np.asarray(a) - np.asarray(b)
    picks = np.random.default_rng(0).integers(0, len(difference), (draws, len(difference)))
    low, high = np.percentile(difference[picks].mean(axis=1), [2.5, 97.5])
    return {"mean": float(difference.mean()), "low": float(low), "high": float(high)}


def pages(nodes) -> list[str]:
    return [page_of(hit.node.metadata["source"]) for hit in nodes]


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
        generation = self.retriever.generation()  # the starter's llama-index retrievers
        generation.dense.top_k = generation.keyword.top_k = self.config.retrieval.candidates
        self.candidates = {
            q: (generation.dense.retrieve(q), generation.keyword.retrieve(q)) for q, _ in pairs
        }

    def curve(self, pairs: list[tuple[str, str]]) -> dict[float, float]:
        """Mean nDCG@10 of convex fusion at each alpha on these queries."""
        from benchrag.retrieve import convex_fusion

        wanted = [m for _, m in pairs]
        return {
            alpha: means(
                per_query(
                    [pages(convex_fusion(*self.candidates[q], alpha)) for q, _ in pairs], wanted
                )
            )["ndcg@10"]
            for alpha in ALPHAS
        }

    def runs(self, tuned_alpha: float, rerank: bool) -> dict:
        """Ranking functions of this setup's rows, by name."""
        from benchrag.retrieve import convex_fusion, reciprocal_rank_fusion

        settings = self.config.retrieval
        rows = {
            "dense": lambda q: pages(self.candidates[q][0]),
            "bm25": lambda q: pages(self.candidates[q][1]),
            "hybrid rrf": lambda q: pages(
                reciprocal_rank_fusion(list(self.candidates[q]), settings.rrf_k)
            ),
            f"hybrid convex a={settings.alpha} (default)": lambda q: pages(
                convex_fusion(*self.candidates[q], settings.alpha)
            ),
            f"hybrid convex a={tuned_alpha} (tuned)": lambda q: pages(
                convex_fusion(*self.candidates[q], tuned_alpha)
            ),
        }
        if rerank:
            rows[f"hybrid convex a={settings.alpha} + rerank"] = lambda q: pages(
                self.retriever.rerank(q, convex_fusion(*self.candidates[q], settings.alpha)[:20])
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
    parser.add_argument("--modules", type=int, default=len(MODULES))
    parser.add_argument("--per-module", type=int, default=100)
    parser.add_argument("--splitters", nargs="+", default=["sentence", "sentence_window"])
    parser.add_argument("--rerank", action="store_true", help="add the (slow) rerank rows")
    parser.add_argument(
        "--unseen", action="store_true", help="delete each query's own sentence from its page"
    )
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with rendered_corpus(args.modules) as space:
        pairs = queries(space.modules, per_module=args.per_module)
        hidden = hide_query_sentences(space.corpus, pairs) if args.unseen else 0
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
        values = {
            "llama-index defaults": per_query(
                [
                    [page_of(n.node.metadata["file_name"]) for n in defaults.retrieve(q)]
                    for q in asked
                ],
                wanted,
            )
        }
        intervals = {}
        for name, setup in setups.items():
            rows = {
                row: per_query([run(q) for q in asked], wanted)
                for row, run in setup.runs(alphas[name], args.rerank).items()
            }
            for row, row_values in rows.items():
                values[f"{name}: {row}"] = row_values
                if row.startswith("hybrid"):
                    intervals[f"{name}: {row}"] = {
                        f"minus {single}": paired_interval(
                            row_values["ndcg@10"], rows[single]["ndcg@10"]
                        )
                        for single in ("dense", "bm25")
                    }
    results = {name: means(v) for name, v in values.items()}
    if args.unseen:
        print(f"--unseen: {hidden} lines holding the queries' sentences deleted from the pages")
    report(pairs, tune, test, space.modules, setups, tuning, scored, alphas, results, intervals)
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "queries": len(pairs),
                    "query_lines_deleted": hidden,
                    "tuning": len(tune),
                    "scored": len(test),
                    "tuned_alphas": alphas,
                    "chunks": {name: setup.chunks for name, setup in setups.items()},
                    "ingest_seconds": {name: setup.ingest_s for name, setup in setups.items()},
                    "tuning_curves": tuning,
                    "scored_curves": scored,
                    "results": results,
                    "ndcg_difference_95ci": intervals,
                },
                indent=2,
            )
        )


def report(pairs, tune, test, modules, setups, tuning, scored, alphas, results, intervals):
    print(
        f"{len(pairs)} queries over {len(modules)} pydoc pages: alpha tuned on "
        f"{len(tune)} (every other query), everything scored on the other {len(test)}"
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
    print(f"{'retriever (scored half)':<52}{'nDCG@10':>9}{'MRR@10':>8}{'hit@5':>7}")
    for name, row in results.items():
        print(f"{name:<52}{row['ndcg@10']:>9.3f}{row['mrr@10']:>8.3f}{row['hit@5']:>7.3f}")
    print("nDCG@10 difference, mean [95 % paired bootstrap interval]:")
    for name, against in intervals.items():
        print(
            f"  {name:<50}"
            + "  ".join(
                f"{other} {d['mean']:+.3f} [{d['low']:+.3f}, {d['high']:+.3f}]"
                for other, d in against.items()
            )
        )


if __name__ == "__main__":
    main()
