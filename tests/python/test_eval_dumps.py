"""Evaluation results as oe-eval writes them (issue 10), on real lines and real runs.

One shared build of a data root made at run time from ../shared:

- wandb/: the real upstream run export (6 runs);
- qa/: the five real ARC-Easy prediction lines, packed in step tarballs under each file
  naming form oe-eval uses (`arc_easy-`, `task-000-arc_easy-`, `task-001-arc_easy:rc::olmes-`);
- evals/: an oe-eval result folder of a fine-tuned run of the upstream export (its model path
  holds the run ID), an identical copy of it, a newer re-run of one task, and a broken folder
  (a malformed metrics line, a predictions file without a matching task).
"""

from __future__ import annotations

import io
import json
import shutil
import tarfile
from pathlib import Path
from typing import Any

import pytest
from conftest import SHARED, DbtResult, invoke_dbt

# one worker builds this module's shared data once (conftest: xdist groups)
pytestmark = pytest.mark.xdist_group("eval_dumps")

REAL_LINES = SHARED / "fixtures" / "real_eval_instances" / "arc_easy-predictions.jsonl"
RUN_ID = "250912-172812_match_150M_c4_finetune_100Mtx1_DD-d17-530M-6250-2"
MODEL_PATH = (
    "/weka/oe-training-default/ai2-llm/checkpoints/250912-172812_match_150M_c4_finetune/"
    f"{RUN_ID}/model/final"
)
AGGREGATE = "core_9mcqa:rc::olmes:full"
ARC_RC = "arc_easy:rc::olmes"
# naming form -> (step of its checkpoint tarball, member file name)
FORMS: dict[str, tuple[int, str]] = {
    "plain": (38750, "arc_easy-predictions.jsonl"),
    "prefixed": (38760, "task-000-arc_easy-predictions.jsonl"),
    "prefixed_variant": (38770, "task-001-arc_easy:rc::olmes-predictions.jsonl"),
}
EXPECTED_TASK_NAME = {"plain": "arc_easy", "prefixed": "arc_easy", "prefixed_variant": ARC_RC}
CHOICE_FIELDS = (
    "sum_logits",
    "num_tokens",
    "num_tokens_all",
    "is_greedy",
    "logits_per_token",
    "logits_per_char",
    "num_chars",
    "sum_logits_uncond",
    "logits_per_byte",
)


@pytest.fixture(scope="module")
def real_lines() -> list[dict[str, Any]]:
    if not REAL_LINES.is_file():
        import os

        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but {REAL_LINES} is missing")
        pytest.skip(f"{REAL_LINES} not present on this clone")
    return [json.loads(line) for line in REAL_LINES.read_text().splitlines() if line.strip()]


def pack(path: Path, members: dict[str, bytes]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))


def task_line(
    task_name: str,
    task_idx: int,
    current_date: str,
    metrics: dict[str, Any],
    num_instances: int,
    model_path: str = MODEL_PATH,
    model: str = RUN_ID,
) -> dict[str, Any]:
    """A metrics-all.jsonl object with the real key set and its odd values."""
    return {
        "task_name": task_name,
        "task_hash": f"hash-{task_name}",
        "model_hash": "9f3c0a2f1d7b4e0e8a6c5b4a3f2e1d0c",
        "model_config": {
            "model": model,
            "revision": None,
            "trust_remote_code": None,
            "max_length": 2048,
            "model_path": model_path,
            "model_type": "hf",
        },
        "task_config": {
            "task_name": task_name,
            "primary_metric": "acc_per_char",
            "limit": 10000000000000000000,
            "split": "test",
            "num_shots": 5,
            "metadata": {"regimes": ["OLMES-v0.1"], "alias": task_name},
        },
        "compute_config": {"batch_size": "16", "max_batch_size": 32, "output_dir": "/results"},
        "processing_time": 12.5,
        "current_date": current_date,
        "num_instances": num_instances,
        "beaker_info": {"BEAKER_JOB_ID": "01JFB7X", "BEAKER_NODE_HOSTNAME": "node-7"},
        "metrics": metrics,
        "task_idx": task_idx,
    }


