"""Tests of python_hooks.qa_extract: safe, tolerant, idempotent extraction of QA tarballs."""

from __future__ import annotations

import gzip
import io
import json
import logging
import os
import random
import subprocess
import sys
import tarfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from python_hooks import qa_extract
from python_hooks.qa_extract import (
    ManifestRow,
    MemberReject,
    extract_qa_tarballs,
    main,
    member_rejects,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
GENERATOR = REPO_ROOT / "scripts" / "generate_qa_sample.py"
WORK_OUTPUTS = {"manifest.json", "manifest.jsonl", "rejects.jsonl"}

Member = tuple[tarfile.TarInfo, bytes | None]


# --- building archives -------------------------------------------------------------------------


def reg(name: str, data: bytes) -> Member:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = 1_700_000_000
    return info, data


def special(name: str, kind: bytes, linkname: str = "") -> Member:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = linkname
    if kind in (tarfile.CHRTYPE, tarfile.BLKTYPE):
        info.devmajor, info.devminor = 1, 3
    return info, None


def tar_bytes(members: Sequence[Member]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for info, data in members:
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return buffer.getvalue()


def tar_gz(members: Sequence[Member]) -> bytes:
    return gzip.compress(tar_bytes(members), mtime=0)


def task_members(step: int, tasks: dict[str, str]) -> list[Member]:
    """A step folder with metrics and predictions members for each task (content from tasks)."""
    members: list[Member] = [special(f"step-{step}", tarfile.DIRTYPE)]
    for task, text in tasks.items():
        members.append(reg(f"step-{step}/{task}-metrics.json", json.dumps({"t": text}).encode()))
        line = json.dumps({"doc_id": 1, "text": text}) + "\n"
        members.append(reg(f"step-{step}/{task}-predictions.jsonl", line.encode()))
    return members


def step_tar_gz(step: int, tasks: dict[str, str], extra: Sequence[Member] = ()) -> bytes:
    return tar_gz([*task_members(step, tasks), *extra])


def noise(size: int, seed: int = 7) -> bytes:
    return random.Random(seed).randbytes(size)


# --- running and checking ----------------------------------------------------------------------


@dataclass(frozen=True)
class Env:
    """A tmp_path with a QA root and a work dir (one level deeper, to catch escapes)."""

    tmp: Path
    qa_root: Path
    work_dir: Path

    @property
    def files(self) -> Path:
        return self.work_dir / "files"

    def write(self, rel: str, data: bytes) -> Path:
        path = self.qa_root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path


@pytest.fixture
def env(tmp_path: Path) -> Env:
    qa_root = tmp_path / "qa"
    qa_root.mkdir()
    (tmp_path / "out").mkdir()
    return Env(tmp_path, qa_root, tmp_path / "out" / "work")


def outside_snapshot(env: Env) -> dict[str, tuple[int, int]]:
    """Every path of tmp_path outside the work dir, with its size and mtime (files only)."""
    snapshot = {}
    for path in env.tmp.rglob("*"):
        if path == env.work_dir or env.work_dir in path.parents:
            continue
        info = path.lstat()
        is_dir = path.is_dir() and not path.is_symlink()
        stamp = (-1, -1) if is_dir else (info.st_size, info.st_mtime_ns)
        snapshot[path.relative_to(env.tmp).as_posix()] = stamp
    return snapshot


def assert_work_dir_clean(env: Env) -> None:
    """The work dir holds only files/, the three state files, and no temp leftovers."""
    assert {p.name for p in env.work_dir.iterdir()} <= {*WORK_OUTPUTS, "files"}
    assert {p.name for p in env.work_dir.iterdir()} >= WORK_OUTPUTS
    for path in env.work_dir.rglob("*"):
        assert not path.is_symlink()
        assert not path.name.endswith(".tmp")


def run(env: Env, **kwargs: Any) -> dict[str, ManifestRow]:  # noqa: ANN401 - pass-through
    """Extract, check nothing was written outside the work dir, return the rows by archive."""
    before = outside_snapshot(env)
    rows = extract_qa_tarballs(env.qa_root, env.work_dir, **kwargs)
    assert outside_snapshot(env) == before
    assert not [p for p in env.tmp.rglob("*evil*") if env.qa_root not in p.parents]
    assert_work_dir_clean(env)
    assert read_jsonl(env.work_dir / "manifest.jsonl") == [row.__dict__ for row in rows]
    return {row.archive: row for row in rows}


def written(env: Env) -> set[str]:
    return {p.relative_to(env.files).as_posix() for p in env.files.rglob("*") if p.is_file()}


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def rejects_of(env: Env, archive: str) -> dict[str, str]:
    return {r.member: r.reason for r in member_rejects(env.work_dir) if r.archive == archive}


def task_files(step_dir: str, *tasks: str) -> set[str]:
    return {
        f"{step_dir}/{t}-{kind}" for t in tasks for kind in ("metrics.json", "predictions.jsonl")
    }


STEP1 = "r1/150M/seed-1/step-1.tar.gz"
STEP1_DIR = "r1/150M/seed-1/step-1"


# --- layout and member safety ------------------------------------------------------------------


def test_step_tarball_extracted_and_other_members_recorded(env: Env) -> None:
    readme = reg("step-1/README.md", b"hello")
    env.write(STEP1, step_tar_gz(1, {"arc_easy": "a", "boolq": "b"}, [readme]))

    rows = run(env)

    assert rows == {
        STEP1: ManifestRow(STEP1, "r1", "150M", 1, 1, 4, "extracted", None),
    }
    assert written(env) == task_files(STEP1_DIR, "arc_easy", "boolq")
    metrics = env.files / STEP1_DIR / "boolq-metrics.json"
    assert json.loads(metrics.read_text()) == {"t": "b"}
    assert member_rejects(env.work_dir) == [
        MemberReject(STEP1, "step-1/README.md", qa_extract.SKIPPED_NOT_TASK_FILE)
    ]
    assert read_jsonl(env.work_dir / "rejects.jsonl") == [
        {"archive": STEP1, "member": "step-1/README.md", "reason": qa_extract.SKIPPED_NOT_TASK_FILE}
    ]


def test_path_traversal_member_never_written(env: Env) -> None:
    evil = [
        reg("step-1/../../evil.json", b"{}"),
        reg("step-1/../../../../evil-metrics.json", b"{}"),
        reg("..\\..\\evil-predictions.jsonl", b"{}"),
    ]
    env.write(STEP1, step_tar_gz(1, {"arc_easy": "a"}, evil))

    rows = run(env)

    assert rows[STEP1].status == "extracted"
    assert rows[STEP1].members_written == 2
    assert written(env) == task_files(STEP1_DIR, "arc_easy")
    assert rejects_of(env, STEP1) == {
        "step-1/../../evil.json": "unsafe: path traversal (..)",
        "step-1/../../../../evil-metrics.json": "unsafe: path traversal (..)",
        "..\\..\\evil-predictions.jsonl": "unsafe: path traversal (..)",
    }


def test_absolute_path_member_never_written(env: Env) -> None:
    target = env.tmp / "abs-metrics.json"
    env.write(STEP1, step_tar_gz(1, {"boolq": "b"}, [reg(str(target), b"{}")]))

    rows = run(env)

    assert not target.exists()
    assert rows[STEP1].members_written == 2
    assert written(env) == task_files(STEP1_DIR, "boolq")
    assert rejects_of(env, STEP1) == {str(target): "unsafe: absolute path"}


def test_symlink_member_never_written(env: Env) -> None:
    links = [
        special("step-1/arc_easy-metrics.json", tarfile.SYMTYPE, "/etc/passwd"),
        special("step-1/evil-predictions.jsonl", tarfile.SYMTYPE, "../../../evil"),
    ]
    env.write(STEP1, tar_gz([*links, *task_members(1, {"boolq": "b"})]))

    rows = run(env)

    assert rows[STEP1].members_written == 2
    assert written(env) == task_files(STEP1_DIR, "boolq")
    assert rejects_of(env, STEP1) == {
        "step-1/arc_easy-metrics.json": "unsafe: symbolic link to /etc/passwd",
        "step-1/evil-predictions.jsonl": "unsafe: symbolic link to ../../../evil",
    }


def test_hard_link_member_never_written(env: Env) -> None:
    link = special("step-1/boolq-metrics.json", tarfile.LNKTYPE, "step-1/arc_easy-metrics.json")
    env.write(STEP1, step_tar_gz(1, {"arc_easy": "a"}, [link]))

    rows = run(env)

    assert rows[STEP1].members_written == 2
    assert written(env) == task_files(STEP1_DIR, "arc_easy")
    assert rejects_of(env, STEP1) == {
        "step-1/boolq-metrics.json": "unsafe: hard link to step-1/arc_easy-metrics.json"
    }


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        (tarfile.CHRTYPE, "unsafe: device file"),
        (tarfile.BLKTYPE, "unsafe: device file"),
        (tarfile.FIFOTYPE, "unsafe: fifo"),
    ],
    ids=["chrdev", "blkdev", "fifo"],
)
def test_device_and_fifo_members_never_written(env: Env, kind: bytes, reason: str) -> None:
    env.write(STEP1, step_tar_gz(1, {"arc_easy": "a"}, [special("step-1/null-metrics.json", kind)]))

    rows = run(env)

    assert rows[STEP1].members_written == 2
    assert written(env) == task_files(STEP1_DIR, "arc_easy")
    assert rejects_of(env, STEP1) == {"step-1/null-metrics.json": reason}


