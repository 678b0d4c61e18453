"""`dbt run-operation export_marts`: every mart as Parquet, swapped into place whole.

The exports read the session's `sample_build` warehouse (so these tests run in its xdist group,
conftest.py) and must leave it byte for byte as it was; each writes under its own tmp folder.
The folder functions of the plugin (python_hooks/export_folders.py) are also tested directly.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from conftest import REPO, DbtResult, invoke_dbt

from python_hooks import export_folders

# every model under models/marts/ (in its domain folder: runs/, pretraining/, ...)
MARTS = sorted(
    p.stem for p in (REPO / "models" / "marts").rglob("*") if p.suffix in {".sql", ".py"}
)
QA_MARTS = [m for m in MARTS if m.startswith("qa_")]
DEFAULT = "__HIVE_DEFAULT_PARTITION__"  # the folder of a null partition value


@dataclass(frozen=True)
class Export:
    path: Path
    result: DbtResult


def warehouse_digest(build: DbtResult) -> str:
    digest = hashlib.sha256()
    for path in sorted(build.db_path.parent.glob(build.db_path.name + "*")):
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def export_marts(build: DbtResult, path: Path, work: Path, **args: object) -> DbtResult:
    """`dbt run-operation export_marts` over the sample warehouse, with its own target/logs."""
    arguments = json.dumps({"path": str(path), **args})
    return invoke_dbt(
        ["run-operation", "export_marts", "--args", arguments],
        REPO / "sample_data",
        build.db_path,
        work,
    )


def listing(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under `folder`: relative path -> (size, modification time)."""
    return {
        str(f.relative_to(folder)): (f.stat().st_size, f.stat().st_mtime_ns)
        for f in folder.rglob("*")
        if f.is_file()
    }


def siblings(path: Path) -> list[str]:
    """Temporary or moved-aside folders an export left beside `path`."""
    return sorted(p.name for p in path.parent.iterdir() if p.name.startswith(path.name + "."))


def parquet_glob(export: Path, mart: str) -> str:
    return f"read_parquet('{export}/{mart}/**/*.parquet', hive_partitioning = true)"


def mart_counts(build: DbtResult, export: Path) -> dict[str, tuple[int, int]]:
    """mart -> (rows in the warehouse, rows read back from the export)."""
    connection = duckdb.connect(str(build.db_path), read_only=True)
    try:
        return {
            mart: (
                connection.sql(f"select count(*) from main.{mart}").fetchall()[0][0],
                connection.sql(f"select count(*) from {parquet_glob(export, mart)}").fetchall()[0][
                    0
                ],
            )
            for mart in MARTS
        }
    finally:
        connection.close()


@pytest.fixture(scope="module")
def sample_digest(sample_build: DbtResult) -> str:
    return warehouse_digest(sample_build)


@pytest.fixture(scope="module")
def first_export(
    sample_build: DbtResult, sample_digest: str, tmp_path_factory: pytest.TempPathFactory
) -> Export:
    work = tmp_path_factory.mktemp("export_marts")
    path = work / "exports" / "marts"
    path.parent.mkdir()
    result = export_marts(sample_build, path, work / "first")
    assert result.returncode == 0, result.output[-5000:]
    assert warehouse_digest(sample_build) == sample_digest
    return Export(path, result)


def test_sample_has_the_marts() -> None:
    assert len(MARTS) >= 17 and {"runs", "history", "qa_instances", "run_configs"} <= set(MARTS)
    assert QA_MARTS == ["qa_checkpoint_scores", "qa_choices", "qa_instances", "qa_task_evals"]


