"""What the lake tests share: the PostgreSQL server `.ci/run` starts (scripts/test_postgres.sh;
DR_INGEST_TEST_PG_HOST is its socket folder: without it the tests skip, except in CI), a fresh
catalog per lake, dbt run on the `lake` target, and mart-by-mart comparison with a local build."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import duckdb
import pytest
from conftest import BIN, REPO, DbtResult, dbt_env

from python_hooks import lake

SAMPLE = REPO / "sample_data"
# columns a build stamps with its own time
VOLATILE = {"_loaded_at"}
PG_BIN = Path(os.environ.get("DR_INGEST_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))


def pg_host() -> str:
    host = os.environ.get("DR_INGEST_TEST_PG_HOST", "")
    if not host:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true but DR_INGEST_TEST_PG_HOST is not set (.ci/run starts PostgreSQL)")
        pytest.skip("no PostgreSQL server for the lake tests (DR_INGEST_TEST_PG_HOST)")
    return host


def new_catalog(name: str) -> str:
    """A fresh PostgreSQL database for one lake; its DuckLake metadata connection."""
    host = pg_host()
    for tool in ("dropdb", "createdb"):
        extra = ["--if-exists"] if tool == "dropdb" else []
        subprocess.run(
            [str(PG_BIN / tool), *extra, "-h", host, "-U", "postgres", name],
            check=True,
            capture_output=True,
        )
    return f"postgres:dbname={name} host={host} user=postgres"


def lake_env(catalog: str, data_path: Path, work: Path, **extra: str) -> dict[str, str]:
    env = dbt_env(SAMPLE, work / "unused.duckdb")
    env.update(
        DR_INGEST_LAKE_CATALOG=catalog,
        DR_INGEST_LAKE_DATA_PATH=str(data_path),
        DR_INGEST_LAKE_TEMP_DIR=str(work / "spill"),
        DR_INGEST_QA_WORK_DIR=str(work / "qa_work" / extra.get("DR_INGEST_SHARD", "all")),
    )
    env.pop("DR_INGEST_SHARD", None)
    env.update(extra)
    return env


def dbt_command(args: list[str], work: Path, name: str) -> list[str]:
    return [
        str(BIN / "dbt"), *args, "--target", "lake",
        "--target-path", str(work / f"target_{name}"), "--log-path", str(work / f"logs_{name}"),
    ]  # fmt: skip


def run(args: list[str], work: Path, env: dict[str, str], name: str) -> DbtResult:
    done = subprocess.run(
        dbt_command(args, work, name), cwd=REPO, env=env, capture_output=True, text=True
    )
    return DbtResult(done.returncode, done.stdout + done.stderr, work, work / f"target_{name}")


def mart_names(local: DbtResult) -> list[str]:
    """Every mart of the local build: its tables and its views (tables on a lake)."""
    rows = local.query(
        "select table_name from information_schema.tables where table_schema = 'main' order by 1"
    )
    return [str(row[0]) for row in rows]


def fingerprint(con: duckdb.DuckDBPyConnection, table: str) -> tuple[object, ...]:
    """Row count and an order-free hash of every column but the build stamps. Doubles are
    hashed rounded to 9 decimals: an average's last bits depend on the order DuckDB's threads
    add its values in, on any target."""
    described = con.execute(f"select * from {table} limit 0").description or []
    parts = []
    for name, kind, *_ in described:
        if name in VOLATILE:
            continue
        value = f'round("{name}", 9)' if str(kind) == "DOUBLE" else f'"{name}"'
        parts.append(f"sum(hash({value}))")
    return tuple(con.execute(f"select count(*), {', '.join(parts)} from {table}").fetchone() or ())


def assert_same_marts(
    local: DbtResult, catalog: str, data_path: Path, names: list[str] | None = None
) -> int:
    """Every mart of the local build (or those named) has the same rows in the lake."""
    con = lake.connect(catalog, str(data_path))
    local_con = duckdb.connect(str(local.db_path), read_only=True)
    try:
        if names is None:
            names = mart_names(local)
            assert len(names) > 20
        for name in names:
            assert fingerprint(con, f"lake.main.{name}") == fingerprint(local_con, name), name
        return len(names)
    finally:
        con.close()
        local_con.close()
