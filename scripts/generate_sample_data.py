"""Write dr_ingest's sample data (or a scaled data set) deterministically.

The sample in `sample_data/` is produced by `python scripts/generate_sample_data.py`; every value
is synthetic, written for this project. Hand-designed runs cover every form of the run-ID
grammar and the awkward cases of real exports (NaN, an int vs a string `model_size`, a run
with no summary, the same run in two exports, a malformed line, a run with no config);
`--extra-runs N` adds N generated
runs drawn from every form, with payloads of realistic size, for benchmarks.

Every record has the composition of a real export (the six real upstream records, beside the
repository, which this script does not read): a config of
22-33 KB, `system_attrs` of 80-140 KB holding the config again, `rawconfig`,
`summaryMetrics`, `systemMetrics` and `historyKeys` beside the run's tags and names, the real
`system_metrics` key family (4-11 KB) and `wandb_metadata` fields (0.4-4 KB). The values are
synthetic; they are drawn from a generator of their own per record, so the rest of the sample
stays as it was.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

TASKS = [
    "arc_challenge",
    "arc_easy",
    "boolq",
    "csqa",
    "hellaswag",
    "openbookqa",
    "piqa",
    "socialiqa",
    "winogrande",
    "mmlu_abstract_algebra",
    "mmlu_anatomy",
    "mmlu_astronomy",
]
# Generated (benchmark) runs log more tasks, like the real ones (records of 30-170 KB).
FULL_SIZE_TASKS = [*TASKS, *(f"mmlu_subject_{index:02d}" for index in range(13))]
SUMMARY_METRICS = [
    "acc_raw",
    "acc_per_token",
    "acc_per_char",
    "acc_per_byte",
    "correct_choice",
    "sum_logits_corr",
    "logits_per_token_corr",
    "logits_per_char_corr",
    "bits_per_byte_corr",
    "correct_prob",
    "margin",
    "total_prob",
    "norm_correct_prob",
    "primary_score",
]
CONFIG_METRICS = [
    "acc_raw",
    "acc_per_token",
    "acc_per_char",
    "correct_prob",
    "margin",
    "total_prob",
    "norm_correct_prob",
    "no_answer",
    "sum_logits_corr",
    "uncond_total_prob",
    "predicted_index_raw",
]
PERPLEXITY_SETS = ["pile", "c4_en", "wikitext_103", "m2d2_s2orc", "ice", "dolma_wiki"]
FULL_FT_TOKENS_PER_EPOCH = 665_127_434


@dataclass
class SampleRun:
    """One run to write: its ID, where it is exported, and payload overrides."""

    run_id: str
    layouts: tuple[str, ...] = ("A",)
    config: dict[str, Any] = field(default_factory=dict)
    summary: dict[str, Any] | None = field(default_factory=dict)
    no_config: bool = False
    state: str = "finished"
    full_size: bool = False  # generated runs: payloads of real size (task objects in summary)


# fmt: off
SAMPLE_RUNS: list[SampleRun] = [
    SampleRun("250913-101500_match_150M_c4_finetune_10Mtx2_DD-dolma1_7-530M-10000-2",
              config={"learning_rate": 5e-06, "seed": 11, "model_size": "530100000"},
              summary={"total_tokens": 19_000_000, "train_loss": 2.5,
                       "eval/c4_en-validation/Perplexity": 24.5}),
    SampleRun("250914-093000_match_90M_pile_finetune_Ft_DD-d17-300M-5000-2",
              layouts=("B",), config={"learning_rate": 2e-05, "num_train_epochs": 2}),
    SampleRun("250915-120000_matchft_60M_finetune_Ft_DD-dclm-150M-main-2_lr=1e-05",
              layouts=("C",), config={"learning_rate": 1e-05}),
    SampleRun("250916-080000_match_20M_finetune_50Mtx1_DD-c4-60M-2500-2_lr=5e-06",
              config={"learning_rate": 5e-06, "num_train_epochs": 1}),
    SampleRun("2025_09_17-14_00_00_matchrecipe_DD-dclm-150M_Ft_DD-d17-150M-main-2_lr=2e-05",
              layouts=("C",), config={"learning_rate": 2e-05}),
    SampleRun("2025_09_01-10_00_00_sweep_tokens_DD-dolma1_7-20M_main_10Mtx1_--learning_rate=1e-05",
              config={"learning_rate": 1e-05, "model_size": 20_000_000}),
    SampleRun("2025_09_02-10_00_00_sweep_tokens_DD-c4-60M_5Mtx2_--learning_rate=3e-05",
              config={"learning_rate": 3e-05, "num_train_epochs": 2},
              summary={"total_tokens": 10_400_000}),
    SampleRun("2025_09_03-11_11_11_tok_sweep_DD-dclm-90M_8000_20M_toks_--learning_rate=2e-05",
              layouts=("B",), config={"learning_rate": 2e-05}),
    SampleRun("2025_09_04-09_30_00_full_ft_DD-dolma1_7-150M_Ft_--learning_rate=5e-05",
              config={"learning_rate": 5e-05, "num_train_epochs": None},
              summary={"total_tokens": 1_330_000_000}),
    SampleRun("250905-101010_full_ft_DD-dclm-baseline-qc-10p-60M_Ft_learning_rate=4e-05",
              layouts=("B",), config={"learning_rate": None}),
    SampleRun("250906-121212_vary_25Mtx3_DD-d17-20M-main-2_lr=1e-04",
              config={"learning_rate": 1e-04}),
    SampleRun("250906-131313_vary_1Btx1_DD-c4-300M-4000-2", config={"learning_rate": 2e-05}),
    SampleRun("250907-070707_fullft_Ft_DD-falcon_cc-150M-main-2_lr=3e-05",
              layouts=("C",), config={"learning_rate": 3e-05}),
    SampleRun("250907-080808_fullft_Ft_DD-d17-60M-2500-2", config={"learning_rate": 4e-05}),
    SampleRun("2025_09_08-16_20_00_rl_test_DD-dolma1_7-60M_main_default"
              "_--max_train_samples=50000_--reduce_loss=sum",
              config={"learning_rate": 1e-05, "max_train_samples": 50000}),
    SampleRun("2025_09_09-18_00_00_dpo_sweep_DD-dolma1_7-150M_main_default",
              config={"learning_rate": 5e-07}, summary={"total_tokens": None}),
    SampleRun("2025_09_09-19_00_00_sft_sweep_DD-dolma1_7-150M_main_default",
              config={"learning_rate": 1e-05}),
    SampleRun("2025_09_10-06_00_00_dpo_cache_dd__dclm-150M__main__50Mt_lr=1e-05_default"
              "_--learning_rate=5e-07",
              layouts=("A",), config={"learning_rate": 5e-07, "num_train_epochs": 1},
              summary={"total_tokens": None}),
    SampleRun("2025_08_01-00_00_00_allenai--DataDecide-c4-60M_main_default", state="crashed"),
    SampleRun("my_adhoc_debug_run_7", summary=None),
    SampleRun("2025_09_11-00_00_00_broken_DD-dolma1_7-4M_weird", layouts=("B",)),
    SampleRun("2025_09_12-12_00_00_tok_bad_DD-dolma1_7-20M_main_12Qtx1_--learning_rate=1e-05",
              config={"learning_rate": 1e-05}),
    SampleRun("2025_09_13-12_00_00_lr_mismatch_DD-dolma1_7-20M_main_10Mtx1"
              "_--learning_rate=1e-05", config={"learning_rate": 2e-05},
              summary={"train_loss": float("nan")}),
    SampleRun("2025_13_45-10_00_00_badts_DD-dolma1_7-20M_main_10Mtx1_--learning_rate=1e-05",
              config={"learning_rate": 1e-05}),
    SampleRun("250918-090909_vary_10Mtx1_DD-mystery_mix-20M-main-2",
              layouts=("C",), config={"learning_rate": 1e-05}),
    SampleRun("250919-101010_noconf_10Mtx1_DD-d17-20M-main-2", no_config=True),
    # The same run in two exports: the JSONL dump caught it running, the parquet dump finished.
    SampleRun("250920-111111_match_60M_c4_finetune_20Mtx1_DD-d17-150M-main-2",
              layouts=("A", "B"), config={"learning_rate": 1e-05},
              summary={"total_tokens": 20_500_000, "train_loss": 2.1}),
]
# fmt: on

FORM_TEMPLATES = [
    "{ts6}_match_{size}_c4_finetune_{tok}tx1_DD-{recipe}-{size2}-{step}-2",
    "{ts6}_match_{size}_pile_finetune_Ft_DD-{recipe}-{size2}-{step}-2",
    "{ts6}_matchft_{size}_finetune_Ft_DD-{recipe}-{size2}-main-2_lr={lr}",
    "{ts6}_match_{size}_finetune_{tok}tx2_DD-{recipe}-{size2}-{step}-2_lr={lr}",
    "{ts8}_matchrecipe_DD-dclm-{size}_Ft_DD-{recipe}-{size2}-main-2_lr={lr}",
    "{ts8}_sweep_DD-{recipe}-{size2}_main_{tok}tx1_--learning_rate={lr}",
    "{ts8}_sweep_DD-{recipe}-{size2}_{step}_{tok}_toks_--learning_rate={lr}",
    "{ts8}_full_ft_DD-{recipe}-{size2}_Ft_--learning_rate={lr}",
    "{ts6}_full_ft_DD-dclm-baseline-{size2}_Ft_learning_rate={lr}",
    "{ts6}_vary_{tok}tx1_DD-{recipe}-{size2}-{step}-2_lr={lr}",
    "{ts6}_fullft_Ft_DD-{recipe}-{size2}-main-2",
    "{ts8}_rl_DD-{recipe}-{size2}_main_default_--max_train_samples=20000_--reduce_loss=mean",
    "{ts8}_dpo_run_DD-{recipe}-{size2}_main_default",
    "{ts8}_dpo_cache_dd__{recipe}-{size2}__main__{tok}t_lr={lr}_default_--learning_rate=5e-07",
    "{ts8}_allenai--DataDecide-{recipe}-{size2}_main_default",
    "adhoc_{n}",
]


def config_payload(rng: random.Random, run_id: str, overrides: dict[str, Any]) -> dict[str, Any]:
    """A config of ~400 keys shaped like the real ones: architecture, training, pretrain evals."""
    config: dict[str, Any] = {
        "exp_name": run_id,
        "learning_rate": 1e-05,
        "seed": 8,
        "num_train_epochs": 2 if "_Ft_" in run_id else 1,
        "model_size": 150_000_000,
        "max_train_samples": None,
        "lr_scheduler_type": "linear",
        "per_device_train_batch_size": rng.choice([4, 8, 16]),
        "gradient_accumulation_steps": rng.choice([1, 2, 4]),
        "max_seq_length": 2048,
        "d_model": rng.choice([256, 512, 1024]),
        "n_heads": rng.choice([8, 16]),
        "n_layers": rng.choice([8, 12, 16]),
        "activation_type": "swiglu",
        "precision": "bf16",
        "dataset_mixer_list": ["allenai/tulu-3-sft-mixture", "1.0"],
    }
    for index in range(40):
        config[f"option_{index:02d}"] = rng.choice([True, False, None, rng.randint(0, 999)])
    for perplexity_set in PERPLEXITY_SETS:
        config[f"pretrain_eval/{perplexity_set}-validation/Perplexity"] = rng.uniform(10, 90)
    for task in TASKS:
        for metric in CONFIG_METRICS + [f"{m}_per_byte" for m in CONFIG_METRICS[:8]]:
            config[f"pretrain_eval_{task}_{metric}"] = round(rng.uniform(-3, 1), 6)
    for key, value in overrides.items():
        if value is None:
            config.pop(key, None)
        else:
            config[key] = value
    return config


def task_object(rng: random.Random, task: str) -> dict[str, Any]:
    """The `oe_eval_metrics/<task>` summary object: metrics plus the task's config."""
    return {
        "primary_score": round(rng.random(), 6),
        "num_instances": rng.randint(200, 12000),
        "extra_metrics": {"no_answer": 0},
        "task_config": {
            "task_name": task,
            "task_core": task,
            "dataset_path": f"allenai/{task}",
            "dataset_name": task.upper(),
            "split": "test",
            "num_shots": 5,
            "fewshot_seed": 1234,
            "fewshot_source": f"OLMES:{task}",
            "primary_metric": "acc_per_char",
            "random_subsample_seed": 1234,
            "native_id_field": "id",
            "limit": None,
            "version": 0,
            "metric_kwargs": {"extra_metric_names": ["no_answer"], "uncond_docid_offset": 1000000},
            "context_kwargs": {"description": f"The following are questions about {task}."},
            "metadata": {
                "alias": f"{task}:rc::olmes:full",
                "description": f"{task} (RC) using OLMES-v0.1 " + "x" * rng.randint(500, 6000),
                "regimes": ["OLMES-v0.1"],
            },
        },
    }


