"""QA archives incremental by archive, through dbt: add, touch, replace, delete.

One warehouse follows the changes of one QA root; after each round of changes its QA tables
equal those of a warehouse built from scratch on the same root, and only the changed
archives' rows differ from the previous build. Two changes share a round (add + touch,
replace + delete: five dbt builds instead of nine); each archive's own status and rows are
checked. The work folder never keeps extracted JSONL.
"""

from __future__ import annotations

import gzip
import io
import os
import shutil
import tarfile
from pathlib import Path

import pytest
from conftest import MODELS_AND_SEEDS, REPO, DbtResult, invoke_dbt

pytestmark = pytest.mark.xdist_group("qa_incremental")

QA_MODELS = "+qa_instances +qa_choices +qa_task_evals"
BUILD = [*MODELS_AND_SEEDS, "-s", *QA_MODELS.split()]
STEP_1000 = "dolma1.7/150M/seed-2/step-1000.tar.gz"
STEP_2000 = "dolma1.7/150M/seed-2/step-2000.tar.gz"
# what every row of an archive's checkpoint carries (file keys, model ids, source paths)
CKPT_1000 = "dolma1.7/150M/seed-2/step-1000"
CKPT_2000 = "dolma1.7/150M/seed-2/step-2000"
RECIPE = "models/dclm-baseline.tar.gz"
TABLES = {
    "qa_instances": "select * from qa_instances",
    "qa_choices": "select * from qa_choices",
    "qa_task_evals": "select * from qa_task_evals",
    "records": "select * exclude (_loaded_at) from qa_store.prediction_records",
    "members": "select * from qa_store.members",
    "archives": "select archive, size, status, members_written, questions from qa_store.archives",
}


def snapshot(result: DbtResult) -> dict[str, list[tuple[object, ...]]]:
    return {name: sorted(map(tuple, result.query(sql)), key=repr) for name, sql in TABLES.items()}


def statuses(result: DbtResult) -> dict[str, str]:
    rows = result.query("select archive, status from loading.load_qa__archives")
    return {str(archive): str(status) for archive, status in rows}


def rows_of(tables: dict[str, list[tuple[object, ...]]], archive: str) -> list[str]:
    """Records and members of one archive (source files start with its key)."""
    return [
        repr(row)
        for name in ("records", "members")
        for row in tables[name]
        if str(row[0]) == archive
    ]


def without(tables: dict[str, list[tuple[object, ...]]], checkpoint: str) -> dict[str, list[str]]:
    """Every table's rows that do not belong to ``checkpoint``."""
    return {
        name: [repr(row) for row in rows if checkpoint not in repr(row)]
        for name, rows in tables.items()
    }


def rewrite_without_task(path: Path, task: str) -> None:
    """The same step tarball without one task's two files (different content and size)."""
    with tarfile.open(path, "r:gz") as source:
        members = [(m, source.extractfile(m)) for m in source.getmembers()]
        kept = [(m, f.read() if f else None) for m, f in members if f"/{task}-" not in m.name]
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as target:
        for member, data in kept:
            target.addfile(member, io.BytesIO(data) if data is not None else None)
    path.write_bytes(gzip.compress(buffer.getvalue(), mtime=0))


def touch_later(path: Path) -> None:
    later = path.stat().st_mtime_ns + 10_000_000_000
    os.utime(path, ns=(later, later))


def work_folder_files(result: DbtResult) -> dict[str, int]:
    root = Path(str(result.db_path) + ".qa")
    return {
        p.relative_to(root).as_posix(): p.stat().st_size for p in root.rglob("*") if p.is_file()
    }


