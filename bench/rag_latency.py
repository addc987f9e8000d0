"""Query latency p50/p95 at 1k and 100k chunks, embedded store (LanceDB) vs Chroma's server.

Real chunks and vectors come from ingesting pydoc pages; to reach 100k chunks they are
repeated with a little noise added to each vector (unit length kept), so store and BM25 work
on realistic data at scale without embedding 100k passages. Each (store, size) runs in its
own process so its peak resident memory is its own; the Chroma server's memory is read from
its process. Latency is end to end through the starter's Retriever: query embedding, vector
search, BM25, fusion. For LanceDB, `recall` is the share of the exact 30 nearest vectors (a
scan of every vector) that the store's search returns, below 1.0 only where its IVF index
(`store.index_from`) misses some.

    python bench/rag_latency.py [--sizes 1000 100000] [--queries 60] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from rag_common import load, queries, rendered_corpus


def seed_chunks(project: Path, corpus: Path):
    """Ingest the corpus once; return its stored rows (text, metadata, vector)."""
    from benchrag.index import dimension
    from benchrag.ingest import ingest
    from benchrag.store import open_store

    config = load(project, f"data.paths=[{corpus}]", "state_dir=.seed", "store.path=.seed/vec")
    ingest(config, progress=False)
    return open_store(config, dimension(config.embedding)).table.to_arrow().to_pylist()


def grow(rows: list[dict], size: int):
    """`size` nodes: the seed rows repeated, each copy's vector nudged and re-normalised.

    Each repetition of the corpus counts as other files (`copy<N>/<file>`), as 100k chunks of
    a real knowledge base come from thousands of files, not from a dozen files of 8,000
    chunks each (the docstore's per-file bookkeeping grows with the square of that number)."""
    import uuid

    from benchrag.store import make_node

    rng = np.random.default_rng(7)
    vectors = np.array([r["vector"] for r in rows], dtype=np.float32)
    nodes = []
    for index in range(size):
        row = rows[index % len(rows)]
        vector = vectors[index % len(rows)] + rng.normal(0, 0.02, vectors.shape[1])
        vector /= np.linalg.norm(vector)
        meta = row["metadata"]
        source = f"copy{index // len(rows)}/{meta['source']}"
        node = make_node(str(uuid.UUID(int=index)), row["text"], source, meta["location"])
        node.embedding = vector.tolist()
        nodes.append(node)
    return nodes


def worker(project: Path, corpus: Path, kind: str, size: int, port: int, count: int) -> dict:
    from benchrag.index import dimension, publish
    from benchrag.retrieve import Retriever
    from benchrag.store import index_vectors, open_store
    from llama_index.core.storage.docstore import SimpleDocumentStore

    rows = seed_chunks(project, corpus)
    config = load(
        project,
        f"store.kind={kind}",
        f"store.port={port}",
        f"store.collection=n{size}",
        f"state_dir=.state-{kind}-{size}",
        f"store.path=.state-{kind}-{size}/vec",
    )
    store = open_store(config, dimension(config.embedding))
    start = time.perf_counter()
    nodes = grow(rows, size)
    for offset in range(0, size, 5000):
        store.add(nodes[offset : offset + 5000])
    index_vectors(config, store)  # as `ingest` does after a write
    for node in nodes:  # as `ingest` does: the docstore keeps nodes without their vectors
        node.embedding = None
    docstore = SimpleDocumentStore()
    docstore.add_documents(nodes)
    publish(config, docstore)  # the docstore and BM25 index of a generation
    load_s = time.perf_counter() - start
    del nodes, docstore
    retriever = Retriever(config)
    modules = sorted({Path(r["metadata"]["source"]).stem for r in rows})
    asked = [q for q, _ in queries(modules)][:count]
    retriever.search(asked[0])  # warm: loads the BM25 index and the embedder
    result = {"store": kind, "chunks": len(retriever.chunks()), "load_s": load_s}
    for mode in ("dense", "bm25", "hybrid"):
        # The retriever caches query vectors and the dense search's hits (hybrid reuses the
        # hits that gave the relevance); each mode must pay for its own embedding and search.
        retriever.clear_caches()
        times = []
        for question in asked:
            begin = time.perf_counter()
            retriever.search(question, mode=mode)
            times.append(1000 * (time.perf_counter() - begin))
        result[mode] = {
            "p50_ms": float(np.percentile(times, 50)),
            "p95_ms": float(np.percentile(times, 95)),
        }
    result["client_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if kind == "lancedb":
        result["recall_vs_full_scan"] = recall_vs_full_scan(store, retriever, asked)
    return result


def recall_vs_full_scan(store, retriever, asked: list[str], k: int = 30) -> float:
    """Share of the exact k nearest (every vector read) that the store's search returns: 1.0
    without a vector index, less where an approximate one misses some."""
    from benchrag.store import nearest

    found = []
    for question in asked:
        vector = retriever.embedder.get_query_embedding(question)
        exact = (
            store.table.search(vector)
            .bypass_vector_index()
            .limit(k)
            .select(["id", "_distance"])
            .to_arrow()
        )
        hits = {i for i, _ in nearest(store, "lancedb", vector, k)}
        found.append(len(hits & set(exact["id"].to_pylist())) / k)
    return float(np.mean(found))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_chroma(folder: Path) -> tuple[subprocess.Popen, int]:
    import httpx

    port = free_port()
    chroma = shutil.which("chroma") or str(Path(sys.executable).with_name("chroma"))
    process = subprocess.Popen(
        [chroma, "run", "--host", "127.0.0.1", "--port", str(port), "--path", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(120):
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1).raise_for_status()
            return process, port
        except Exception:
            time.sleep(0.5)
    raise RuntimeError("chroma run did not start")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 100_000])
    parser.add_argument("--queries", type=int, default=60)
    parser.add_argument("--stores", nargs="+", default=["lancedb", "chroma"])
    parser.add_argument("--modules", type=int, default=20)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--worker", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        project, corpus, kind, size, port = args.worker
        sys.path.insert(0, str(Path(project) / "src"))
        print(
            json.dumps(
                worker(Path(project), Path(corpus), kind, int(size), int(port), args.queries)
            )
        )
        return
    results = []
    with rendered_corpus(args.modules) as space:
        project, corpus = space.project, space.corpus
        server, port = start_chroma(space.folder / "chroma")
        try:
            for kind in args.stores:
                for size in args.sizes:
                    out = subprocess.run(
                        [
                            sys.executable,
                            __file__,
                            "--queries",
                            str(args.queries),
                            "--worker",
                            str(project),
                            str(corpus),
                            kind,
                            str(size),
                            str(port),
                        ],
                        capture_output=True,
                        text=True,
                        check=True,
                        env={**os.environ, "HF_HUB_OFFLINE": "1"},
                    )
                    row = json.loads(out.stdout.strip().splitlines()[-1])
                    if kind == "chroma":
                        row["server_peak_rss_mb"] = rss_mb(server.pid)
                    results.append(row)
                    print(json.dumps(row), flush=True)
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(
        f"\n{'store':<9}{'chunks':>8}  "
        + "  ".join(f"{m + ' p50/p95 ms':>22}" for m in ("dense", "bm25", "hybrid"))
        + f"{'RSS MB':>9}{'recall':>8}"
    )
    for row in results:
        cells = "  ".join(
            f"{row[m]['p50_ms']:>10.1f} / {row[m]['p95_ms']:>8.1f}"
            for m in ("dense", "bm25", "hybrid")
        )
        recall = row.get("recall_vs_full_scan")
        recall_cell = f"{recall:>8.3f}" if recall is not None else f"{'':>8}"
        print(
            f"{row['store']:<9}{row['chunks']:>8}  {cells}{row['client_rss_mb']:>9.0f}{recall_cell}"
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
