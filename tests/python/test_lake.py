"""The `lake` target on a real PostgreSQL catalog: workers loading shares of the QA archives at
once (one of them killed and run again) and a final build equal to the local one, a reader
during a build, time travel, and the DuckDB CLI opening the lake (lake_support.py has the
server and the helpers)."""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import BIN, REPO, DbtResult
from lake_support import SAMPLE, assert_same_marts, dbt_command, lake_env, new_catalog, run

from python_hooks import lake

# the sample group: its worker has built sample_build, which the lake is compared with
pytestmark = pytest.mark.xdist_group("sample")


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
    # a build of the two marts the reader reads (and everything they read)
    models = ["build", "--resource-type", "model", "--select", "+qa_instances", "+runs"]
    second = run(models, tmp_path, env, "second")
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
