"""A tiny run of the benchmark, so that it does not rot (figures are not asserted).

The generated runs are real-shaped (scripts/real_shaped.py, derived from ../shared's real
records), as the benchmark's default."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from conftest import BIN, REPO


def test_benchmark_smoke(tmp_path: Path, upstream_dir: Path) -> None:
    report_path = tmp_path / "report.json"
    completed = subprocess.run(
        [
            str(BIN / "python"),
            str(REPO / "scripts" / "benchmark.py"),
            "--runs",
            "30",
            "--history-steps",
            "5",
            "--qa-questions",
            "200",
            "--work",
            str(tmp_path / "work"),
            "--output",
            str(report_path),
            "--upstream",
            str(upstream_dir),
            "--fixed-repeats",
            "1",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    report = json.loads(report_path.read_text())
    assert report["fixed"]["returncode"] == 0
    assert report["fixed"]["repeat_walls"] == [report["fixed"]["wall_seconds"]]
    (scale,) = report["scales"]
    assert scale["inputs"]["runs"] == 30 + 27
    # the 30 generated runs are real-shaped, in every layout, with history
    assert scale["inputs"]["generator"] == "real_shaped"
    shaped = scale["inputs"]["real_shaped"]
    assert (shaped["layout_a"], shaped["layout_b"], shaped["layout_c"]) == (10, 10, 10)
    # records of real size (120-200 KB each; layout C has no system_attrs)
    assert shaped["files"]["wandb/wandb_runs_real_a.jsonl"] > 10 * 100_000
    assert shaped["history_flat_rows"] > 0 and shaped["history_exporter_rows"] > 0
    assert scale["inputs"]["scaled_history_rows"] == (
        shaped["history_flat_rows"] + shaped["history_exporter_rows"]
    )
    assert scale["build"]["rows"]["runs"] == 57
    # run_configs finds every run's config in its export file again (A, B and C alike): the
    # real configs are 22-33 KB each; one hand-made sample run has none
    configs = scale["run_configs_read"]
    assert configs["rows"] == 57 and configs["config_mb"] > 30 * 0.022
    # QA: one real-shaped recipe tarball (scripts/qa_real_shaped.py), the only QA input
    qa = scale["qa"]
    generated = scale["inputs"]["qa_real_shaped"]
    assert generated["layout"] == "nested"
    assert generated["archives"] == 1 and generated["step_archives"] == 1
    assert qa["questions"] == generated["questions"] >= 190
    assert scale["build"]["rows"]["qa_instances"] == qa["questions"]
    assert scale["build"]["rows"]["qa_choices"] > 2 * qa["questions"]
    assert qa["work_folder_mb_after"] == 0.0  # nothing extracted is left behind
    assert qa["archive_mb"] > 0 and qa["questions_per_second"] > 0
    # the QA floor: inflating, and DuckDB parsing the same predictions; the ratio is to both
    floor = scale["floor_seconds"]
    assert floor["qa_inflate"] > 0 and floor["qa_read_json"] > 0
    assert floor["qa_total"] == round(floor["qa_inflate"] + floor["qa_read_json"], 2)
    assert qa["ratio_marginal_to_floor"] == round(scale["marginal_seconds"] / floor["qa_total"], 2)
    assert scale["build"]["model_seconds"]["runs"] >= 0
    assert scale["build"]["peak_rss_mib"] > 0
    # dbt's own account of the build is read: time inside the run, models and tests summed
    assert 0 < scale["build"]["run_seconds"] <= scale["build"]["wall_seconds"]
    assert scale["build"]["models_total_seconds"] > 0
    assert scale["build"]["tests_total_seconds"] > 0
    assert set(scale["floor_seconds"]) >= {
        "runs_jsonl",
        "runs_parquet",
        "history_parquet",
        "history_exporter",
        "qa_inflate",
        "total",
    }
    incremental = scale["incremental"]
    assert (
        incremental["history_rows_after"]
        == scale["build"]["rows"]["history"] + (incremental["history_rows_added"])
    )
    assert "| runs | history rows |" in completed.stdout
