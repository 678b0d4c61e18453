"""The lake's configuration and its smaller cases: a SQLite catalog on one machine, processes
creating one PostgreSQL catalog at once, the shard rule, where each target puts each model, and
the lake's locations."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import BIN, REPO, DbtResult
from lake_support import assert_same_marts, lake_env, new_catalog, run

from python_hooks import lake
from python_hooks.shards import Shard


def test_a_sqlite_catalog_on_one_machine(sample_build: DbtResult, tmp_path: Path) -> None:
    """A catalog on one machine (SQLite): the QA and run marts, and everything they read, built
    into it equal the local build's."""
    catalog = f"sqlite:{tmp_path / 'catalog.sqlite'}"
    data_path = tmp_path / "lake_data"
    models = ["build", "--resource-type", "model", "--resource-type", "seed"]
    selection = ["--select", "+qa_instances", "+qa_choices", "+runs", "+history"]
    built = run([*models, *selection], tmp_path, lake_env(catalog, data_path, tmp_path), "sqlite")
    assert built.returncode == 0, built.output[-5000:]
    marts = ["qa_instances", "qa_choices", "runs", "history"]
    assert assert_same_marts(sample_build, catalog, data_path, marts) == len(marts)


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
    tables go to the lake, views and the loading layer to the process's own database (that the
    one-database targets keep every model in their database: test_motherduck_profile.py and
    every local build)."""
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
