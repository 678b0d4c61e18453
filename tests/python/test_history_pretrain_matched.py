"""History, pretraining metrics, evaluation metrics and matched_finetune, end to end."""

from __future__ import annotations

import json
import math
import os
import shutil
import time
from pathlib import Path

import duckdb
import pytest
from conftest import MODELS_AND_SEEDS, REPO, DbtResult, RunDbt, SampleCopy, invoke_dbt

SAMPLE = REPO / "sample_data"
UPSTREAM_MATCHED = "250912-172812_match_150M_c4_finetune_100Mtx1_DD-d17-530M-6250-2"
UPSTREAM_DPO = (
    "2025_08_27-07_52_26_test_dpo_tune_cache_dd__dolma1_7-4M__main__100Mt_lr=5e-06"
    "_default_--learning_rate=2e-07"
)
METRIC_REGEX = (
    ".*-valppl|(mmlu|arc_challenge|arc_easy|boolq|csqa|hellaswag|openbookqa|piqa|socialiqa"
    "|winogrande)_.*"
)


def non_null_metric_cells(parquet: Path) -> int:
    """Finite values in the metric columns of a full_eval file, counted column by column in
    Python over the file's rows (the upstream slice has ~1,900 metric columns: a DuckDB scan
    per column took ~20 s, one query with a filtered count per column as long)."""
    connection = duckdb.connect()
    doubles = [
        name
        for name, kind in connection.sql(
            f"select column_name, column_type from (describe select * from '{parquet}')"
        ).fetchall()
        if kind == "DOUBLE"
    ]
    matching = {
        name
        for (name,) in connection.sql(
            "select name from unnest(?::varchar[]) as t(name) where regexp_full_match(name, ?)",
            params=[doubles, METRIC_REGEX],
        ).fetchall()
    }
    relation = connection.sql(f"select * from '{parquet}'")
    positions = [i for i, name in enumerate(relation.columns) if name in matching]
    assert len(positions) == len(matching) > 0
    rows = relation.fetchall()
    total = 0
    for i in positions:
        total += sum(1 for row in rows if row[i] is not None and math.isfinite(row[i]))
    return total


# --- sample data --------------------------------------------------------------------------


def test_sample_history_layouts_and_collapsed_duplicates(sample_build: DbtResult) -> None:
    layouts = dict(sample_build.query("select history_layout, count(*) from history group by 1"))
    assert set(layouts) == {
        "history_flat_parquet",
        "history_array_jsonl",
        "history_array_parquet",
        "exporter_history_jsonl",
    }
    # 30 flat + 20 array + 4 array-parquet + 15 exporter rows, 5 of which repeat flat steps
    assert sum(layouts.values()) == 30 + 20 + 4 + 15 - 5
    assert sample_build.query("select count(*), count(distinct (run_id, step)) from history") == [
        (64, 64)
    ]


def test_sample_dpo_history_has_no_tokens(sample_build: DbtResult) -> None:
    rows = sample_build.query(
        "select count(*), count(total_tokens), count(metrics->>'rewards/accuracy') from history"
        " where run_id like '%dpo_cache%'"
    )
    assert rows == [(10, 0, 10)]


def test_run_history_summary_one_row_per_run(sample_build: DbtResult) -> None:
    assert sample_build.query("select count(*) from run_history_summary") == [(27,)]
    without = sample_build.query(
        "select count(*) from run_history_summary where steps_logged = 0 and last_step is null"
    )
    assert without == [(27 - 7,)]
    row = sample_build.query(
        "select first_step, last_step, peak_learning_rate, peak_learning_rate_step,"
        " tokens_at_last_step from run_history_summary"
        " where run_id = '2025_09_04-09_30_00_full_ft_DD-dolma1_7-150M_Ft_--learning_rate=5e-05'"
    )
    # generator: steps 10..100 every 10, warm-up to 2e-05 over 20 steps, 10,000 tokens a step
    assert row == [(10, 100, pytest.approx(2e-05), 20, 1_000_000)]


