"""Benchmark the `lake` target (DuckLake on a PostgreSQL catalog) against the local target.

Reuses scripts/benchmark.py: its real-shaped generators (scripts/real_shaped.py for the runs,
scripts/qa_real_shaped.py for QA, both deriving every record from the real fixtures beside the
repository), its measured `dbt build` (a child process, wall time and peak RSS, the project
parsed first and untimed), its fixed cost (the tiny sample) and its floor (DuckDB alone
scanning the same raw files; inflating every QA archive and member).

Data (generated under --work, or reused when already there):

- QA: `--qa-questions` real-shaped questions (2,000,000 as the main benchmark's QA case) written
  as `--qa-archives` recipe tarballs (nested `qa/bench/models/<recipe>.tar.gz`, the recipes
  chosen so that shards 0/2 and 1/2 own half of them each: a worker loads whole archive
  files). The data root holds only `qa/` (check_data_dir needs any file; nothing else is
  required).
- Runs: `--runs` real-shaped runs (layout B, `--history-steps` 120: ~1 M history rows), plus
  the tiny sample's hand-made cases, as `benchmark.py --runs 10000 --history-steps 120
  --layouts B` builds them.

Measured, one at a time (the two concurrent workers excepted):

- fixed cost: the tiny sample built locally (median of --fixed-repeats) and into a fresh lake;
- floor: the QA inflate floor and the runs' DuckDB scan floor (benchmark.measure_floor);
- QA: (a) local `dbt build`; (b) `dbt build --target lake`, one process; (c) one worker
  (`DR_INGEST_SHARD=0/1 ... --selector load`) then the final lake build; (d) two workers at
  once (`0/2`, `1/2`) then the final lake build;
- runs: local `dbt build` against `dbt build --target lake`.

Every lake build gets a fresh PostgreSQL database (`bench_<stamp>_<case>`, on the server whose
socket folder is --pg-host) and a fresh data folder; every process its own QA work folder and
spill folder. After each lake case the big tables' row counts in the lake are compared with
the local build's.

Usage:
    uv run --frozen python scripts/bench_lake.py --output bench_data/lake/report.json
    uv run --frozen python scripts/bench_lake.py --qa-questions 500000 --runs 2500
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchmark
from qa_real_shaped import RECIPES

from python_hooks import lake
from python_hooks.shards import Shard

REPO = benchmark.REPO
BIN = benchmark.BIN
PG_BIN = Path("/usr/lib/postgresql/15/bin")


@dataclass
class Process:
    """One measured dbt process."""

    label: str
    command: str
    wall_seconds: float
    peak_rss_mib: float
    returncode: int
    started_at: float = 0.0  # seconds since the case began
    run_seconds: float = 0.0
    model_seconds: dict[str, float] = field(default_factory=dict)
    models_total_seconds: float = 0.0
    tests_total_seconds: float = 0.0
    hook_seconds: float | None = None
    log: str = ""


@dataclass
class Case:
    """A build of one data set: its processes, its total wall time, the rows it left."""

    name: str
    target: str
    processes: list[Process]
    wall_seconds: float
    rows: dict[str, int] = field(default_factory=dict)
    catalog: str = ""
    lake_data_mb: float = 0.0
    catalog_mb: float = 0.0
    rows_match_local: bool | None = None
    initialized_first: bool = False  # the lake attached once before the timed stages
    # the local build's tables not in the lake (the QA hook's scratch models)
    absent: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(process.returncode == 0 for process in self.processes)


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def balanced_recipes(count: int, shards: int = 2) -> list[str]:
    """`count` recipe names (c4 first, as the main benchmark's) such that each of `shards`
    workers owns the same number of their archives (`bench/models/<recipe>.tar.gz`)."""
    per_shard: dict[int, list[str]] = {index: [] for index in range(shards)}
    ordered = ["c4", *(recipe for recipe in RECIPES if recipe != "c4")]
    for recipe in ordered:
        path = f"bench/models/{recipe}.tar.gz"
        owner = next(i for i in range(shards) if Shard(i, shards).owns(path))
        if len(per_shard[owner]) < -(-count // shards):
            per_shard[owner].append(recipe)
        if sum(len(names) for names in per_shard.values()) == count:
            break
    return [name for names in per_shard.values() for name in names]


def generate_qa(root: Path, questions: int, archives: int) -> dict[str, Any]:
    """A data root holding only `qa/bench`: `questions` over `archives` recipe tarballs, as
    many step tarballs in all as the main benchmark's one tarball (37,000 questions a step)."""
    bench = root / "qa" / "bench"
    summary_file = bench / "qa_real_shaped.json"
    recipes = balanced_recipes(archives)
    if summary_file.exists():
        summary = dict(json.loads(summary_file.read_text()))
        found = sorted(path.name for path in benchmark.archives_below(root / "qa"))
        if summary.get("requested_questions") == questions and found == sorted(
            f"{recipe}.tar.gz" for recipe in recipes
        ):
            summary["reused"] = True
            return summary
        shutil.rmtree(root)
    steps = max(1, round(questions / benchmark.QUESTIONS_PER_STEP / archives))
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
        ",".join(recipes),
    ]
    started = time.perf_counter()
    benchmark.run_json(command)
    summary = dict(json.loads(summary_file.read_text()))
    summary.update(
        requested_questions=questions,
        command=" ".join(command[1:]),
        generate_seconds=round(time.perf_counter() - started, 1),
    )
    summary_file.write_text(json.dumps(summary, indent=1) + "\n")
    return summary


