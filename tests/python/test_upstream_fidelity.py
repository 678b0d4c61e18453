"""Fidelity on the real upstream slices in ../shared/fixtures/upstream_dr_ingest/."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import DbtResult

MATCHED = "250912-172812_match_150M_c4_finetune_100Mtx1_DD-d17-530M-6250-2"
DPO = (
    "2025_08_27-07_52_26_test_dpo_tune_cache_dd__dolma1_7-4M__main__100Mt_lr=5e-06"
    "_default_--learning_rate=2e-07"
)
UNITS = {"K": 10**3, "M": 10**6, "B": 10**9, "G": 10**9, "T": 10**12}


def tokens(text: str) -> int:
    """Independent reading of SPEC §4's token rule, for the expected values."""
    match = re.fullmatch(r"(\d+)([KMBGT])t?", text, flags=re.IGNORECASE)
    assert match, text
    return int(match.group(1)) * UNITS[match.group(2).upper()]


# upstream_build (conftest): one `dbt build` of the upstream slices, shared with
# test_history_pretrain_matched; the run models read only wandb_runs_sample.parquet.


def normalized(build: DbtResult) -> dict[str, dict[str, object]]:
    import duckdb

    connection = duckdb.connect(str(build.db_path), read_only=True)
    try:
        relation = connection.sql("select * from intermediate.int_runs__normalized")
        rows = relation.fetchall()
        return {row[0]: dict(zip(relation.columns, row, strict=True)) for row in rows}
    finally:
        connection.close()


def test_six_runs_classified_as_upstream_says(
    upstream_build: DbtResult, upstream_dir: Path
) -> None:
    expected = json.loads((upstream_dir / "expected_classification.json").read_text())
    runs = normalized(upstream_build)
    assert len(runs) == 6 == len(expected)
    for item in expected:
        row = runs[item["run_id"]]
        assert row["run_type"] == item["run_type"], item["run_id"]
        if item["run_type"] == "old":
            continue
        assert row["run_timestamp_text"] == item["timestamp"]
        assert row["exp_name"] == item["exp_name"]
        assert row["ckpt_data_raw"] == item["initial_checkpoint_recipe"]
        assert row["ckpt_params"] == item["initial_checkpoint_size"]
        assert row["ckpt_steps"] == item.get("initial_checkpoint_steps", "main")
        if "lr" in item:
            assert row["lr"] == pytest.approx(float(item["lr"]))
        if "lr1" in item:
            assert row["lr1"] == pytest.approx(float(item["lr1"]))
            assert row["lr2"] == pytest.approx(float(item["lr2"]))
        if "num_finetune_tokens_per_epoch" in item:
            per_epoch = tokens(item["num_finetune_tokens_per_epoch"])
            assert row["num_finetune_tokens_per_epoch"] == per_epoch
            assert row["num_finetune_epochs"] == int(item["num_finetune_epochs"])
        if "num_finetune_tokens" in item:
            assert row["num_finetune_tokens"] == tokens(item["num_finetune_tokens"])
        if "seed" in item:
            # upstream's `seed` is the checkpoint's pretraining seed (SPEC §4: ckpt_seed)
            assert row["ckpt_seed"] == int(item["seed"])
        if "comparison_model_size" in item:
            assert row["comparison_model_size"] == item["comparison_model_size"]


def test_matched_run_normalised(upstream_build: DbtResult) -> None:
    row = normalized(upstream_build)[MATCHED]
    assert row["comparison_metric"] == "c4_en-valppl"
    assert row["comparison_model_recipe"] == "Dolma1.7"
    assert row["ckpt_data"] == "Dolma1.7"
    assert row["num_finetune_tokens"] == 100_000_000
    assert row["num_finetuned_tokens_real"] == 91_330_008
    assert row["abs_difference_ft_tokens_pct"] == pytest.approx(8.669992, abs=1e-9)
    assert row["lr"] == pytest.approx(5e-06)
    assert row["finetune_seed"] == 8
    assert row["ckpt_seed"] == 2


def test_dpo_run_planned_tokens(upstream_build: DbtResult) -> None:
    row = normalized(upstream_build)[DPO]
    assert row["num_finetune_tokens"] == 100_000_000
    assert row["num_finetuned_tokens_real"] is None


def test_int_vs_string_model_size(upstream_build: DbtResult) -> None:
    sizes = dict(upstream_build.query("select run_id, model_size from runs"))
    assert sizes[MATCHED] == 530_100_000  # a string in that run's config
    assert all(isinstance(value, int) for value in sizes.values())


def test_run_configs_are_the_real_exports_configs(
    upstream_build: DbtResult, upstream_dir: Path
) -> None:
    """The real configs are not stored: run_configs reads each from the real export again."""
    import duckdb

    exported = {
        run_id: json.loads(config)
        for run_id, config in duckdb.sql(
            f"select run_id, config from '{upstream_dir / 'wandb_runs_sample.parquet'}'"
        ).fetchall()
    }
    viewed = {
        run_id: json.loads(str(config))
        for run_id, config in upstream_build.query("select run_id, config from run_configs")
    }
    assert len(exported) == 6
    assert viewed == exported


def summary_eval_keys(upstream_dir: Path) -> dict[tuple[str, str], float]:
    """(run_id, key) -> value for every finite numeric evaluation key of the real summaries."""
    import math

    import duckdb

    rows = duckdb.sql(
        f"select run_id, summary from '{upstream_dir / 'wandb_runs_sample.parquet'}'"
    ).fetchall()
    found: dict[tuple[str, str], float] = {}
    for run_id, summary in rows:
        for key, value in json.loads(summary).items():
            numeric = isinstance(value, int | float) and not isinstance(value, bool)
            wanted = re.fullmatch(r"oe_eval_metrics/[^/]+/[^/]+", key) or re.fullmatch(
                r"eval/.+-validation/Perplexity", key
            )
            if wanted and numeric and math.isfinite(value):
                found[(run_id, key)] = float(value)
    return found


def expected_label(key: str) -> str:
    """Independent reading of the label rule: `<set>-valppl`, else `<base task>_<metric>`."""
    perplexity = re.fullmatch(r"eval/(.+)-validation/Perplexity", key)
    if perplexity:
        return f"{perplexity.group(1)}-valppl"
    _, task, metric = key.split("/")
    return f"{task.split(':')[0]}_{metric}"


def test_every_summary_eval_key_labelled(upstream_build: DbtResult, upstream_dir: Path) -> None:
    keys = summary_eval_keys(upstream_dir)
    rows = upstream_build.query(
        "select run_id, summary_key, value, metric_label from run_eval_metrics"
    )
    assert len(keys) == 1432
    assert len(rows) == 1432
    assert sum(label is not None for *_, label in rows) == 1432
    for run_id, key, value, label in rows:
        assert keys[(run_id, key)] == pytest.approx(value), key
        assert label == expected_label(key), key
    aggregate = {key for _, key, _, _ in rows if ":" in key}
    assert "oe_eval_metrics/core_9mcqa:rc::olmes:full/acc_raw_micro" in aggregate
    assert any(key.endswith("/predicted_index_raw") for _, key, _, _ in rows)
    assert any(key.endswith("/correct_logit_per_token") for _, key, _, _ in rows)
