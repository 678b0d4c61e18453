"""Benchmark dr_ingest: scaled inputs, `dbt build` timings, peak memory, and the DuckDB floor.

For each scale it generates a data folder (deterministic: the sample's hand-made cases, pretraining
data and QA from scripts/generate_sample_data.py, plus N real-shaped runs and their history from
scripts/real_shaped.py, each derived from one of the six real records of the real fixtures
beside the repository; `--synthetic`
uses the old synthetic generator for the N runs instead), builds it into a fresh warehouse and
reports:

- the wall time of the whole `dbt build` and of each model (dbt's run_results.json);
- rows per second of the big tables; peak resident memory of the build process;
- the floor: DuckDB alone, in the same run, scanning the same raw files and pulling the same
  fields the staging layer extracts; and the ratio (build - fixed cost) / floor, where the
  fixed cost is the same build on the tiny shipped sample;
- optionally an incremental re-run after adding 1 % new history rows;
- QA: `--qa-questions N` adds one real-shaped recipe tarball of N questions
  (scripts/qa_real_shaped.py, nested like the published `models/<recipe>.tar.gz`), or
  `--qa-dir DIR` links a QA root generated beforehand; reported: questions/s beyond the fixed
  cost, the QA floor (scripts/qa_floor.py: inflating every archive and member, plus DuckDB's
  JSON reader parsing every predictions file; what any loader must spend), the ratio of the
  marginal build to it, and the QA work folder's size after the build against the archives'
  size.

Usage (see README "Benchmark"):
    uv run python scripts/benchmark.py --runs 10000 --history-steps 100
    uv run python scripts/benchmark.py --runs 1000,10000,50000 --history-steps 0 --no-incremental
    uv run python scripts/benchmark.py --runs 0 --qa-questions 2000000 --no-incremental
    uv run python scripts/benchmark.py --runs 0 --qa-dir /data/qa_20m --no-incremental
    uv run python scripts/benchmark.py --runs 10000 --synthetic     # the old synthetic runs
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import qa_floor
import yaml

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
# stg_wandb__runs_parquet's search for the run's tags in system_attrs
TAGS_PATTERN = r'"tags": ?(\[[^\]]*\])'
BIG_TABLES = ("runs", "history", "run_eval_metrics", "qa_instances", "qa_choices")
QUESTIONS_PER_STEP = 37_000  # a whole step of the real recipe tarballs (66 tasks)

# Runs the build in a child and reports the child's peak RSS (KiB), so each build is
# measured on its own.
MEASURE = (
    "import resource, subprocess, sys, json; "
    "completed = subprocess.run(sys.argv[1:]); "
    "print(json.dumps({'rc': completed.returncode, "
    "'max_rss_kib': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))"
)


@dataclass
class Build:
    """One measured `dbt build`."""

    label: str
    wall_seconds: float
    peak_rss_mib: float
    returncode: int
    model_seconds: dict[str, float] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    # dbt's own account (run_results.json): time inside the run, and the summed execution
    # time of models and of data/unit tests; wall - run = start-up (imports, manifest)
    run_seconds: float = 0.0
    models_total_seconds: float = 0.0
    tests_total_seconds: float = 0.0
    # the fixed cost's builds (fixed_cost): every repeat's wall time
    repeat_walls: list[float] = field(default_factory=list)


def run_json(command: list[str]) -> dict[str, Any]:
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise SystemExit(completed.stderr.strip() or f"failed: {command}")
    return dict(json.loads(completed.stdout.strip().splitlines()[-1]))


def generate(
    out: Path,
    runs: int,
    history_steps: int,
    qa_questions: int,
    synthetic: bool = False,
    upstream: Path | None = None,
    layouts: str = "A,B,C",
    qa_dir: Path | None = None,
) -> dict[str, Any]:
    """The tiny sample's hand-made cases, pretraining data and QA (generate_sample_data.py),
    plus `runs` generated runs with `history_steps` steps each: real-shaped by default
    (real_shaped.py, every run derived from a real record), synthetic with `synthetic`."""
    started = time.perf_counter()
    sample = [
        str(BIN / "python"),
        str(REPO / "scripts" / "generate_sample_data.py"),
        "--out",
        str(out),
        "--extra-runs",
        str(runs if synthetic else 0),
        "--history-steps",
        str(history_steps),
        "--qa-questions",
        "0",
    ]
    counts = run_json(sample)
    qa_summary = generate_qa(out / "qa" / "bench", qa_questions, qa_dir)
    if qa_summary:
        counts["qa_real_shaped"] = qa_summary
        counts["qa_questions"] = qa_summary["questions"]
        counts["qa_archive_bytes"] = sum(p.stat().st_size for p in archives_below(out / "qa"))
    counts["generator"] = "synthetic" if synthetic else "real_shaped"
    if not synthetic:
        real = [
            str(BIN / "python"),
            str(REPO / "scripts" / "real_shaped.py"),
            "--out",
            str(out),
            "--runs",
            str(runs),
            "--history-steps",
            str(history_steps),
            "--layouts",
            layouts,
            *(["--upstream", str(upstream)] if upstream else []),
        ]
        shaped = run_json(real)
        counts["real_shaped"] = shaped
        counts["runs"] += shaped["runs"]
        counts["scaled_history_rows"] = shaped["scaled_history_rows"]
    counts["generate_seconds"] = round(time.perf_counter() - started, 1)
    counts["bytes"] = sum(p.stat().st_size for p in files_below(out))
    return counts


def generate_qa(bench: Path, questions: int, qa_dir: Path | None) -> dict[str, Any] | None:
    """One real-shaped recipe tarball of `questions` (recipe c4, not in the sample), or a
    link to a QA root generated beforehand; its generator summary."""
    if questions:
        steps = max(1, round(questions / QUESTIONS_PER_STEP))
        command = [
            str(BIN / "python"),
            str(REPO / "scripts" / "qa_real_shaped.py"),
            "--out",
            str(bench),
            "--questions",
            str(questions),
            "--steps",
            str(steps),
            "--recipes",
            "c4",
        ]
        run_json(command)
        return dict(json.loads((bench / "qa_real_shaped.json").read_text()))
    if qa_dir is not None:
        bench.parent.mkdir(parents=True, exist_ok=True)
        bench.symlink_to(qa_dir.resolve(), target_is_directory=True)
        return dict(json.loads((qa_dir / "qa_real_shaped.json").read_text()))
    return None


def files_below(root: Path) -> list[Path]:
    """Every file below root, following symlinked folders (a linked QA root)."""
    found = []
    for folder, _, names in os.walk(root, followlinks=True):
        found.extend(Path(folder) / name for name in names)
    return [path for path in found if path.is_file()]


def archives_below(root: Path) -> list[Path]:
    return [path for path in files_below(root) if path.name.endswith((".tar.gz", ".tgz"))]


def dbt_build(
    label: str, data_dir: Path, db_path: Path, work: Path, target: Path | None = None
) -> Build:
    """`dbt build` in a child process; wall time, peak RSS, per-model times, row counts.

    The project is parsed into the target folder first (not timed), as it is on any machine
    where dbt has run before: the build then reads dbt's partial-parse file, and its wall
    time is that of a researcher's re-run, not of a first parse. The parse runs every time
    (a target folder left by an earlier run holds a parse of other code)."""
    env = dict(os.environ)
    env.update(
        DR_INGEST_DATA_DIR=str(data_dir),
        DR_INGEST_DB=str(db_path),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    target = target or work / f"target_{label}"
    subprocess.run(
        [str(BIN / "dbt"), "parse", "--target-path", str(target), "--log-path", str(work)],
        cwd=REPO,
        env=env,
        capture_output=True,
        check=True,
    )
    command = [
        str(BIN / "python"),
        "-c",
        MEASURE,
        str(BIN / "dbt"),
        "build",
        "--exclude-resource-type",  # as README's build on real data: unit tests need no data
        "unit_test",
        "--target-path",
        str(target),
        "--log-path",
        str(work / "logs"),
    ]
    started = time.perf_counter()
    completed = subprocess.run(
        command, cwd=REPO, env=env, capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - started
    measured = json.loads(completed.stdout.strip().splitlines()[-1])
    build = Build(label, round(wall, 2), round(measured["max_rss_kib"] / 1024, 1), measured["rc"])
    if build.returncode != 0:
        print(completed.stdout[-4000:], completed.stderr[-2000:], file=sys.stderr)
        return build
    run_results = json.loads((target / "run_results.json").read_text())
    build.run_seconds = round(run_results["elapsed_time"], 2)
    for result in run_results["results"]:
        unique_id = str(result["unique_id"])
        seconds = float(result["execution_time"])
        if unique_id.startswith("model."):
            build.model_seconds[unique_id.split(".")[-1]] = round(seconds, 2)
            build.models_total_seconds += seconds
        elif unique_id.startswith(("test.", "unit_test.")):
            build.tests_total_seconds += seconds
    build.models_total_seconds = round(build.models_total_seconds, 2)
    build.tests_total_seconds = round(build.tests_total_seconds, 2)
    connection = duckdb.connect(str(db_path), read_only=True)
    try:
        for table in BIG_TABLES:
            build.rows[table] = connection.sql(f"select count(*) from main.{table}").fetchone()[0]
    finally:
        connection.close()
    return build


def flat_history(wandb: Path) -> Path:
    """The generated runs' flat history: real-shaped, else synthetic."""
    real = wandb / "wandb_history_real.parquet"
    return real if real.exists() else wandb / "wandb_history_scaled.parquet"