def generate_runs(root: Path, runs: int, history_steps: int) -> dict[str, Any]:
    """The main benchmark's runs data set (benchmark.generate, layout B), or the one there."""
    summary_file = root / "bench_lake_generate.json"
    if summary_file.exists():
        summary = dict(json.loads(summary_file.read_text()))
        if summary.get("requested") == [runs, history_steps]:
            summary["reused"] = True
            return summary
    if root.exists():
        shutil.rmtree(root)
    summary = benchmark.generate(root, runs, history_steps, 0, layouts="B")
    summary["requested"] = [runs, history_steps]
    summary_file.write_text(json.dumps(summary, indent=1) + "\n")
    return summary


def fresh(path: Path) -> Path:
    if path.exists():
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    return path


def new_catalog(host: str, name: str) -> str:
    for tool in ("dropdb", "createdb"):
        extra = ["--if-exists"] if tool == "dropdb" else []
        subprocess.run(
            [str(PG_BIN / tool), *extra, "-h", host, "-U", "postgres", name],
            check=True,
            capture_output=True,
        )
    return f"postgres:dbname={name} host={host} user=postgres"


def catalog_mb(host: str, name: str) -> float:
    done = subprocess.run(
        [str(PG_BIN / "psql"), "-h", host, "-U", "postgres", "-d", name, "-Atc",
         f"select pg_database_size('{name}')"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    return round(int(done.stdout.strip()) / 1e6, 1) if done.returncode == 0 else -1.0


def folder_mb(path: Path) -> float:
    return round(sum(p.stat().st_size for p in benchmark.files_below(path)) / 1e6, 1)


class Runner:
    """Runs dbt processes measured as benchmark.dbt_build measures them."""

    def __init__(self, work: Path, pg_host: str, stamp: str) -> None:
        self.work = work
        self.pg_host = pg_host
        self.stamp = stamp

    def env(self, data_dir: Path, **extra: str) -> dict[str, str]:
        env = dict(os.environ)
        for name in ("DR_INGEST_SHARD", "DR_INGEST_QA_WORK_DIR", "DR_INGEST_LAKE_CATALOG"):
            env.pop(name, None)
        env.update(DR_INGEST_DATA_DIR=str(data_dir), DBT_SEND_ANONYMOUS_USAGE_STATS="false")
        env.update(extra)
        return env

    def parse(self, label: str, args: list[str], env: dict[str, str]) -> None:
        """The project parsed into the process's own target folder (untimed, as
        benchmark.dbt_build does: the build then reads dbt's partial-parse file)."""
        target = fresh(self.work / "targets" / label)
        logs = self.work / "logs" / label
        lake_args = ["--target", "lake"] if "--target" in args else []
        subprocess.run(
            [str(BIN / "dbt"), "parse", *lake_args, "--target-path", str(target),
             "--log-path", str(logs)],
            cwd=REPO, env=env, capture_output=True, check=True,
        )  # fmt: skip

    def process(
        self, label: str, args: list[str], env: dict[str, str], case_start: float
    ) -> Process:
        """`dbt <args>` in a child, measured (parsed before with `parse`)."""
        target = self.work / "targets" / label
        logs = self.work / "logs" / label
        command = [
            str(BIN / "python"), "-c", benchmark.MEASURE, str(BIN / "dbt"), *args,
            "--exclude-resource-type", "unit_test",
            "--target-path", str(target), "--log-path", str(logs),
        ]  # fmt: skip
        started = time.perf_counter()
        done = subprocess.run(
            command, cwd=REPO, env=env, capture_output=True, text=True, check=False
        )
        wall = time.perf_counter() - started
        log_file = self.work / "logs" / f"{label}.out"
        log_file.write_text(done.stdout + done.stderr)
        measured = json.loads(done.stdout.strip().splitlines()[-1])
        shard = env.get("DR_INGEST_SHARD")
        process = Process(
            label=label,
            command=" ".join(
                [*(f"DR_INGEST_SHARD={shard}".split() if shard else []), "dbt", *args]
            ),
            wall_seconds=round(wall, 2),
            peak_rss_mib=round(measured["max_rss_kib"] / 1024, 1),
            returncode=measured["rc"],
            started_at=round(started - case_start, 2),
            log=str(log_file),
        )
        if process.returncode != 0:
            print(f"FAILED {label}:", done.stdout[-3000:], done.stderr[-1500:], file=sys.stderr)
        results_file = target / "run_results.json"
        if results_file.exists():
            results = json.loads(results_file.read_text())
            process.run_seconds = round(results["elapsed_time"], 2)
            for result in results["results"]:
                unique_id = str(result["unique_id"])
                seconds = float(result["execution_time"] or 0.0)
                if unique_id.startswith("model."):
                    process.model_seconds[unique_id.split(".")[-1]] = round(seconds, 2)
                    process.models_total_seconds += seconds
                elif unique_id.startswith(("test.", "unit_test.")):
                    process.tests_total_seconds += seconds
            process.models_total_seconds = round(process.models_total_seconds, 2)
            process.tests_total_seconds = round(process.tests_total_seconds, 2)
            process.hook_seconds = process.model_seconds.get("load_qa__archives")
        print(
            f"  {label}: {process.wall_seconds} s, {process.peak_rss_mib} MiB, "
            f"rc {process.returncode}",
            flush=True,
        )
        return process

    def local(self, name: str, data_dir: Path, tables: tuple[str, ...]) -> Case:
        db_path = self.work / "db" / f"{name}.duckdb"
        db_path.parent.mkdir(parents=True, exist_ok=True)
        for stale in db_path.parent.glob(f"{name}.duckdb*"):
            fresh(stale)
        env = self.env(data_dir, DR_INGEST_DB=str(db_path))
        self.parse(name, ["build"], env)
        start = time.perf_counter()
        process = self.process(name, ["build"], env, start)
        case = Case(name, "dev", [process], process.wall_seconds)
        if process.returncode == 0:
            with duckdb.connect(str(db_path), read_only=True) as con:
                listed = con.sql(
                    "select schema_name || '.' || table_name from duckdb_tables()"
                    f" where database_name = '{name}' order by 1"
                ).fetchall()
                for table in [*tables, *(str(row[0]) for row in listed)]:
                    row = con.sql(f"select count(*) from {table}").fetchone()
                    case.rows[table] = int(row[0]) if row else -1
        return case

    def run_into(
        self,
        results: list[Process | None],
        index: int,
        label: str,
        args: list[str],
        env: dict[str, str],
        case_start: float,
    ) -> None:
        results[index] = self.process(label, args, env, case_start)

    def lake_process(
        self, label: str, shard: str | None, data_dir: Path, catalog: str, data_path: Path
    ) -> tuple[str, list[str], dict[str, str]]:
        """One lake process, parsed: a worker for `shard` (`--selector load`), or the final
        build; its label, dbt arguments and environment."""
        extra = {
            "DR_INGEST_DB": str(self.work / "unused.duckdb"),
            "DR_INGEST_LAKE_CATALOG": catalog,
            "DR_INGEST_LAKE_DATA_PATH": str(data_path),
            "DR_INGEST_LAKE_TEMP_DIR": str(fresh(self.work / "spill" / label)),
            "DR_INGEST_QA_WORK_DIR": str(fresh(self.work / "qa_work" / label)),
        }
        args = ["build", "--target", "lake"]
        if shard:
            extra["DR_INGEST_SHARD"] = shard
            args += ["--selector", "load"]
        env = self.env(data_dir, **extra)
        self.parse(label, args, env)
        return label, args, env

    def lake(
        self,
        name: str,
        data_dir: Path,
        stages: list[list[str | None]],
        tables: tuple[str, ...],
        initialize: bool = False,
    ) -> Case:
        """A fresh lake built by `stages`: each stage a list of shards run at once (None: the
        build without a shard or selector, the final build). With `initialize` the lake is
        attached once first (untimed), which writes DuckLake's metadata tables: two processes
        attaching an empty PostgreSQL catalog at once both try to create them, and one fails
        ("duplicate key value violates unique constraint pg_type_typname_nsp_index")."""
        database = f"bench_{self.stamp}_{name}".replace("-", "_")
        catalog = new_catalog(self.pg_host, database)
        data_path = fresh(self.work / "lake_data" / name)
        data_path.mkdir(parents=True)
        if initialize:
            lake.connect(catalog, str(data_path)).close()
        processes: list[Process] = []
        wall = 0.0  # the stages' wall times (each from its first launch to its last exit)
        for stage_index, stage in enumerate(stages):
            prepared = [
                self.lake_process(
                    f"{name}_{stage_index}_" + (f"shard{s.replace('/', 'of')}" if s else "final"),
                    s, data_dir, catalog, data_path,
                )
                for s in stage
            ]  # fmt: skip
            results: list[Process | None] = [None] * len(stage)

            stage_start = time.perf_counter()
            threads = [
                threading.Thread(
                    target=self.run_into,
                    args=(results, index, *prepared[index], stage_start - wall),
                )
                for index in range(len(stage))
            ]
            for thread in threads:
                thread.start()
                time.sleep(0.2)  # launched together, in a fixed order
            for thread in threads:
                thread.join()
            wall += time.perf_counter() - stage_start
            processes += [result for result in results if result is not None]
            if any(result is None or result.returncode != 0 for result in results):
                break
        case = Case(name, "lake", processes, round(wall, 2), catalog=catalog)
        case.initialized_first = initialize
        if case.ok:
            con = lake.connect(catalog, str(data_path))
            try:
                for table in tables:
                    try:
                        row = con.sql(f"select count(*) from lake.{table}").fetchone()
                    except duckdb.CatalogException:
                        case.absent.append(table)  # a scratch model of the process's own DB
                        continue
                    case.rows[table] = int(row[0]) if row else -1
            finally:
                con.close()
        case.lake_data_mb = folder_mb(data_path)
        case.catalog_mb = catalog_mb(self.pg_host, database)
        return case


def compare(case: Case, local: Case) -> None:
    """The lake's row count of every table both hold equals the local build's."""
    shared = [name for name in case.rows if name in local.rows]
    differ = {name: (case.rows[name], local.rows[name]) for name in shared
              if case.rows[name] != local.rows[name]}  # fmt: skip
    case.rows_match_local = bool(shared) and not differ
    key = "main.qa_instances"
    print(
        f"  {case.name}: {key} lake {case.rows.get(key)} vs local {local.rows.get(key)}; "
        f"{len(shared)} tables compared, differing {differ}, not in lake {case.absent}",
        flush=True,
    )


def summarize(case: Case, questions: int, fixed: float, floor: float) -> dict[str, Any]:
    marginal = max(case.wall_seconds - fixed, 0.0)
    out = asdict(case)
    out.update(
        ok=case.ok,
        fixed_seconds=fixed,
        marginal_seconds=round(marginal, 2),
        ratio_marginal_to_floor=round(marginal / floor, 2) if floor else None,
        ratio_wall_to_floor=round(case.wall_seconds / floor, 2) if floor else None,
    )
    if questions and case.ok:
        out["questions_per_second"] = round(questions / max(case.wall_seconds, 1e-9))
        out["questions_per_second_marginal"] = round(questions / max(marginal, 1e-9))
    return out


def slowest(process: dict[str, Any], count: int = 5) -> list[tuple[str, float]]:
    ranked = sorted(process["model_seconds"].items(), key=lambda item: -item[1])
    return ranked[:count]


def markdown(report: dict[str, Any]) -> str:
    fixed = report["fixed"]
    lines = [
        f"Date {report['date']}; machine {report['machine']}; DuckDB memory_limit "
        f"{report['memory_limit']}, threads {report['threads']}.",
        f"Load at start: `{report['load_start']}`; at end: `{report['load_end']}`.",
        f"Fixed cost (tiny sample): local {fixed['local']['wall_seconds']} s (median of "
        f"{fixed['local']['repeat_walls']}), {fixed['local']['peak_rss_mib']} MiB; lake "
        f"{fixed['lake']['wall_seconds']} s, {fixed['lake']['processes'][0]['peak_rss_mib']} "
        "MiB.",
        f"Floors: QA inflate {report['floor']['qa'].get('qa_inflate')} s; runs "
        f"{report['floor']['runs'].get('total')} s ({report['floor']['runs']}).",
        "",
    ]
    for section, unit in (("qa", "questions"), ("runs", "runs")):
        data = report.get(section)
        if not data:
            continue
        lines += [
            f"### {section}: {data['inputs_label']}",
            "",
            "| case | process | started at s | wall s | peak RSS MiB | QA hook s | rc |",
            "|---|---|---|---|---|---|---|",
        ]
        for case in data["cases"]:
            for process in case["processes"]:
                lines.append(
                    f"| {case['name']} | `{process['command']}` | {process['started_at']} "
                    f"| {process['wall_seconds']} | {process['peak_rss_mib']} "
                    f"| {process['hook_seconds']} | {process['returncode']} |"
                )
        lines += [
            "",
            f"| case | total wall s | max peak MiB | marginal s (- fixed) | marginal/floor "
            f"| {unit}/s (total) | {unit}/s (marginal) | rows (qa_instances / runs / history) "
            "| = local | lake data MB | catalog MB |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for case in data["cases"]:
            rows = case["rows"]
            ok, marginal = case["ok"], case["marginal_seconds"]
            rate = round(data["count"] / case["wall_seconds"]) if ok else "failed"
            marginal_rate = round(data["count"] / marginal) if ok and marginal > 0 else "-"
            lines.append(
                f"| {case['name']} | {case['wall_seconds']} "
                f"| {max(p['peak_rss_mib'] for p in case['processes'])} "
                f"| {case['marginal_seconds']} | {case['ratio_marginal_to_floor']} "
                f"| {rate} | {marginal_rate} "
                f"| {rows.get('main.qa_instances', '-')} / {rows.get('main.runs', '-')} / "
                f"{rows.get('main.history', '-')} | {case['rows_match_local']} "
                f"| {case['lake_data_mb'] or '-'} | {case['catalog_mb'] or '-'} |"
            )
        local, lake_case = data["cases"][0], data["cases"][1]
        lines += ["", f"Slowest models, {local['name']} vs {lake_case['name']}:", ""]
        lines += ["| model | local s | lake s |", "|---|---|---|"]
        local_models = local["processes"][0]["model_seconds"]
        lake_models = lake_case["processes"][-1]["model_seconds"]
        names = dict.fromkeys(
            [n for n, _ in slowest(local["processes"][0])]
            + [n for n, _ in slowest(lake_case["processes"][-1])]
        )
        for name in names:
            lines.append(
                f"| {name} | {local_models.get(name, '-')} | {lake_models.get(name, '-')} |"
            )
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, default=REPO / "bench_data" / "lake")
    parser.add_argument("--qa-questions", type=int, default=2_000_000)
    parser.add_argument("--qa-archives", type=int, default=4, help="recipe tarballs (even)")
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--history-steps", type=int, default=120)
    parser.add_argument("--fixed-repeats", type=int, default=3)
    parser.add_argument(
        "--pg-host",
        default=os.environ.get("DR_INGEST_TEST_PG_HOST", "/tmp/pgx"),
        help="PostgreSQL socket folder (scripts/test_postgres.sh start prints it)",
    )
    parser.add_argument(
        "--qa-cases",
        default="qa_lake,qa_lake_1worker,qa_lake_2workers",
        help="the lake cases of the QA data to run (the local build always runs)",
    )
    parser.add_argument(
        "--init-catalog",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="attach a fresh lake once (untimed) before workers start on it together (the"
        " workers themselves settle the creation of a new catalog)",
    )
    parser.add_argument("--skip-qa", action="store_true")
    parser.add_argument("--skip-runs", action="store_true")
    parser.add_argument("--output", type=Path, help="write the JSON report here")
    args = parser.parse_args(argv)
    work: Path = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    memory_limit = os.environ.get("DR_INGEST_MEMORY_LIMIT", "3200MB")
    threads = int(os.environ.get("DR_INGEST_THREADS", "2"))
    now = datetime.now(UTC)
    stamp = now.strftime("%m%d%H%M")
    report: dict[str, Any] = {
        "date": now.strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()}",
        "memory_limit": memory_limit,
        "threads": threads,
        "load_start": uptime(),
        "command": " ".join(sys.argv),
    }
    print(report["load_start"], flush=True)

    qa_root = work / f"qa_{args.qa_questions}"
    runs_root = work / f"runs_{args.runs}"
    if not args.skip_qa:
        report["qa_inputs"] = generate_qa(qa_root, args.qa_questions, args.qa_archives)
    if not args.skip_runs:
        report["runs_inputs"] = generate_runs(runs_root, args.runs, args.history_steps)
    runner = Runner(work, args.pg_host, stamp)

    print("fixed cost", flush=True)
    fixed_local = benchmark.fixed_cost(work, args.fixed_repeats)
    fixed_lake = runner.lake("fixed_lake", REPO / "sample_data", [[None]], ())
    report["fixed"] = {"local": asdict(fixed_local), "lake": summarize(fixed_lake, 0, 0.0, 0.0)}
    fixed = {"dev": fixed_local.wall_seconds, "lake": fixed_lake.wall_seconds}
    report["floor"] = {"qa": {}, "runs": {}}
    failed = fixed_local.returncode != 0 or not fixed_lake.ok

    if not args.skip_qa:
        print("QA floor", flush=True)
        floor = benchmark.measure_floor(qa_root, memory_limit, threads)
        report["floor"]["qa"] = floor
        questions = int(report["qa_inputs"]["questions"])
        cases = [runner.local("qa_local", qa_root, ())]
        tables = tuple(cases[0].rows)
        plans: dict[str, list[list[str | None]]] = {
            "qa_lake": [[None]],
            "qa_lake_1worker": [["0/1"], [None]],
            "qa_lake_2workers": [["0/2", "1/2"], [None]],
        }
        for name in args.qa_cases.split(","):
            stages = plans[name]
            print(name, flush=True)
            initialize = args.init_catalog and len(stages[0]) > 1
            cases.append(runner.lake(name, qa_root, stages, tables, initialize))
        for case in cases[1:]:
            compare(case, cases[0])
        report["qa"] = {
            "inputs_label": f"{questions:,} questions in {args.qa_archives} recipe tarballs",
            "count": questions,
            "cases": [
                summarize(case, questions, fixed[case.target], floor["qa_inflate"])
                for case in cases
            ],
        }
        failed = failed or not all(case.ok and case.rows_match_local is not False for case in cases)

    if not args.skip_runs:
        print("runs floor", flush=True)
        floor = benchmark.measure_floor(runs_root, memory_limit, threads)
        report["floor"]["runs"] = floor
        views = ("main.history", "main.run_eval_metrics")  # counted locally only
        cases = [runner.local("runs_local", runs_root, views)]
        tables = tuple(name for name in cases[0].rows if name not in views)
        print("runs_lake", flush=True)
        cases.append(runner.lake("runs_lake", runs_root, [[None]], tables))
        compare(cases[1], cases[0])
        runs = int(report["runs_inputs"]["runs"])
        report["runs"] = {
            "inputs_label": f"{runs:,} runs, {report['runs_inputs']['scaled_history_rows']:,} "
            "history rows (layout B)",
            "count": runs,
            "cases": [summarize(case, 0, fixed[case.target], floor["total"]) for case in cases],
        }
        failed = failed or not all(case.ok and case.rows_match_local is not False for case in cases)

    report["load_end"] = uptime()
    text = json.dumps(report, indent=1)
    if args.output:
        args.output.write_text(text + "\n")
    table = markdown(report)
    (work / "report.md").write_text(table + "\n")
    print(table)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