def summary_payload(
    rng: random.Random, overrides: dict[str, Any], finished: bool, full_size: bool = False
) -> dict[str, Any]:
    """A summary of ~200 keys: final training scalars and oe_eval_metrics/<task>/<metric>."""
    steps = 1000 if finished else 400
    summary: dict[str, Any] = {
        "_step": steps,
        "_runtime": 3600.0 * (2.0 if finished else 0.8),
        "_timestamp": 1_758_000_000 + (7200 if finished else 2880),
        "train_loss": round(rng.uniform(1.0, 3.0), 6),
        "total_tokens": 10_000_000,
        "learning_rate": 0.0,
        "epoch": 1,
    }
    for task in FULL_SIZE_TASKS if full_size else TASKS:
        summary[f"oe_eval_metrics/{task}"] = (
            task_object(rng, task) if full_size else {"primary_score": round(rng.random(), 6)}
        )
        for metric in SUMMARY_METRICS:
            summary[f"oe_eval_metrics/{task}/{metric}"] = round(rng.random(), 6)
    summary["oe_eval_metrics/mmlu_average/acc_raw"] = round(rng.random(), 6)
    for key, value in overrides.items():
        if value is None:
            summary.pop(key, None)
        else:
            summary[key] = value
    return summary


# --- the real composition of a run record (sizes of the six real records) ------------------
CONFIG_BYTES = (22_000, 33_000)
GPU_METRICS = [
    "gpu", "memory", "memoryAllocated", "memoryAllocatedBytes", "memoryClock", "smClock",
    "temp", "powerWatts", "powerPercent", "enforcedPowerLimitWatts", "correctedMemoryErrors",
    "uncorrectedMemoryErrors", "encoderUtilization", "graphicsClock", "pcieLinkGen",
]  # fmt: skip
TRAINER_ARGS = [
    "adam_beta1", "adam_beta2", "adam_epsilon", "weight_decay", "max_grad_norm",
    "warmup_ratio", "logging_steps", "save_steps", "eval_steps", "dataloader_num_workers",
    "gradient_checkpointing", "use_flash_attn", "reduce_loss", "clip_grad_norm",
    "checkpointing_steps", "keep_last_n_checkpoints", "timeout", "trust_remote_code",
]  # fmt: skip