def test_history_rejects_and_counts(sample_build: DbtResult) -> None:
    rejects = sample_build.query(
        "select reason, action from ingest_rejects where source_name = 'wandb_history'"
    )
    assert rejects == [("malformed JSON line", "dropped")]
    counts = sample_build.query(
        "select sum(records_read), sum(records_rejected), sum(records_superseded),"
        " sum(records_used) from ingest_source_counts where source_name = 'wandb_history'"
    )
    assert counts == [(70, 1, 5, 64)]


def test_sample_pretrain_metrics_unpivot_every_cell(sample_build: DbtResult) -> None:
    expected = non_null_metric_cells(SAMPLE / "pretrain" / "full_eval.parquet")
    assert sample_build.query("select count(*) from pretrain_metrics") == [(expected,)]
    # 6 sizes x 3 recipes x 2 seeds (default, small aux 3) x 6 steps (0, 990, 2500, 5000,
    # 10000 and the size's final step)
    assert sample_build.query("select count(*) from pretrain_checkpoints") == [(216,)]


def test_sample_matched_finetune_is_filled(sample_build: DbtResult) -> None:
    run_id = "250913-101500_match_150M_c4_finetune_10Mtx2_DD-dolma1_7-530M-10000-2"
    row = sample_build.query(
        "select comparison_metric_value, ckpt_metric_value, finetuned_metric_value,"
        " gap_to_comparison from matched_finetune where run_id = ?".replace("?", f"'{run_id}'")
    )[0]
    parquet = SAMPLE / "pretrain" / "full_eval.parquet"
    comparison = duckdb.sql(
        f"select \"c4_en-valppl\" from '{parquet}' where params = '150M' and data = 'Dolma1.7'"
        " and seed = 0 order by step desc limit 1"
    ).fetchone()[0]
    # the run ID's seed `2` is the role index of small aux 3: full_eval seed 2, not 0
    checkpoint = duckdb.sql(
        f"select \"c4_en-valppl\" from '{parquet}' where params = '530M' and data = 'Dolma1.7'"
        " and seed = 2 and step = 10000"
    ).fetchone()[0]
    default_seed_value = duckdb.sql(
        f"select \"c4_en-valppl\" from '{parquet}' where params = '530M' and data = 'Dolma1.7'"
        " and seed = 0 and step = 10000"
    ).fetchone()[0]
    assert checkpoint != pytest.approx(default_seed_value)
    assert row[0] == pytest.approx(comparison)
    assert row[1] == pytest.approx(checkpoint)
    assert row[2] == pytest.approx(24.5)  # the run summary's eval/c4_en-validation/Perplexity
    assert row[3] == pytest.approx(24.5 - comparison)
    assert sample_build.query("select count(*) from matched_finetune") == [(6,)]


def test_run_eval_metrics_long_form(sample_build: DbtResult) -> None:
    rows = sample_build.query(
        "select task, metric, metric_label from run_eval_metrics"
        " where run_id like '250913-101500%' and task in ('arc_easy', 'c4_en')"
        " and metric in ('acc_raw', 'valppl') order by task"
    )
    assert rows == [
        ("arc_easy", "acc_raw", "arc_easy_acc_raw"),
        ("c4_en", "valppl", "c4_en-valppl"),
    ]


# --- incremental --------------------------------------------------------------------------


