"""Write dr_ingest's sample of oe-eval result folders (`sample_data/evals/`) deterministically.

`python scripts/generate_eval_sample.py [--out sample_data]` (re)writes `<out>/evals/`. The file
shapes follow oe-eval's real output : one folder per evaluated model with
`metrics-all.jsonl` (one object per task, the aggregate `core_9mcqa:rc::olmes:full` included,
keys `task_name, task_hash, model_hash, model_config, task_config, compute_config,
processing_time, current_date, num_instances, beaker_info, metrics, task_idx`) and, per task,
`task-NNN-<task_name>-metrics.json` (the same object), `-predictions.jsonl`, `-requests.jsonl`,
`-recorded-inputs.jsonl` and `-config.json`, plus a vestigial `metrics.jsonl` of bare strings.
Odd values of the real files are kept: `task_config.limit` beyond BIGINT, a string
`compute_config.batch_size`, a nested `metrics.extra_metrics`, `current_date` as
`"YYYY-MM-DD HH:MM:SS UTC"`. Values are synthetic; the questions are those of the QA sample
(`generate_qa_sample.py`: same tasks, doc_ids and choices), so that a fine-tuned run can be set
beside its starting checkpoint question by question.

Folders:
- `finetuned/full_ft_150M/`: the sample run `FINETUNED_RUN` (its model path holds the run ID),
  tasks `arc_easy:rc::olmes`, `boolq:rc::olmes` and the aggregate `core_9mcqa:rc::olmes:full`;
- `backup/full_ft_150M/`: an identical copy of it;
- `rerun/full_ft_150M_boolq/`: a newer evaluation of the run on `boolq:rc::olmes` only, with
  different scores (it supersedes the older record);
- `baselines/olmo-2-1b/`: a model that is not a run, `arc_easy:mc::olmes`.

Expected counts, printed as JSON by the script:
{"folders": 4, "metrics_lines": 8, "prediction_files": 6, "prediction_lines": 18}
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path
from typing import Any

import generate_qa_sample as qa

FINETUNED_RUN = "2025_09_04-09_30_00_full_ft_DD-dolma1_7-150M_Ft_--learning_rate=5e-05"
FINETUNED_PATH = f"/weka/oe-training-default/checkpoints/full_ft/{FINETUNED_RUN}/model/final"
AGGREGATE = "core_9mcqa:rc::olmes:full"
LIMIT_BEYOND_BIGINT = 10000000000000000000


def model_config(model: str, model_path: str | None, revision: str | None) -> dict[str, Any]:
    return {
        "model": model,
        "revision": revision,
        "trust_remote_code": None,
        "max_length": 2048,
        "model_path": model_path,
        "model_type": "hf",
    }


def task_object(
    task_name: str,
    task_idx: int,
    config: dict[str, Any],
    metrics: dict[str, Any],
    num_instances: int,
    current_date: str,
) -> dict[str, Any]:
    """One metrics-all.jsonl object (and task-NNN-<task_name>-metrics.json)."""
    return {
        "task_name": task_name,
        "task_hash": qa.digest(f"task:{task_name}"),
        "model_hash": qa.digest(f"model:{json.dumps(config, sort_keys=True)}"),
        "model_config": config,
        "task_config": {
            "task_name": task_name,
            "primary_metric": qa.PRIMARY_METRIC,
            "limit": LIMIT_BEYOND_BIGINT,
            "split": "test",
            "num_shots": 5,
            "metadata": {"regimes": ["OLMES-v0.1"], "alias": task_name},
        },
        "compute_config": {"batch_size": "16", "max_batch_size": 32, "output_dir": "/results"},
        "processing_time": 20.25 + task_idx,
        "current_date": current_date,
        "num_instances": num_instances,
        "beaker_info": {"BEAKER_JOB_ID": f"01JF{task_idx:04d}", "BEAKER_NODE_HOSTNAME": "node-3"},
        "metrics": metrics,
        "task_idx": task_idx,
    }


def task_metrics(records: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "acc_raw": qa.mean(records, "acc_raw"),
        "acc_per_token": qa.mean(records, "acc_per_token"),
        "acc_per_char": qa.mean(records, "acc_per_char"),
        "primary_score": qa.mean(records, qa.PRIMARY_METRIC),
        "extra_metrics": {"num_tokens": 180.5, "num_instances": len(records)},
    }


def aggregate_metrics(tasks: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """`<metric>_micro` (over all questions) and `_macro` (mean of the task scores)."""
    every = [record for records in tasks.values() for record in records]
    metrics: dict[str, Any] = {}
    for metric in ("acc_raw", "acc_per_token", "acc_per_char"):
        metrics[f"{metric}_micro"] = qa.mean(every, metric)
        macro = sum(qa.mean(records, metric) for records in tasks.values()) / len(tasks)
        metrics[f"{metric}_macro"] = round(macro, 6)
    metrics["primary_score_micro"] = metrics[f"{qa.PRIMARY_METRIC}_micro"]
    metrics["primary_score_macro"] = metrics[f"{qa.PRIMARY_METRIC}_macro"]
    metrics["primary_score"] = metrics["primary_score_macro"]
    return metrics


def records_for(base_task: str, model: str, skill_step: int) -> list[dict[str, Any]]:
    """Predictions of a model on the QA sample's questions of a base task."""
    checkpoint = qa.Checkpoint("dolma1.7", "150M", 2, skill_step)
    records = qa.prediction_records(checkpoint, base_task)
    for record in records:
        record["model_hash"] = qa.digest(f"model:{model}")
    return records