def test_archive_changes_replace_only_their_rows(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "wandb").mkdir(parents=True)
    shutil.copytree(REPO / "sample_data" / "qa", data / "qa")
    aside = tmp_path / "step-2000.tar.gz"
    shutil.move(data / "qa" / STEP_2000, aside)
    live = tmp_path / "live"
    live.mkdir()
    scratch_db = tmp_path / "scratch" / "warehouse.duckdb"

    def build(db: Path) -> DbtResult:
        # one target folder per warehouse path: dbt re-parses only what changed (a new target
        # folder is a full parse, about half of a small build)
        result = invoke_dbt(BUILD, data, db, db.parent / "work")
        assert result.returncode == 0, result.output[-4000:]
        return result

    def incremental_equals_scratch() -> tuple[DbtResult, dict[str, list[tuple[object, ...]]]]:
        result = build(live / "warehouse.duckdb")
        # from scratch: the same warehouse path, its file and QA work folder removed first
        for leftover in scratch_db.parent.glob(scratch_db.name + "*"):
            if leftover.is_dir():
                shutil.rmtree(leftover)
            else:
                leftover.unlink()
        scratch_db.parent.mkdir(exist_ok=True)
        scratch = build(scratch_db)
        tables = snapshot(result)
        assert tables == snapshot(scratch)
        assert work_folder_files(result) == {
            "batch/empty/0/empty-predictions.jsonl": 0,
            "batch/empty/0/empty-metrics.json": 0,
        }
        return result, tables

    first = build(live / "warehouse.duckdb")
    before = snapshot(first)
    assert set(statuses(first).values()) == {"loaded"}

    # add an archive (only its rows appear) and touch the recipe tarball without changing it
    # (it is streamed again, its nested steps are not loaded again, nothing else changes)
    shutil.copy2(aside, data / "qa" / STEP_2000)
    touch_later(data / "qa" / RECIPE)
    second, after_add = incremental_equals_scratch()
    status = statuses(second)
    assert status[STEP_2000] == "loaded"
    assert status[RECIPE] == "loaded"
    nested = {a: s for a, s in status.items() if a.startswith(RECIPE + "!")}
    assert len(nested) == 2
    assert set(nested.values()) == {"unchanged"}
    assert status[STEP_1000] == "unchanged"
    assert without(after_add, CKPT_2000) == without(before, CKPT_2000)
    assert without(before, CKPT_2000) == {k: [repr(r) for r in v] for k, v in before.items()}
    assert len(rows_of(after_add, STEP_2000)) > 0

    # replace an archive with different content (its rows change, the others stay) and
    # delete another (its rows go)
    rewrite_without_task(data / "qa" / STEP_1000, "boolq")
    touch_later(data / "qa" / STEP_1000)
    (data / "qa" / STEP_2000).unlink()
    third, after = incremental_equals_scratch()
    assert statuses(third)[STEP_1000] == "loaded"
    assert STEP_2000 not in statuses(third)
    assert {s for a, s in statuses(third).items() if a != STEP_1000} == {"unchanged"}
    old_rows, new_rows = rows_of(after_add, STEP_1000), rows_of(after, STEP_1000)
    assert new_rows != old_rows
    assert not [row for row in new_rows if "boolq" in row]
    assert [row for row in old_rows if "boolq" in row]
    assert rows_of(after, STEP_2000) == []
    assert without(after, CKPT_2000) == {k: [repr(r) for r in v] for k, v in after.items()}
    assert without(after, CKPT_1000) == without(before, CKPT_1000)


def test_full_refresh_reloads_every_archive(tmp_path: Path) -> None:
    """`dbt build --full-refresh` drops the QA store and reads every archive again; the
    state and records it leaves equal those of the first build."""
    data = tmp_path / "data"
    (data / "wandb").mkdir(parents=True)
    shutil.copytree(REPO / "sample_data" / "qa", data / "qa")
    db = tmp_path / "live" / "warehouse.duckdb"
    db.parent.mkdir()
    qa_graph = [*MODELS_AND_SEEDS, "-s", "+load_qa__archives"]
    state = TABLES["archives"]
    counts = "select archive, count(*) from qa_store.prediction_records group by archive"

    def build(*extra: str) -> DbtResult:
        result = invoke_dbt([*qa_graph, *extra], data, db, db.parent / "work")
        assert result.returncode == 0, result.output[-4000:]
        return result

    # a DbtResult queries the warehouse as it is now: the first build's tables are read here
    first = build()
    first_status = statuses(first)
    assert set(first_status.values()) == {"loaded"}
    first_state, first_counts = sorted(first.query(state)), sorted(first.query(counts))
    assert len(first_state) == len(first_status)
    assert first_counts
    # without the flag nothing is read again: the reload below is the flag's doing
    assert set(statuses(build()).values()) == {"unchanged"}

    refreshed = build("--full-refresh")
    assert statuses(refreshed) == first_status
    assert sorted(refreshed.query(state)) == first_state
    assert sorted(refreshed.query(counts)) == first_counts