def floor_queries(data_dir: Path) -> dict[str, str]:
    """The raw-file scans the staging layer performs, written for DuckDB alone."""
    wandb = data_dir / "wandb"
    exporter_history = wandb / "exporter_real" / "history.jsonl"
    lines = (
        "read_csv('{glob}', columns = {{'line': 'VARCHAR'}}, delim = chr(1), quote = '',"
        " escape = '', header = false, auto_detect = false, strict_mode = false,"
        " max_line_size = 16777216, filename = true)"
    )
    project = yaml.safe_load((REPO / "dbt_project.yml").read_text())["vars"]
    keys = list(project["run_config_fields"].values())
    summary_keys = list(project["run_summary_fields"].values())
    # Every path the staging layer's json_extract pulls from a run export line
    # (macro run_export_line_specs: layouts A and C).
    line_paths = [
        path
        for pair in (
            ("$.run_id", "$.run.run_id"), ("$.run_name", "$.run.name"), ("$.run.display_name",),
            ("$.state", "$.run.state"), ("$.project", "$.run.project"),
            ("$.entity", "$.run.entity"), ("$.created_at", "$.run.created_at"),
            ("$.run.updated_at",), ("$.exported_at",), ("$.run.tags", "$.system_attrs.tags"),
            ("$.run.group",), ("$.run.job_type",), ("$.run.sweep_name",),
            ("$.config", "$.run.config"), ("$.summary", "$.run.summary_metrics"),
            ("$.wandb_metadata", "$.run.metadata"), ("$.system_metrics", "$.run.system_metrics"),
            ("$.system_attrs", "$.run.system_attrs"), ("$.sweep_info", "$.run.sweep_info"),
        )
        for path in pair
    ]  # fmt: skip
    line_paths += [f'$.config."{k}"' for k in keys] + [f'$.run.config."{k}"' for k in keys]
    line_paths += [f'$.summary."{k}"' for k in summary_keys]
    line_paths += [f'$.run.summary_metrics."{k}"' for k in summary_keys]
    config_paths = [f'$."{k}"' for k in keys]
    summary_paths = [f'$."{k}"' for k in summary_keys]
    summary_map = "cardinality(try(from_json({s}, '\"MAP(VARCHAR, DOUBLE)\"')))"
    summary_at = line_paths.index("$.summary") + 1
    entry = " ".join(project["history_entry_json_type"].split())
    queries = {
        "runs_jsonl": f"""
            select count(*), count(f[1]),
                   sum({summary_map.format(s=f"coalesce(f[{summary_at}], f[{summary_at + 1}])")})
            from (select try(json_extract(line, {line_paths})) as f
                  from {lines.format(glob=wandb / "**/*runs*.jsonl")})
        """,
        # one scan of the Parquet exports for every field staging takes from them: the config
        # paths, the summary's paths and numeric map, and the tags (in system_attrs, found as
        # stg_wandb__runs_parquet finds them; layout A's line paths above include them too)
        "runs_parquet": f"""
            select count(*), count(c[1]), count(s[1]), sum({summary_map.format(s="summary")}),
                   count(tags)
            from (select summary, try(json_extract(config, {config_paths})) as c,
                         try(json_extract(summary, {summary_paths})) as s,
                         regexp_extract(system_attrs, '{TAGS_PATTERN}', 1) as tags
                  from read_parquet('{wandb / "**/*runs*.parquet"}', union_by_name = true))
        """,
        "history_parquet": f"""
            select count(*), count(columns(*))
            from read_parquet('{flat_history(wandb)}')
        """,
        "history_jsonl": f"""
            select count(*), sum(try_cast(e.metrics ->> '$.train_loss' as double))
            from (select unnest(try(from_json(line, '[{entry}]'))) as e
                  from {lines.format(glob=wandb / "wandb_history_scaled.jsonl")})
        """,
        "history_exporter": f"""
            select count(*), sum(try_cast(e.metrics ->> '$.train_loss' as double))
            from (select try(from_json(line, '{entry}')) as e
                  from {lines.format(glob=exporter_history)})
        """,
    }
    available = {
        "runs_jsonl": any(wandb.rglob("*runs*.jsonl")),
        "runs_parquet": any(wandb.rglob("*runs*.parquet")),
        "history_parquet": flat_history(wandb).exists(),
        "history_jsonl": (wandb / "wandb_history_scaled.jsonl").exists(),
        "history_exporter": exporter_history.exists(),
    }
    return {name: sql for name, sql in queries.items() if available[name]}