def test_incremental_history_adds_only_new_steps(sample_copy: SampleCopy) -> None:
    data, first = sample_copy.data, sample_copy.first  # a copy of the sample, built once
    assert first.returncode == 0, first.output[-3000:]
    before = first.query("select count(*) from history")[0][0]
    run_id = "2025_09_04-09_30_00_full_ft_DD-dolma1_7-150M_Ft_--learning_rate=5e-05"
    entries = [
        {
            "run_id": run_id,
            "step": step,
            "timestamp": 1_758_100_000 + step,
            "runtime": step,
            "metrics": {"train_loss": 0.5, "learning_rate": 0.0, "total_tokens": step * 10_000},
        }
        for step in (90, 100, 110, 120, 130)  # 90 and 100 repeat, 110-130 are new
    ]
    time.sleep(1.1)  # a strictly newer modification time than the first export
    new_file = data / "wandb" / "wandb_history_2025_12.jsonl"
    new_file.write_text(json.dumps(entries) + "\n")
    second = sample_copy.build(MODELS_AND_SEEDS)
    assert second.returncode == 0, second.output[-3000:]
    assert second.query("select count(*) from history")[0][0] == before + 3
    repeated = second.query(
        f"select step, train_loss from history where run_id = '{run_id}' and step in (90, 100)"
        " order by step"
    )
    assert repeated == [(90, 0.5), (100, 0.5)]  # the newer export wins
    loaded = second.query(
        "select count(distinct _loaded_at), count(*) from intermediate.int_wandb__history_records"
        f" where source_file = '{new_file}'"
    )
    assert loaded == [(1, 5)]
    old_loads = second.query(
        "select count(distinct _loaded_at) from intermediate.int_wandb__history_records"
        f" where source_file != '{new_file}'"
    )
    assert old_loads == [(1,)]  # the other files were not read again
    assert "int_wandb__history_records files to load: 1" in second.output
    # a deleted export is forgotten: its own steps go, the steps it shared come back from
    # the remaining export
    new_file.unlink()
    third = sample_copy.build(MODELS_AND_SEEDS)
    assert third.returncode == 0, third.output[-3000:]
    assert third.query(
        "select count(*) from intermediate.int_wandb__history_records"
        f" where source_file = '{new_file}'"
    ) == [(0,)]
    assert third.query("select count(*) from history")[0][0] == before
    restored = third.query(
        f"select step, train_loss from history where run_id = '{run_id}' and step in (90, 100)"
    )
    assert len(restored) == 2 and all(loss != 0.5 for _, loss in restored)
    assert "stg_wandb__run_records files to load: 0" in second.output


def is_task_metric_key(key: str) -> bool:
    return key.startswith("oe_eval_metrics/") and key.count("/") == 2


def eval_rows(build: DbtResult, where: str = "true") -> list[tuple[object, ...]]:
    # the export file of the record the values came from: that of the run's chosen record
    return build.query(
        "select run_id, task, metric, value, metric_label, summary_key, runs.source_file"
        f" from run_eval_metrics join runs using (run_id) where {where} order by all"
    )


def test_a_retired_model_is_dropped_from_an_existing_warehouse(sample_copy: SampleCopy) -> None:
    # a warehouse built before int_runs__eval_values was retired (dbt_project.yml
    # retired_relations) still holds its table; the next build drops it, and only it
    with duckdb.connect(str(sample_copy.first.db_path)) as connection:
        connection.execute(
            "create table intermediate.int_runs__eval_values as select 'run' as run_id, 1.0 as v"
        )
    again = sample_copy.build(["run", "--select", "int_metric_labels"])
    assert again.returncode == 0, again.output[-3000:]
    tables = {name for (name,) in again.query("select table_name from information_schema.tables")}
    assert "int_runs__eval_values" not in tables
    assert {"int_metric_labels", "runs", "history", "run_eval_metrics"} <= tables


def test_run_records_of_an_older_shape_are_loaded_again(sample_copy: SampleCopy) -> None:
    # a warehouse built while stg_wandb__run_records stored the config text (dbt_project.yml
    # retired_columns): the incremental model would fail on the changed columns; the next
    # build drops the table and loads every run export again, and run_configs finds them
    with duckdb.connect(str(sample_copy.first.db_path)) as connection:
        connection.execute("alter table staging.stg_wandb__run_records drop column config_hash")
        connection.execute("alter table staging.stg_wandb__run_records add column config varchar")
    # a command that does not build the run records leaves them (and says a build is needed)
    other = sample_copy.build(["run", "--select", "int_metric_labels"])
    assert other.returncode == 0, other.output[-3000:]
    assert "still has the retired column config" in other.output
    assert other.query(
        "select count(*) from information_schema.columns"
        " where table_name = 'stg_wandb__run_records' and column_name = 'config'"
    ) == [(1,)]
    again = sample_copy.build()
    assert again.returncode == 0, again.output[-3000:]
    assert "stg_wandb__run_records files to load: 3" in again.output
    columns = {
        name
        for (name,) in again.query(
            "select column_name from information_schema.columns"
            " where table_name = 'stg_wandb__run_records'"
        )
    }
    assert "config_hash" in columns and "config" not in columns
    assert again.query("select count(*) from run_configs") == again.query(
        "select count(*) from runs"
    )


