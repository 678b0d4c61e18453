"""The shipped sample's run records have the composition of real exports (issue 9).

The sample is synthetic (scripts/generate_sample_data.py never reads ../shared), but each of
its records is built like the six real records in ../shared/fixtures/upstream_dr_ingest/:
the same big columns at sizes within the real range, `system_attrs` with the real top-level
keys holding the config, summary and system metrics again, and the exporter's extra keys.
The committed files are what the generator writes. No dbt build is needed.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import duckdb
from conftest import BIN, REPO

SAMPLE = REPO / "sample_data" / "wandb"
RUN_FILES = (
    "wandb_runs_2025_09.jsonl",
    "wandb_runs_2025_10.parquet",
    "exporter_2025_11/runs.jsonl",
)
SIZED = ("config", "summary", "wandb_metadata", "system_metrics", "system_attrs")
TOLERANCE = 0.05


def real_records(upstream_dir: Path) -> list[dict[str, Any]]:
    con = duckdb.connect()
    try:
        relation = con.sql(f"select * from '{upstream_dir / 'wandb_runs_sample.parquet'}'")
        columns = relation.columns
        return [dict(zip(columns, row, strict=True)) for row in relation.fetchall()]
    finally:
        con.close()


def sample_records() -> list[dict[str, Any]]:
    """Every sample record of layouts A and B with its JSON documents as text, as exported."""
    records = []
    for line in (SAMPLE / RUN_FILES[0]).read_text().splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue  # the planted malformed line
        records.append({k: v if isinstance(v, str) else json.dumps(v) for k, v in record.items()})
    con = duckdb.connect()
    try:
        relation = con.sql(f"select * from '{SAMPLE / RUN_FILES[1]}'")
        columns = relation.columns
        records += [dict(zip(columns, row, strict=True)) for row in relation.fetchall()]
    finally:
        con.close()
    return records


def real_range(reals: list[dict[str, Any]], column: str) -> tuple[float, float]:
    sizes = [len(record[column]) for record in reals]
    return min(sizes) * (1 - TOLERANCE), max(sizes) * (1 + TOLERANCE)


def complete(record: dict[str, Any]) -> bool:
    """A record with a config and a summary: the hand-made cases without one are smaller."""
    return all(record[column] not in (None, "null") for column in ("config", "summary"))


def test_column_sizes_within_the_real_range(upstream_dir: Path) -> None:
    reals = real_records(upstream_dir)
    records = sample_records()
    assert len(records) == 24  # 19 lines of layout A (one more is malformed) + 5 of B
    checked = 0
    for record in records:
        for column in SIZED:
            if record[column] in (None, "null") or (
                column == "system_attrs" and not complete(record)
            ):
                continue
            low, high = real_range(reals, column)
            assert low <= len(record[column]) <= high, (record["run_id"], column)
            checked += 1
    assert checked >= 5 * len(records) - 6  # only the no-config / no-summary cases are skipped


def test_system_attrs_hold_the_run_again_like_real_ones(upstream_dir: Path) -> None:
    real_keys = {tuple(json.loads(r["system_attrs"])) for r in real_records(upstream_dir)}
    assert len(real_keys) == 1  # every real record has the same keys in the same order
    for record in sample_records():
        attrs = json.loads(record["system_attrs"])
        assert tuple(attrs) in real_keys, record["run_id"]
        config = json.loads(record["config"]) or {}
        assert attrs["config"] == config
        assert attrs["rawconfig"] == {"_wandb": attrs["rawconfig"]["_wandb"], **config}
        assert attrs["summaryMetrics"] == (json.loads(record["summary"]) or {})
        assert attrs["systemMetrics"] == json.loads(record["system_metrics"])
        assert attrs["name"] == record["run_id"] and attrs["state"] == record["state"]
        assert attrs["tags"][0] == "finetune"
        assert set(attrs["historyKeys"]) == {"keys", "lastStep", "sets"}


def test_metadata_and_system_metrics_have_real_keys(upstream_dir: Path) -> None:
    reals = real_records(upstream_dir)
    real_metadata_keys = set().union(*(json.loads(r["wandb_metadata"]) for r in reals))
    real_metric_keys = set().union(*(json.loads(r["system_metrics"]) for r in reals))
    for record in sample_records():
        metadata = json.loads(record["wandb_metadata"])
        assert set(metadata) <= real_metadata_keys, record["run_id"]
        metrics = json.loads(record["system_metrics"])
        assert all(key.startswith("system.") for key in metrics)
        assert {"system.cpu", "system.disk.in", "system.gpu.0.gpu"} <= set(
            metrics
        ) & real_metric_keys


def test_exporter_records_carry_the_extra_keys() -> None:
    lines = [json.loads(line) for line in (SAMPLE / RUN_FILES[2]).read_text().splitlines()]
    assert len(lines) == 4
    for line in lines:
        run = line["run"]
        assert {"history_keys", "url", "user", "summary_metrics", "metadata", "name"} <= set(run)
        assert run["url"].endswith(f"/runs/{run['run_id']}")
        assert len(json.dumps(run["config"])) >= 22_000


def test_committed_sample_is_the_generator_output(tmp_path: Path) -> None:
    subprocess.run(
        [str(BIN / "python"), "scripts/generate_sample_data.py", "--out", str(tmp_path)],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    for name in (RUN_FILES[0], RUN_FILES[2]):
        assert (tmp_path / "wandb" / name).read_bytes() == (SAMPLE / name).read_bytes(), name
    con = duckdb.connect()
    try:
        query = "select * from '{}' order by run_id, state"
        fresh = con.sql(query.format(tmp_path / "wandb" / RUN_FILES[1])).fetchall()
        assert fresh == con.sql(query.format(SAMPLE / RUN_FILES[1])).fetchall()
    finally:
        con.close()
