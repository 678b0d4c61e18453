"""Write real-shaped QA evaluation archives at any scale, up to whole recipes.

Every predictions line is derived at run time from the real evaluation lines kept beside the
repository, `arc_easy-predictions.jsonl` (`--real-dir`; never copied into the repository):
the same keys in the same order (top level, `metrics`, each `model_output` choice),
the same value types, so the same line sizes. What varies: `doc_id`
(0..n-1 per task), `native_id` (a string like the real `Mercury_417466`), `label` /
`correct_choice`, the float scores (random float32 log-likelihoods, as the real ones, and the
per-token / per-char / per-byte values derived from them as in the real lines), `task_hash`
(per task) and `model_hash`, and the number of answer choices (per task: boolq, piqa,
winogrande 2, socialiqa 3, csqa 5, arc mostly 4, the rest 4; 3.64 per question over a whole
recipe). `predicted_index_raw` = argmax sum_logits, `_per_token` = argmax logits_per_token,
`_per_char` = argmax logits_per_char, `_uncond` = argmax (sum_logits - sum_logits_uncond), and
each `acc_*` is 1 where its prediction is the correct choice, as in the real lines.

Layouts: `--layout nested` (default) writes `OUT/models/<recipe>.tar.gz` whose members are the
step tarballs `<recipe>/<params>/seed-<N>/step-<S>.tar.gz`; `--layout flat` writes those step
tarballs as files under OUT. A step tarball holds the folder `step-<S>/` and, per task,
`step-<S>/<task>-metrics.json` (~3 KB) and `step-<S>/<task>-predictions.jsonl`
(every `--prefixed-every`-th checkpoint names them oe-eval's way, `task-NNN-<task>-...`).
Checkpoints: `--steps` per recipe over the 14 DataDecide sizes and their three seed folders
(`seed-2` default; `seed-14` / `seed-15` small aux for sizes up to 150M, `seed-4` / `seed-5`
large aux above), steps spread up to each size's final step. `--questions` is split over
recipes x steps, and within a step over the tasks in proportion to their real sizes (a whole
recipe: 540 steps x 37,682 questions).

Speed: a task's questions are the same at every checkpoint, and its predictions file is one of
`--pool` variants per recipe (checkpoint i of a recipe uses variant i mod pool; `model_hash` is
that variant's, in its predictions and metrics files alike, so it is per variant, not per
checkpoint). Each variant's bytes are generated and gzip-compressed once. A gzip file may be a
series of gzip members, read as one stream, so a step tarball is written as gzip members: the
reused, precompressed predictions contents (padded to 512 bytes) between members compressing
what differs per checkpoint (tar headers, metrics files, end of archive). The recipe tarball is
gzip members again around those members: the reused ones' outer compression is also done once.

A summary (questions, choices, archives, task files, bytes) is written to
`OUT/qa_real_shaped.json` and printed.

Usage:
    uv run python scripts/qa_real_shaped.py --out DIR [--questions N] [--recipes 1|a,b]
        [--steps S] [--tasks all|t1,t2] [--layout nested|flat] [--pool K] [--seed N]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import math
import os
import random
import struct
import sys
import tarfile
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

REPO = Path(__file__).resolve().parents[1]
DEFAULT_REAL_DIR = REPO.parent / "shared" / "fixtures" / "real_eval_instances"
REAL_FILE = "arc_easy-predictions.jsonl"
SUMMARY_FILE = "qa_real_shaped.json"
TAR_MTIME = 1_735_689_600  # 2025-01-01T00:00:00Z, every tar member
BLOCK = 512
LN2 = math.log(2)
SEED = 20250901

RECIPES = (
    "dolma1.7",
    "dclm-baseline",
    "c4",
    "fineweb-edu",
    "fineweb-pro",
    "falcon",
    "falcon-and-cc",
    "falcon-and-cc-qc-10p",
    "falcon-and-cc-qc-20p",
    "falcon-and-cc-qc-orig-10p",
    "falcon-and-cc-qc-tulu-10p",
    "dolma1.6pp",
    "dolma1.7-no-code",
    "dolma1.7-no-math-code",
    "dolma1.7-no-reddit",
    "dolma1.7-no-flan",
    "dclm-baseline-qc-7p-fw2",
    "dclm-baseline-qc-7p-fw3",
    "dclm-baseline-qc-fw-3p",
    "dclm-baseline-qc-fw-10p",
    "dclm-baseline-qc-10p",
    "dclm-baseline-qc-20p",
    "dclm-baseline-25p-dolma1.7-75p",
    "dclm-baseline-50p-dolma1.7-50p",
    "dclm-baseline-75p-dolma1.7-25p",
)
# Final step per size (the matched-models code); checkpoints are spread up to it.
FINAL_STEPS = {
    "4M": 5725,
    "6M": 9182,
    "8M": 13039,
    "10M": 15117,
    "14M": 21953,
    "16M": 24432,
    "20M": 14584,
    "60M": 29042,
    "90M": 29901,
    "150M": 37500,
    "300M": 45000,
    "530M": 51250,
    "750M": 62500,
    "1B": 67500,
}
SMALL_SIZES = ("4M", "6M", "8M", "10M", "14M", "16M", "20M", "60M", "90M", "150M")
# Seed role -> (seed folder for small sizes, for large sizes); the revision names the role.
SEED_ROLES = {"default": (2, 2), "small aux 2": (14, 4), "small aux 3": (15, 5)}
LARGE_ROLE = {"small aux 2": "large aux 2", "small aux 3": "large aux 3"}

MMLU_QUESTIONS = {
    "abstract_algebra": 100,
    "anatomy": 135,
    "astronomy": 152,
    "business_ethics": 100,
    "clinical_knowledge": 265,
    "college_biology": 144,
    "college_chemistry": 100,
    "college_computer_science": 100,
    "college_mathematics": 100,
    "college_medicine": 173,
    "college_physics": 102,
    "computer_security": 100,
    "conceptual_physics": 235,
    "econometrics": 114,
    "electrical_engineering": 145,
    "elementary_mathematics": 378,
    "formal_logic": 126,
    "global_facts": 100,
    "high_school_biology": 310,
    "high_school_chemistry": 203,
    "high_school_computer_science": 100,
    "high_school_european_history": 165,
    "high_school_geography": 198,
    "high_school_government_and_politics": 193,
    "high_school_macroeconomics": 390,
    "high_school_mathematics": 270,
    "high_school_microeconomics": 238,
    "high_school_physics": 151,
    "high_school_psychology": 545,
    "high_school_statistics": 216,
    "high_school_us_history": 204,
    "high_school_world_history": 237,
    "human_aging": 223,
    "human_sexuality": 131,
    "international_law": 121,
    "jurisprudence": 108,
    "logical_fallacies": 163,
    "machine_learning": 112,
    "management": 103,
    "marketing": 234,
    "medical_genetics": 100,
    "miscellaneous": 783,
    "moral_disputes": 346,
    "moral_scenarios": 895,
    "nutrition": 306,
    "philosophy": 311,
    "prehistory": 324,
    "professional_accounting": 282,
    "professional_law": 1534,
    "professional_medicine": 272,
    "professional_psychology": 612,
    "public_relations": 110,
    "security_studies": 245,
    "sociology": 201,
    "us_foreign_policy": 100,
    "virology": 166,
    "world_religions": 171,
}


@dataclass(frozen=True)
class TaskShape:
    """What a task's questions look like: how many, how many choices, how long."""

    questions: int  # in one real evaluation
    choices: tuple[tuple[int, float], ...]  # (answer choices, weight)
    tokens: tuple[int, int]  # tokens of one answer choice
    context: tuple[int, int]  # tokens of the prompt
    native: tuple[str, ...]  # native ID prefixes
    split: str
    dataset: str