def test_eval_metrics_follow_the_chosen_record(sample_copy: SampleCopy, run_dbt: RunDbt) -> None:
    data, first = sample_copy.data, sample_copy.first  # a copy of the sample, built once
    assert first.returncode == 0, first.output[-3000:]
    before = eval_rows(first)
    # a newer snapshot (later summary _timestamp) of a run with evaluation keys, in a new file
    chosen = None
    for line in (data / "wandb" / "wandb_runs_2025_09.jsonl").read_text().splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        summary = record.get("summary") or {}
        if any(is_task_metric_key(key) for key in summary):
            chosen = record
            break
    assert chosen is not None
    run_id = chosen["run_id"]
    eval_key = next(key for key in chosen["summary"] if is_task_metric_key(key))
    chosen["summary"].update({eval_key: 0.777, "oe_eval_metrics/piqa/acc_raw": 0.42})
    chosen["summary"]["_timestamp"] = chosen["summary"].get("_timestamp", 0) + 1_000_000
    new_file = data / "wandb" / "wandb_runs_2025_12.jsonl"
    new_file.write_text(json.dumps(chosen) + "\n")
    # every build here: run_eval_metrics and its ancestors (the table depends on nothing
    # else), and runs (eval_rows reads the record's file there)
    eval_graph = [*MODELS_AND_SEEDS, "--select", "+run_eval_metrics +runs"]
    second = sample_copy.build(eval_graph)
    assert second.returncode == 0, second.output[-3000:]
    rows = {(task, metric): (value, source) for _, task, metric, value, _, _, source in
            eval_rows(second, f"run_id = '{run_id}'")}  # fmt: skip
    _, task, metric = eval_key.split("/")
    assert rows[(task, metric)] == (0.777, str(new_file))
    assert rows[("piqa", "acc_raw")] == (0.42, str(new_file))
    # the other runs' rows are untouched, and the result equals a build from scratch
    assert eval_rows(second, f"run_id != '{run_id}'") == [row for row in before if row[0] != run_id]
    fresh = run_dbt(eval_graph, data, "fresh.duckdb")
    assert fresh.returncode == 0, fresh.output[-3000:]
    assert eval_rows(second) == eval_rows(fresh)
    # the export deleted: the run's values come back from the remaining export
    new_file.unlink()
    third = sample_copy.build(eval_graph)
    assert third.returncode == 0, third.output[-3000:]
    assert eval_rows(third) == before
    # other key patterns: every run is relabelled, perplexity keys leave the table
    keys_only = json.dumps({"run_eval_metric_keys": ["oe_eval_metrics/%/%"]})
    fourth = sample_copy.build([*eval_graph, "--vars", keys_only])
    assert fourth.returncode == 0, fourth.output[-3000:]
    assert eval_rows(fourth) == [row for row in before if str(row[5]).startswith("oe_eval")]
    assert len(eval_rows(fourth)) < len(before)


# --- upstream slices ----------------------------------------------------------------------


def build(
    data: Path, tmp_path_factory: pytest.TempPathFactory, name: str, args: list[str]
) -> DbtResult:
    work = tmp_path_factory.mktemp(name)
    result = invoke_dbt(args, data, work / "warehouse.duckdb", work)
    assert result.returncode == 0, result.output[-5000:]
    return result


