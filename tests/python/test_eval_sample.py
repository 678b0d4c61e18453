"""The shipped oe-eval sample (`sample_data/evals/`, scripts/generate_eval_sample.py) in the
shared sample build: one family of evaluation tables, copies, a newer re-run, a model that is
not a run, and the README's run-beside-checkpoint query (finetune_vs_checkpoint)."""

from __future__ import annotations

import json

from conftest import REPO, DbtResult

EVALS = REPO / "sample_data" / "evals"
RUN_ID = "2025_09_04-09_30_00_full_ft_DD-dolma1_7-150M_Ft_--learning_rate=5e-05"

# The README's query (section "Example queries"), kept identical.
RUN_BESIDE_CHECKPOINT = """
select task_name, doc_id, checkpoint_id, finetuned_acc_per_char, checkpoint_acc_per_char
from finetune_vs_checkpoint
where run_id = '2025_09_04-09_30_00_full_ft_DD-dolma1_7-150M_Ft_--learning_rate=5e-05'
order by all;
"""


def folder_lines(folder: str, pattern: str) -> list[dict[str, object]]:
    return [
        json.loads(line)
        for path in sorted((EVALS / folder).glob(pattern))
        for line in path.read_text().splitlines()
        if line.strip()
    ]


def test_sample_counts_by_kind(sample_build: DbtResult) -> None:
    expected = {
        "qa_task_evals": {"pretrained_checkpoint": 12, "finetuned_run": 3, "other": 1},
        "qa_instances": {"pretrained_checkpoint": 43, "finetuned_run": 6, "other": 3},
        "qa_choices": {"pretrained_checkpoint": 150, "finetuned_run": 18, "other": 12},
        "evaluated_models": {"pretrained_checkpoint": 4, "finetuned_run": 1, "other": 1},
    }
    for table, counts in expected.items():
        rows = sample_build.query(f"select model_kind, count(*) from {table} group by 1")
        assert dict(rows) == counts, table


def test_sample_run_evaluations_follow_the_files(sample_build: DbtResult) -> None:
    # the re-run's boolq record is newer than the two identical copies'
    rerun = folder_lines("rerun/full_ft_150M_boolq", "metrics-all.jsonl")[0]
    rows = sample_build.query(
        "select task_name, primary_score, n_copies, n_differing_records, source_path"
        f" from qa_task_evals where run_id = '{RUN_ID}' order by task_name"
    )
    first = {
        line["task_name"]: line
        for line in folder_lines("finetuned/full_ft_150M", "metrics-all.jsonl")
    }
    assert [row[0] for row in rows] == sorted(first)
    for task_name, score, copies, differing, path in rows:
        if task_name == "boolq:rc::olmes":
            assert (score, copies, differing) == (rerun["metrics"]["primary_score"], 1, 1)
            assert path == "evals/rerun/full_ft_150M_boolq"
        else:
            assert (score, copies, differing) == (
                first[task_name]["metrics"]["primary_score"],
                2,
                0,
            )
    boolq = folder_lines("rerun/full_ft_150M_boolq", "*-predictions.jsonl")
    instances = sample_build.query(
        "select doc_id, acc_per_char, predicted_index_raw, n_choices from qa_instances"
        f" where run_id = '{RUN_ID}' and task_name = 'boolq:rc::olmes' order by doc_id"
    )
    assert instances == [
        (
            line["doc_id"],
            line["metrics"]["acc_per_char"],
            line["metrics"]["predicted_index_raw"],
            len(line["model_output"]),
        )
        for line in boolq
    ]


def test_sample_readme_query_sets_run_beside_checkpoint(sample_build: DbtResult) -> None:
    rows = sample_build.query(RUN_BESIDE_CHECKPOINT.strip().rstrip(";"))
    # `main` of a 150M run is the size's final step, 37500 (seed final_steps): the sample's QA
    # tarballs hold steps 1000 and 2000 only, so no checkpoint answer stands beside the run's
    assert {row[2] for row in rows} == {"Dolma1.7|150M|default|37500"}
    assert [(row[0], row[1]) for row in rows] == [
        (task_name, doc_id)
        for task_name in ("arc_easy:rc::olmes", "boolq:rc::olmes")
        for doc_id in (3, 10, 17)
    ]
    assert {row[4] for row in rows} == {None}
    finetuned = sample_build.query(
        "select task_name, doc_id, acc_per_char from qa_instances"
        f" where run_id = '{RUN_ID}' order by all"
    )
    assert [(row[0], row[1], row[3]) for row in rows] == finetuned
    readme = (REPO / "README.md").read_text()
    assert RUN_BESIDE_CHECKPOINT.strip() in readme


def test_sample_eval_counts_reconcile(sample_build: DbtResult) -> None:
    totals = dict(
        sample_build.query(
            "select source_name, sum(records_read) from ingest_source_counts"
            " where source_name like 'eval%' group by 1"
        )
    )
    files = [path for path in EVALS.rglob("*") if path.is_file()]
    lines = {
        "eval_metrics": sum(
            len(p.read_text().splitlines()) for p in EVALS.rglob("metrics-all.jsonl")
        ),
        "eval_predictions": sum(
            len(p.read_text().splitlines()) for p in EVALS.rglob("*-predictions.jsonl")
        ),
    }
    assert totals == {
        "eval_dump_files": len(files),
        "eval_metrics": lines["eval_metrics"],
        "eval_predictions": lines["eval_predictions"],
    }
    assert sample_build.query(
        "select count(*) from ingest_rejects where source_name like 'eval%'"
    ) == [(0,)]