def _shape(
    questions: int,
    choices: tuple[tuple[int, float], ...],
    tokens: tuple[int, int],
    context: tuple[int, int],
    native: tuple[str, ...],
    split: str,
    dataset: str,
) -> TaskShape:
    return TaskShape(questions, choices, tokens, context, native, split, dataset)


ARC_IDS = ("Mercury_", "Mercury_SC_", "NYSEDREGENTS_2015_4_", "MCAS_2000_4_", "ACTAAP_2013_5_")
SHAPES: dict[str, TaskShape] = {
    "arc_challenge": _shape(
        1172, ((4, 0.96), (3, 0.01), (5, 0.03)), (2, 20), (150, 260), ARC_IDS, "test", "ai2_arc"
    ),
    "arc_easy": _shape(
        2376, ((4, 0.98), (3, 0.01), (5, 0.01)), (2, 20), (140, 240), ARC_IDS, "test", "ai2_arc"
    ),
    "boolq": _shape(3270, ((2, 1.0),), (1, 1), (300, 900), ("boolq_",), "validation", "boolq"),
    "csqa": _shape(
        1221, ((5, 1.0),), (1, 6), (60, 140), ("csqa_",), "validation", "commonsense_qa"
    ),
    "hellaswag": _shape(
        10042, ((4, 1.0),), (10, 40), (90, 200), ("ind_",), "validation", "hellaswag"
    ),
    **{
        f"mmlu_{subject}": _shape(
            count, ((4, 1.0),), (1, 24), (250, 1400), (f"{subject}_",), "test", "cais/mmlu"
        )
        for subject, count in MMLU_QUESTIONS.items()
    },
    "openbookqa": _shape(
        500, ((4, 1.0),), (2, 15), (80, 160), ("obqa_",), "validation", "openbookqa"
    ),
    "piqa": _shape(1838, ((2, 1.0),), (5, 45), (70, 180), ("piqa_",), "validation", "piqa"),
    "socialiqa": _shape(
        1954, ((3, 1.0),), (2, 12), (90, 170), ("siqa_",), "validation", "social_i_qa"
    ),
    "winogrande": _shape(
        1267, ((2, 1.0),), (3, 16), (60, 120), ("winogrande_",), "validation", "winogrande"
    ),
}
# the 66 tasks of the published evaluation instances, in the order of their task_idx
TASKS = tuple(SHAPES)