def aggregate_metrics() -> dict[str, Any]:
    return {
        "acc_raw_micro": 0.52,
        "acc_raw_macro": 0.55,
        "acc_per_char_micro": 0.58,
        "acc_per_char_macro": 0.6,
        "primary_score_micro": 0.58,
        "primary_score_macro": 0.6,
        "primary_score": 0.6,
        "num_instances": 5,
        "task_scores": [{"task": ARC_RC, "primary_score": 0.4}],
    }


def arc_metrics(score: float) -> dict[str, Any]:
    return {
        "acc_raw": 0.4,
        "acc_per_token": 0.4,
        "acc_per_char": score,
        "primary_score": score,
        "extra_metrics": {"num_tokens": 187.2},
    }


def jsonl(objects: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(item) + "\n" for item in objects)


def write_dump(folder: Path, lines: list[dict[str, Any]], predictions: str) -> None:
    """An oe-eval result folder: metrics-all.jsonl, per-task files, vestigial metrics.jsonl."""
    folder.mkdir(parents=True)
    (folder / "metrics-all.jsonl").write_text(jsonl(lines))
    (folder / "metrics.jsonl").write_text("".join(f'"{line["task_name"]}"\n' for line in lines))
    for line in lines:
        if line["task_name"] == AGGREGATE:
            continue  # aggregates have no per-task files
        stem = f"task-{line['task_idx']:03d}-{line['task_name']}"
        (folder / f"{stem}-metrics.json").write_text(json.dumps(line, indent=2))
        (folder / f"{stem}-predictions.jsonl").write_text(predictions)
        (folder / f"{stem}-requests.jsonl").write_text('{"request_type": "loglikelihood"}\n')
        (folder / f"{stem}-recorded-inputs.jsonl").write_text('{"doc_id": 0}\n')
        (folder / f"{stem}-config.json").write_text(json.dumps(line["task_config"]))


@pytest.fixture(scope="module")
def evals_build(
    upstream_dir: Path, real_lines: list[dict[str, Any]], tmp_path_factory: pytest.TempPathFactory
) -> DbtResult:
    work = tmp_path_factory.mktemp("eval_dumps")
    data = work / "data"
    (data / "wandb").mkdir(parents=True)
    shutil.copy(upstream_dir / "wandb_runs_sample.parquet", data / "wandb")
    predictions = REAL_LINES.read_text()
    for step, member in FORMS.values():
        pack(
            data / "qa" / "dolma1.7" / "150M" / "seed-15" / f"step-{step}.tar.gz",
            {f"step-{step}/{member}": predictions.encode()},
        )
    n = len(real_lines)
    first = [
        task_line(AGGREGATE, 0, "2024-12-19 12:16:07 UTC", aggregate_metrics(), n),
        task_line(ARC_RC, 1, "2024-12-19 12:16:07 UTC", arc_metrics(0.4), n),
    ]
    evals = data / "evals"
    write_dump(evals / "run_a" / "oe_eval_results", first, predictions)
    shutil.copytree(evals / "run_a", evals / "copied" / "run_a")
    rerun = [task_line(ARC_RC, 1, "2025-01-07 08:00:00 UTC", arc_metrics(0.6), n)]
    write_dump(evals / "rerun" / RUN_ID, rerun, predictions)
    broken = evals / "broken"
    other = task_line(
        "boolq:rc::olmes", 2, "2024-12-20 10:00:00 UTC", {"primary_score": 0.7}, 1, "", "org/m"
    )
    write_dump(broken, [other], predictions)
    with (broken / "metrics-all.jsonl").open("a") as handle:
        handle.write('{"task_name": "piqa:rc::olmes", "metrics": {"acc_raw": \n')
    (broken / "task-005-hellaswag:rc::olmes-predictions.jsonl").write_text(predictions)
    pack(evals / "packed" / "run_b.tar.gz", {"run_b/metrics-all.jsonl": jsonl(first).encode()})
    result = invoke_dbt(["build"], data, work / "warehouse.duckdb", work)
    assert result.returncode == 0, result.output[-5000:]
    return result


# --- task names, real lines ---------------------------------------------------------------