def padded_config(composer: random.Random, config: dict[str, Any]) -> dict[str, Any]:
    """The config grown to a real size with the trainer's and the checkpoint's settings (a
    real config holds ~550 keys: the fine-tuning arguments and the whole pretraining config)."""
    padded = dict(config)
    target = composer.randint(*CONFIG_BYTES) - 200
    size = len(json.dumps(padded))
    index = 0
    while size < target:
        name = TRAINER_ARGS[index % len(TRAINER_ARGS)]
        key = f"{name}_{index // len(TRAINER_ARGS):02d}" if index >= len(TRAINER_ARGS) else name
        value: Any = composer.choice(
            [composer.random(), composer.randint(0, 4096), composer.random() < 0.5, None,
             f"/weka/checkpoints/{composer.getrandbits(48):012x}"]
        )  # fmt: skip
        if key not in padded:
            padded[key] = value
            size += len(json.dumps({key: value})) - 1
        index += 1
    return padded


def system_metrics_payload(composer: random.Random) -> dict[str, Any]:
    """`system.*` averages as W&B keeps them: the host, then every metric of every GPU."""
    metrics: dict[str, Any] = {
        "system.cpu": round(composer.uniform(0.5, 8), 10),
        "system.disk.in": composer.randint(0, 99),
        "system.disk.out": composer.randint(0, 99),
        "system.memory": round(composer.uniform(5, 40), 4),
        "system.proc.memory.rssMB": round(composer.uniform(2000, 30000), 4),
        "system.proc.memory.percent": round(composer.uniform(1, 10), 4),
        "system.proc.cpu.threads": composer.randint(20, 200),
        "system.network.sent": composer.randint(10**6, 10**9),
        "system.network.recv": composer.randint(10**6, 10**9),
    }
    for gpu in range(composer.choice([4, 6])):
        for metric in GPU_METRICS:
            metrics[f"system.gpu.{gpu}.{metric}"] = round(composer.uniform(0, 100), 10)
            metrics[f"system.gpu.process.{gpu}.{metric}"] = round(composer.uniform(0, 100), 10)
    return metrics