# --- the real lines: key orders, types and sizes -----------------------------------------------


@dataclass(frozen=True)
class RealShape:
    """What the real prediction lines fix: key orders, value types and line sizes."""

    top_keys: tuple[str, ...]
    metric_keys: tuple[str, ...]
    choice_keys: tuple[str, ...]
    types: dict[str, str]  # dotted key -> type name, e.g. "model_output.num_chars": "int"
    sizes: tuple[int, ...]  # bytes of each real line (without its newline)
    choices: tuple[int, ...]


def type_name(value: object) -> str:
    return type(value).__name__


def value_types(record: dict[str, Any]) -> dict[str, str]:
    """Dotted key -> type name of a predictions line (`model_output.*` over every choice)."""
    types = {key: type_name(value) for key, value in record.items()}
    types.update({f"metrics.{k}": type_name(v) for k, v in record["metrics"].items()})
    for choice in record["model_output"]:
        types.update({f"model_output.{k}": type_name(v) for k, v in choice.items()})
    return types


def load_real(real_dir: Path) -> RealShape:
    """The shape of the real lines; every real line must have the same keys and types."""
    lines = (real_dir / REAL_FILE).read_text().splitlines()
    records = [json.loads(line) for line in lines if line.strip()]
    if not records:
        raise ValueError(f"{real_dir / REAL_FILE}: no lines")
    first = records[0]
    shape = RealShape(
        top_keys=tuple(first),
        metric_keys=tuple(first["metrics"]),
        choice_keys=tuple(first["model_output"][0]),
        types=value_types(first),
        sizes=tuple(len(line.encode()) for line in lines if line.strip()),
        choices=tuple(len(r["model_output"]) for r in records),
    )
    for record in records:
        same_keys = (
            tuple(record) == shape.top_keys
            and tuple(record["metrics"]) == shape.metric_keys
            and all(tuple(c) == shape.choice_keys for c in record["model_output"])
        )
        if not same_keys or value_types(record) != shape.types:
            raise ValueError(f"real line {record['doc_id']}: other keys or types than line 0")
    return shape


# --- questions and their scores ----------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    """A question of a task, the same at every checkpoint."""

    doc_id: int
    native_id: str
    gold: int
    choice_tokens: tuple[int, ...]
    choice_chars: tuple[int, ...]
    context: int


def float32(value: float) -> float:
    """The value as a float32, as the real log-likelihoods are (`-33.75307846069336`)."""
    return float(struct.unpack("f", struct.pack("f", value))[0])