def test_oversize_member_never_written(env: Env) -> None:
    members = [
        reg("step-1/big-metrics.json", b"x" * 101),
        reg("step-1/ok-metrics.json", b"y" * 100),
    ]
    env.write(STEP1, tar_gz(members))

    rows = run(env, max_member_bytes=100)

    assert rows[STEP1].members_written == 1
    assert written(env) == {f"{STEP1_DIR}/ok-metrics.json"}
    assert rejects_of(env, STEP1) == {"step-1/big-metrics.json": "oversize: 101 bytes > max 100"}


def test_symlinked_output_folder_never_written_through(env: Env) -> None:
    elsewhere = env.tmp / "elsewhere"
    elsewhere.mkdir()
    env.work_dir.mkdir()
    (env.work_dir / "files").symlink_to(elsewhere, target_is_directory=True)
    env.write(STEP1, step_tar_gz(1, {"boolq": "b"}))
    before = outside_snapshot(env)

    rows = extract_qa_tarballs(env.qa_root, env.work_dir)

    assert outside_snapshot(env) == before
    assert list(elsewhere.iterdir()) == []
    assert rows[0].status == "rejected"
    assert "outside" in str(rows[0].reason)
    assert not (env.work_dir / ".tmp").exists()


def test_tgz_suffix_accepted_in_both_layouts(env: Env) -> None:
    inner = reg("rec/60M/seed-3/step-5.tgz", step_tar_gz(5, {"boolq": "b"}))
    env.write("models/rec.tgz", tar_gz([inner]))
    env.write("r1/150M/seed-1/step-1.tgz", step_tar_gz(1, {"boolq": "b"}))

    rows = run(env)

    assert sorted(rows) == [
        "models/rec.tgz",
        "models/rec.tgz!rec/60M/seed-3/step-5.tgz",
        "r1/150M/seed-1/step-1.tgz",
    ]
    assert written(env) == task_files(STEP1_DIR, "boolq") | task_files(
        "rec/60M/seed-3/step-5", "boolq"
    )


