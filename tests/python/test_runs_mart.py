"""End to end: `dbt build` on the shipped sample data, then the `runs` mart and the audit tables."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from conftest import MODELS_AND_SEEDS, REPO, DbtResult, RunDbt, SampleCopy, SampleRebuild

SAMPLE_WANDB = REPO / "sample_data" / "wandb"
# the compiled view (models/marts/runs/run_configs.sql), under a build's target path
RUN_CONFIGS_VIEW = Path("run", "dr_ingest", "models", "marts", "runs", "run_configs.sql")


def run_row(build: DbtResult, run_id: str) -> dict[str, object]:
    connection = duckdb.connect(str(build.db_path), read_only=True)
    try:
        relation = connection.sql("select * from runs where run_id = ?", params=[run_id])
        rows = relation.fetchall()
        assert len(rows) == 1, f"{run_id}: {len(rows)} rows"
        return dict(zip(relation.columns, rows[0], strict=True))
    finally:
        connection.close()


def raw_run_ids() -> set[str]:
    """Distinct run IDs in the sample exports, read with plain json / duckdb (not the project)."""
    run_ids: set[str] = set()
    for path in SAMPLE_WANDB.rglob("*runs*.jsonl"):
        for line in path.read_text().splitlines():
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            run = record.get("run", record)
            run_ids.add(run["run_id"])
    for path in SAMPLE_WANDB.rglob("*runs*.parquet"):
        rows = duckdb.sql(f"select distinct run_id from read_parquet('{path}')").fetchall()
        run_ids.update(row[0] for row in rows)
    return run_ids


def test_build_runs_every_dbt_test_and_unit_test(sample_build: DbtResult) -> None:
    results = sample_build.run_results()
    statuses = {str(result["status"]) for result in results}
    assert statuses <= {"success", "pass", "warn"}, statuses
    unit_tests = [r for r in results if str(r["unique_id"]).startswith("unit_test.")]
    data_tests = [r for r in results if str(r["unique_id"]).startswith("test.")]
    # this is the one build of the suite that runs the unit tests (conftest.WITHOUT_UNIT_TESTS):
    # every one the project defines
    manifest = json.loads((sample_build.target_path / "manifest.json").read_text())
    assert len(unit_tests) == len(manifest["unit_tests"]) >= 15
    assert len(data_tests) >= 40
    # the tests of the view over the raw export files are on in this build only
    raw_view_tests = {
        str(r["unique_id"]).split(".")[2].split("_run_configs")[0]
        for r in data_tests
        if "_run_configs_" in str(r["unique_id"])
    }
    assert raw_view_tests == {"not_null_columns", "row_count_equals", "unique", "relationships"}


def test_runs_reconcile_with_the_raw_exports(sample_build: DbtResult) -> None:
    expected = raw_run_ids()
    actual = {row[0] for row in sample_build.query("select run_id from runs")}
    assert actual == expected
    assert len(actual) == 27


def test_every_run_type_is_present(sample_build: DbtResult) -> None:
    counts = dict(sample_build.query("select run_type, count(*) from runs group by all"))
    assert counts == {
        "matched": 6,
        "simple_ft_vary_tokens": 10,
        "simple_ft": 4,
        "reduce_loss": 1,
        "dpo": 2,
        "old": 2,
        "other": 2,
    }
    patterns = {row[0] for row in sample_build.query("select distinct pattern_name from runs")}
    expected_patterns = {f"M{i}" for i in range(1, 6)} | {f"F{i}" for i in range(1, 7)}
    assert expected_patterns | {"R1", "D1", "D2", "old", "other"} == patterns


# Values worked out by hand from SPEC §4 and the sample generator's inputs.
HAND_WORKED = {
    "250913-101500_match_150M_c4_finetune_10Mtx2_DD-dolma1_7-530M-10000-2": {
        "run_type": "matched",
        "pattern_name": "M1",
        "exp_name": "match",
        "start_recipe": "Dolma1.7",
        "start_params": "530M",
        "start_step_as_named": "10000",
        "run_id_seed_index": 2,
        "finetune_seed": 11,
        "lr": 5e-06,
        "num_finetune_tokens_per_epoch": 10_000_000,
        "num_finetune_epochs": 2,
        "num_finetune_tokens": 20_000_000,
        "num_finetuned_tokens_real": 19_000_000,
        "abs_difference_ft_tokens_pct": 5.0,
        "comparison_model_size": "150M",
        "comparison_model_recipe": "Dolma1.7",
        "comparison_metric": "c4_en-valppl",
        "model_size": 530_100_000,
    },
    "2025_09_04-09_30_00_full_ft_DD-dolma1_7-150M_Ft_--learning_rate=5e-05": {
        "run_type": "simple_ft",
        "pattern_name": "F3",
        "start_recipe": "Dolma1.7",
        "start_params": "150M",
        "start_step_as_named": "main",
        "run_id_seed_index": None,
        "lr": 5e-05,
        "num_finetune_tokens_per_epoch": 665_127_434,
        "num_finetune_epochs": 2,
        "num_finetune_tokens": 1_330_254_868,
        "num_finetuned_tokens_real": 1_330_000_000,
        "abs_difference_ft_tokens_pct": 254_868 / 1_330_254_868 * 100,
    },
    "2025_09_10-06_00_00_dpo_cache_dd__dclm-150M__main__50Mt_lr=1e-05_default"
    "_--learning_rate=5e-07": {
        "run_type": "dpo",
        "pattern_name": "D2",
        "exp_name": "dpo_cache",
        "start_recipe": "DCLM-Baseline",
        "start_params": "150M",
        "start_step_as_named": "main",
        "lr": 5e-07,
        "lr1": 1e-05,
        "lr2": 5e-07,
        "num_finetune_tokens_per_epoch": 50_000_000,
        "num_finetune_epochs": 1,
        "num_finetune_tokens": 50_000_000,
        "num_finetuned_tokens_real": None,
        "abs_difference_ft_tokens_pct": None,
    },
    "2025_09_08-16_20_00_rl_test_DD-dolma1_7-60M_main_default"
    "_--max_train_samples=50000_--reduce_loss=sum": {
        "run_type": "reduce_loss",
        "pattern_name": "R1",
        "start_recipe": "Dolma1.7",
        "start_params": "60M",
        "start_step_as_named": "main",
        "max_train_samples": 50_000,
        "reduce_loss": "sum",
        "num_finetune_tokens": None,
    },
    "2025_09_02-10_00_00_sweep_tokens_DD-c4-60M_5Mtx2_--learning_rate=3e-05": {
        "run_type": "simple_ft_vary_tokens",
        "pattern_name": "F1",
        "start_recipe": "C4",
        "start_step_as_named": "main",
        "lr": 3e-05,
        "num_finetune_tokens_per_epoch": 5_000_000,
        "num_finetune_epochs": 2,
        "num_finetune_tokens": 10_000_000,
        "num_finetuned_tokens_real": 10_400_000,
        "abs_difference_ft_tokens_pct": 4.0,
    },
    "2025_09_17-14_00_00_matchrecipe_DD-dclm-150M_Ft_DD-d17-150M-main-2_lr=2e-05": {
        "run_type": "matched",
        "pattern_name": "M5",
        "start_recipe": "Dolma1.7",
        "comparison_model_size": "150M",
        "comparison_model_recipe": "DCLM-Baseline",
        "comparison_metric": "pile-valppl",
        "num_finetune_tokens": 1_330_254_868,
    },
    "2025_09_09-19_00_00_sft_sweep_DD-dolma1_7-150M_main_default": {
        "run_type": "old",
        "is_legacy": True,
        "start_step_as_named": None,
    },
    "2025_09_13-12_00_00_lr_mismatch_DD-dolma1_7-20M_main_10Mtx1_--learning_rate=1e-05": {
        "lr": 1e-05,
        "lr_conflict": True,
        "final_train_loss": None,
    },
    "2025_09_01-10_00_00_sweep_tokens_DD-dolma1_7-20M_main_10Mtx1_--learning_rate=1e-05": {
        "model_size": 20_000_000,
        "lr_conflict": False,
    },
}


@pytest.mark.parametrize("run_id", sorted(HAND_WORKED))
def test_hand_worked_normalised_values(sample_build: DbtResult, run_id: str) -> None:
    row = run_row(sample_build, run_id)
    for column, expected in HAND_WORKED[run_id].items():
        if isinstance(expected, float):
            assert row[column] == pytest.approx(expected, rel=1e-12), column
        else:
            assert row[column] == expected, column


def test_run_timestamps_both_styles_and_unparseable(sample_build: DbtResult) -> None:
    rows = dict(
        sample_build.query("select run_id, strftime(run_timestamp, '%Y-%m-%d %H:%M:%S') from runs")
    )
    assert rows["250913-101500_match_150M_c4_finetune_10Mtx2_DD-dolma1_7-530M-10000-2"] == (
        "2025-09-13 10:15:00"
    )
    bad = "2025_13_45-10_00_00_badts_DD-dolma1_7-20M_main_10Mtx1_--learning_rate=1e-05"
    assert rows[bad] is None


def test_same_run_in_two_exports_keeps_the_most_recent(sample_build: DbtResult) -> None:
    row = run_row(sample_build, "250920-111111_match_60M_c4_finetune_20Mtx1_DD-d17-150M-main-2")
    assert row["n_export_records"] == 2
    assert row["state"] == "finished"
    assert row["export_layout"] == "runs_parquet"
    assert row["last_step"] == 1000


def test_bad_input_lands_in_rejects_not_silence(sample_build: DbtResult) -> None:
    rejects = sample_build.query(
        "select reason, action, record_key from ingest_rejects"
        " where source_name = 'wandb_runs' order by reason"
    )
    reasons = {(reason, action) for reason, action, _ in rejects}
    assert ("malformed JSON line", "dropped") in reasons
    assert ("run has no config", "kept_partial") in reasons
    assert ("token count is not a number: 12Q", "kept_partial") in reasons
    counts = sample_build.query(
        "select sum(records_read), sum(records_rejected), sum(records_superseded),"
        " sum(records_used) from ingest_source_counts where source_name = 'wandb_runs'"
    )
    assert counts == [(29, 1, 1, 27)]
    # the run without config is still a run
    row = run_row(sample_build, "250919-101010_noconf_10Mtx1_DD-d17-20M-main-2")
    assert row["lr"] is None
    assert row["num_finetune_tokens"] == 10_000_000


def test_run_configs_hold_the_chosen_exports_config(sample_build: DbtResult) -> None:
    # every run has a row; every run but the one exported without config has a JSON object
    (row,) = sample_build.query(
        "select count(*), count(*) filter (where json_type(run_configs.config) = 'OBJECT')"
        " from runs left join run_configs using (run_id)"
    )
    (runs_total,) = sample_build.query("select count(*) from runs")[0]
    assert row == (runs_total, runs_total - 1)
    # the config is the chosen export's own document, compared with the source file
    source = REPO / "sample_data" / "wandb" / "wandb_runs_2025_09.jsonl"
    first = json.loads(source.read_text().splitlines()[0])
    (config_text,) = sample_build.query(
        f"select config from run_configs where run_id = '{first['run_id']}'"
    )[0]
    assert json.loads(str(config_text)) == first["config"]
    # the sample's exports hold no copies of a record: the view has no branch for them
    view = sample_build.target_path / RUN_CONFIGS_VIEW
    assert "copied_records" not in view.read_text()


def test_run_configs_return_a_record_copied_within_one_file_once(
    run_dbt: RunDbt, data_root: Path
) -> None:
    """A concatenated export holds the same record twice, byte for byte: the two copies share
    file, run ID and config hash, so run_configs takes that run's config through its
    aggregate branch and returns it once; the other runs stream through."""
    lines = (REPO / "sample_data" / "wandb" / "wandb_runs_2025_09.jsonl").read_text().splitlines()
    copied, other = lines[0], lines[1]
    (data_root / "wandb" / "wandb_runs_concatenated.jsonl").write_text(
        "\n".join([copied, other, copied]) + "\n"
    )
    result = run_dbt(MODELS_AND_SEEDS, data_root)
    assert result.returncode == 0, result.output[-3000:]
    expected = {record["run_id"]: record["config"] for record in map(json.loads, (copied, other))}
    assert result.query("select run_id, n_export_records from runs order by n_export_records") == [
        (json.loads(other)["run_id"], 1),
        (json.loads(copied)["run_id"], 2),
    ]
    # the branch for copies is in the view because the build found one
    view = result.target_path / RUN_CONFIGS_VIEW
    assert "copied_records" in view.read_text()
    rows = result.query("select run_id, config from run_configs")
    assert len(rows) == 2
    assert {run_id: json.loads(str(config)) for run_id, config in rows} == expected


def test_rebuild_gives_identical_tables(
    sample_build: DbtResult, sample_rebuild: SampleRebuild
) -> None:
    second = sample_rebuild.first  # another build of the sample from scratch, its own warehouse
    assert second.returncode == 0, second.output[-3000:]
    checksum = "select count(*), sum(hash(columns(*))) from {table}"
    for table in ("runs", "ingest_rejects", "ingest_source_counts"):
        sql = checksum.format(table=table)
        assert sample_build.query(sql) == second.query(sql), table


def test_duckdb_cli_opens_the_warehouse(sample_build: DbtResult) -> None:
    import subprocess

    from conftest import BIN

    completed = subprocess.run(
        [
            str(BIN / "duckdb"),
            "-readonly",
            "-csv",
            str(sample_build.db_path),
            "-c",
            "select run_type, count(*) from runs group by all order by 1",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    lines = completed.stdout.strip().splitlines()
    assert lines[0] == "run_type,count_star()"
    assert "matched,6" in lines


def test_descriptions_are_persisted_as_comments(sample_build: DbtResult) -> None:
    comments = dict(
        sample_build.query(
            "select table_name, comment from duckdb_tables() where schema_name = 'main'"
        )
    )
    assert comments["runs"].startswith("One row per distinct WandB run")
    column_comment = sample_build.query(
        "select comment from duckdb_columns() where table_name = 'runs' and column_name = 'lr'"
    )
    assert column_comment[0][0].startswith("Fine-tuning learning rate")


def test_not_null_columns_counts_the_null_cells_of_each_listed_column(
    sample_copy: SampleCopy,
) -> None:
    """The model-level generic test that replaces per-column `not_null` tests fails with the
    number of null cells across its columns, and names the columns that hold them."""
    connection = duckdb.connect(str(sample_copy.work / "warehouse.duckdb"))
    try:
        connection.execute("update runs set pattern_name = null where rowid < 2")
        connection.execute("update runs set run_type = null where rowid = 5")
    finally:
        connection.close()
    result = sample_copy.build(
        ["test", "--select", "test_name:not_null_columns,runs", "--store-failures"]
    )
    assert result.returncode == 1, result.output[-3000:]
    [outcome] = [
        r
        for r in result.run_results()
        if str(r["unique_id"]).startswith("test.dr_ingest.not_null_columns_runs_")
    ]
    assert (outcome["status"], outcome["failures"]) == ("fail", 3)
    failed = result.query(f"select column_name, null_rows from {outcome['relation_name']}")
    assert sorted(failed) == [("pattern_name", 2), ("run_type", 1)]
