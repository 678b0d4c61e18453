"""The `lake` target on a real PostgreSQL catalog: workers loading shares of the QA archives at
once (one of them killed and run again), a final build equal to the local one, a reader
during a build, and a catalog on one machine (SQLite).

The PostgreSQL server is the one `.ci/run` starts (`scripts/test_postgres.sh`):
DR_INGEST_TEST_PG_HOST is its socket folder. Without it these tests skip, except in CI.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from conftest import BIN, REPO, DbtResult, dbt_env

from python_hooks import lake
from python_hooks.shards import Shard

pytestmark = pytest.mark.xdist_group("lake")

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
    rows = local.query(
        "select table_name from information_schema.tables"
        " where table_schema = 'main' and table_type = 'BASE TABLE' order by 1"
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


def assert_same_marts(local: DbtResult, catalog: str, data_path: Path) -> int:
    con = lake.connect(catalog, str(data_path))
    local_con = duckdb.connect(str(local.db_path), read_only=True)
    try:
        names = mart_names(local)
        assert len(names) > 15
        for name in names:
            assert fingerprint(con, f"lake.main.{name}") == fingerprint(local_con, name), name
        return len(names)
    finally:
        con.close()
        local_con.close()


@dataclass(frozen=True)
class WorkersLake:
    catalog: str
    data_path: Path
    work: Path
    outputs: list[str]
    stored: tuple[object, ...] | None
    final: DbtResult


@pytest.fixture(scope="module")
def workers_lake(tmp_path_factory: pytest.TempPathFactory) -> WorkersLake:
    """A lake loaded by two workers at once (shard 0 killed once and run again), then built."""
    tmp_path = tmp_path_factory.mktemp("lake_workers")
    catalog = new_catalog("dr_ingest_test_workers")
    data_path = tmp_path / "lake_data"
    load = ["build", "--selector", "load"]

    # a worker killed while it loads: it has started the QA hook when it is killed
    env0 = lake_env(catalog, data_path, tmp_path, DR_INGEST_SHARD="0/2")
    env0["DR_INGEST_QA_BATCH_BYTES"] = "1"  # a commit per archive
    killed = subprocess.Popen(
        dbt_command(load, tmp_path, "killed"), cwd=REPO, env=env0,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    assert killed.stdout is not None
    for line in killed.stdout:
        if "START python table model" in line and "load_qa__archives" in line:
            time.sleep(0.3)
            break
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    assert killed.returncode == -signal.SIGKILL

    # the two workers at once, the killed one run again as it was
    env1 = lake_env(catalog, data_path, tmp_path, DR_INGEST_SHARD="1/2")
    workers = [
        subprocess.Popen(
            dbt_command(load, tmp_path, f"worker{i}"),
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for i, env in enumerate((env0, env1))
    ]
    outputs = [worker.communicate()[0] for worker in workers]
    for worker, output in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, output[-4000:]
    con = lake.connect(catalog, str(data_path))
    stored = con.sql(
        "select count(*), count(distinct archive) from lake.qa_store.archives"
    ).fetchone()
    con.close()
    final = run(["build"], tmp_path, lake_env(catalog, data_path, tmp_path), "final")
    return WorkersLake(catalog, data_path, tmp_path, outputs, stored, final)


def test_two_workers_and_a_killed_one_give_the_local_warehouse(
    sample_build: DbtResult, workers_lake: WorkersLake
) -> None:
    # each worker loaded its own share: together, every archive of the sample once
    shares = [
        int(re.search(r"dr_ingest: QA archives (\d+) under .* \(shard \d/2\)", output)[1])
        for output in workers_lake.outputs
    ]
    assert all(n > 0 for n in shares) and sum(shares) == 5, shares
    assert workers_lake.stored == (5, 5)
    final = workers_lake.final
    assert final.returncode == 0, final.output[-5000:]
    assert "ERROR=0" in final.output
    assert assert_same_marts(sample_build, workers_lake.catalog, workers_lake.data_path) > 15


def test_a_reader_sees_whole_snapshots_during_a_build(
    sample_build: DbtResult, workers_lake: WorkersLake, tmp_path: Path
) -> None:
    assert workers_lake.final.returncode == 0
    catalog, data_path = workers_lake.catalog, workers_lake.data_path

    # the second build reads a copy of the sample without one QA archive: qa_instances shrinks
    data = tmp_path / "data"
    shutil.copytree(SAMPLE, data, symlinks=True)
    archives = sorted((data / "qa").rglob("*.tar.gz"))
    archives[0].unlink()
    reader_out = tmp_path / "reader.json"
    stop = tmp_path / "stop"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, catalog, str(data_path), str(reader_out), str(stop)],
        cwd=REPO,
    )
    before = lake.connect(catalog, str(data_path))
    last_snapshot = before.sql("select max(snapshot_id) from ducklake_snapshots('lake')").fetchone()
    before.close()
    assert last_snapshot is not None
    env = lake_env(catalog, data_path, tmp_path)
    env["DR_INGEST_DATA_DIR"] = str(data)
    second = run(["build", "--resource-type", "model"], tmp_path, env, "second")
    stop.touch()
    assert reader.wait(timeout=60) == 0
    assert second.returncode == 0, second.output[-5000:]

    seen = json.loads(reader_out.read_text())
    assert seen["errors"] == [], seen["errors"][:3]
    runs_count = sample_build.query("select count(*) from runs")[0][0]
    old_qa = sample_build.query("select count(*) from qa_instances")[0][0]
    con = lake.connect(catalog, str(data_path))
    new_qa = con.sql("select count(*) from lake.main.qa_instances").fetchone()
    # time travel: the warehouse as it was before this build
    then = f"at (version => {last_snapshot[0]})"
    old_again = con.sql(f"select count(*) from lake.main.qa_instances {then}").fetchone()
    con.close()
    assert old_again == (old_qa,)
    # the lake's SQL blocks of the docs run, and their time travel finds the same state
    con = lake.connect(catalog, str(data_path))
    try:
        for statement in lake_doc_statements():
            rows = con.sql(statement).fetchall() if statement.lower().startswith("select") else None
            if rows is None:
                con.execute(statement)
            elif "before_last_build" in statement:
                assert rows == [(old_qa,)], statement
    finally:
        con.close()
    assert new_qa is not None and 0 < new_qa[0] < old_qa
    pairs = {tuple(pair) for pair in seen["pairs"]}
    assert len(seen["pairs"]) >= 5
    assert pairs <= {(runs_count, old_qa), (runs_count, new_qa[0])}, pairs


def lake_doc_statements() -> list[str]:
    """Every statement of the docs' SQL blocks marked `sql lake` (run on a lake, not on the
    local sample warehouse)."""
    found = []
    for path in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]:
        for block in re.findall(r"```sql lake\n(.*?)```", path.read_text(), re.S):
            for statement in block.split(";"):
                lines = [line for line in statement.splitlines() if not line.startswith("--")]
                if "".join(lines).strip():
                    found.append("\n".join(lines).strip())
    assert len(found) >= 3
    return found


# Reads runs and qa_instances in one transaction, again and again, until told to stop.
READER = """
import json, sys, time
from pathlib import Path
import duckdb
from python_hooks import lake
from python_hooks.shards import Shard
catalog, data_path, out, stop = sys.argv[1:5]
con = lake.connect(catalog, data_path)
pairs, errors = [], []
while not Path(stop).exists():
    try:
        con.execute("begin transaction")
        runs = con.execute("select count(*) from lake.main.runs").fetchone()[0]
        qa = con.execute("select count(*) from lake.main.qa_instances").fetchone()[0]
        con.execute("commit")
        pairs.append([runs, qa])
    except duckdb.Error as error:
        errors.append(str(error))
        con.execute("rollback")
    time.sleep(0.05)
