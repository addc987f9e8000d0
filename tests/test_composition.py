"""The composition teams build: serve a model from a fine-tuning project, point a RAG project at
it. A rendered RAG project (`llm_provider: openai_compatible`) answers its sample questions with
citations through a rendered fine-tuning project's OpenAI-compatible server (the base model: a
trained adapter is served the same way)."""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
import yaml
from conftest import run_make

pytestmark = pytest.mark.slow
TOKEN = "composition-token"
QUESTIONS = 3  # the first answerable questions of the RAG project's evaluation set


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def sample_questions(project: Path) -> list[str]:
    questions = yaml.safe_load((project / "evaluation" / "questions.yaml").read_text())
    return [q["question"] for q in questions["questions"] if q["answer"]][:QUESTIONS]


def wait_for_health(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 600  # the first start converts the packaged model once
    while time.monotonic() < deadline:
        assert server.poll() is None, f"the tuned-model server exited:\n{log.read_text()[-3000:]}"
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:  # not listening yet
            time.sleep(1)
    raise AssertionError(f"the tuned-model server did not start:\n{log.read_text()[-3000:]}")


def test_a_rag_project_answers_with_citations_through_a_finetuning_projects_server(
    render, starter_env, tmp_path
):
    tuned = render("finetune", name="tuned-model", task="qa")
    rag = render("rag", name="team-rag", llm_provider="openai_compatible")
    for project in (tuned, rag):
        run_make(project, "install", starter_env)
    python = str(Path(starter_env["VIRTUAL_ENV"]) / "bin" / "python")
    port, log = free_port(), tmp_path / "tuned-server.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [python, "-m", "tuned_model", "serve", "--base-only", "--port", str(port)],
            cwd=tuned,
            env={**starter_env, "API_TOKEN": TOKEN},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for_health(url, server, log)
        settings = [
            *("--set", f"llm.base_url={url}/v1"),
            *("--set", "llm.model=tuned-model"),
            *("--set", "llm.max_new_tokens=32"),  # short answers keep a busy machine in time
            *("--set", "llm.timeout_s=600"),  # the server's first reply waits for its model
        ]
        rag_env = {**starter_env, "OPENAI_API_KEY": TOKEN}  # llm.api_key_env

        def rag_cli(*args: str) -> subprocess.CompletedProcess:
            return subprocess.run(
                [python, "-m", "team_rag", *settings, *args],
                cwd=rag,
                env=rag_env,
                capture_output=True,
                text=True,
                timeout=900,
            )

        ingested = rag_cli("ingest")
        assert ingested.returncode == 0, ingested.stderr[-3000:]
        for question in sample_questions(rag):
            asked = rag_cli("ask", "--json", question)
            assert asked.returncode == 0, asked.stderr[-3000:]
            answer = json.loads(asked.stdout)
            assert not answer["refused"] and answer["answer"], (question, answer)
            assert any(source["cited"] for source in answer["sources"]), (question, answer)
        assert 'POST /v1/chat/completions HTTP/1.1" 200' in log.read_text()
    finally:
        server.terminate()
        server.wait(timeout=60)
