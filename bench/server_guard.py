"""What the servers' access rules cost a request: the token check and the body limit.

Two copies of one FastAPI app (a JSON `POST /ask` validated by pydantic, as the RAG server's,
answering at once so nothing but the HTTP path is timed) run under uvicorn on 127.0.0.1: one
bare, one behind the generated project's `access.Guard` with a token set and the RAG server's
default body limit. Requests alternate between the two over keep-alive connections; the figure
is the median request latency of each and the guarded/bare ratio, measured in the same run.

    python bench/server_guard.py [--rounds 7] [--requests 300]

Run with an interpreter that has the rag starter's dependencies, `scaffolder` on PATH.
"""

# No `from __future__ import annotations`: FastAPI reads the request model from the annotation.
import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from rag_common import PACKAGE, render  # noqa: E402

TOKEN = "bench-token"
BODY = {"question": "How long does the Firefly lantern run on three AA batteries?"}


def build_app(guarded: bool):
    import importlib

    from fastapi import FastAPI
    from pydantic import BaseModel, Field

    class Question(BaseModel):
        question: str = Field(min_length=1, max_length=2000)

    app = FastAPI()

    @app.post("/ask")
    def ask(body: Question) -> dict:
        return {"answer": body.question[:20], "refused": False, "sources": []}

    if guarded:
        access = importlib.import_module(f"{PACKAGE}.access")
        app.add_middleware(access.Guard, token=TOKEN, max_bytes=1_000_000)
    return app


def serve(app) -> tuple[object, str]:
    import socket

    import uvicorn

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", access_log=False)
    )
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{port}"


def timed(client, url: str) -> float:
    start = time.perf_counter()
    reply = client.post(f"{url}/ask", json=BODY)
    elapsed = time.perf_counter() - start
    assert reply.status_code == 200, reply.text
    return elapsed


def main() -> None:
    import httpx

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        render(Path(tmp) / "project")
        servers = {name: serve(build_app(name == "guarded")) for name in ("bare", "guarded")}
        headers = {"bare": {}, "guarded": {"Authorization": f"Bearer {TOKEN}"}}
        samples: dict[str, list[float]] = {"bare": [], "guarded": []}
        clients = {name: httpx.Client(headers=headers[name]) for name in servers}
        for _ in range(50):  # warm-up
            for name, (_, url) in servers.items():
                timed(clients[name], url)
        for _ in range(args.rounds * args.requests):  # alternate, so load drifts hit both
            for name, (_, url) in servers.items():
                samples[name].append(timed(clients[name], url))
        for server, _ in servers.values():
            server.should_exit = True
    bare, guarded = (statistics.median(samples[n]) * 1e3 for n in ("bare", "guarded"))
    p95 = {n: statistics.quantiles(samples[n], n=20)[-1] * 1e3 for n in samples}
    print("| app | median (ms) | p95 (ms) |")
    print("|---|---|---|")
    print(f"| bare | {bare:.3f} | {p95['bare']:.3f} |")
    print(f"| guarded (token + body limit) | {guarded:.3f} | {p95['guarded']:.3f} |")
    print(f"\nguarded / bare, median: {guarded / bare:.3f}x ({(guarded - bare) * 1e3:+.0f} µs)")


if __name__ == "__main__":
    main()