# --- corrupt and truncated archives ------------------------------------------------------------


def assert_one_line_reason(row: ManifestRow) -> None:
    assert row.status == "rejected"
    assert row.members_written == 0
    assert row.reason
    assert "\n" not in row.reason


def test_corrupt_gzip_rejected_others_extracted(env: Env) -> None:
    env.write("r1/150M/seed-1/step-2.tar.gz", noise(4096))
    env.write("models/r2.tar.gz", noise(2048, seed=8))
    env.write(STEP1, step_tar_gz(1, {"boolq": "b"}))

    rows = run(env)

    bad = rows["r1/150M/seed-1/step-2.tar.gz"]
    assert_one_line_reason(bad)
    assert (bad.recipe, bad.params, bad.seed, bad.step) == ("r1", "150M", 1, 2)
    assert_one_line_reason(rows["models/r2.tar.gz"])
    assert rows["models/r2.tar.gz"].recipe is None
    assert rows[STEP1].status == "extracted"
    assert written(env) == task_files(STEP1_DIR, "boolq")
    rejects = read_jsonl(env.work_dir / "rejects.jsonl")
    assert {(r["archive"], r["member"]) for r in rejects} == {
        ("models/r2.tar.gz", None),
        ("r1/150M/seed-1/step-2.tar.gz", None),
    }