def digest(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def native_id(rng: random.Random, shape: TaskShape) -> str:
    prefix = rng.choice(shape.native)
    return f"{prefix}{rng.randint(1, 9_999_999)}" if prefix.endswith("_") else prefix


def make_question(rng: random.Random, shape: TaskShape, doc_id: int) -> Question:
    counts, weights = zip(*shape.choices, strict=True)
    choices = rng.choices(counts, weights)[0]
    tokens = tuple(rng.randint(*shape.tokens) for _ in range(choices))
    chars = tuple(max(1, round(n * rng.uniform(3.5, 6.5))) for n in tokens)
    return Question(
        doc_id=doc_id,
        native_id=native_id(rng, shape),
        gold=rng.randrange(choices),
        choice_tokens=tokens,
        choice_chars=chars,
        context=rng.randint(*shape.context),
    )


def task_questions(task: str, count: int, seed: int) -> list[Question]:
    rng = random.Random(f"{seed}:questions:{task}")
    return [make_question(rng, SHAPES[task], doc_id) for doc_id in range(count)]


def argmax(values: list[float]) -> int:
    return max(range(len(values)), key=values.__getitem__)


def choice_scores(
    rng: random.Random, question: Question, choice: int, skill: float
) -> dict[str, Any]:
    """One `model_output` element: float32 log-likelihoods and what the real lines derive."""
    tokens, chars = question.choice_tokens[choice], question.choice_chars[choice]
    per_token = rng.uniform(0.4, 4.5) - (skill if choice == question.gold else 0.0)
    sum_logits = float32(-max(per_token, 0.02) * tokens)
    return {
        "sum_logits": sum_logits,
        "num_tokens": tokens,
        "num_tokens_all": tokens + question.context,
        "is_greedy": tokens == 1 and rng.random() < 0.3,
        "sum_logits_uncond": float32(sum_logits * rng.uniform(1.0, 1.7) - rng.uniform(0, 2)),
        "logits_per_token": sum_logits / tokens,
        "logits_per_char": sum_logits / chars,
        "logits_per_byte": -sum_logits / (chars * LN2),
        "num_chars": chars,
    }


def question_metrics(gold: int, outputs: list[dict[str, Any]]) -> dict[str, int]:
    """predicted_index_* and acc_* from the choice scores, as in the real lines."""

    def column(key: str) -> list[float]:
        return [float(output[key]) for output in outputs]

    gains = [s - u for s, u in zip(column("sum_logits"), column("sum_logits_uncond"), strict=True)]
    predicted = {
        "raw": argmax(column("sum_logits")),
        "per_token": argmax(column("logits_per_token")),
        "per_char": argmax(column("logits_per_char")),
        "uncond": argmax(gains),
    }
    metrics = {f"predicted_index_{k}": v for k, v in predicted.items()}
    metrics["correct_choice"] = gold
    metrics.update({f"acc_{k}": int(v == gold) for k, v in predicted.items()})
    return metrics


def ordered(values: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    """`values` in the real key order; a real key the generator does not fill is an error."""
    missing = [key for key in keys if key not in values]
    if missing:
        raise KeyError(f"the real lines have keys the generator does not fill: {missing}")
    return {key: values[key] for key in keys}


def prediction_line(
    real: RealShape, question: Question, rng: random.Random, skill: float, hashes: tuple[str, str]
) -> tuple[str, dict[str, int]]:
    outputs = [
        ordered(choice_scores(rng, question, choice, skill), real.choice_keys)
        for choice in range(len(question.choice_tokens))
    ]
    metrics = question_metrics(question.gold, outputs)
    values = {
        "doc_id": question.doc_id,
        "native_id": question.native_id,
        "metrics": ordered(metrics, real.metric_keys),
        "model_output": outputs,
        "label": question.gold,
        "task_hash": hashes[0],
        "model_hash": hashes[1],
    }
    return json.dumps(ordered(values, real.top_keys)), metrics


# --- the pool: each distinct predictions file, generated and compressed once --------------------


@dataclass(frozen=True)
class PoolJob:
    """One distinct predictions file: a task's questions scored by one variant of a recipe."""

    recipe: str
    task: str
    variant: int
    questions: int
    seed: int
    level: int
    real_dir: Path

    @property
    def key(self) -> str:
        return f"{self.recipe}:{self.task}:{self.variant}"


@dataclass(frozen=True)
class PoolEntry:
    """A predictions file ready to reuse: its gzip member and that member compressed again."""

    key: str
    size: int  # bytes of the file
    questions: int
    choices: int
    inner: bytes  # gzip member of the file padded to 512 bytes
    outer: bytes  # gzip member of `inner`
    accuracy: dict[str, float]


def gz(data: bytes, level: int) -> bytes:
    """One gzip member, deterministic (mtime 0)."""
    return gzip.compress(data, compresslevel=level, mtime=0)


def padded_size(size: int) -> int:
    return size + (-size % BLOCK)


def padded(data: bytes) -> bytes:
    return data + b"\0" * (-len(data) % BLOCK)


def model_hash(recipe: str, variant: int) -> str:
    return digest(f"model:{recipe}:{variant}")


def task_hash(task: str) -> str:
    return digest(f"task:{task}")


def variant_skill(variant: int, pool: int) -> float:
    """Variants range from a weak to a strong model (the gold choice's per-token gain)."""
    return 0.2 + 1.6 * (variant + 0.5) / pool


def build_entry(job: PoolJob, pool: int) -> PoolEntry:
    real = load_real(job.real_dir)
    rng = random.Random(f"{job.seed}:scores:{job.key}")
    hashes = (task_hash(job.task), model_hash(job.recipe, job.variant))
    skill = variant_skill(job.variant, pool)
    lines, correct = [], dict.fromkeys(("raw", "per_token", "per_char", "uncond"), 0)
    choices = 0
    for question in task_questions(job.task, job.questions, job.seed):
        line, metrics = prediction_line(real, question, rng, skill, hashes)
        lines.append(line)
        choices += len(question.choice_tokens)
        for name in correct:
            correct[name] += metrics[f"acc_{name}"]
    data = ("\n".join(lines) + "\n").encode()
    inner = gz(padded(data), job.level)
    return PoolEntry(
        key=job.key,
        size=len(data),
        questions=len(lines),
        choices=choices,
        inner=inner,
        outer=gz(inner, job.level),
        accuracy={name: round(hits / len(lines), 6) for name, hits in correct.items()},
    )


def _build(args: tuple[PoolJob, int]) -> PoolEntry:
    return build_entry(*args)


def build_pool(jobs: list[PoolJob], pool: int, workers: int) -> dict[str, PoolEntry]:
    if workers <= 1 or len(jobs) <= 1:
        return {job.key: build_entry(job, pool) for job in jobs}
    # the biggest files first, so the workers end together
    order = sorted(jobs, key=lambda job: -job.questions)
    with ProcessPoolExecutor(max_workers=workers) as executor:
        entries = executor.map(_build, [(job, pool) for job in order], chunksize=1)
        return {entry.key: entry for entry in entries}


# --- checkpoints -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    """One step tarball: a recipe's model at one step, and the pool variant it uses."""

    recipe: str
    params: str
    role: str
    seed: int
    step: int
    index: int  # in the recipe
    variant: int
    prefixed: bool  # members named task-NNN-<task>-...

    @property
    def path(self) -> str:
        return f"{self.recipe}/{self.params}/seed-{self.seed}/step-{self.step}.tar.gz"

    @property
    def revision(self) -> str:
        return f"step{self.step}-seed-{self.role.replace(' ', '-')}"


def seed_of(params: str, role: str) -> tuple[int, str]:
    small, large = SEED_ROLES[role]
    if params in SMALL_SIZES:
        return small, role
    return large, LARGE_ROLE.get(role, role)


def model_slots(steps: int) -> list[tuple[str, str, int]]:
    """(params, role, checkpoints) for `steps` checkpoints spread over sizes and seed roles."""
    slots = [(params, role) for role in SEED_ROLES for params in FINAL_STEPS]
    return [
        (params, role, steps // len(slots) + (n < steps % len(slots)))
        for n, (params, role) in enumerate(slots)
    ]


def recipe_checkpoints(recipe: str, steps: int, pool: int, prefixed_every: int) -> list[Checkpoint]:
    found: list[Checkpoint] = []
    for params, role, count in model_slots(steps):
        seed, role_name = seed_of(params, role)
        final = FINAL_STEPS[params]
        for j in range(count):
            index = len(found)
            found.append(
                Checkpoint(
                    recipe=recipe,
                    params=params,
                    role=role_name,
                    seed=seed,
                    step=round(final * (j + 1) / count),
                    index=index,
                    variant=index % pool,
                    prefixed=prefixed_every > 0 and index % prefixed_every == prefixed_every - 1,
                )
            )
    return found


def questions_per_task(tasks: tuple[str, ...], per_step: float) -> dict[str, int]:
    """The questions of one step split over the tasks in proportion to their real sizes."""
    total = sum(SHAPES[task].questions for task in tasks)
    return {task: max(1, round(SHAPES[task].questions * per_step / total)) for task in tasks}


# --- metrics.json ------------------------------------------------------------------------------


def description(task: str) -> str | None:
    if not task.startswith("mmlu_"):
        return None
    subject = task.removeprefix("mmlu_").replace("_", " ")
    return f"The following are multiple choice questions (with answers) about {subject}.\n\n"


def stderr(accuracy: float, questions: int) -> float:
    return round(math.sqrt(accuracy * (1 - accuracy) / max(questions - 1, 1)), 6)


def task_config(task: str, shape: TaskShape, primary: str) -> dict[str, Any]:
    return {
        "task_name": task,
        "task_core": task,
        "limit": None,
        "split": shape.split,
        "num_shots": 5,
        "fewshot_seed": 1234,
        "primary_metric": primary,
        "random_subsample_seed": 1234,
        "context_kwargs": {
            "description": description(task),
            "assistant_prefix": None,
            "fewshot_as_multiturn": False,
        },
        "generation_kwargs": None,
        "metric_kwargs": {"uncond_docid_offset": 1000000},
        "native_id_field": "id",
        "fewshot_source": f"OLMES:{shape.dataset}",
        "dataset_path": shape.dataset,
        "dataset_name": task.removeprefix("mmlu_") if task.startswith("mmlu_") else None,
        "use_chat_format": False,
        "version": 0,
        "revision": None,
        "compute_gold_bpb": False,
        "metadata": {"regimes": ["OLMES-v0.1"], "alias": f"{task}:rc::olmes"},
    }


def metrics_document(checkpoint: Checkpoint, task: str, entry: PoolEntry) -> dict[str, Any]:
    """The content of `<task>-metrics.json`."""
    rng = random.Random(f"metrics:{checkpoint.path}:{task}")
    primary = "acc_raw" if task.startswith("mmlu_") else "acc_per_char"
    model = f"allenai/DataDecide-{checkpoint.recipe}-{checkpoint.params}"
    metrics: dict[str, Any] = {f"acc_{k}": v for k, v in entry.accuracy.items()}
    metrics.update(
        {f"acc_{k}_stderr": stderr(v, entry.questions) for k, v in entry.accuracy.items()}
    )
    metrics["primary_score"] = metrics[primary]
    return {
        "task_name": task,
        "task_hash": task_hash(task),
        "model_hash": model_hash(checkpoint.recipe, checkpoint.variant),
        "model_config": {
            "model": model,
            "revision": checkpoint.revision,
            "trust_remote_code": None,
            "max_length": 2048,
            "model_path": model,
            "model_type": "hf",
            "tokenizer": "allenai/gpt-neox-olmo-dolma-v1_5",
            "dtype": "bfloat16",
            "gpu_memory_utilization": None,
            "metadata": {"alias": f"{checkpoint.recipe}-{checkpoint.params}"},
        },
        "task_config": task_config(task, SHAPES[task], primary),
        "compute_config": {
            "batch_size": "auto",
            "max_batch_size": 32,
            "output_dir": f"/results/{checkpoint.recipe}/{checkpoint.params}/{checkpoint.revision}",
            "num_recorded_inputs": 3,
            "save_raw_requests": True,
            "recompute_metrics": False,
        },
        "processing_time": round(rng.uniform(2.0, 400.0), 6),
        "current_date": f"2025-01-{rng.randint(1, 28):02d} {rng.randint(0, 23):02d}:"
        f"{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d} UTC",
        "num_instances": entry.questions,
        "task_idx": TASKS.index(task),
        "metrics": {
            **metrics,
            "extra_metrics": {
                "num_tokens": rng.randint(10**4, 10**6),
                "num_instances": entry.questions,
                "num_choices": entry.choices,
                "requests_per_second": round(rng.uniform(20.0, 400.0), 6),
            },
        },
    }


# --- tar streams as gzip members ---------------------------------------------------------------


def tar_header(name: str, size: int, folder: bool = False) -> bytes:
    info = tarfile.TarInfo(name)
    info.mtime = TAR_MTIME
    info.size = 0 if folder else size
    info.mode = 0o755 if folder else 0o644
    info.type = tarfile.DIRTYPE if folder else tarfile.REGTYPE
    return info.tobuf(tarfile.USTAR_FORMAT, "utf-8", "surrogateescape")


# A segment of a tar stream: (bytes, None) differs per archive; (b"", key) is a reused
# pool piece whose gzip member is cached under its key.
Segment = tuple[bytes, str | None]


def members(segments: Iterable[Segment], cache: dict[str, bytes], level: int) -> list[Segment]:
    """Gzip members of a stream: each reused piece's cached member, and one new member for each
    run of segments that differ per archive."""
    out: list[Segment] = []
    pending: list[bytes] = []
    for data, key in segments:
        if key is None:
            pending.append(data)
            continue
        if pending:
            out.append((gz(b"".join(pending), level), None))
            pending = []
        out.append((cache[key], key))
    if pending:
        out.append((gz(b"".join(pending), level), None))
    return out


def member_name(checkpoint: Checkpoint, task: str, kind: str) -> str:
    base = f"task-{TASKS.index(task):03d}-{task}" if checkpoint.prefixed else task
    return f"step-{checkpoint.step}/{base}-{kind}"


@dataclass
class Totals:
    """What was written (the summary)."""

    archives: int = 0
    step_archives: int = 0
    task_files: int = 0
    questions: int = 0
    choices: int = 0
    bytes_compressed: int = 0
    bytes_task_files: int = 0  # the metrics and predictions files, uncompressed
    bytes_step_tar: int = 0  # the step tarballs' tar streams, uncompressed

    def count_task(self, metrics_size: int, entry: PoolEntry) -> None:
        self.task_files += 2
        self.questions += entry.questions
        self.choices += entry.choices
        self.bytes_task_files += metrics_size + entry.size


def step_segments(
    checkpoint: Checkpoint, tasks: tuple[str, ...], pool: dict[str, PoolEntry], totals: Totals
) -> Iterator[Segment]:
    """The tar stream of a step tarball: its folder, per task metrics and predictions; count
    what it holds."""
    yield tar_header(f"step-{checkpoint.step}", 0, folder=True), None
    for task in tasks:
        entry = pool[f"{checkpoint.recipe}:{task}:{checkpoint.variant}"]
        document = metrics_document(checkpoint, task, entry)
        metrics = (json.dumps(document, indent=2) + "\n").encode()
        yield tar_header(member_name(checkpoint, task, "metrics.json"), len(metrics)), None
        yield padded(metrics), None
        yield tar_header(member_name(checkpoint, task, "predictions.jsonl"), entry.size), None
        yield b"", entry.key
        totals.count_task(len(metrics), entry)
    yield b"\0" * (2 * BLOCK), None
    totals.step_archives += 1


def step_members(
    checkpoint: Checkpoint,
    tasks: tuple[str, ...],
    pool: dict[str, PoolEntry],
    cache: dict[str, bytes],
    level: int,
    totals: Totals,
) -> list[Segment]:
    """The gzip members of one step tarball."""
    segments = list(step_segments(checkpoint, tasks, pool, totals))
    totals.bytes_step_tar += sum(len(data) for data, _ in segments)
    totals.bytes_step_tar += sum(padded_size(pool[key].size) for _, key in segments if key)
    return members(segments, cache, level)


def write_members(handle: BinaryIO, parts: Iterable[Segment]) -> int:
    written = 0
    for data, _ in parts:
        handle.write(data)
        written += len(data)
    return written


def outer_segments(
    checkpoints: list[Checkpoint], step_parts: Iterator[list[Segment]]
) -> Iterator[Segment]:
    """The tar stream of a recipe tarball, its members the step tarballs' gzip members."""
    for checkpoint, parts in zip(checkpoints, step_parts, strict=True):
        size = sum(len(data) for data, _ in parts)
        yield tar_header(checkpoint.path, size), None
        yield from parts
        yield b"\0" * (-size % BLOCK), None
    yield b"\0" * (2 * BLOCK), None


# --- the whole data set ------------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    """What to generate."""

    out: Path
    questions: int = 20_000_000
    recipes: tuple[str, ...] = RECIPES[:1]
    steps: int = 540
    tasks: tuple[str, ...] = TASKS
    layout: str = "nested"
    pool: int = 4
    seed: int = SEED
    level: int = 9
    jobs: int = 2
    prefixed_every: int = 10
    real_dir: Path = DEFAULT_REAL_DIR


def pool_jobs(options: Options, counts: dict[str, int]) -> list[PoolJob]:
    return [
        PoolJob(recipe, task, variant, counts[task], options.seed, options.level, options.real_dir)
        for recipe in options.recipes
        for variant in range(min(options.pool, options.steps))
        for task in options.tasks
    ]


def write_recipe(options: Options, recipe: str, pool: dict[str, PoolEntry], totals: Totals) -> None:
    checkpoints = recipe_checkpoints(recipe, options.steps, options.pool, options.prefixed_every)
    inner_cache = {key: entry.inner for key, entry in pool.items()}
    outer_cache = {key: entry.outer for key, entry in pool.items()}

    def parts() -> Iterator[list[Segment]]:
        for checkpoint in checkpoints:
            yield step_members(checkpoint, options.tasks, pool, inner_cache, options.level, totals)

    if options.layout == "flat":
        for checkpoint, step in zip(checkpoints, parts(), strict=True):
            path = options.out / checkpoint.path
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as handle:
                totals.bytes_compressed += write_members(handle, step)
            totals.archives += 1
        return
    path = options.out / "models" / f"{recipe}.tar.gz"
    path.parent.mkdir(parents=True, exist_ok=True)
    stream = outer_segments(checkpoints, parts())
    with path.open("wb") as handle:
        totals.bytes_compressed += write_members(
            handle, streamed_members(stream, outer_cache, options.level)
        )
    totals.archives += 1


def streamed_members(
    segments: Iterator[Segment], cache: dict[str, bytes], level: int
) -> Iterator[Segment]:
    """members() one step at a time: a run of differing segments ends at a reused piece."""
    pending: list[Segment] = []
    for segment in segments:
        pending.append(segment)
        if segment[1] is not None:
            yield from members(pending, cache, level)
            pending = []
    yield from members(pending, cache, level)


def generate(options: Options) -> dict[str, Any]:
    """Write the archives under options.out and the summary; return the summary."""
    started = time.perf_counter()
    per_step = options.questions / (len(options.recipes) * options.steps)
    counts = questions_per_task(options.tasks, per_step)
    pool = build_pool(pool_jobs(options, counts), options.pool, options.jobs)
    pooled = time.perf_counter()
    totals = Totals()
    for recipe in options.recipes:
        write_recipe(options, recipe, pool, totals)
    summary = summarise(options, totals)
    summary["seconds_pool"] = round(pooled - started, 2)
    summary["seconds"] = round(time.perf_counter() - started, 2)
    (options.out / SUMMARY_FILE).write_text(json.dumps(summary, indent=2) + "\n")
    return summary


def summarise(options: Options, totals: Totals) -> dict[str, Any]:
    questions = max(totals.questions, 1)
    return {
        "layout": options.layout,
        "recipes": len(options.recipes),
        "steps_per_recipe": options.steps,
        "tasks": len(options.tasks),
        "pool": options.pool,
        "seed": options.seed,
        "archives": totals.archives,
        "step_archives": totals.step_archives,
        "task_evals": totals.task_files // 2,
        "task_files": totals.task_files,
        "questions": totals.questions,
        "choices": totals.choices,
        "choices_per_question": round(totals.choices / questions, 3),
        "bytes_compressed": totals.bytes_compressed,
        "bytes_uncompressed": totals.bytes_task_files,
        "bytes_step_tar": totals.bytes_step_tar,
        "bytes_per_question_compressed": round(totals.bytes_compressed / questions, 1),
    }


# --- command line ------------------------------------------------------------------------------


def parse_recipes(text: str) -> tuple[str, ...]:
    """`N` (the first N recipe slugs) or a comma list of slugs."""
    if text.isdigit():
        count = int(text)
        if count < 1:
            raise argparse.ArgumentTypeError("--recipes must be at least 1")
        extra = tuple(f"recipe-{n:02d}" for n in range(len(RECIPES), count))
        return (RECIPES + extra)[:count]
    recipes = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    if not recipes or any("/" in recipe for recipe in recipes):
        raise argparse.ArgumentTypeError(f"bad --recipes {text!r}")
    return recipes


def parse_tasks(text: str) -> tuple[str, ...]:
    """`all`, `N` (the first N tasks) or a comma list of task names."""
    if text == "all":
        return TASKS
    if text.isdigit() and 1 <= int(text) <= len(TASKS):
        return TASKS[: int(text)]
    tasks = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    unknown = [task for task in tasks if task not in SHAPES]
    if unknown or not tasks:
        raise argparse.ArgumentTypeError(f"unknown tasks {unknown} (known: {', '.join(TASKS)})")
    return tuple(task for task in TASKS if task in tasks)


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1 (got {text})")
    return value


def parse_args(argv: list[str] | None) -> Options:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--questions", type=positive, default=20_000_000, help="in total")
    parser.add_argument("--recipes", type=parse_recipes, default=RECIPES[:1], help="N or a,b")
    parser.add_argument("--steps", type=positive, default=540, help="step tarballs per recipe")
    parser.add_argument("--tasks", type=parse_tasks, default=TASKS, help="all, N or a,b")
    parser.add_argument("--layout", choices=("nested", "flat"), default="nested")
    parser.add_argument("--pool", type=positive, default=4, help="distinct files per task")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--level", type=int, choices=range(1, 10), default=9, help="gzip level")
    parser.add_argument("--jobs", type=positive, default=min(2, os.cpu_count() or 1))
    parser.add_argument(
        "--prefixed-every", type=int, default=10, help="every N-th step: task-NNN- names (0: no)"
    )
    parser.add_argument("--real-dir", type=Path, default=DEFAULT_REAL_DIR)
    args = parser.parse_args(argv)
    return Options(
        out=args.out,
        questions=args.questions,
        recipes=args.recipes,
        steps=args.steps,
        tasks=args.tasks,
        layout=args.layout,
        pool=args.pool,
        seed=args.seed,
        level=args.level,
        jobs=args.jobs,
        prefixed_every=args.prefixed_every,
        real_dir=args.real_dir,
    )


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    if not (options.real_dir / REAL_FILE).is_file():
        print(f"qa_real_shaped.py: error: no {REAL_FILE} in {options.real_dir}", file=sys.stderr)
        return 2
    options.out.mkdir(parents=True, exist_ok=True)
    print(json.dumps(generate(options)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