def measure_floor(data_dir: Path, memory_limit: str, threads: int) -> dict[str, float]:
    connection = duckdb.connect(config={"memory_limit": memory_limit, "threads": threads})
    connection.execute("set enable_progress_bar = false")
    timings: dict[str, float] = {}
    for name, sql in floor_queries(data_dir).items():
        started = time.perf_counter()
        connection.sql(sql).fetchall()
        timings[name] = round(time.perf_counter() - started, 2)
    connection.close()
    timings["total"] = round(sum(timings.values()), 2)
    if (data_dir / "qa" / "bench").exists():
        qa = qa_floor.measure(data_dir / "qa", data_dir / "qa_floor", memory_limit, threads)
        timings.update(qa)
        timings["total"] = round(timings["total"] + qa["qa_total"], 2)
    return timings


def read_run_configs(db_path: Path, memory_limit: str, threads: int) -> dict[str, Any]:
    """Reading the whole `run_configs` view once after the build: the config text is not
    stored, so the view reads it from the export files (what a researcher's query costs)."""
    connection = duckdb.connect(
        str(db_path), read_only=True, config={"memory_limit": memory_limit, "threads": threads}
    )
    try:
        connection.execute("set enable_progress_bar = false")
        started = time.perf_counter()
        rows, text_bytes = connection.sql(
            "select count(*), coalesce(sum(length(config)), 0) from run_configs"
        ).fetchone() or (0, 0)
        seconds = time.perf_counter() - started
    finally:
        connection.close()
    return {"seconds": round(seconds, 2), "rows": rows, "config_mb": round(text_bytes / 1e6, 1)}