def big_step_archive() -> bytes:
    """A step archive whose first task file is small and whose second one is large."""
    members = [
        reg("step-2/arc_easy-metrics.json", b'{"a": 1}'),
        reg("step-2/arc_easy-predictions.jsonl", noise(64 * 1024)),
        reg("step-2/boolq-metrics.json", b'{"b": 1}'),
    ]
    return tar_gz(members)


def test_truncated_archive_leaves_nothing_behind(env: Env) -> None:
    data = big_step_archive()
    env.write("r1/150M/seed-1/step-2.tar.gz", data[: len(data) // 2])
    env.write(STEP1, step_tar_gz(1, {"boolq": "b"}))

    rows = run(env)

    assert_one_line_reason(rows["r1/150M/seed-1/step-2.tar.gz"])
    assert not (env.files / "r1/150M/seed-1/step-2").exists()
    assert rows[STEP1].status == "extracted"
    assert written(env) == task_files(STEP1_DIR, "boolq")
    assert member_rejects(env.work_dir) == []


@pytest.mark.parametrize("cut", ["header_boundary", "inside_header", "inside_data"])
def test_truncated_tar_inside_valid_gzip_rejected(env: Env, cut: str) -> None:
    raw = tar_bytes(task_members(2, {"arc_easy": "a", "boolq": "b"}))
    offsets = {"header_boundary": 3 * 512, "inside_header": 3 * 512 + 100, "inside_data": 700}
    env.write("r1/150M/seed-1/step-2.tar.gz", gzip.compress(raw[: offsets[cut]], mtime=0))

    rows = run(env)

    assert_one_line_reason(rows["r1/150M/seed-1/step-2.tar.gz"])
    assert written(env) == set()


def test_bad_gzip_checksum_rejected(env: Env) -> None:
    padded = tar_bytes(task_members(2, {"boolq": "b"})) + bytes(64 * 1024)
    data = bytearray(gzip.compress(padded, mtime=0))
    data[-8] ^= 0xFF  # the CRC32 of the gzip trailer
    env.write("r1/150M/seed-1/step-2.tar.gz", bytes(data))

    rows = run(env)

    assert_one_line_reason(rows["r1/150M/seed-1/step-2.tar.gz"])
    assert "CRC" in str(rows["r1/150M/seed-1/step-2.tar.gz"].reason)
    assert written(env) == set()


# --- recipe tarballs ---------------------------------------------------------------------------


CONTAINER = "models/rec.tar.gz"


def container_members() -> list[Member]:
    truncated = step_tar_gz(40, {"arc_easy": "t"}, [reg("step-40/x-metrics.json", noise(9000))])
    return [
        special("rec", tarfile.DIRTYPE),
        reg("rec/150M/seed-1/step-10.tar.gz", step_tar_gz(10, {"arc_easy": "a", "boolq": "b"})),
        reg(
            "top/rec/1B/seed-2/step-20.tar.gz",
            step_tar_gz(20, {"mmlu_anatomy": "m"}, [reg("step-20/../../evil.json", b"{}")]),
        ),
        reg("rec/README.md", b"readme"),
        reg("misc/other.tar.gz", step_tar_gz(1, {"boolq": "x"})),
        special("rec/150M/seed-1/step-50.tar.gz", tarfile.SYMTYPE, "/etc/passwd"),
        reg("rec/150M/seed-1/step-30.tar.gz", noise(3000)),
        reg("rec/150M/seed-1/step-40.tar.gz", truncated[: len(truncated) // 2]),
    ]


def test_nested_archives_extracted_per_inner_archive(env: Env) -> None:
    env.write(CONTAINER, tar_gz(container_members()))

    rows = run(env)

    inner = f"{CONTAINER}!rec/150M/seed-1/step-10.tar.gz"
    nested_folder = f"{CONTAINER}!top/rec/1B/seed-2/step-20.tar.gz"
    assert rows[CONTAINER] == ManifestRow(CONTAINER, None, None, None, None, 0, "extracted", None)
    assert rows[inner] == ManifestRow(inner, "rec", "150M", 1, 10, 4, "extracted", None)
    assert rows[nested_folder] == ManifestRow(
        nested_folder, "rec", "1B", 2, 20, 2, "extracted", None
    )
    for step in (30, 40):
        assert_one_line_reason(rows[f"{CONTAINER}!rec/150M/seed-1/step-{step}.tar.gz"])
    assert len(rows) == 5
    assert written(env) == task_files("rec/150M/seed-1/step-10", "arc_easy", "boolq") | task_files(
        "rec/1B/seed-2/step-20", "mmlu_anatomy"
    )
    assert rejects_of(env, CONTAINER) == {
        "rec/README.md": qa_extract.SKIPPED_NOT_STEP_TARBALL,
        "misc/other.tar.gz": qa_extract.SKIPPED_BAD_STEP_PATH,
        "rec/150M/seed-1/step-50.tar.gz": "unsafe: symbolic link to /etc/passwd",
    }
    assert rejects_of(env, nested_folder) == {
        "step-20/../../evil.json": "unsafe: path traversal (..)"
    }


def test_truncated_recipe_tarball_keeps_completed_inner_archives(env: Env) -> None:
    members = [
        reg("rec/150M/seed-1/step-10.tar.gz", step_tar_gz(10, {"boolq": "b"})),
        reg(
            "rec/150M/seed-1/step-20.tar.gz",
            step_tar_gz(20, {"x": "y"}, [reg("n", noise(1 << 16))]),
        ),
    ]
    data = tar_gz(members)
    env.write(CONTAINER, data[: len(data) * 3 // 4])

    rows = run(env)

    assert_one_line_reason(rows[CONTAINER])
    assert rows[f"{CONTAINER}!rec/150M/seed-1/step-10.tar.gz"].status == "extracted"
    assert_one_line_reason(rows[f"{CONTAINER}!rec/150M/seed-1/step-20.tar.gz"])
    assert written(env) == task_files("rec/150M/seed-1/step-10", "boolq")


def test_duplicate_step_rejected_first_in_path_order_wins(env: Env) -> None:
    env.write("models/r1.tar.gz", tar_gz([reg(STEP1, step_tar_gz(1, {"boolq": "inner"}))]))
    env.write(STEP1, step_tar_gz(1, {"boolq": "outer"}))
    inner = f"models/r1.tar.gz!{STEP1}"

    rows = run(env)
    again = run(env)

    assert rows[inner].status == "extracted"
    assert rows[STEP1].status == "rejected"
    assert rows[STEP1].reason == f"duplicate step {STEP1_DIR}: already provided by {inner}"
    assert again[inner].status == "unchanged"
    assert again[STEP1].reason == rows[STEP1].reason
    assert json.loads((env.files / STEP1_DIR / "boolq-metrics.json").read_text()) == {"t": "inner"}

    (env.qa_root / "models/r1.tar.gz").unlink()
    rows = run(env)

    assert list(rows) == [STEP1]
    assert rows[STEP1].status == "extracted"
    assert json.loads((env.files / STEP1_DIR / "boolq-metrics.json").read_text()) == {"t": "outer"}


# --- idempotency -------------------------------------------------------------------------------


def stats(env: Env) -> dict[str, tuple[int, int]]:
    return {
        rel: ((env.files / rel).stat().st_mtime_ns, (env.files / rel).stat().st_ino)
        for rel in written(env)
    }


def write_mixed_qa_root(env: Env) -> None:
    readme = reg("step-1/README.md", b"x")
    env.write(STEP1, step_tar_gz(1, {"arc_easy": "a", "boolq": "b"}, [readme]))
    env.write("r1/150M/seed-1/step-3.tar.gz", noise(100))
    env.write(CONTAINER, tar_gz(container_members()))


def test_rerun_without_changes_extracts_nothing(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    write_mixed_qa_root(env)
    first = run(env)
    before = stats(env)
    rejects_before = member_rejects(env.work_dir)
    rejects_file = (env.work_dir / "rejects.jsonl").read_text()

    def fail(*args: object) -> None:
        raise AssertionError(f"archive read again: {args}")

    monkeypatch.setattr(qa_extract, "_read_step_stream", fail)
    monkeypatch.setattr(qa_extract, "_read_container", fail)
    second = run(env)

    assert second.keys() == first.keys()
    for key, row in first.items():
        expected = "rejected" if row.status == "rejected" else "unchanged"
        assert second[key].status == expected
        assert second[key].members_written == row.members_written
        assert second[key].reason == row.reason
    assert stats(env) == before
    assert member_rejects(env.work_dir) == rejects_before
    assert len(rejects_before) == 5
    assert (env.work_dir / "rejects.jsonl").read_text() == rejects_file


def touch_later(path: Path) -> None:
    info = path.stat()
    later = info.st_mtime_ns + 10_000_000_000
    os.utime(path, ns=(later, later))


def test_changed_archive_is_extracted_again(env: Env) -> None:
    path = env.write(STEP1, step_tar_gz(1, {"arc_easy": "old", "boolq": "old"}))
    run(env)
    path.write_bytes(step_tar_gz(1, {"arc_easy": "new", "mmlu_anatomy": "new"}))
    touch_later(path)

    rows = run(env)

    assert rows[STEP1] == ManifestRow(STEP1, "r1", "150M", 1, 1, 4, "extracted", None)
    assert written(env) == task_files(STEP1_DIR, "arc_easy", "mmlu_anatomy")
    metrics = env.files / STEP1_DIR / "arc_easy-metrics.json"
    assert json.loads(metrics.read_text()) == {"t": "new"}


def test_changed_recipe_tarball_replaces_its_inner_archives(env: Env) -> None:
    first = [
        reg("rec/150M/seed-1/step-10.tar.gz", step_tar_gz(10, {"boolq": "old"})),
        reg("rec/150M/seed-1/step-20.tar.gz", step_tar_gz(20, {"boolq": "old"})),
    ]
    path = env.write(CONTAINER, tar_gz(first))
    run(env)
    second = [reg("rec/150M/seed-1/step-10.tar.gz", step_tar_gz(10, {"arc_easy": "new"}))]
    path.write_bytes(tar_gz(second))
    touch_later(path)

    rows = run(env)

    assert sorted(rows) == [CONTAINER, f"{CONTAINER}!rec/150M/seed-1/step-10.tar.gz"]
    assert {row.status for row in rows.values()} == {"extracted"}
    assert written(env) == task_files("rec/150M/seed-1/step-10", "arc_easy")


def test_removed_or_now_corrupt_archive_output_removed(env: Env) -> None:
    step2 = "r1/150M/seed-1/step-2.tar.gz"
    env.write(STEP1, step_tar_gz(1, {"boolq": "b"}))
    path = env.write(step2, step_tar_gz(2, {"boolq": "b"}))
    run(env)
    (env.qa_root / STEP1).unlink()
    path.write_bytes(noise(500))
    touch_later(path)

    rows = run(env)

    assert list(rows) == [step2]
    assert_one_line_reason(rows[step2])
    assert written(env) == set()
    assert list(env.files.iterdir()) == []


def test_deleted_output_file_triggers_reextraction(env: Env) -> None:
    env.write(STEP1, step_tar_gz(1, {"boolq": "b"}))
    run(env)
    (env.files / STEP1_DIR / "boolq-metrics.json").unlink()

    rows = run(env)

    assert rows[STEP1].status == "extracted"
    assert written(env) == task_files(STEP1_DIR, "boolq")


def test_changed_max_member_bytes_reextracts(env: Env) -> None:
    env.write(STEP1, step_tar_gz(1, {"boolq": "b"}))
    run(env)

    rows = run(env, max_member_bytes=5)

    assert rows[STEP1].status == "extracted"
    assert rows[STEP1].members_written == 0
    assert written(env) == set()


def test_missing_qa_root_returns_nothing(env: Env, caplog: pytest.LogCaptureFixture) -> None:
    missing = env.tmp / "nowhere"
    before = outside_snapshot(env)
    with caplog.at_level(logging.INFO, logger="dr_ingest.qa_extract"):
        rows = extract_qa_tarballs(missing, env.work_dir)

    assert rows == []
    assert outside_snapshot(env) == before
    assert_work_dir_clean(env)
    assert len(caplog.records) == 1
    assert not missing.exists()
    assert (env.work_dir / "manifest.jsonl").read_text() == ""
    assert (env.work_dir / "rejects.jsonl").read_text() == ""
    assert member_rejects(env.work_dir) == []


# --- observability and CLI ---------------------------------------------------------------------


def test_progress_and_summary_logged(env: Env, caplog: pytest.LogCaptureFixture) -> None:
    env.write(STEP1, step_tar_gz(1, {"boolq": "b"}))
    env.write("r1/150M/seed-1/step-2.tar.gz", step_tar_gz(2, {"boolq": "b"}))
    with caplog.at_level(logging.INFO, logger="dr_ingest.qa_extract"):
        run(env, progress_every=1)

    messages = [record.getMessage() for record in caplog.records]
    assert [m for m in messages if m.startswith("progress")] == [
        "progress: 1/2 archives done",
        "progress: 2/2 archives done",
    ]
    assert messages[-1].startswith("done: 2 tarballs, archives=2, extracted=2")


def test_cli_prints_summary(env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    env.write(STEP1, step_tar_gz(1, {"boolq": "b"}, [reg("step-1/notes.txt", b"")]))

    assert main([str(env.qa_root), str(env.work_dir), "--max-member-bytes", "1000"]) == 0

    assert json.loads(capsys.readouterr().out) == {
        "archives": 1,
        "extracted": 1,
        "unchanged": 0,
        "rejected": 0,
        "members_written": 2,
        "member_rejects": 1,
    }


# --- the generated sample ----------------------------------------------------------------------


def generate(out: Path) -> dict[str, int]:
    result = subprocess.run(
        [sys.executable, str(GENERATOR), "--out", str(out)],
        check=True,
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
    )
    return json.loads(result.stdout)


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_generated_sample_is_deterministic_and_extracts(tmp_path: Path) -> None:
    expected = {
        "archives": 3,
        "step_archives": 4,
        "task_files": 24,
        "questions": 43,
        "answer_choices": 150,
        "malformed_lines": 1,
    }
    assert generate(tmp_path / "a") == expected
    first = tree_bytes(tmp_path / "a" / "qa")
    assert generate(tmp_path / "a") == expected
    assert generate(tmp_path / "b") == expected
    assert tree_bytes(tmp_path / "a" / "qa") == first == tree_bytes(tmp_path / "b" / "qa")
    assert sorted(first) == [
        "dolma1.7/150M/seed-2/step-1000.tar.gz",
        "dolma1.7/150M/seed-2/step-2000.tar.gz",
        "models/dclm-baseline.tar.gz",
    ]
    assert sum(len(data) for data in first.values()) < 200 * 1024

    env = Env(tmp_path, tmp_path / "a" / "qa", tmp_path / "work")
    rows = run(env)

    assert len(rows) == 5
    assert {row.status for row in rows.values()} == {"extracted"}
    assert len([row for row in rows.values() if row.step is not None]) == 4
    assert sum(row.members_written for row in rows.values()) == 24
    assert member_rejects(env.work_dir) == []
    assert len(written(env)) == 24
    assert count_predictions(env) == (43, 150, 1)


def count_predictions(env: Env) -> tuple[int, int, int]:
    """Valid lines, answer choices and malformed lines of the extracted predictions files."""
    questions = choices = malformed = 0
    for path in env.files.rglob("*-predictions.jsonl"):
        for line in path.read_text().splitlines():
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                malformed += 1
                continue
            questions += 1
            choices += len(record["model_output"])
    return questions, choices, malformed