def test_upstream_history_flat(upstream_build: DbtResult, upstream_dir: Path) -> None:
    # the build of conftest's upstream_data: runs, flat Parquet history, pretraining metrics
    result = upstream_build
    assert result.query("select count(*), count(distinct run_id) from history") == [(2549, 5)]
    assert result.query(
        f"select count(*), count(total_tokens) from history where run_id = '{UPSTREAM_DPO}'"
    ) == [(2106, 0)]
    expected_loss = duckdb.sql(
        f"select train_loss from '{upstream_dir / 'wandb_history_sample.parquet'}'"
        f" where run_id = '{UPSTREAM_MATCHED}' and step = 1000"
    ).fetchone()[0]
    summary = result.query(
        "select last_step, final_train_loss from run_history_summary"
        f" where run_id = '{UPSTREAM_MATCHED}'"
    )
    assert summary == [(1000, expected_loss)]
    # `metrics` holds each row's non-null metric cells and nothing else (the DPO run logged
    # no total_tokens: the export's column is null on its rows, and its objects lack the key)
    history_file = upstream_dir / "wandb_history_sample.parquet"
    cells, with_tokens = duckdb.sql(
        "select (select count(*) from (unpivot (select columns(* exclude (run_id, step,"
        f" timestamp, runtime))::varchar from '{history_file}') on columns(*)"
        f" into name k value v)), (select count(total_tokens) from '{history_file}')"
    ).fetchone()
    assert result.query(
        "select sum(len(json_keys(metrics))), count(*) filter (metrics::varchar like '%:null%'),"
        " count(*) filter (json_exists(metrics, '$.total_tokens')) from history"
    ) == [(cells, 0, with_tokens)]
    assert result.query(
        f"select count(*) from history where run_id = '{UPSTREAM_DPO}'"
        " and json_exists(metrics, '$.total_tokens')"
    ) == [(0,)]
    parquet = upstream_dir / "pretrain_metrics_sample.parquet"
    assert result.query("select count(*) from pretrain_metrics") == [
        (non_null_metric_cells(parquet),)
    ]
    assert result.query("select count(*) from pretrain_checkpoints") == [(34,)]


def test_upstream_history_reshaped_to_layout_b(
    upstream_data: Path, upstream_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The same rows as one JSON array per run (JSONL) and as Parquet with a list column."""
    source = upstream_dir / "wandb_history_sample.parquet"
    for layout in ("jsonl", "parquet"):
        data = tmp_path_factory.mktemp(f"layout_b_{layout}") / "data"
        (data / "wandb").mkdir(parents=True)
        shutil.copy(upstream_dir / "wandb_runs_sample.parquet", data / "wandb")
        arrays = f"""
            select list({{'run_id': run_id, 'step': step, 'timestamp': timestamp,
                         'runtime': runtime,
                         'metrics': {{'train_loss': train_loss, 'learning_rate': learning_rate,
                                      'total_tokens': total_tokens}}}} order by step) as json
            from '{source}' group by run_id order by run_id
        """
        if layout == "jsonl":
            rows = duckdb.sql(f"select to_json(json) from ({arrays})").fetchall()
            target = data / "wandb" / "wandb_history_b.jsonl"
            target.write_text("".join(f"{row[0]}\n" for row in rows))
        else:
            target = data / "wandb" / "wandb_history_b.parquet"
            duckdb.sql(f"copy ({arrays}) to '{target}' (format parquet)")
        # `history`, its ancestors and their tests: every model that reads these files (the
        # models downstream of `history` are built over both array layouts by sample_build)
        subset = ["--select", "+history"]
        result = build(data, tmp_path_factory, f"upstream_b_{layout}", ["build", *subset])
        assert result.query("select count(*), count(distinct run_id) from history") == [
            (2549, 5)
        ], layout
        assert result.query(
            f"select count(total_tokens) from history where run_id = '{UPSTREAM_DPO}'"
        ) == [(0,)]
        assert os.path.exists(target)
