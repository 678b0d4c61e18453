"""QA tarballs through `dbt build`: the hook as a model, the qa_* marts, rejects, work folder."""

from __future__ import annotations

import io
import shutil
import tarfile
from pathlib import Path

import duckdb
from conftest import REPO, DbtResult, RunDbt, SampleCopy, SampleRebuild

SAMPLE = REPO / "sample_data"


def archive_lines(archive: tarfile.TarFile) -> int:
    """Non-blank lines of the predictions members of a step tarball, or of the step tarballs
    inside a recipe tarball, counted with plain Python."""
    lines = 0
    for member in archive:
        data = archive.extractfile(member) if member.isfile() else None
        if data is None:
            continue
        if member.name.endswith(".tar.gz"):
            with tarfile.open(fileobj=data, mode="r|gz") as inner:
                lines += archive_lines(inner)
        elif member.name.endswith("-predictions.jsonl"):
            lines += sum(1 for line in data.read().decode().splitlines() if line.strip())
    return lines


def prediction_lines(qa_root: Path) -> int:
    total = 0
    for path in sorted(qa_root.rglob("*.tar.gz")):
        with tarfile.open(path, mode="r|gz") as archive:
            total += archive_lines(archive)
    return total


def test_sample_qa_tables_exact_counts(sample_build: DbtResult) -> None:
    checkpoints = "where model_kind = 'pretrained_checkpoint'"  # the oe-eval folders aside
    assert sample_build.query(f"select count(*) from qa_task_evals {checkpoints}") == [(12,)]
    assert sample_build.query(f"select count(*) from qa_instances {checkpoints}") == [(43,)]
    assert sample_build.query(f"select count(*) from qa_choices {checkpoints}") == [(150,)]
    recipes = sample_build.query(
        f"select distinct recipe from qa_instances {checkpoints} order by 1"
    )
    assert recipes == [("DCLM-Baseline",), ("Dolma1.7",)]
    kinds = {row[0] for row in sample_build.query("select native_id_kind from qa_instances")}
    assert kinds == {"int", "string", "null"}


def test_sample_qa_lines_reconcile(sample_build: DbtResult) -> None:
    lines = prediction_lines(SAMPLE / "qa")
    instances = sample_build.query(
        "select count(*) from qa_instances where model_kind = 'pretrained_checkpoint'"
    )[0][0]
    rejected = sample_build.query(
        "select count(*) from ingest_rejects where source_name = 'qa_predictions'"
    )[0][0]
    assert rejected == 1
    assert lines == instances + rejected == 44


def test_work_folder_keeps_no_extracted_files(sample_build: DbtResult) -> None:
    work_dir = Path(str(sample_build.db_path) + ".qa")
    files = {p.relative_to(work_dir).as_posix(): p.stat().st_size for p in work_dir.rglob("*")}
    folders = {"batch", "batch/empty", "batch/empty/0"}
    placeholders = {"batch/empty/0/empty-predictions.jsonl", "batch/empty/0/empty-metrics.json"}
    assert set(files) == folders | placeholders
    assert {files[name] for name in placeholders} == {0}
    stored = sample_build.query("select sum(file_size) from qa_store.members")[0][0]
    inputs = sum(p.stat().st_size for p in (SAMPLE / "qa").rglob("*.tar.gz"))
    assert isinstance(stored, int)
    assert stored > inputs  # what was read is bigger than the archives, and none of it stays


def test_rebuild_does_not_extract_again(sample_rebuild: SampleRebuild) -> None:
    # a build from scratch (its warehouse as it left it), then the same warehouse rebuilt
    first, second = sample_rebuild.first, sample_rebuild.second
    assert first.returncode == 0, first.output[-3000:]
    statuses = first.query("select status, count(*) from loading.load_qa__archives group by 1")
    assert dict(statuses) == {"loaded": 5}
    assert second.returncode == 0, second.output[-3000:]
    statuses = second.query("select status, count(*) from loading.load_qa__archives group by 1")
    assert dict(statuses) == {"unchanged": 5}
    assert second.query(
        "select count(*) from qa_choices where model_kind = 'pretrained_checkpoint'"
    ) == [(150,)]


def add_member(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    archive.addfile(info, io.BytesIO(data))


def test_bad_archives_give_rejects_not_a_failed_build(run_dbt: RunDbt, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(SAMPLE / "wandb", data / "wandb")
    shutil.copytree(SAMPLE / "qa", data / "qa")
    bad = data / "qa" / "dolma1.7" / "150M" / "seed-2"
    (bad / "step-3000.tar.gz").write_bytes(b"this is not gzip at all")
    good = (bad / "step-1000.tar.gz").read_bytes()
    (bad / "step-4000.tar.gz").write_bytes(good[: len(good) // 2])
    with tarfile.open(bad / "step-5000.tar.gz", "w:gz") as archive:
        add_member(archive, "step-5000/../../escape-predictions.jsonl", b"{}\n")
        add_member(archive, "step-5000/arc_easy-predictions.jsonl", b'{"doc_id": 1}\n')
    result = run_dbt(["build"], data)
    assert result.returncode == 0, result.output[-5000:]
    archives = dict(
        result.query(
            "select archive, status from loading.load_qa__archives"
            " where archive like 'dolma1.7/150M/seed-2/%'"
        )
    )
    assert archives["dolma1.7/150M/seed-2/step-3000.tar.gz"] == "rejected"
    assert archives["dolma1.7/150M/seed-2/step-4000.tar.gz"] == "rejected"
    assert archives["dolma1.7/150M/seed-2/step-5000.tar.gz"] == "loaded"
    rejects = result.query(
        "select source_file, record_key from ingest_rejects where source_name = 'qa_archives'"
        " order by 1"
    )
    assert ("dolma1.7/150M/seed-2/step-3000.tar.gz", None) in rejects
    assert ("dolma1.7/150M/seed-2/step-4000.tar.gz", None) in rejects
    assert any(key and ".." in key for _, key in rejects)
    assert not (tmp_path / "escape-predictions.jsonl").exists()
    # the good archives still load, and the one safe member of step 5000 too
    assert (
        result.query("select count(*) from qa_instances where step in (1000, 2000, 5000)")[0][0]
        == 43 + 1
    )


def test_stored_qa_rows_that_go_missing_fail_the_reconciliation(sample_copy: SampleCopy) -> None:
    """Rows removed from the store after the hook ran: the error-level reconciliation test
    (the hook's manifest against the stored rows) fails and names the archive and file."""
    connection = duckdb.connect(str(sample_copy.first.db_path))
    try:
        removed = connection.execute(
            "delete from qa_store.prediction_records where source_file = ("
            " select min(source_file) from qa_store.prediction_records)"
            " returning archive, source_file"
        ).fetchall()
    finally:
        connection.close()
    assert removed
    result = sample_copy.build(["test", "--select", "assert_qa_store_reconciles"])
    assert result.returncode != 0, result.output[-3000:]
    assert "FAIL 2 assert_qa_store_reconciles" in result.output  # the archive and its file


def test_the_sample_store_reconciles_with_the_manifest(sample_build: DbtResult) -> None:
    results = {r["unique_id"]: r["status"] for r in sample_build.run_results()}
    assert results["test.dr_ingest.assert_qa_store_reconciles"] == "pass"
