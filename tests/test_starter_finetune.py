"""The finetune starter renders a project per task shape whose own `make test` passes.

Each generated project trains the packaged base model for a few steps, resumes after a kill,
merges, serves, and runs DDP with two CPU processes: its tests are the specification of issue 5.
"""

from __future__ import annotations

import json

import pytest
import yaml
from conftest import run_make


@pytest.mark.slow
@pytest.mark.parametrize(
    ("task", "shape", "base"),
    [
        ("classification", "classification", "all-minilm-l6-v2"),
        ("qa", "generation", "gemma3-270m"),
    ],
)
def test_generated_project_passes_its_own_tests(render, starter_env, task, shape, base):
    project = render("finetune", name=f"ft-{shape}", task=task)
    config = yaml.safe_load((project / "config" / "train.yaml").read_text())
    assert (config["task_shape"], config["base_model"]) == (shape, base)
    assert (project / "data" / "sample" / "train.jsonl").is_file()
    run_make(project, "test", starter_env)


def test_task_shape_defaults_from_the_decision_answer(render):
    for task, shape in [
        ("classification", "classification"),
        ("summarization", "generation"),
        ("qa", "generation"),
    ]:
        project = render("finetune", name=f"shape-{task}", task=task)
        answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
        assert answers["task_shape"] == shape


def test_every_accelerate_config_is_shipped(render):
    project = render("finetune")
    names = {p.name for p in (project / "configs" / "accelerate").glob("*.yaml")}
    assert names == {
        "single_gpu.yaml",
        "ddp.yaml",
        "fsdp.yaml",
        "deepspeed_zero2.yaml",
        "deepspeed_zero3.yaml",
    }


@pytest.mark.parametrize(
    ("task", "instruction"),
    [
        ("qa", "Answer the question"),
        ("summarization", "Summarise these chest X-ray findings"),
        ("content", "Write a product description"),
        ("extraction", "Extract claimant"),
        ("code", "Extract claimant"),
    ],
)
def test_generation_sample_data_matches_the_task(render, task, instruction):
    project = render("finetune", name=f"sample-{task}", task=task)
    sizes = {}
    for split in ("train", "validation", "test"):
        lines = (project / "data" / "sample" / f"{split}.jsonl").read_text().splitlines()
        rows = [json.loads(line) for line in lines]
        assert all(set(row) == {"prompt", "completion"} for row in rows)
        assert all(row["prompt"].startswith(instruction) for row in rows)
        sizes[split] = len(rows)
    assert sizes == {"train": 320, "validation": 40, "test": 40}


def test_held_out_qa_questions_are_about_services_training_never_shows(render):
    project = render("finetune", name="sample-qa", task="qa")

    def services(split: str) -> set[str]:
        lines = (project / "data" / "sample" / f"{split}.jsonl").read_text().splitlines()
        passages = [json.loads(line)["prompt"].split("Passage: ")[1] for line in lines]
        return {passage.split(" is owned")[0] for passage in passages}

    assert services("test") and not services("train") & services("test")