def add_history_increment(data_dir: Path, fraction: float) -> int:
    """A new history export with `fraction` more rows: new steps for existing runs."""
    scaled = flat_history(data_dir / "wandb")
    connection = duckdb.connect()
    total = connection.sql(f"select count(*) from '{scaled}'").fetchone()[0]
    wanted = max(1, int(total * fraction))
    target = data_dir / "wandb" / "wandb_history_increment.parquet"
    connection.execute(
        f"""
        copy (
            with last as (select run_id, max(step) as step from '{scaled}' group by run_id)
            select run_id, step + 10 * k as step, 1758100000.0 + k as timestamp,
                   1.0 * k as runtime, 1.0 as train_loss, 0.0 as learning_rate,
                   null::bigint as total_tokens, 9000 as per_device_tps
            from last, range(1, 1 + ceil({wanted} / (select count(*) from last))::bigint) as r(k)
            order by run_id, step
            limit {wanted}
        ) to '{target}' (format parquet)
        """
    )
    connection.close()
    return wanted


def run_scale(args: argparse.Namespace, runs: int, work: Path, fixed: Build) -> dict[str, Any]:
    data_dir = work / f"data_{runs}"
    if data_dir.exists():
        shutil.rmtree(data_dir)
    counts = generate(
        data_dir,
        runs,
        args.history_steps,
        args.qa_questions,
        args.synthetic,
        args.upstream,
        args.layouts,
        args.qa_dir,
    )
    db_path = work / f"bench_{runs}.duckdb"
    for stale in work.glob(f"bench_{runs}.duckdb*"):
        shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
    full = dbt_build(f"full_{runs}", data_dir, db_path, work)
    floor = measure_floor(data_dir, args.memory_limit, args.threads)
    configs = (
        read_run_configs(db_path, args.memory_limit, args.threads) if full.returncode == 0 else None
    )
    marginal = max(full.wall_seconds - fixed.wall_seconds, 0.0)
    qa_work = Path(str(db_path) + ".qa")
    result: dict[str, Any] = {
        "runs": runs,
        "inputs": counts,
        "build": asdict(full),
        "floor_seconds": floor,
        "run_configs_read": configs,
        "marginal_seconds": round(marginal, 2),
        "ratio_marginal_to_floor": round(marginal / floor["total"], 2) if floor["total"] else None,
        "seconds_per_1k_runs": round(1000 * marginal / max(counts["runs"], 1), 3),
        "rows_per_second": {
            table: round(rows / max(marginal, 1e-9)) for table, rows in full.rows.items() if rows
        },
    }
    if counts.get("qa_questions"):
        result["qa"] = {
            "questions": counts["qa_questions"],
            "questions_per_second": round(counts["qa_questions"] / max(marginal, 1e-9)),
            "hook_seconds": full.model_seconds.get("load_qa__archives"),
            "ratio_marginal_to_floor": round(marginal / floor["qa_total"], 2)
            if floor.get("qa_total")
            else None,
            "archive_mb": round(counts["qa_archive_bytes"] / 1e6, 1),
            "work_folder_mb_after": round(
                sum(p.stat().st_size for p in files_below(qa_work)) / 1e6, 3
            ),
            "warehouse_mb": round(db_path.stat().st_size / 1e6, 1),
        }
    # the increment is a flat Parquet history file beside the generated one (layout C keeps
    # its history in the exporter folder: no increment there)
    if args.incremental and flat_history(data_dir / "wandb").exists():
        added = add_history_increment(data_dir, 0.01)
        again = dbt_build(
            f"incremental_{runs}", data_dir, db_path, work, target=work / f"target_full_{runs}"
        )
        result["incremental"] = {
            "history_rows_added": added,
            "build": asdict(again),
            "history_rows_after": again.rows.get("history"),
            "share_of_full_build": round(again.wall_seconds / full.wall_seconds, 3),
            "share_of_full_marginal": round(
                max(again.wall_seconds - fixed.wall_seconds, 0.0) / max(marginal, 1e-9), 3
            ),
        }
    if not args.keep_data:
        shutil.rmtree(data_dir, ignore_errors=True)
    return result