def write_folder(folder: Path, objects: list[dict[str, Any]], predictions: dict[str, Any]) -> int:
    """An oe-eval result folder; returns the number of predictions files written."""
    folder.mkdir(parents=True)
    lines = "".join(json.dumps(item) + "\n" for item in objects)
    (folder / "metrics-all.jsonl").write_text(lines)
    (folder / "metrics.jsonl").write_text("".join(f'"{item["task_name"]}"\n' for item in objects))
    written = 0
    for item in objects:
        task_name = item["task_name"]
        if task_name not in predictions:
            continue  # aggregate tasks have no per-task files
        stem = f"task-{item['task_idx']:03d}-{task_name}"
        (folder / f"{stem}-metrics.json").write_text(json.dumps(item, indent=2) + "\n")
        records = predictions[task_name]
        (folder / f"{stem}-predictions.jsonl").write_text(
            "".join(json.dumps(record) + "\n" for record in records)
        )
        requests = [{"request_type": "loglikelihood", "doc_id": r["doc_id"]} for r in records]
        (folder / f"{stem}-requests.jsonl").write_text(
            "".join(json.dumps(request) + "\n" for request in requests)
        )
        (folder / f"{stem}-recorded-inputs.jsonl").write_text(
            json.dumps({"doc_id": records[0]["doc_id"], "context": "Question: ..."}) + "\n"
        )
        config = json.dumps(item["task_config"], indent=2)
        (folder / f"{stem}-config.json").write_text(config + "\n")
        written += 1
    return written


def generate(out: Path) -> dict[str, int]:
    evals = out / "evals"
    if evals.exists():
        shutil.rmtree(evals)
    finetuned = model_config(FINETUNED_PATH, FINETUNED_PATH, None)
    arc = records_for("arc_easy", FINETUNED_RUN, 2500)
    boolq = records_for("boolq", FINETUNED_RUN, 2500)
    date = "2025-09-06 14:02:11 UTC"
    objects = [
        task_object(AGGREGATE, 0, finetuned, aggregate_metrics({"a": arc, "b": boolq}), 6, date),
        task_object("arc_easy:rc::olmes", 1, finetuned, task_metrics(arc), len(arc), date),
        task_object("boolq:rc::olmes", 2, finetuned, task_metrics(boolq), len(boolq), date),
    ]
    predictions = {"arc_easy:rc::olmes": arc, "boolq:rc::olmes": boolq}
    files = write_folder(evals / "finetuned" / "full_ft_150M", objects, predictions)
    shutil.copytree(evals / "finetuned", evals / "backup")
    files += 2
    boolq_rerun = records_for("boolq", FINETUNED_RUN, 3500)
    rerun = [
        task_object(
            "boolq:rc::olmes", 2, finetuned, task_metrics(boolq_rerun), 3, "2025-10-01 09:30:00 UTC"
        )
    ]
    files += write_folder(
        evals / "rerun" / "full_ft_150M_boolq", rerun, {"boolq:rc::olmes": boolq_rerun}
    )
    olmo = model_config("allenai/OLMo-2-0425-1B", None, "stage1-step1000000")
    olmo_arc = records_for("arc_easy", "allenai/OLMo-2-0425-1B", 1500)
    baseline = [
        task_object(
            "arc_easy:mc::olmes", 0, olmo, task_metrics(olmo_arc), 3, "2025-08-30 18:45:00 UTC"
        )
    ]
    files += write_folder(
        evals / "baselines" / "olmo-2-1b", baseline, {"arc_easy:mc::olmes": olmo_arc}
    )
    lines = 2 * (len(arc) + len(boolq)) + len(boolq_rerun) + len(olmo_arc)
    return {
        "folders": 4,
        "metrics_lines": 2 * len(objects) + len(rerun) + len(baseline),
        "prediction_files": files,
        "prediction_lines": lines,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("sample_data"))
    args = parser.parse_args()
    print(json.dumps(generate(args.out)))


if __name__ == "__main__":
    main()