def test_every_mart_round_trips(sample_build: DbtResult, first_export: Export) -> None:
    connection = duckdb.connect(str(sample_build.db_path), read_only=True)
    try:
        for mart in MARTS:
            table = connection.sql(f"select * from main.{mart}")
            exported = connection.sql(f"select * from {parquet_glob(first_export.path, mart)}")
            assert exported.columns == table.columns, mart
            # the partition columns are in the files too, so even their types come back (the
            # sample's recipe/params values are not numbers: see README on hive type inference)
            assert exported.types == table.types, mart
            counts = connection.sql(
                f"select (select count(*) from main.{mart}), "
                f"(select count(*) from {parquet_glob(first_export.path, mart)}), "
                f"(select count(*) from (from main.{mart} except all "
                f"from {parquet_glob(first_export.path, mart)})), "
                f"(select count(*) from (from {parquet_glob(first_export.path, mart)} except all "
                f"from main.{mart}))"
            ).fetchall()[0]
            assert counts[0] == counts[1] and counts[2:] == (0, 0), (mart, counts)
        files = [str(p) for p in first_export.path.rglob("*.parquet")]
        codecs = connection.sql(
            f"select distinct compression from parquet_metadata({files!r})"
        ).fetchall()
        assert codecs == [("ZSTD",)]
    finally:
        connection.close()
    assert sum(rows for rows, _ in mart_counts(sample_build, first_export.path).values()) > 10_000


def test_layout_partitions_and_log(sample_build: DbtResult, first_export: Export) -> None:
    export = first_export.path
    assert sorted(p.name for p in export.iterdir() if p.is_dir()) == MARTS
    assert (export / export_folders.MARKER).is_file()
    assert siblings(export) == []
    for mart in QA_MARTS:
        recipes = [p for p in (export / mart).iterdir()]
        assert recipes and all(p.name.startswith("recipe=") for p in recipes), mart
        params = [p for r in recipes for p in r.iterdir()]
        assert params and all(p.name.startswith("params=") for p in params), mart
        assert all(f.suffix == ".parquet" for p in params for f in p.iterdir()), mart
    # a null recipe/params (oe-eval models) is hive's default partition and reads back as null
    assert (
        export
        / "qa_instances"
        / "recipe=__HIVE_DEFAULT_PARTITION__"
        / "params=__HIVE_DEFAULT_PARTITION__"
    ).is_dir()
    nulls = "count(*) filter (where recipe is null and params is null)"
    (warehouse_nulls,) = sample_build.query(f"select {nulls} from qa_instances")[0]
    (exported_nulls,) = duckdb.sql(
        f"select {nulls} from {parquet_glob(export, 'qa_instances')}"
    ).fetchall()[0]
    assert exported_nulls == warehouse_nulls > 0
    assert all(p.name.startswith("params=") for p in (export / "pretrain_metrics").iterdir())
    for mart in ("runs", "history", "run_configs", "ingest_rejects"):
        assert [p.name for p in (export / mart).iterdir()] == ["data_0.parquet"], mart
    output = first_export.result.output
    for mart in MARTS:
        assert re.search(rf"export_marts: {mart} +\d+ rows +[\d.]+ s", output), mart
    total = re.search(
        r"export_marts: total (\d+) marts, (\d+) rows, [\d.]+ MB \((\d+) bytes\)", output
    )
    assert total is not None, output[-3000:]
    assert int(total.group(1)) == len(MARTS)
    assert int(total.group(3)) == sum(f.stat().st_size for f in export.rglob("*") if f.is_file())


def test_rerun_replaces_and_a_failed_run_keeps_the_previous_export(
    sample_build: DbtResult, sample_digest: str, first_export: Export, tmp_path: Path
) -> None:
    export = tmp_path / "marts"
    shutil.copytree(first_export.path, export)
    # a stray file in the previous export: a second copy of the runs would double its rows
    shutil.copy(export / "runs" / "data_0.parquet", export / "runs" / "stray.parquet")
    (export / "notes.txt").write_text("not ours")
    assert mart_counts(sample_build, export)["runs"] == (27, 54)

    rerun = export_marts(sample_build, export, tmp_path / "rerun")
    assert rerun.returncode == 0, rerun.output[-5000:]
    assert not (export / "runs" / "stray.parquet").exists()
    assert not (export / "notes.txt").exists()
    assert all(ours == theirs for ours, theirs in mart_counts(sample_build, export).values())
    assert siblings(export) == []

    # run_configs partitioned by its config text: a folder name far over the file system's
    # limit, so that mart fails after the marts before it were written
    before = listing(export)
    failed = export_marts(
        sample_build, export, tmp_path / "failed", partition_by={"run_configs": ["config"]}
    )
    assert failed.returncode != 0
    assert "writing run_configs failed" in failed.output, failed.output[-5000:]
    assert re.search(r"export_marts: runs +\d+ rows", failed.output) is None  # stopped there
    assert listing(export) == before
    assert siblings(export) == []
    assert warehouse_digest(sample_build) == sample_digest