Path(out).write_text(json.dumps({"pairs": pairs, "errors": errors}))
"""


def test_a_sqlite_catalog_on_one_machine(sample_build: DbtResult, tmp_path: Path) -> None:
    catalog = f"sqlite:{tmp_path / 'catalog.sqlite'}"
    data_path = tmp_path / "lake_data"
    models = ["build", "--resource-type", "model", "--resource-type", "seed"]
    built = run(models, tmp_path, lake_env(catalog, data_path, tmp_path), "sqlite")
    assert built.returncode == 0, built.output[-5000:]
    assert_same_marts(sample_build, catalog, data_path)


def test_nothing_in_the_lake_reads_a_local_file(
    sample_build: DbtResult, workers_lake: WorkersLake
) -> None:
    """Only tables are in the lake (a view there could read one machine's disk), and the
    DuckDB CLI opens it with the statements `python -m python_hooks.lake` prints, from another
    folder."""
    sample_runs = sample_build.query("select run_id from runs")
    env = lake_env(workers_lake.catalog, workers_lake.data_path, workers_lake.work)
    init = subprocess.run(
        [sys.executable, "-m", "python_hooks.lake"],
        cwd=REPO, env=env, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    init_file = workers_lake.work / "lake.sql"
    init_file.write_text(init)
    query = (
        "select table_type, count(*) from information_schema.tables"
        " where table_catalog = 'lake' group by all;"
        " select count(*) from runs;"
    )
    done = subprocess.run(
        [str(BIN / "duckdb"), "-csv", "-noheader", "-init", str(init_file), "-c", query],
        cwd=workers_lake.work, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stdout.splitlines() if line and not line.startswith("--")]
    kinds = [line for line in lines if "," in line]
    assert kinds and all(line.startswith("BASE TABLE,") for line in kinds), lines
    assert int(lines[-1]) == len(sample_runs)


def test_workers_starting_together_create_one_catalog(tmp_path: Path) -> None:
    """The first ATTACH creates the catalog; processes starting at the same moment on a new
    PostgreSQL catalog all attach (the losers of the creation attach again)."""
    catalog = new_catalog("dr_ingest_test_attach")
    start = time.time() + 3
    script = (
        "import sys, time, duckdb\n"
        "from python_hooks import lake\n"
        "con = duckdb.connect(config={'autoinstall_known_extensions': False})\n"
        "lake.load_extensions(con)\n"
        "while time.time() < float(sys.argv[3]): time.sleep(0.001)\n"
        "lake.attach(con, lake.attach_sql(sys.argv[1], sys.argv[2]))\n"
        "print(con.sql('select count(*) from ducklake_snapshots(\\'lake\\')').fetchone()[0])\n"
    )
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", script, catalog, str(tmp_path / "data"), str(start)],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(6)
    ]
    results = [process.communicate(timeout=120) for process in processes]
    for process, (out, err) in zip(processes, results, strict=True):
        assert process.returncode == 0, err[-2000:]
        assert int(out.strip()) >= 1


def test_shards_split_the_inputs_once() -> None:
    paths = [f"recipe-{i % 7}/150M/seed-{i % 3}/step-{i}.tar.gz" for i in range(2000)]
    for count in (1, 2, 5):
        shards = [Shard(index, count) for index in range(count)]
        owners = [[s.owns(path) for s in shards].count(True) for path in paths]
        assert owners == [1] * len(paths)
        sizes = [sum(s.owns(path) for path in paths) for s in shards]
        assert min(sizes) > 0.8 * len(paths) / count
    assert Shard.parse("1/3") == Shard(1, 3)
    assert Shard.parse("") == Shard() and Shard.parse(None).is_whole
    for bad in ("3/3", "-1/2", "1", "a/b", "1/0"):
        with pytest.raises(ValueError, match="DR_INGEST_SHARD"):
            Shard.parse(bad)


def test_the_lake_targets_keep_views_and_scratch_local() -> None:
    """On `lake` and on MotherDuck's managed DuckLake (`motherduck_lake`, parsed offline),
    tables go to the lake, views and the loading layer to the process's own database."""
    for target in ("lake", "motherduck_lake"):
        listed = subprocess.run(
            [
                str(BIN / "dbt"), "ls", "--target", target, "--resource-type", "model",
                "--output", "json", "--output-keys", "name database config",
            ],
            cwd=REPO, capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert listed.returncode == 0, listed.stdout[-3000:]
        nodes = [json.loads(line) for line in listed.stdout.splitlines() if line.startswith("{")]
        assert len(nodes) > 40
        for node in nodes:
            local = node["config"]["materialized"] == "view" or node["name"].startswith("load_")
            assert node["database"] == ("memory" if local else "lake"), (target, node["name"])
    # a target with one database (a file, MotherDuck) keeps every model in it
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DR_INGEST_DB", "DR_INGEST_MOTHERDUCK_DATABASE")
    }
    for target, database in (("dev", "dr_ingest"), ("motherduck", "dr_ingest")):
        listed = subprocess.run(
            [
                str(BIN / "dbt"), "ls", "--target", target, "--resource-type", "model",
                "--output", "json", "--output-keys", "name database",
            ],
            cwd=REPO, env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert listed.returncode == 0, listed.stdout[-3000:]
        nodes = [json.loads(line) for line in listed.stdout.splitlines() if line.startswith("{")]
        assert len(nodes) > 40
        assert {node["database"] for node in nodes} == {database}, target


def test_lake_locations_are_made_absolute_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert lake.resolve_catalog("sqlite:lake/x.sqlite") == f"sqlite:{tmp_path}/lake/x.sqlite"
    assert lake.resolve_catalog("./lake//x.ducklake") == f"{tmp_path}/lake/x.ducklake"
    pg = "postgres:dbname=lake host=/run/pg user=alice"
    assert lake.resolve_catalog(pg) == pg
    assert lake.resolve_data_path("files") == f"{tmp_path}/files/"
    assert lake.resolve_data_path(f"{tmp_path}/files/") == f"{tmp_path}/files/"
    assert lake.resolve_data_path("s3://bucket/lake/") == "s3://bucket/lake/"
    # every extension file exists under the name its entry point expects
    names = sorted(path.name for path in lake.extension_files())
    assert names == [
        "ducklake.duckdb_extension",
        "postgres_scanner.duckdb_extension",
        "sqlite_scanner.duckdb_extension",
    ]