def metadata_payload(composer: random.Random, run_id: str, host: str) -> dict[str, Any]:
    """`wandb_metadata`: the host, program and hardware W&B records when a run starts."""
    gpus = composer.choice([4, 8])
    return {
        "os": "Linux-5.15.0-x86_64-with-glibc2.35",
        "python": "3.11.9",
        "startedAt": "2025-09-20T08:00:01.000000Z",
        "args": ["--exp_name", run_id, "--model_name_or_path", "allenai/DataDecide"],
        "program": "/workspace/open-instruct/open_instruct/finetune.py",
        "codePath": "open_instruct/finetune.py",
        "codePathLocal": "open_instruct/finetune.py",
        "git": {"remote": "https://example.org/lab/open-instruct.git", "commit": "0" * 40},
        "email": "researcher@example.org",
        "root": "/workspace/open-instruct",
        "host": host,
        "username": "researcher",
        "executable": "/workspace/.venv/bin/python",
        "cpu_count": 48,
        "cpu_count_logical": 96,
        "gpu": "NVIDIA H100 80GB HBM3",
        "gpu_count": gpus,
        "disk": {"/": {"total": "1099511627776", "used": str(composer.randint(10**10, 10**12))}},
        "memory": {"total": "2163152445440"},
        "cpu": {"count": 48, "countLogical": 96},
        "gpu_nvidia": [
            {
                "name": "NVIDIA H100 80GB HBM3",
                "memoryTotal": "85520809984",
                "cudaCores": 16896,
                "architecture": "Hopper",
            }
            for _ in range(gpus)
        ],
        "cudaVersion": "12.4",
        "slurm": {"job_id": str(composer.randint(10**6, 10**7)), "cluster_name": "lab"},
    }


def history_keys_payload(composer: random.Random, metric_keys: list[str]) -> dict[str, Any]:
    """`historyKeys`: per logged key, how many values of which type (system keys included)."""
    count = composer.randint(20, 500)
    keys = [*metric_keys, *(f"system/gpu.{g}.{m}" for g in range(8) for m in GPU_METRICS[:6])]
    return {
        "keys": {key: {"typeCounts": [{"type": "number", "count": count}]} for key in keys},
        "lastStep": count,
        "sets": [],
    }


def system_attrs_payload(
    composer: random.Random, record: dict[str, Any], tags: list[str]
) -> dict[str, Any]:
    """The run as W&B's API returns it: names and tags, then the config again, the raw
    config, the summary and system metrics and the history keys (80-140 KB in real runs)."""
    config = record["config"] or {}
    summary = record["summary"] or {}
    metric_keys = ["train_loss", "learning_rate", "total_tokens", "per_device_tps", "epoch"]
    return {
        "projectId": str(composer.randint(10**7, 10**8)),
        "id": f"UnVuOnYx{composer.getrandbits(256):064x}",
        "tags": tags,
        "name": record["run_id"],
        "displayName": record["run_name"],
        "sweepName": None,
        "state": record["state"],
        "config": config,
        "group": None,
        "jobType": None,
        "commit": f"{composer.getrandbits(160):040x}",
        "readOnly": True,
        "createdAt": record["created_at"],
        "heartbeatAt": "2025-09-21T08:00:00Z",
        "description": record["run_id"],
        "notes": None,
        "systemMetrics": record["system_metrics"],
        "summaryMetrics": summary,
        "historyLineCount": composer.randint(0, 500),
        "user": {"name": "A Researcher", "username": "researcher"},
        "historyKeys": history_keys_payload(composer, metric_keys + sorted(summary)[:400]),
        "rawconfig": {"_wandb": {"m": [], "cli_version": "0.18.1"}, **config},
    }


def run_record(rng: random.Random, sample: SampleRun, finished: bool = True) -> dict[str, Any]:
    """The 12-column run record of layouts A and B (nested values still Python objects)."""
    config = None if sample.no_config else config_payload(rng, sample.run_id, sample.config)
    summary = (
        None
        if sample.summary is None
        else summary_payload(rng, sample.summary, finished, sample.full_size)
    )
    host = rng.randint(1, 64)
    rng.randint(10, 99)  # the draw of the old one-key system_metrics: the rest stays unchanged
    tags = ["finetune", sample.run_id.split("_")[0]]
    composer = random.Random(f"{sample.run_id}:{finished}")
    record = {
        "run_id": sample.run_id,
        "run_name": sample.run_id,
        "state": sample.state if finished else "running",
        "project": "ft-scaling",
        "entity": "datadecide-lab",
        "created_at": "2025-09-20T08:00:00Z",
        "config": None if config is None else padded_config(composer, config),
        "summary": summary,
        "wandb_metadata": metadata_payload(composer, sample.run_id, f"node{host}"),
        "system_metrics": system_metrics_payload(composer),
    }
    record["system_attrs"] = system_attrs_payload(composer, record, tags)
    record["sweep_info"] = {"sweep_id": None}
    return record


def exporter_record(record: dict[str, Any], exported_at: str) -> dict[str, Any]:
    """Layout C: the newer exporter's `{"run": {...}, "exported_at": ...}` line."""
    return {
        "run": {
            "run_id": record["run_id"],
            "name": record["run_name"],
            "display_name": record["run_name"],
            "entity": record["entity"],
            "project": record["project"],
            "state": record["state"],
            "created_at": record["created_at"],
            "updated_at": "2025-11-01T00:00:00Z",
            "tags": record["system_attrs"]["tags"],
            "url": f"https://wandb.ai/{record['entity']}/{record['project']}/runs/{record['run_id']}",
            "user": record["system_attrs"]["user"],
            "history_keys": record["system_attrs"]["historyKeys"],
            "group": None,
            "job_type": "train",
            "sweep_name": None,
            "config": record["config"],
            "summary_metrics": record["summary"],
            "system_metrics": record["system_metrics"],
            "metadata": record["wandb_metadata"],
        },
        "exported_at": exported_at,
    }