def markdown(report: dict[str, Any]) -> str:
    fixed = report["fixed"]
    lines = [
        f"Machine: {report['machine']}; date {report['date']}; DuckDB memory_limit "
        f"{report['memory_limit']}, threads {report['threads']}.",
        f"Fixed cost (tiny sample, median of {fixed['repeat_walls']} s): "
        f"{fixed['wall_seconds']} s (dbt start-up "
        f"{round(fixed['wall_seconds'] - fixed['run_seconds'], 1)} s, models Σ "
        f"{fixed['models_total_seconds']} s, tests Σ {fixed['tests_total_seconds']} s), "
        f"peak {fixed['peak_rss_mib']} MiB.",
        "",
        "| runs | history rows | QA questions | input MB | build s | marginal s | floor s "
        "| marginal/floor | s per 1k runs | peak MiB | start-up / models Σ / tests Σ s "
        "| incremental (1 % history) | run_configs read s |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for scale in report["scales"]:
        inputs, build = scale["inputs"], scale["build"]
        incremental = scale.get("incremental")
        inc = (
            f"{incremental['build']['wall_seconds']} s = "
            f"{round(100 * incremental['share_of_full_build'], 1)} % of full"
            if incremental
            else "-"
        )
        lines.append(
            f"| {inputs['runs']} | {inputs.get('scaled_history_rows', 0)} "
            f"| {inputs.get('qa_questions', 0)} | {round(inputs['bytes'] / 1e6)} "
            f"| {build['wall_seconds']} | {scale['marginal_seconds']} "
            f"| {scale['floor_seconds']['total']} | {scale['ratio_marginal_to_floor']} "
            f"| {scale['seconds_per_1k_runs']} | {build['peak_rss_mib']} "
            f"| {round(build['wall_seconds'] - build['run_seconds'], 1)} / "
            f"{build['models_total_seconds']} / {build['tests_total_seconds']} | {inc} "
            f"| {(scale.get('run_configs_read') or {}).get('seconds', '-')} |"
        )
    qa_scales = [scale for scale in report["scales"] if scale.get("qa")]
    if qa_scales:
        lines += [
            "",
            "| QA questions | archives MB | build s | marginal s | questions/s | hook s "
            "| floor s (inflate + read JSON) | marginal / floor | peak MiB "
            "| work folder MB after | warehouse MB |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
        ]
    for scale in qa_scales:
        qa, build, floor = scale["qa"], scale["build"], scale["floor_seconds"]
        lines.append(
            f"| {qa['questions']} | {qa['archive_mb']} | {build['wall_seconds']} "
            f"| {scale['marginal_seconds']} | {qa['questions_per_second']} "
            f"| {qa['hook_seconds']} | {floor.get('qa_total')} ({floor.get('qa_inflate')} + "
            f"{floor.get('qa_read_json')}) | {qa['ratio_marginal_to_floor']} "
            f"| {build['peak_rss_mib']} | {qa['work_folder_mb_after']} | {qa['warehouse_mb']} |"
        )
    return "\n".join(lines)


def fixed_cost(work: Path, repeats: int) -> Build:
    """The tiny sample built `repeats` times into a fresh warehouse; the build of median wall
    time is the fixed cost (on a shared machine one build's fixed cost varies by 50 %)."""
    builds = []
    for _ in range(max(repeats, 1)):
        for stale in work.glob("fixed.duckdb*"):
            shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
        builds.append(dbt_build("fixed", REPO / "sample_data", work / "fixed.duckdb", work))
    failed = [build for build in builds if build.returncode != 0]
    ordered = sorted(builds, key=lambda build: build.wall_seconds)
    chosen = failed[0] if failed else ordered[len(ordered) // 2]
    chosen.repeat_walls = [build.wall_seconds for build in builds]
    return chosen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", default="10000", help="comma list of generated run counts")
    parser.add_argument("--history-steps", type=int, default=100, help="steps per run")
    parser.add_argument(
        "--qa-questions", type=int, default=0, help="a real-shaped recipe tarball of N questions"
    )
    parser.add_argument(
        "--qa-dir", type=Path, help="a QA root made by scripts/qa_real_shaped.py, linked in"
    )
    parser.add_argument("--work", type=Path, default=REPO / "bench_data")
    parser.add_argument("--incremental", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--keep-data", action="store_true")
    parser.add_argument(
        "--fixed-repeats", type=int, default=3, help="builds of the tiny sample (median is used)"
    )
    parser.add_argument("--output", type=Path, help="write the JSON report here")
    parser.add_argument(
        "--synthetic",
        action="store_true",
        help="generated runs from the old synthetic generator instead of real-shaped ones",
    )
    parser.add_argument(
        "--upstream",
        type=Path,
        help="the real records for real_shaped.py (default: the fixtures beside the repository)",
    )
    parser.add_argument(
        "--layouts",
        default="A,B,C",
        help="run export layouts of the real-shaped runs (A JSONL, B Parquet, C exporter)",
    )
    args = parser.parse_args(argv)
    args.memory_limit = os.environ.get("DR_INGEST_MEMORY_LIMIT", "3200MB")
    args.threads = int(os.environ.get("DR_INGEST_THREADS", "2"))
    args.work.mkdir(parents=True, exist_ok=True)
    fixed = fixed_cost(args.work, args.fixed_repeats)
    report: dict[str, Any] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()}",
        "date": date.today().isoformat(),
        "memory_limit": args.memory_limit,
        "threads": args.threads,
        "fixed": asdict(fixed),
        "scales": [],
    }
    failed = fixed.returncode != 0
    for runs in (int(value) for value in args.runs.split(",")):
        scale = run_scale(args, runs, args.work, fixed)
        report["scales"].append(scale)
        failed = failed or scale["build"]["returncode"] != 0
        print(json.dumps(scale, indent=1), flush=True)
    text = json.dumps(report, indent=1)
    if args.output:
        args.output.write_text(text + "\n")
    print(markdown(report))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
