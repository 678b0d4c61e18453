"""Data roots: each export layout alone builds; a missing root is a one-line error."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import REPO, RunDbt

SAMPLE_WANDB = REPO / "sample_data" / "wandb"


@pytest.mark.parametrize(
    ("layout_files", "expected_runs", "expected_layout"),
    [
        (["wandb_runs_2025_09.jsonl"], 19, "runs_jsonl"),
        (["wandb_runs_2025_10.parquet"], 5, "runs_parquet"),
        (["exporter_2025_11"], 4, "exporter_jsonl"),
    ],
)
def test_a_root_with_only_one_run_export_layout_builds(
    run_dbt: RunDbt,
    data_root: Path,
    layout_files: list[str],
    expected_runs: int,
    expected_layout: str,
) -> None:
    for name in layout_files:
        source = SAMPLE_WANDB / name
        if source.is_dir():
            shutil.copytree(source, data_root / "wandb" / name)
        else:
            shutil.copy(source, data_root / "wandb" / name)
    result = run_dbt(["build"], data_root)
    assert result.returncode == 0, result.output[-5000:]
    assert result.query("select count(*) from runs") == [(expected_runs,)]
    assert result.query("select distinct export_layout from runs") == [(expected_layout,)]
    # the sources with no files were built empty, and the log says so
    assert "run_export_parquet is empty" in result.output or expected_layout == "runs_parquet"


def test_missing_data_root_is_one_clear_line(run_dbt: RunDbt, tmp_path: Path) -> None:
    result = run_dbt(["build"], tmp_path / "does-not-exist")
    assert result.returncode != 0
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if "DR_INGEST_DATA_DIR" in line]
    assert len(lines) == 1, result.output[-3000:]
    assert "does-not-exist" in lines[0]
