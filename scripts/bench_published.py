"""Benchmark DataDecide's published results at their real size: generate real-shaped files,
build them, and compare with the floor (DuckDB alone reading and parsing the same files).

The files are derived from the real published rows kept beside the repository
(`datadecide_published/`): every `metrics` text is one of the real texts of the same task
(the train split's Python dict literals, macro_avg's JSON), so key sets, sizes and value forms
are real; only the checkpoint keys (recipe, size, seed role, step) are generated, over the 25
recipes, 14 sizes and 3 seed roles. The real sizes: the train split has 1,410,750 rows in 4
shards, macro_avg about 235,000, ppl-results 22,709.

Usage:
    uv run --frozen python scripts/bench_published.py --work bench_data/published
    uv run --frozen python scripts/bench_published.py --train-rows 100000   # smaller, quicker
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchmark

REPO = Path(__file__).resolve().parents[1]
PUBLISHED = REPO.parent / "shared" / "fixtures" / "datadecide_published"
EVAL = "DataDecide-eval-results/data"
PPL = "DataDecide-ppl-results/data"
SIZES = ["4M", "6M", "8M", "10M", "14M", "16M", "20M", "60M", "90M", "150M", "300M", "530M"]
SIZES += ["750M", "1B"]
SEED_ROLES = ["default", "small aux 2", "small aux 3"]
# the same conversion the staging model makes (macro python_literal_as_json)
AS_JSON = (
    "regexp_replace(regexp_replace(regexp_replace(replace(metrics, '''', '\"'),"
    " '-?\\b(nan|NaN|inf|Infinity|None)\\b', 'null', 'g'), '\\bTrue\\b', 'true', 'g'),"
    " '\\bFalse\\b', 'false', 'g')"
)


def recipes() -> list[str]:
    con = duckdb.connect()
    try:
        rows = con.sql(
            f"select distinct canonical_recipe from read_csv('{REPO}/seeds/recipe_slugs.csv')"
            " order by 1"
        ).fetchall()
    finally:
        con.close()
    return [str(row[0]) for row in rows]


def generate(out: Path, train_rows: int, macro_rows: int, ppl_rows: int) -> dict[str, Any]:
    """Write the three datasets' shards under `out/datadecide/`, as downloaded."""
    root = out / "datadecide"
    if root.exists():
        shutil.rmtree(root)
    (root / EVAL).mkdir(parents=True)
    (root / PPL).mkdir(parents=True)
    con = duckdb.connect()
    con.execute("set preserve_insertion_order = false")
    names = ", ".join(f"'{name}'" for name in recipes())
    sizes = ", ".join(f"'{size}'" for size in SIZES)
    roles = ", ".join(f"'{role}'" for role in SEED_ROLES)
    checkpoints_needed = max(ppl_rows, -(-train_rows // 66))
    # checkpoints: every recipe x size x seed role, at as many steps as the rows need
    con.execute(
        f"""create table checkpoints as
        select row_number() over () - 1 as ckpt, *
        from (
            select recipe, params, seed, step * 1250 as step
            from unnest([{names}]) as r(recipe), unnest([{sizes}]) as p(params),
                unnest([{roles}]) as s(seed),
                range(0, cast(ceil({checkpoints_needed} / {len(SIZES) * 3 * 25}) + 1 as bigint))
                    as t(step)
            order by step, recipe, params, seed
        )
        limit {checkpoints_needed}"""
    )
    for split, source, rows in (("train", "train-00000-of-00004", train_rows), ("macro_avg",
                                "macro_avg-00000-of-00001", macro_rows)):  # fmt: skip
        con.execute(
            f"""create or replace table texts as
            select task, list(metrics) as texts, any_value(chinchilla) as chinchilla
            from '{PUBLISHED / EVAL / source}.parquet' group by task"""
        )
        n_tasks = con.sql("select count(*) from texts").fetchone()[0]  # type: ignore[index]
        shards = 4 if split == "train" else 1
        per_shard = -(-rows // shards)
        for shard in range(shards):
            name = (
                f"train-{shard:05d}-of-00004.parquet"
                if split == "train"
                else "macro_avg-00000-of-00001.parquet"
            )
            con.execute(
                f"""copy (
                    select
                        c.params, c.recipe as data, c.seed, c.step, t.task, t.chinchilla,
                        c.step * 2048.0 * 256 as tokens, c.step * 6e9 as compute,
                        -- a real text of the task, its numbers replaced by one of the row's
                        -- own: every text differs, as every real row's does (a pool of
                        -- repeated texts would compress to nothing in Parquet)
                        regexp_replace(
                            t.texts[1 + (c.ckpt % len(t.texts))], '(: )-?[0-9][0-9.e+-]*',
                            '\\1' || cast(random() as varchar), 'g'
                        ) as metrics
                    from checkpoints as c
                    cross join (
                        select *, row_number() over (order by task) - 1 as k from texts
                    ) as t
                    where c.ckpt * {n_tasks} + t.k >= {shard * per_shard}
                        and c.ckpt * {n_tasks} + t.k < {min(rows, (shard + 1) * per_shard)}
                ) to '{root / EVAL / name}' (format parquet)"""
            )
    ppl_columns = [
        row[0]
        for row in con.sql(
            f"describe select * from '{PUBLISHED / PPL}/train-00000-of-00001.parquet'"
        ).fetchall()
        if str(row[0]).startswith("eval/")
    ]
    lists = ", ".join(f'list("{column}") as "{column}"' for column in ppl_columns)
    picks = ", ".join(
        f'real."{column}"[1 + (c.ckpt % len(real."{column}"))] as "{column}"'
        for column in ppl_columns
    )
    real_ppl = PUBLISHED / PPL / "train-00000-of-00001.parquet"
    con.execute(
        f"""copy (
            select c.params, c.recipe as data, c.seed, cast(c.step as double) as step, {picks},
                c.ckpt as __index_level_0__
            from checkpoints as c, (select {lists} from '{real_ppl}') as real
            where c.ckpt < {ppl_rows}
        ) to '{root / PPL / "train-00000-of-00001.parquet"}' (format parquet)"""
    )
    counts = {
        "train": con.sql(f"select count(*) from '{root / EVAL}/train-*.parquet'").fetchone(),
        "macro_avg": con.sql(
            f"select count(*) from '{root / EVAL}/macro_avg-*.parquet'"
        ).fetchone(),
        "ppl": con.sql(f"select count(*) from '{root / PPL}/*.parquet'").fetchone(),
    }
    con.close()
    size = sum(path.stat().st_size for path in root.rglob("*.parquet"))
    return {key: int(value[0]) for key, value in counts.items() if value} | {"bytes": size}


def floor(data_dir: Path, memory_limit: str, threads: int) -> dict[str, float]:
    """DuckDB alone: read every shard, parse every metrics text into a map, count the values;
    unpivot the perplexities."""
    root = data_dir / "datadecide"
    con = duckdb.connect(config={"memory_limit": memory_limit, "threads": threads})
    timings = {}
    try:
        started = time.perf_counter()
        shards = f"['{root / EVAL}/train-*.parquet', '{root / EVAL}/macro_avg-*.parquet']"
        con.sql(
            f"""select sum(cardinality(try_cast(try(json({AS_JSON})) as map(varchar, double))))
            from read_parquet({shards}, union_by_name = true)"""
        ).fetchall()
        timings["eval_results"] = round(time.perf_counter() - started, 2)
        started = time.perf_counter()
        con.sql(
            f"""select count(*) from (unpivot '{root / PPL}/*.parquet'
            on columns('^eval/') into name set_name value perplexity)"""
        ).fetchall()
        timings["perplexities"] = round(time.perf_counter() - started, 2)
    finally:
        con.close()
    timings["total"] = round(sum(timings.values()), 2)
    return timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--work", type=Path, default=REPO / "bench_data" / "published")
    parser.add_argument("--train-rows", type=int, default=1_410_750)
    parser.add_argument("--macro-rows", type=int, default=235_000)
    parser.add_argument("--ppl-rows", type=int, default=22_709)
    parser.add_argument("--fixed-repeats", type=int, default=1)
    parser.add_argument("--memory-limit", default="3200MB")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--output", type=Path)
    args = parser.parse_args(argv)
    work: Path = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    data_dir = work / "data"
    started = time.perf_counter()
    generated = generate(data_dir, args.train_rows, args.macro_rows, args.ppl_rows)
    generated["seconds"] = round(time.perf_counter() - started, 1)
    print(f"generated: {generated}", flush=True)
    fixed = benchmark.fixed_cost(work, args.fixed_repeats)
    print(f"fixed cost: {fixed.wall_seconds} s, {fixed.peak_rss_mib} MiB", flush=True)
    floors = floor(data_dir, args.memory_limit, args.threads)
    print(f"floor: {floors}", flush=True)
    for stale in work.glob("published.duckdb*"):
        shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
    build = benchmark.dbt_build("published", data_dir, work / "published.duckdb", work)
    con = duckdb.connect(str(work / "published.duckdb"), read_only=True)
    try:
        values = con.sql("select count(*) from pretrain_metrics").fetchone()
    finally:
        con.close()
    marginal = round(build.wall_seconds - fixed.wall_seconds, 2)
    report = {
        "generated": generated,
        "fixed_seconds": fixed.wall_seconds,
        "floor": floors,
        "build_seconds": build.wall_seconds,
        "build_rc": build.returncode,
        "peak_rss_mib": build.peak_rss_mib,
        "marginal_seconds": marginal,
        "marginal_over_floor": round(marginal / floors["total"], 2) if floors["total"] else None,
        "pretrain_metrics_rows": int(values[0]) if values else None,
        "slowest_models": dict(sorted(build.model_seconds.items(), key=lambda item: -item[1])[:8]),
    }
    print(json.dumps(report, indent=2))
    if args.output:
        args.output.write_text(json.dumps(report, indent=2))
    return 0 if build.returncode == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
