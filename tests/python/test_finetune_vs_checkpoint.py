"""A fine-tuned run beside the checkpoint it started from, on real data (finetune_vs_checkpoint).

The real run `...DD-d17-530M-6250-2` of the upstream export started from Dolma1.7, 530M, step
6250, seed index 2: the seed role small aux 3, whose QA folder is `seed-15`. Its data root:

- wandb/: the real upstream run export;
- evals/: an oe-eval folder of that run, from the real ARC-Easy prediction lines;
- qa/: the real lines as the checkpoint's own answers (`dolma1.7/530M/seed-15/step-6250`), and
  the same questions with other answers under the default seed's folder (`seed-2`, same step)
  and at a later step of the right seed (`seed-15/step-7000`): a join on the default seed or on
  the latest evaluated step would return those.

The build runs every data test, so the relationships from each fact to its dimension are
checked on real data too.
"""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import DbtResult, invoke_dbt
from test_eval_dumps import ARC_RC, RUN_ID, pack, real_lines, task_line, write_dump

pytestmark = pytest.mark.xdist_group("finetune_vs_checkpoint")
__all__ = ["real_lines"]  # the fixture of the real prediction lines, used here too

CHECKPOINT_ID = "Dolma1.7|530M|small aux 3|6250"


def answers(lines: list[dict[str, Any]], predicted: int, correct: float) -> list[dict[str, Any]]:
    """The same questions with every answer replaced."""
    changed = copy.deepcopy(lines)
    for line in changed:
        for key in line["metrics"]:
            if key.startswith("predicted_index"):
                line["metrics"][key] = predicted
            elif key.startswith("acc_"):
                line["metrics"][key] = correct
    return changed


def jsonl(lines: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(line) + "\n" for line in lines).encode()


@pytest.fixture(scope="module")
def paired_build(
    upstream_dir: Path, real_lines: list[dict[str, Any]], tmp_path_factory: pytest.TempPathFactory
) -> DbtResult:
    work = tmp_path_factory.mktemp("finetune_vs_checkpoint")
    data = work / "data"
    (data / "wandb").mkdir(parents=True)
    shutil.copy(upstream_dir / "wandb_runs_sample.parquet", data / "wandb")
    qa = data / "qa" / "dolma1.7" / "530M"
    tarballs = {
        qa / "seed-15" / "step-6250.tar.gz": real_lines,
        qa / "seed-2" / "step-6250.tar.gz": answers(real_lines, 3, 0.0),
        qa / "seed-15" / "step-7000.tar.gz": answers(real_lines, 2, 1.0),
    }
    for path, lines in tarballs.items():
        step = path.name.removesuffix(".tar.gz")
        pack(path, {f"{step}/arc_easy-predictions.jsonl": jsonl(lines)})
    finetuned = answers(real_lines, 1, 1.0)
    metrics = {"acc_per_char": 1.0, "primary_score": 1.0}
    write_dump(
        data / "evals" / "run_a",
        [task_line(ARC_RC, 1, "2024-12-19 12:16:07 UTC", metrics, len(finetuned))],
        jsonl(finetuned).decode(),
    )
    result = invoke_dbt(["build"], data, work / "warehouse.duckdb", work)
    assert result.returncode == 0, result.output[-5000:]
    return result


def test_the_run_is_compared_with_its_own_seed_and_step(
    paired_build: DbtResult, real_lines: list[dict[str, Any]]
) -> None:
    rows = paired_build.query(
        "select checkpoint_id, task_name, task, doc_id, checkpoint_task_name,"
        " checkpoint_predicted_index_raw, checkpoint_acc_per_char,"
        " finetuned_predicted_index_raw, finetuned_acc_per_char"
        f" from finetune_vs_checkpoint where run_id = '{RUN_ID}' order by doc_id"
    )
    expected = sorted(real_lines, key=lambda line: line["doc_id"])
    assert len(rows) == len(expected) == 5
    for row, line in zip(rows, expected, strict=True):
        assert row[:5] == (CHECKPOINT_ID, ARC_RC, "arc_easy", line["doc_id"], "arc_easy")
        # the seed-15 checkpoint's own answers: not seed-2's (3, 0.0), not step 7000's (2, 1.0)
        assert row[5:7] == (
            line["metrics"]["predicted_index_raw"],
            line["metrics"]["acc_per_char"],
        )
        assert row[7:] == (1, 1.0)


def test_the_run_names_its_starting_checkpoint(paired_build: DbtResult) -> None:
    run = paired_build.query(
        "select start_checkpoint_id, start_recipe, start_params, start_seed_role, start_step,"
        f" run_id_seed_index from runs where run_id = '{RUN_ID}'"
    )
    assert run == [(CHECKPOINT_ID, "Dolma1.7", "530M", "small aux 3", 6250, 2)]
    checkpoint = paired_build.query(
        "select run_id_seed_index, qa_folder_seed, full_eval_seed, has_qa, hf_revision"
        f" from checkpoints where checkpoint_id = '{CHECKPOINT_ID}'"
    )
    assert checkpoint == [(2, 15, 2, True, "step6250-seed-small-aux-3")]


def test_every_fact_joins_its_dimension_on_real_data(paired_build: DbtResult) -> None:
    relationships = {
        str(result["unique_id"]): str(result["status"])
        for result in paired_build.run_results()
        if str(result["unique_id"]).startswith("test.dr_ingest.relationships_")
    }
    dimensions = ("checkpoints", "recipes", "tasks", "runs")
    for dimension in dimensions:
        assert any(f"ref_{dimension}_" in name for name in relationships), dimension
    assert set(relationships.values()) == {"pass"}, relationships
    orphans = paired_build.query(
        "select count(*) from qa_instances"
        " where checkpoint_id is not null"
        " and checkpoint_id not in (select checkpoint_id from checkpoints)"
    )
    assert orphans == [(0,)]