@pytest.mark.parametrize("form", list(FORMS))
def test_real_lines_under_every_naming_form(
    evals_build: DbtResult, real_lines: list[dict[str, Any]], form: str
) -> None:
    step, _ = FORMS[form]
    model_id = f"checkpoint:dolma1.7/150M/seed-15/step-{step}"
    instances = evals_build.query(
        "select task, task_name, doc_id, native_id, label, correct_choice, acc_raw,"
        " acc_per_char, predicted_index_raw, n_choices, model_kind, run_id"
        f" from qa_instances where model_id = '{model_id}' order by doc_id"
    )
    assert len(instances) == len(real_lines) == 5
    for row, line in zip(instances, real_lines, strict=True):
        task, task_name, doc_id, native_id, label, correct, acc_raw, acc_char, raw, n, kind, run = (
            row
        )
        assert (task, task_name) == ("arc_easy", EXPECTED_TASK_NAME[form])
        assert (doc_id, native_id, label) == (line["doc_id"], line["native_id"], str(line["label"]))
        assert correct == line["metrics"]["correct_choice"]
        assert acc_raw == line["metrics"]["acc_raw"]
        assert acc_char == line["metrics"]["acc_per_char"]
        assert raw == line["metrics"]["predicted_index_raw"]
        assert n == len(line["model_output"])
        assert (kind, run) == ("pretrained_checkpoint", None)
    choices = evals_build.query(
        f"select task, task_name, doc_id, choice_index, is_correct, {', '.join(CHOICE_FIELDS)}"
        f" from qa_choices where model_id = '{model_id}' order by doc_id, choice_index"
    )
    expected = [
        (line, index, choice)
        for line in real_lines
        for index, choice in enumerate(line["model_output"])
    ]
    assert len(choices) == len(expected) == 20
    for row, (line, index, choice) in zip(choices, expected, strict=True):
        assert row[:4] == ("arc_easy", EXPECTED_TASK_NAME[form], line["doc_id"], index)
        assert row[4] == (index == line["metrics"]["correct_choice"])
        assert row[5:] == tuple(choice[field] for field in CHOICE_FIELDS)


def test_checkpoint_models_listed(evals_build: DbtResult) -> None:
    rows = evals_build.query(
        "select model_id, model_kind, recipe, params, qa_folder_seed, step,"
        " n_tasks_with_predictions, source_paths from evaluated_models"
        " where model_kind = 'pretrained_checkpoint'"
        " order by step"
    )
    assert [row[5] for row in rows] == [step for step, _ in FORMS.values()]
    for row in rows:
        assert row[2:5] == ("Dolma1.7", "150M", 15)
        assert row[6] == 1
        assert row[7] == [f"qa/dolma1.7/150M/seed-15/step-{row[5]}"]


# --- an oe-eval folder of a fine-tuned run ------------------------------------------------


def test_dump_of_a_run_joins_the_run(evals_build: DbtResult) -> None:
    rows = evals_build.query(
        "select task_name, task, model_kind, run_id, primary_score, n_copies, copy_paths,"
        f" n_differing_records, source_path from qa_task_evals where run_id = '{RUN_ID}'"
        " order by task_name"
    )
    assert [row[:4] for row in rows] == [
        (ARC_RC, "arc_easy", "finetuned_run", RUN_ID),
        (AGGREGATE, "core_9mcqa", "finetuned_run", RUN_ID),
    ]
    arc, aggregate = rows
    # the newer re-run wins for the task it repeats; the two identical copies are one row
    assert arc[4] == pytest.approx(0.6)
    assert (arc[5], arc[7], arc[8]) == (1, 1, f"evals/rerun/{RUN_ID}")
    assert aggregate[4] == pytest.approx(0.6)
    assert (aggregate[5], aggregate[7]) == (2, 0)
    assert aggregate[6] == ["evals/copied/run_a/oe_eval_results", "evals/run_a/oe_eval_results"]
    model = evals_build.query(
        "select model_id, model_kind, run_id_matched_on, run_type, n_task_evals,"
        f" n_tasks_with_predictions, n_sources from evaluated_models where run_id = '{RUN_ID}'"
    )
    assert model == [(f"run:{RUN_ID}", "finetuned_run", "model_path", "matched", 2, 1, 3)]