def test_a_path_whose_parent_is_a_file_fails_and_writes_nothing(
    sample_build: DbtResult, sample_digest: str, tmp_path: Path
) -> None:
    blocker = tmp_path / "exports"
    blocker.write_text("a file, not a folder")
    result = export_marts(sample_build, blocker / "marts", tmp_path / "work")
    assert result.returncode != 0
    assert "is not a folder" in result.output, result.output[-3000:]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exports", "work"]
    assert warehouse_digest(sample_build) == sample_digest


# --- the plugin's folder functions, directly ------------------------------------------------


def test_begin_refuses_a_folder_that_is_not_an_export(tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.tex").write_text("precious")
    with pytest.raises(export_folders.ExportFolderError, match="not an export"):
        export_folders.export_begin(str(mine), "t1")
    with pytest.raises(export_folders.ExportFolderError, match="not an export"):
        export_folders.remove_folder(str(mine))
    (tmp_path / "file").write_text("x")
    with pytest.raises(export_folders.ExportFolderError, match="not an export"):
        export_folders.export_begin(str(tmp_path / "file"), "t1")
    link = tmp_path / "link"
    link.symlink_to(mine)
    with pytest.raises(export_folders.ExportFolderError, match="symbolic link"):
        export_folders.export_begin(str(link), "t1")
    with pytest.raises(export_folders.ExportFolderError, match="bad export tag"):
        export_folders.export_begin(str(tmp_path / "new"), "../x")
    assert (mine / "thesis.tex").read_text() == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "link", "mine"]


def test_swap_replaces_an_export_and_refuses_anything_else(tmp_path: Path) -> None:
    final = tmp_path / "out"
    first = Path(export_folders.export_begin(str(final), "a"))
    (first / "x.parquet").write_text("1")
    assert export_folders.swap_folder(str(first), str(final)) == str(final)
    second = Path(export_folders.export_begin(str(final), "b"))
    (second / "y.parquet").write_text("2")
    export_folders.swap_folder(str(second), str(final))
    assert sorted(p.name for p in final.iterdir()) == [export_folders.MARKER, "y.parquet"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert export_folders.folder_bytes(str(final)) == sum(f.stat().st_size for f in final.iterdir())

    # a temporary folder without the marker is not swapped; a non-export target not replaced
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(export_folders.ExportFolderError, match="not an export"):
        export_folders.swap_folder(str(plain), str(final))
    third = Path(export_folders.export_begin(str(tmp_path / "other"), "c"))
    with pytest.raises(export_folders.ExportFolderError, match="not an export"):
        export_folders.swap_folder(str(third), str(plain))
    with pytest.raises(export_folders.ExportFolderError, match="same folder"):
        export_folders.swap_folder(str(third), str(tmp_path / "sub" / "other"))
    assert export_folders.remove_folder(str(third)) is True
    assert export_folders.remove_folder(str(third)) is False


def test_begin_clears_leftovers_of_killed_runs_only(tmp_path: Path) -> None:
    final = tmp_path / "out"
    stale = Path(export_folders.export_begin(str(final), "killed"))
    (stale / "half.parquet").write_text("x")
    lookalike = tmp_path / "out.tmp-notours"
    lookalike.mkdir()
    fresh = export_folders.export_begin(str(final), "next")
    assert not stale.exists()
    assert lookalike.is_dir()
    assert Path(fresh).name == "out.tmp-next"


def test_run_sql_reports_errors_instead_of_raising() -> None:
    connection = duckdb.connect()
    try:
        run_sql = export_folders.sql_runner(connection)
        connection.execute("create table t as select range as i from range(5)")
        assert json.loads(run_sql("select count(*) from t")) == {"rows": 5}
        outcome = json.loads(run_sql("select * from no_such_table"))
        assert "no_such_table" in outcome["error"]
    finally:
        connection.close()