HISTORY_FLAT_RUNS = [
    "250913-101500_match_150M_c4_finetune_10Mtx2_DD-dolma1_7-530M-10000-2",
    "2025_09_01-10_00_00_sweep_tokens_DD-dolma1_7-20M_main_10Mtx1_--learning_rate=1e-05",
    "2025_09_04-09_30_00_full_ft_DD-dolma1_7-150M_Ft_--learning_rate=5e-05",
]
HISTORY_ARRAY_RUNS = [
    "2025_09_10-06_00_00_dpo_cache_dd__dclm-150M__main__50Mt_lr=1e-05_default"
    "_--learning_rate=5e-07",
    "2025_09_02-10_00_00_sweep_tokens_DD-c4-60M_5Mtx2_--learning_rate=3e-05",
]
HISTORY_ARRAY_PARQUET_RUNS = ["250906-121212_vary_25Mtx3_DD-d17-20M-main-2_lr=1e-04"]
# Logged by the exporter too: steps 60-100 of this run repeat those of the flat export.
HISTORY_EXPORTER_RUNS = [
    "250915-120000_matchft_60M_finetune_Ft_DD-dclm-150M-main-2_lr=1e-05",
    "2025_09_01-10_00_00_sweep_tokens_DD-dolma1_7-20M_main_10Mtx1_--learning_rate=1e-05",
]


def history_entries(
    rng: random.Random, run_id: str, steps: int, every: int = 10, dpo: bool = False
) -> list[dict[str, Any]]:
    """K logged steps of one run: a warm-up then linear decay, a falling loss."""
    entries = []
    start = 1_758_000_000.0
    peak_lr, warmup = 2e-05, max(every, steps // 5)
    for step in range(every, steps + 1, every):
        lr = peak_lr * step / warmup if step <= warmup else peak_lr * (steps - step) / steps
        metrics: dict[str, Any] = {
            "train_loss": round(3.0 - 1.5 * step / steps + rng.uniform(-0.05, 0.05), 6),
            "learning_rate": lr,
        }
        if dpo:
            metrics["logps/chosen"] = round(rng.uniform(-300, -100), 4)
            metrics["rewards/accuracy"] = round(rng.random(), 4)
            metrics["rewards/margin"] = round(rng.uniform(0, 2), 4)
        else:
            metrics["total_tokens"] = step * 10_000
            metrics["per_device_tps"] = round(rng.uniform(9000, 11000), 2)
        entries.append(
            {
                "run_id": run_id,
                "step": step,
                "timestamp": start + step * 7.2,
                "runtime": step * 7.2,
                "wandb_metadata": {"host": "node7"},
                "metrics": metrics,
            }
        )
    return entries


def write_history(
    out: Path, rng: random.Random, extra_runs: list[str], steps: int
) -> dict[str, int]:
    """History in the three layouts of the history exports (and layout B as Parquet)."""
    wandb_dir = out / "wandb"
    flat = [e for r in HISTORY_FLAT_RUNS for e in history_entries(rng, r, steps)]
    connection = duckdb.connect()
    connection.execute(
        "create table flat (run_id varchar, step bigint, timestamp double, runtime double,"
        " total_tokens double, train_loss double, learning_rate double, per_device_tps double)"
    )
    connection.executemany(
        "insert into flat values (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            [
                e["run_id"],
                e["step"],
                e["timestamp"],
                e["runtime"],
                e["metrics"]["total_tokens"],
                e["metrics"]["train_loss"],
                e["metrics"]["learning_rate"],
                e["metrics"]["per_device_tps"],
            ]
            for e in flat
        ],
    )
    connection.execute(
        f"copy flat to '{wandb_dir / 'wandb_history_2025_09.parquet'}' (format parquet)"
    )
    arrays = [
        history_entries(rng, run_id, 50, every=5, dpo="dpo" in run_id)
        for run_id in HISTORY_ARRAY_RUNS
    ]
    malformed = ['[{"run_id": "250913-101500_match_150M_c4', ""]
    write_jsonl(wandb_dir / "wandb_history_2025_10.jsonl", arrays, malformed)  # type: ignore[arg-type]
    nested = history_entries(rng, HISTORY_ARRAY_PARQUET_RUNS[0], 40, every=10)
    connection.execute(
        f'copy (select from_json(?, \'[{{"run_id": "VARCHAR", "step": "BIGINT",'
        f' "timestamp": "DOUBLE", "runtime": "DOUBLE",'
        f' "metrics": {{"train_loss": "DOUBLE", "learning_rate": "DOUBLE",'
        f' "total_tokens": "BIGINT"}}}}]\') as json)'
        f" to '{wandb_dir / 'wandb_history_2025_10b.parquet'}' (format parquet)",
        [json.dumps(nested)],
    )
    exporter_rows = []
    for run_id in HISTORY_EXPORTER_RUNS:
        for entry in history_entries(rng, run_id, steps):
            if run_id in HISTORY_FLAT_RUNS and entry["step"] < 60:
                continue
            iso = f"2025-09-16T{int(entry['step'] // 60):02d}:{int(entry['step'] % 60):02d}:00Z"
            exporter_rows.append(
                {
                    "run_id": run_id,
                    "step": entry["step"],
                    "timestamp": iso,
                    "runtime": entry["runtime"],
                    "wandb_metadata": entry["wandb_metadata"],
                    "metrics": entry["metrics"],
                    "extra": {"exporter_row": True},
                }
            )
    write_jsonl(wandb_dir / "exporter_2025_11" / "history.jsonl", exporter_rows, [])
    connection.close()
    return {
        "history_flat_rows": len(flat),
        "history_array_lines": len(arrays),
        "history_array_entries": sum(len(a) for a in arrays),
        "history_array_parquet_entries": len(nested),
        "history_exporter_rows": len(exporter_rows),
        "history_malformed_lines": 1,
    }


