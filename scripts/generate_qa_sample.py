"""Write dr_ingest's sample of QA evaluation tarballs (per-question outputs) deterministically.

`python scripts/generate_qa_sample.py [--out sample_data]` (re)writes `<out>/qa/`; every value is
synthetic, drawn from seeded `random.Random` generators, and the tarballs are byte-identical from
one run to the next (fixed member mtimes, gzip mtime 0, sorted members). Both layouts are covered:

- step tarballs for `dolma1.7`: `qa/dolma1.7/150M/seed-2/step-1000.tar.gz` and `step-2000.tar.gz`;
- a recipe tarball `qa/models/dclm-baseline.tar.gz` holding the step tarballs
  `dclm-baseline/150M/seed-2/step-1000.tar.gz` and `dclm-baseline/60M/seed-2/step-1000.tar.gz`.

Each step tarball holds a `step-<S>/` folder and, for the tasks `arc_easy` (4 answer choices),
`boolq` (2) and `mmlu_anatomy` (4), `step-<S>/<task>-metrics.json` and
`step-<S>/<task>-predictions.jsonl`. A task has the same questions (3-6) at every checkpoint. One
predictions line (dolma1.7 150M seed-2 step 1000, boolq, second line) is cut in half: invalid JSON.

Expected counts, printed as JSON by the script:
{"archives": 3, "step_archives": 4, "task_files": 24, "questions": 43, "answer_choices": 150,
"malformed_lines": 1}
Questions per task (at every checkpoint): arc_easy 3, boolq 3, mmlu_anatomy 5, so 11 lines and 38
answer choices per step tarball; the malformed line counts in neither questions nor answer_choices.
Every predictions file has `num_instances` lines (the malformed one included).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import math
import random
import shutil
import tarfile
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

SEED = 20250101
TAR_MTIME = 1_735_689_600  # 2025-01-01T00:00:00Z, the mtime of every tar member
TASKS: dict[str, int] = {"arc_easy": 4, "boolq": 2, "mmlu_anatomy": 4}
CONTAINER_RECIPE = "dclm-baseline"
SKILL_BY_PARAMS: dict[str, float] = {"60M": 0.2, "150M": 0.4}
PRIMARY_METRIC = "acc_per_char"


@dataclass(frozen=True)
class Checkpoint:
    """One pretrained checkpoint: recipe, params, seed and step."""

    recipe: str
    params: str
    seed: int
    step: int

    @property
    def tarball_path(self) -> str:
        return f"{self.recipe}/{self.params}/seed-{self.seed}/step-{self.step}.tar.gz"

    @property
    def model(self) -> str:
        return f"{self.recipe}-{self.params}-seed-{self.seed}-step-{self.step}"


STEP_CHECKPOINTS = (
    Checkpoint("dolma1.7", "150M", 2, 1000),
    Checkpoint("dolma1.7", "150M", 2, 2000),
)
CONTAINER_CHECKPOINTS = (
    Checkpoint(CONTAINER_RECIPE, "150M", 2, 1000),
    Checkpoint(CONTAINER_RECIPE, "60M", 2, 1000),
)
MALFORMED = (STEP_CHECKPOINTS[0], "boolq", 1)  # checkpoint, task, line index


@dataclass(frozen=True)
class Question:
    """A question of a task, shared by every checkpoint."""

    doc_id: int
    native_id: int | str | None
    label: int | str
    gold: int
    num_chars: tuple[int, ...]
    context_tokens: int


@dataclass
class Counts:
    """What the sample holds (the numbers printed by the script)."""

    archives: int = 0
    step_archives: int = 0
    task_files: int = 0
    questions: int = 0
    answer_choices: int = 0
    malformed_lines: int = 0


def digest(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def native_id(rng: random.Random, task: str, index: int) -> int | str | None:
    """An int, a string or a null native ID, in turn."""
    kind = index % 3
    if kind == 0:
        return rng.randint(1, 9999)
    if kind == 1:
        return f"{task.split('_')[0].capitalize()}_{rng.randint(10000, 99999)}"
    return None


def make_question(rng: random.Random, task: str, index: int) -> Question:
    choices = TASKS[task]
    gold = rng.randrange(choices)
    label: int | str = chr(ord("A") + gold) if task == "arc_easy" else gold
    return Question(
        doc_id=index * 7 + 3,
        native_id=native_id(rng, task, index),
        label=label,
        gold=gold,
        num_chars=tuple(rng.randint(3, 60) for _ in range(choices)),
        context_tokens=rng.randint(40, 400),
    )


def task_questions(task: str) -> list[Question]:
    rng = random.Random(f"{SEED}:questions:{task}")
    return [make_question(rng, task, index) for index in range(rng.randint(3, 6))]


def argmax(values: list[float]) -> int:
    return max(range(len(values)), key=lambda i: values[i])


def choice_output(
    rng: random.Random, task: str, question: Question, choice: int, skill: float
) -> dict[str, Any]:
    """One element of model_output: the scores of one answer choice."""
    num_chars = question.num_chars[choice]
    num_tokens = max(1, num_chars // 4)
    per_token = -rng.uniform(0.6, 3.0) + (skill if choice == question.gold else 0.0)
    sum_logits = min(per_token, -0.05) * num_tokens
    output: dict[str, Any] = {
        "sum_logits": round(sum_logits, 6),
        "num_tokens": num_tokens,
        "num_tokens_all": num_tokens + question.context_tokens,
        "is_greedy": num_tokens <= 2 and rng.random() < 0.5,
        "logits_per_token": round(sum_logits / num_tokens, 6),
        "logits_per_char": round(sum_logits / num_chars, 6),
        "num_chars": num_chars,
    }
    if task == "arc_easy":
        output["sum_logits_uncond"] = round(sum_logits * rng.uniform(1.1, 1.6), 6)
    if task != "boolq":
        output["logits_per_byte"] = round(-sum_logits / (num_chars * math.log(2)), 6)
    return output


def _column(outputs: list[dict[str, Any]], key: str) -> list[float]:
    return [float(output[key]) for output in outputs]


def question_metrics(task: str, gold: int, outputs: list[dict[str, Any]]) -> dict[str, Any]:
    """The per-question metrics of a predictions line."""
    raw = argmax(_column(outputs, "sum_logits"))
    per_token = argmax(_column(outputs, "logits_per_token"))
    per_char = argmax(_column(outputs, "logits_per_char"))
    metrics: dict[str, Any] = {
        "predicted_index_raw": raw,
        "predicted_index_per_token": per_token,
        "predicted_index_per_char": per_char,
        "correct_choice": gold,
        "acc_raw": int(raw == gold),
        "acc_per_token": int(per_token == gold),
        "acc_per_char": int(per_char == gold),
    }
    if task == "boolq":
        return metrics
    bits = _column(outputs, "logits_per_byte")
    metrics["acc_per_byte"] = int(bits.index(min(bits)) == gold)
    if task == "arc_easy":
        gains = [
            s - u
            for s, u in zip(
                _column(outputs, "sum_logits"), _column(outputs, "sum_logits_uncond"), strict=True
            )
        ]
        metrics["acc_uncond"] = int(argmax(gains) == gold)
    else:
        metrics["no_answer"] = 0
    metrics["sum_logits_corr"] = outputs[gold]["sum_logits"]
    metrics["logits_per_token_corr"] = outputs[gold]["logits_per_token"]
    metrics["logits_per_char_corr"] = outputs[gold]["logits_per_char"]
    metrics["bits_per_byte_corr"] = outputs[gold]["logits_per_byte"]
    return metrics


def skill_of(checkpoint: Checkpoint) -> float:
    return SKILL_BY_PARAMS[checkpoint.params] + checkpoint.step / 10_000


def prediction_records(checkpoint: Checkpoint, task: str) -> list[dict[str, Any]]:
    """The predictions lines of one task at one checkpoint, as objects."""
    rng = random.Random(f"{SEED}:predictions:{checkpoint.model}:{task}")
    skill = skill_of(checkpoint)
    records = []
    for question in task_questions(task):
        outputs = [
            choice_output(rng, task, question, choice, skill) for choice in range(TASKS[task])
        ]
        records.append(
            {
                "doc_id": question.doc_id,
                "native_id": question.native_id,
                "label": question.label,
                "task_hash": digest(f"task:{task}"),
                "model_hash": digest(f"model:{checkpoint.model}"),
                "metrics": question_metrics(task, question.gold, outputs),
                "model_output": outputs,
            }
        )
    return records


def mean(records: list[dict[str, Any]], metric: str) -> float:
    return round(sum(r["metrics"][metric] for r in records) / len(records), 6)


def task_metrics(
    checkpoint: Checkpoint, task: str, records: list[dict[str, Any]]
) -> dict[str, Any]:
    """The content of `<task>-metrics.json`."""
    rng = random.Random(f"{SEED}:metrics:{checkpoint.model}:{task}")
    task_idx = list(TASKS).index(task)
    return {
        "task_name": task,
        "task_hash": digest(f"task:{task}"),
        "model_hash": digest(f"model:{checkpoint.model}"),
        "model_config": {
            "model": f"{checkpoint.recipe}-{checkpoint.params}",
            "revision": f"step{checkpoint.step}-seed-{checkpoint.seed}",
            "model_path": f"allenai/DataDecide-{checkpoint.recipe}-{checkpoint.params}",
            "model_type": "hf",
            "dtype": "bfloat16",
            "max_length": 2048,
        },
        "task_config": {
            "task_name": task,
            "primary_metric": PRIMARY_METRIC,
            "split": "validation" if task == "boolq" else "test",
            "num_shots": 5,
            "random_subsample_seed": 1234,
            "metadata": {"regimes": ["OLMES-v0.1"]},
        },
        "compute_config": {
            "batch_size": 32,
            "max_batch_size": 32,
            "num_recorded_inputs": 3,
            "save_raw_requests": False,
            "recompute_metrics": False,
        },
        "processing_time": round(rng.uniform(1.0, 30.0), 3),
        "current_date": f"2025-03-{rng.randint(1, 28):02d} {rng.randint(0, 23):02d}:"
        f"{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d} UTC",
        "num_instances": len(records),
        "task_idx": task_idx,
        "metrics": {
            "acc_raw": mean(records, "acc_raw"),
            "acc_per_token": mean(records, "acc_per_token"),
            "acc_per_char": mean(records, "acc_per_char"),
            "primary_score": mean(records, PRIMARY_METRIC),
        },
    }


def predictions_lines(
    checkpoint: Checkpoint, task: str, records: list[dict[str, Any]]
) -> list[str]:
    """JSON lines of the records; the malformed line of the sample is cut in half."""
    lines = [json.dumps(record) for record in records]
    bad_checkpoint, bad_task, bad_index = MALFORMED
    if (checkpoint, task) == (bad_checkpoint, bad_task):
        lines[bad_index] = lines[bad_index][: len(lines[bad_index]) // 2]
    return lines


def tar_gz(members: Mapping[str, bytes | None]) -> bytes:
    """A deterministic .tar.gz of the members (None = a folder), sorted by name."""
    buffer = io.BytesIO()
    with (
        gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as gz,
        tarfile.open(fileobj=gz, mode="w", format=tarfile.USTAR_FORMAT) as tar,
    ):
        for name in sorted(members):
            data = members[name]
            info = tarfile.TarInfo(name)
            info.mtime = TAR_MTIME
            if data is None:
                info.type = tarfile.DIRTYPE
                info.mode = 0o755
                tar.addfile(info)
            else:
                info.mode = 0o644
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def step_tarball(checkpoint: Checkpoint, counts: Counts) -> bytes:
    """The step tarball of a checkpoint; count its files, questions and answer choices."""
    folder = f"step-{checkpoint.step}"
    members: dict[str, bytes | None] = {folder: None}
    for task in TASKS:
        records = prediction_records(checkpoint, task)
        lines = predictions_lines(checkpoint, task, records)
        metrics = task_metrics(checkpoint, task, records)
        members[f"{folder}/{task}-metrics.json"] = (json.dumps(metrics, indent=2) + "\n").encode()
        members[f"{folder}/{task}-predictions.jsonl"] = "".join(f"{x}\n" for x in lines).encode()
        count_lines(lines, counts)
        counts.task_files += 2
    counts.step_archives += 1
    return tar_gz(members)


def count_lines(lines: list[str], counts: Counts) -> None:
    for line in lines:
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            counts.malformed_lines += 1
            continue
        counts.questions += 1
        counts.answer_choices += len(record["model_output"])


def write_file(path: Path, data: bytes, counts: Counts) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    counts.archives += 1


def generate(out: Path) -> Counts:
    """(Re)write `<out>/qa/` and return its counts."""
    qa_dir = out / "qa"
    if qa_dir.exists():
        shutil.rmtree(qa_dir)
    counts = Counts()
    for checkpoint in STEP_CHECKPOINTS:
        write_file(qa_dir / checkpoint.tarball_path, step_tarball(checkpoint, counts), counts)
    inner = {c.tarball_path: step_tarball(c, counts) for c in CONTAINER_CHECKPOINTS}
    write_file(qa_dir / "models" / f"{CONTAINER_RECIPE}.tar.gz", tar_gz(inner), counts)
    return counts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("sample_data"), help="output folder")
    args = parser.parse_args(argv)
    counts = generate(args.out)
    print(json.dumps(asdict(counts)))


if __name__ == "__main__":
    main()