def test_dump_instances_found_by_run_id_once(
    evals_build: DbtResult, real_lines: list[dict[str, Any]]
) -> None:
    # three folders hold the same predictions file: one copy of the questions is used
    instances = evals_build.query(
        "select task_name, doc_id, source_path from qa_instances"
        f" where run_id = '{RUN_ID}' order by doc_id"
    )
    assert [row[1] for row in instances] == [line["doc_id"] for line in real_lines]
    assert {row[0] for row in instances} == {ARC_RC}
    assert {row[2] for row in instances} == {f"evals/rerun/{RUN_ID}"}
    choices = evals_build.query(f"select count(*) from qa_choices where run_id = '{RUN_ID}'")
    assert choices == [(sum(len(line["model_output"]) for line in real_lines),)]


def test_copies_are_counted_not_loaded_twice(evals_build: DbtResult) -> None:
    counts = {
        row[0]: row[1:]
        for row in evals_build.query(
            "select source_file, records_read, records_rejected, records_superseded,"
            " records_skipped, records_used from ingest_source_counts"
            " where source_name in ('eval_metrics', 'eval_dump_files')"
        )
    }
    # of the identical copies the first path's aggregate line is used, the other is a
    # duplicate; both older arc lines are superseded by the re-run's
    assert counts["evals/copied/run_a/oe_eval_results/metrics-all.jsonl"] == (2, 0, 1, 0, 1)
    assert counts["evals/run_a/oe_eval_results/metrics-all.jsonl"] == (2, 0, 2, 0, 0)
    assert counts[f"evals/rerun/{RUN_ID}/metrics-all.jsonl"] == (1, 0, 0, 0, 1)
    # folder: metrics-all + predictions loaded; metrics.jsonl, metrics.json, requests,
    # recorded inputs, config skipped
    assert counts["evals/run_a/oe_eval_results"] == (7, 0, 0, 5, 2)
    superseded = evals_build.query(
        "select count(*) from ingest_source_counts where source_name = 'eval_predictions'"
        " and records_superseded = 5"
    )
    assert superseded == [(2,)]


# --- bad input ------------------------------------------------------------------------------


def test_broken_dump_gives_rejects(evals_build: DbtResult) -> None:
    rejects = evals_build.query(
        "select source_name, source_file, record_key, reason, action from ingest_rejects"
        " where source_file like 'evals/%' order by source_name"
    )
    assert len(rejects) == 2
    metrics_reject, file_reject = rejects
    assert metrics_reject[:2] == ("eval_metrics", "evals/broken/metrics-all.jsonl")
    assert metrics_reject[3:] == ("malformed JSON line", "dropped")
    assert file_reject[:3] == (
        "eval_predictions",
        "evals/broken/task-005-hellaswag:rc::olmes-predictions.jsonl",
        "hellaswag:rc::olmes",
    )
    assert "without a matching task" in file_reject[3]
    # the folder's good task still loads, under a model that is not a run
    good = evals_build.query(
        "select model_id, model_kind, run_id, task_name from qa_task_evals"
        " where source_path = 'evals/broken'"
    )
    assert good == [("model:org/m", "other", None, "boolq:rc::olmes")]
    assert evals_build.query(
        "select count(*) from qa_instances where source_path = 'evals/broken'"
    ) == [(5,)]


@pytest.mark.parametrize(
    ("test_name", "failures"),
    [
        ("dq_eval_records_superseded", 1),  # the re-run's arc record over the two older ones
        ("dq_eval_files_not_loaded", 1),  # the packed dump (not read)
    ],
)
def test_warnings_list_superseded_records_and_unread_files(
    evals_build: DbtResult, test_name: str, failures: int
) -> None:
    results = {row["unique_id"]: row for row in evals_build.run_results()}
    warning = next(row for key, row in results.items() if key.endswith(f".{test_name}"))
    assert (warning["status"], warning["failures"]) == ("warn", failures)
    assert evals_build.query(
        "select count(*) from evaluated_models where 'evals/packed' in source_paths"
    ) == [(0,)]