def write_scaled_history(out: Path, run_ids: list[str], steps: int) -> dict[str, int]:
    """K steps for each generated run, written by DuckDB (fast, deterministic): two thirds as
    flat Parquet (layout A), one third as one JSON array per run (layout B)."""
    if not run_ids or steps <= 0:
        return {"scaled_history_rows": 0}
    wandb_dir = out / "wandb"
    connection = duckdb.connect()
    connection.execute("create table scaled_runs (n bigint, run_id varchar)")
    connection.executemany("insert into scaled_runs values (?, ?)", list(enumerate(run_ids)))
    connection.execute(
        f"""
        create table scaled as
        select
            n, run_id, step * 10 as step,
            1758000000.0 + step * 7.2 as timestamp,
            step * 7.2 as runtime,
            3.0 - 1.5 * step / {steps} + (hash(run_id, step) % 1000) / 20000.0 as train_loss,
            case when step <= {max(1, steps // 5)} then 2e-05 * step / {max(1, steps // 5)}
                 else 2e-05 * ({steps} - step) / {steps} end as learning_rate,
            case when run_id like '%dpo%' then null else step * 100000 end as total_tokens,
            9000 + (hash(step, run_id) % 2000) as per_device_tps
        from scaled_runs, range(1, {steps} + 1) as steps(step)
        """
    )
    flat_path = wandb_dir / "wandb_history_scaled.parquet"
    connection.execute(
        f"copy (select * exclude (n) from scaled where n % 3 != 2 order by run_id, step)"
        f" to '{flat_path}' (format parquet)"
    )
    arrays = connection.execute(
        """
        select to_json(list({'run_id': run_id, 'step': step, 'timestamp': timestamp,
            'runtime': runtime, 'metrics': {'train_loss': train_loss,
            'learning_rate': learning_rate, 'total_tokens': total_tokens,
            'per_device_tps': per_device_tps}} order by step))
        from scaled where n % 3 = 2 group by run_id order by run_id
        """
    ).fetchall()
    with (wandb_dir / "wandb_history_scaled.jsonl").open("w") as handle:
        for (line,) in arrays:
            handle.write(line + "\n")
    rows = connection.execute("select count(*) from scaled").fetchone()[0]
    connection.close()
    return {"scaled_history_rows": rows}


QA_TASKS = [
    "arc_easy",
    "arc_challenge",
    "boolq",
    "csqa",
    "hellaswag",
    "openbookqa",
    "piqa",
    "socialiqa",
    "winogrande",
    "mmlu_anatomy",
]


def qa_line(rng: random.Random, doc_id: int, choices: int) -> str:
    outputs = []
    for _ in range(choices):
        tokens = rng.randint(2, 30)
        chars = tokens * rng.randint(3, 6)
        sum_logits = -rng.uniform(1, 60)
        outputs.append(
            {
                "sum_logits": round(sum_logits, 4),
                "num_tokens": tokens,
                "num_tokens_all": tokens + 80,
                "is_greedy": rng.random() < 0.2,
                "logits_per_token": round(sum_logits / tokens, 5),
                "logits_per_char": round(sum_logits / chars, 5),
                "num_chars": chars,
                "logits_per_byte": round(-sum_logits / chars / 0.693, 5),
            }
        )
    gold = rng.randrange(choices)
    best = max(range(choices), key=lambda i: outputs[i]["sum_logits"])
    return json.dumps(
        {
            "doc_id": doc_id,
            "native_id": f"q{doc_id}",
            "label": gold,
            "task_hash": "t0",
            "model_hash": "m0",
            "metrics": {
                "predicted_index_raw": best,
                "predicted_index_per_token": best,
                "predicted_index_per_char": best,
                "correct_choice": gold,
                "acc_raw": float(best == gold),
                "acc_per_token": float(best == gold),
                "acc_per_char": float(best == gold),
            },
            "model_output": outputs,
        }
    )


