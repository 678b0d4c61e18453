"""The QA hook's warehouse store (python_hooks.qa_store) on a real DuckDB file.

Stand-in parsing views (the dbt views' shape: archive, source_file, values) keep these tests
fast; the dbt views themselves are exercised by test_qa_marts and test_qa_incremental. A view
that fails on the line `BOOM` plays a build killed in the middle of a batch.
"""

from __future__ import annotations

import gzip
import io
import os
import tarfile
from pathlib import Path

import duckdb
import pytest

from python_hooks.qa_extract import Options, load_qa_archives
from python_hooks.qa_store import WarehouseStore, create_base_tables, prepare_work_folder

STEPS = [f"r1/150M/seed-1/step-{step}.tar.gz" for step in (1, 2, 3)]
VIEWS = {"prediction_records": "pv", "task_metrics_records": "mv"}


def step_archive(step: int, lines: list[str]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, data in (
            (f"step-{step}/boolq-predictions.jsonl", "".join(f"{line}\n" for line in lines)),
            (f"step-{step}/boolq-metrics.json", f'{{"step": {step}}}'),
        ):
            info = tarfile.TarInfo(name)
            info.size = len(data.encode())
            tar.addfile(info, io.BytesIO(data.encode()))
    return gzip.compress(buffer.getvalue(), mtime=0)


def write(root: Path, rel: str, data: bytes) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    later = path.stat().st_mtime_ns + 10_000_000_000 * (1 + len(data) % 7)
    os.utime(path, ns=(later, later))


def connect(db: Path, work: Path) -> duckdb.DuckDBPyConnection:
    """The warehouse with the hook's tables and the stand-in views over the batch folder."""
    con = duckdb.connect(str(db))
    batch = prepare_work_folder(work.resolve())
    create_base_tables(con)
    con.execute(
        f"""create or replace view pv as
        select m.archive, m.source_file, l.line,
               case when l.line = 'BOOM' then error('killed') end as failure
        from read_csv('{batch}/*/*/*-predictions.jsonl', columns = {{'line': 'VARCHAR'}},
                      delim = chr(1), quote = '', escape = '', header = false,
                      auto_detect = false, filename = true) as l
        inner join qa_store.batch_members as m on l.filename = m.scratch_path"""
    )
    con.execute(
        f"""create or replace view mv as
        select m.archive, m.source_file, t.content
        from read_text('{batch}/*/*/*-metrics.json') as t
        inner join qa_store.batch_members as m on t.filename = m.scratch_path"""
    )
    return con


def load(root: Path, db: Path, work: Path, max_member_bytes: int = 1 << 20) -> None:
    con = connect(db, work)
    try:
        store = WarehouseStore(con, VIEWS, max_member_bytes)
        load_qa_archives(root, work, store, Options(max_member_bytes, batch_bytes=1))
    finally:
        con.close()


def tables(db: Path) -> dict[str, list[tuple[object, ...]]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {
            name: con.sql(f"select * exclude ({drop}) from qa_store.{name} order by all").fetchall()
            for name, drop in (
                ("prediction_records", "failure"),
                ("task_metrics_records", "content"),
                ("members", "file_size"),
                ("archives", "mtime_ns"),
                ("member_rejects", "reason"),
            )
        }
    finally:
        con.close()


@pytest.fixture
def root(tmp_path: Path) -> Path:
    qa = tmp_path / "qa"
    for step, rel in enumerate(STEPS, start=1):
        write(qa, rel, step_archive(step, [f"v1 {step} a", f"v1 {step} b"]))
    return qa


def clean_build(root: Path, tmp_path: Path, name: str) -> dict[str, list[tuple[object, ...]]]:
    db = tmp_path / f"{name}.duckdb"
    load(root, db, tmp_path / f"{name}.qa")
    return tables(db)


def test_killed_first_build_resumes_to_a_clean_build(root: Path, tmp_path: Path) -> None:
    db, work = tmp_path / "w.duckdb", tmp_path / "w.qa"
    write(root, STEPS[2], step_archive(3, ["v1 3 a", "BOOM"]))
    with pytest.raises(duckdb.Error, match="killed"):
        load(root, db, work)

    # the batches before the failure are committed whole; the failing one left nothing
    partial = tables(db)
    assert {row[0] for row in partial["archives"]} == set(STEPS[:2])
    assert {row[0] for row in partial["prediction_records"]} == set(STEPS[:2])
    assert len(partial["prediction_records"]) == 4

    write(root, STEPS[2], step_archive(3, ["v1 3 a", "v1 3 b"]))
    load(root, db, work)
    assert tables(db) == clean_build(root, tmp_path, "clean")
    assert len(tables(db)["prediction_records"]) == 6


def test_killed_reload_keeps_the_archive_s_old_rows(root: Path, tmp_path: Path) -> None:
    db, work = tmp_path / "w.duckdb", tmp_path / "w.qa"
    load(root, db, work)
    before = tables(db)
    write(root, STEPS[1], step_archive(2, ["v2 2 a", "BOOM"]))
    with pytest.raises(duckdb.Error, match="killed"):
        load(root, db, work)

    assert tables(db) == before  # step 2's old rows and state, untouched

    write(root, STEPS[1], step_archive(2, ["v2 2 a", "v2 2 b", "v2 2 c"]))
    load(root, db, work)
    after = tables(db)
    assert after == clean_build(root, tmp_path, "clean")
    lines = {row[2] for row in after["prediction_records"] if row[0] == STEPS[1]}
    assert lines == {"v2 2 a", "v2 2 b", "v2 2 c"}


def test_changed_limit_reloads_every_archive(root: Path, tmp_path: Path) -> None:
    db, work = tmp_path / "w.duckdb", tmp_path / "w.qa"
    load(root, db, work)
    assert len(tables(db)["prediction_records"]) == 6

    load(root, db, work, max_member_bytes=5)  # every member is now oversize

    refused = tables(db)
    assert refused["prediction_records"] == []
    assert refused["members"] == []
    assert len(refused["member_rejects"]) == 6
    assert [row[6] for row in refused["archives"]] == ["loaded"] * 3  # status


def test_names_with_quotes_and_non_ascii_are_stored_exactly(tmp_path: Path) -> None:
    """The state and member rows reach DuckDB as one JSON text per statement: names with
    quotes, backslashes and non-ASCII letters come back unchanged, and so does a reject."""
    odd = 'step-7/ünï "q" \\ tâsk-predictions.jsonl'
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, data in ((odd, b"line\n"), ("../escape-predictions.jsonl", b"x\n")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    qa = tmp_path / "qa"
    write(qa, "r1/150M/seed-1/step-7.tar.gz", gzip.compress(buffer.getvalue(), mtime=0))
    db = tmp_path / "w.duckdb"

    load(qa, db, tmp_path / "w.qa")

    stored = tables(db)
    archive = "r1/150M/seed-1/step-7.tar.gz"
    assert [row[:3] for row in stored["members"]] == [(archive, odd, f"{archive}!{odd}")]
    assert stored["prediction_records"] == [(archive, f"{archive}!{odd}", "line")]
    assert stored["member_rejects"] == [(archive, "../escape-predictions.jsonl")]
    assert [row[:5] for row in stored["archives"]] == [(archive, "r1", "150M", 1, 7)]