def write_scaled_qa(out: Path, questions: int, seed: int, choices: int = 4) -> dict[str, int]:
    """QA step tarballs holding `questions` questions in all: 10 checkpoints of dolma1.7/150M
    seed 2 (steps 1000..10000) x 10 tasks, `choices` answer choices each."""
    import io
    import tarfile

    if questions <= 0:
        return {"qa_questions": 0}
    rng = random.Random(seed)
    per_file = max(1, questions // 100)
    root = out / "qa" / "dolma1.7" / "150M" / "seed-2"
    root.mkdir(parents=True, exist_ok=True)
    written = 0
    for checkpoint in range(10):
        step = (checkpoint + 1) * 1000
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w:gz", compresslevel=1) as archive:
            for task in QA_TASKS:
                lines = "\n".join(qa_line(rng, i, choices) for i in range(per_file)) + "\n"
                metrics = json.dumps(
                    {
                        "task_name": task,
                        "task_hash": "t0",
                        "model_hash": "m0",
                        "num_instances": per_file,
                        "task_config": {"primary_metric": "acc_per_char"},
                        "metrics": {"primary_score": 0.5},
                    }
                )
                for name, data in (
                    (f"{task}-predictions.jsonl", lines),
                    (f"{task}-metrics.json", metrics),
                ):
                    payload = data.encode()
                    info = tarfile.TarInfo(f"step-{step}/{name}")
                    info.size = len(payload)
                    info.mtime = 1_735_689_600
                    archive.addfile(info, io.BytesIO(payload))
                written += per_file
        (root / f"step-{step}.tar.gz").write_bytes(buffer.getvalue())
    return {"qa_questions": written, "qa_choices": written * choices}


PRETRAIN_PARAMS = ["20M", "60M", "90M", "150M", "300M", "530M"]
PRETRAIN_DATA = ["Dolma1.7", "DCLM-Baseline", "C4"]
# Each size's final step (the run IDs' `main`) as in seeds/final_steps.csv; 990 sits within the
# checkpoint tolerance of the QA sample's step 1000, the QA step 2000 is beyond it.
PRETRAIN_FINAL_STEPS = {
    "20M": 14584,
    "60M": 29042,
    "90M": 29901,
    "150M": 37500,
    "300M": 45000,
    "530M": 51250,
}
PRETRAIN_STEPS = [0, 990, 2500, 5000, 10000]
# full_eval seeds: the default (0) and small aux 3 (2), the role of the sample run IDs' `-2`
PRETRAIN_SEEDS = [0, 2]
# the DataDecide slugs of the sample recipes (seeds/recipe_slugs.csv), for matching tables
RECIPE_SLUGS = {"Dolma1.7": "dolma1_7", "DCLM-Baseline": "dclm-baseline", "C4": "c4"}
SEED_ROLES = {0: "default", 2: "small aux 3"}
MATCH_SETS = ["pile", "c4_en"]
PRETRAIN_TASKS = ["arc_easy", "arc_challenge", "boolq", "hellaswag", "mmlu_average"]
PRETRAIN_METRICS = ["acc_raw", "acc_per_char", "correct_prob", "margin"]


def write_pretrain(out: Path, rng: random.Random) -> dict[str, int]:
    """A small full_eval-shaped table: id/schedule, perplexities, task metrics, details."""
    rows = []
    for params in PRETRAIN_PARAMS:
        size = float(params[:-1]) * (1e6 if params.endswith("M") else 1e9)
        final = PRETRAIN_FINAL_STEPS[params]
        for data, seed, step in itertools.product(
            PRETRAIN_DATA, PRETRAIN_SEEDS, [*PRETRAIN_STEPS, final]
        ):
            row: dict[str, Any] = {
                "params": params,
                "data": data,
                "seed": seed,
                "step": float(step),
                "tokens": step * 393_216.0,
                "compute": 6 * size * step * 393_216.0,
                "total_steps": final,
                "warmup_steps": 500,
                "lr_max": 4e-4,
                "batch_size": 192,
                "lr_at_step": 4e-4 * (1 - step / final),
                "cumulative_lr": 2.0 * step / final,
            }
            for set_name in PERPLEXITY_SETS:
                row[f"{set_name}-valppl"] = (
                    None
                    if step == 0
                    else round(
                        400.0 / (1 + size / 1e8) / (step / 2500) ** 0.3 * rng.uniform(0.95, 1.05),
                        4,
                    )
                )
            for task in PRETRAIN_TASKS:
                for metric in PRETRAIN_METRICS:
                    row[f"{task}_{metric}"] = round(rng.uniform(0.2, 0.8), 4)
            row["hellaswag_acc_uncond"] = None  # an all-null metric column
            row["quality_filter_strength"] = 0
            row["layer_norm_type"] = "default"
            row["init_std"] = 0.02
            rows.append(row)
    columns = list(rows[0].keys())
    connection = duckdb.connect()
    types = {
        "params": "varchar",
        "data": "varchar",
        "seed": "bigint",
        "total_steps": "bigint",
        "warmup_steps": "bigint",
        "batch_size": "bigint",
        "quality_filter_strength": "bigint",
        "layer_norm_type": "varchar",
    }
    connection.execute(
        "create table full_eval ("
        + ", ".join(f'"{c}" {types.get(c, "double")}' for c in columns)
        + ")"
    )
    connection.executemany(
        f"insert into full_eval values ({', '.join('?' for _ in columns)})",
        [[row[c] for c in columns] for row in rows],
    )
    (out / "pretrain").mkdir(parents=True, exist_ok=True)
    connection.execute(
        f"copy full_eval to '{out / 'pretrain' / 'full_eval.parquet'}' (format parquet)"
    )
    non_null = sum(
        1
        for row in rows
        for c in columns
        if c.endswith("-valppl") or c.split("_")[0] in {"arc", "boolq", "hellaswag", "mmlu"}
        if row[c] is not None
    )
    connection.close()
    return {
        "pretrain_rows": len(rows),
        "pretrain_metric_cells": non_null,
        "match_tables": write_matches(out, rows),
    }


def write_matches(out: Path, rows: list[dict[str, Any]]) -> int:
    """Checkpoint-matching tables in the published layout and format, computed from full_eval.

    For every default-seed model at its final step (the target) and each perplexity set, every
    model and seed of full_eval gets the step whose perplexity on that set is closest to the
    target's (`matched_step`, `matched_score`, `score_diff` = distance), as the real tables in
    the real matching tables do.
    """
    folder = out / "matches"
    if folder.exists():
        shutil.rmtree(folder)
    series: dict[tuple[str, str, int], list[dict[str, Any]]] = {}
    for row in rows:
        series.setdefault((row["data"], row["params"], row["seed"]), []).append(row)
    written = 0
    for (data, params, seed), target_rows in series.items():
        if seed != 0:
            continue
        target = max(target_rows, key=lambda row: row["step"])
        for set_name in MATCH_SETS:
            column = f"{set_name}-valppl"
            table: dict[str, dict[str, dict[str, dict[str, float]]]] = {}
            for (cand_data, cand_params, cand_seed), cand_rows in series.items():
                scored = [row for row in cand_rows if row[column] is not None]
                best = min(scored, key=lambda row: (abs(row[column] - target[column]), row["step"]))
                table.setdefault(RECIPE_SLUGS[cand_data], {}).setdefault(cand_params, {})[
                    SEED_ROLES[cand_seed]
                ] = {
                    "matched_step": best["step"],
                    "matched_score": best[column],
                    "score_diff": abs(best[column] - target[column]),
                }
            path = (
                folder
                / RECIPE_SLUGS[data]
                / params
                / SEED_ROLES[seed]
                / f"{target['step']:.1f}"
                / f"perf_matches_ppl_{set_name}-validation.json"
            )
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(table, indent=2) + "\n")
            written += 1
    return written


def write_jsonl(path: Path, rows: list[dict[str, Any]], extra_lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as handle:
        for row in rows:
            handle.write(json.dumps(row, allow_nan=True) + "\n")
        for line in extra_lines:
            handle.write(line + "\n")


def write_runs_parquet(path: Path, rows: list[dict[str, Any]]) -> None:
    """Layout B: every column a string, nested ones JSON text."""
    path.parent.mkdir(parents=True, exist_ok=True)
    columns = list(rows[0].keys()) if rows else []
    connection = duckdb.connect()
    connection.execute("create table runs (" + ", ".join(f'"{c}" varchar' for c in columns) + ")")
    connection.executemany(
        f"insert into runs values ({', '.join('?' for _ in columns)})",
        [
            [
                v if isinstance(v, str) or v is None else json.dumps(v, allow_nan=True)
                for v in (row[c] for c in columns)
            ]
            for row in rows
        ],
    )
    connection.execute(f"copy runs to '{path}' (format parquet)")
    connection.close()


def generated_runs(rng: random.Random, count: int) -> list[SampleRun]:
    """`count` extra runs cycling through every run-ID form, for scaled data sets."""
    recipes = ["dolma1_7", "d17", "dclm", "c4", "falcon_cc", "fineweb_edu"]
    sizes = ["4M", "20M", "60M", "90M", "150M", "300M", "530M", "1B"]
    runs: list[SampleRun] = []
    for n in range(count):
        template = FORM_TEMPLATES[n % len(FORM_TEMPLATES)]
        day, second = divmod(n, 86_400)
        hours, rest = divmod(second, 3600)
        month, day_of_month = (day % 12) + 1, (day % 28) + 1
        minutes, seconds = divmod(rest, 60)
        ts6 = f"25{month:02d}{day_of_month:02d}-{hours:02d}{minutes:02d}{seconds:02d}"
        ts8 = f"2025_{month:02d}_{day_of_month:02d}-{hours:02d}_{minutes:02d}_{seconds:02d}"
        run_id = template.format(
            ts6=ts6,
            ts8=ts8,
            size=rng.choice(sizes),
            size2=rng.choice(sizes),
            recipe=rng.choice(recipes),
            tok=rng.choice(["1M", "10M", "50M", "100M", "1B"]),
            step=rng.choice([1250, 2500, 5000, 10000]),
            lr=rng.choice(["1e-05", "5e-06", "2e-05"]),
            n=n,
        )
        runs.append(SampleRun(run_id, layouts=(("A", "B", "C")[n % 3],), full_size=True))
    return runs


def generate(
    out: Path, seed: int, extra_runs: int, history_steps: int = 100, qa_questions: int = 0
) -> dict[str, int]:
    """Write run exports and history under out/wandb, full_eval under out/pretrain and the
    matching tables computed from it under out/matches."""
    rng = random.Random(seed)
    wandb_dir = out / "wandb"
    for folder in (wandb_dir, out / "pretrain", *([out / "qa"] if qa_questions else [])):
        if folder.exists():
            shutil.rmtree(folder)
    runs = SAMPLE_RUNS + generated_runs(rng, extra_runs)
    layout_a: list[dict[str, Any]] = []
    layout_b: list[dict[str, Any]] = []
    layout_c: list[dict[str, Any]] = []
    for sample in runs:
        duplicated = len(sample.layouts) > 1
        for layout in sample.layouts:
            # A run exported twice: the first export caught it mid-run.
            finished = not (duplicated and layout == sample.layouts[0])
            record = run_record(rng, sample, finished=finished)
            if layout == "A":
                layout_a.append(record)
            elif layout == "B":
                layout_b.append(record)
            else:
                layout_c.append(exporter_record(record, "2025-11-02T09:00:00Z"))
    malformed = ['{"run_id": "2025_09_30-00_00_00_truncated_DD-d17-4M", "config": {"seed": ']
    write_jsonl(wandb_dir / "wandb_runs_2025_09.jsonl", layout_a, malformed)
    write_runs_parquet(wandb_dir / "wandb_runs_2025_10.parquet", layout_b)
    exporter = wandb_dir / "exporter_2025_11"
    write_jsonl(exporter / "runs.jsonl", layout_c, [])
    (exporter / "manifest.json").write_text(
        json.dumps({"exporter": "wandb-export", "version": 2, "files": ["runs.jsonl"]}, indent=2)
        + "\n"
    )
    (exporter / "state.json").write_text(
        json.dumps({"last_run_exported": len(layout_c), "complete": True}, indent=2) + "\n"
    )
    history_counts = write_history(out, rng, [], 100)
    history_counts.update(
        write_scaled_history(out, [run.run_id for run in runs[len(SAMPLE_RUNS) :]], history_steps)
    )
    if qa_questions:
        history_counts.update(write_scaled_qa(out, qa_questions, seed))
    pretrain_counts = write_pretrain(out, rng)
    return {
        **history_counts,
        **pretrain_counts,
        "runs": len(runs),
        "layout_a": len(layout_a),
        "layout_b": len(layout_b),
        "layout_c": len(layout_c),
        "malformed_lines": len(malformed),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("sample_data"))
    parser.add_argument("--seed", type=int, default=20250901)
    parser.add_argument("--extra-runs", type=int, default=0)
    parser.add_argument("--history-steps", type=int, default=100, help="steps per generated run")
    parser.add_argument("--qa-questions", type=int, default=0, help="questions in scaled QA")
    args = parser.parse_args()
    counts = generate(args.out, args.seed, args.extra_runs, args.history_steps, args.qa_questions)
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
