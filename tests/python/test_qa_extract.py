"""Tests of the QA hook (python_hooks.qa_*): safe, tolerant, incremental streaming of tarballs.

The hook hands each batch to a store; :class:`RecordingStore` keeps in memory what the
warehouse store keeps in tables (the files' contents by checkpoint, the state), so these tests
see exactly what would be loaded. The warehouse store itself is tested in test_qa_store.py.
"""

from __future__ import annotations

import gzip
import io
import json
import logging
import os
import random
import re
import subprocess
import sys
import tarfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from python_hooks import qa_extract, qa_members
from python_hooks.qa_extract import Options, load_qa_archives
from python_hooks.qa_state import Entry
from python_hooks.qa_store import BatchFile

REPO_ROOT = Path(__file__).resolve().parents[2]
GENERATOR = REPO_ROOT / "scripts" / "generate_qa_sample.py"
PLACEHOLDERS = {"batch/empty/0/empty-predictions.jsonl", "batch/empty/0/empty-metrics.json"}

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


class RecordingStore:
    """A store that keeps every committed file's content and the state, like the warehouse."""

    def __init__(self) -> None:
        self.state: dict[str, Entry] = {}
        self.files: dict[str, dict[str, bytes]] = {}
        self.commits = 0

    def previous(self) -> dict[str, Entry]:
        return dict(self.state)

    def commit(self, entries: Sequence[Entry], files: Sequence[BatchFile]) -> None:
        self.commits += 1
        for entry in entries:
            self.state[entry.archive] = entry
            self.files.pop(entry.archive, None)
        for file in files:
            # files are spooled under short names of their own: the task file's name is the
            # task and kind the warehouse store records beside it
            suffix = (
                qa_members.PREDICTIONS_SUFFIX
                if file.kind == "predictions"
                else (qa_members.METRICS_SUFFIX)
            )
            rel = f"{file.coords.rel_dir}/{file.task}{suffix}"
            self.files.setdefault(file.archive, {})[rel] = Path(file.scratch_path).read_bytes()

    def forget(self, archives: Sequence[str]) -> None:
        for archive in archives:
            self.state.pop(archive, None)
            self.files.pop(archive, None)


@dataclass
class Env:
    """A tmp_path with a QA root and a work dir (one level deeper, to catch escapes)."""

    tmp: Path
    qa_root: Path
    work_dir: Path
    store: RecordingStore = field(default_factory=RecordingStore)

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
    """After a run the work dir holds only the two empty placeholder files."""
    files = {
        p.relative_to(env.work_dir).as_posix(): p.stat().st_size
        for p in env.work_dir.rglob("*")
        if not p.is_dir() or p.is_symlink()
    }
    assert files == dict.fromkeys(PLACEHOLDERS, 0)


Row = tuple[str, str | None, str | None, int | None, int | None, int, str, str | None]


def row(entry: Entry) -> Row:
    c = entry.coords
    return (
        entry.archive, c.recipe if c else None, c.params if c else None,
        c.seed if c else None, c.step if c else None,
        entry.members_written, entry.status, entry.reason,
    )  # fmt: skip


def run(env: Env, **options: Any) -> dict[str, Entry]:  # noqa: ANN401 - pass-through
    """Load, check nothing was written outside the work dir, return the entries by archive."""
    before = outside_snapshot(env)
    entries = load_qa_archives(env.qa_root, env.work_dir, env.store, Options(**options))
    assert outside_snapshot(env) == before
    assert not [p for p in env.tmp.rglob("*evil*") if env.qa_root not in p.parents]
    assert_work_dir_clean(env)
    assert set(entries) == set(env.store.state)
    return entries


def written(env: Env) -> set[str]:
    return {rel for files in env.store.files.values() for rel in files}


def content(env: Env, rel: str) -> bytes:
    found = [files[rel] for files in env.store.files.values() if rel in files]
    assert len(found) == 1
    return found[0]


def member_rejects(env: Env) -> list[tuple[str, str, str]]:
    return [(a, m, r) for a, e in sorted(env.store.state.items()) for m, r in e.rejects]


def rejects_of(env: Env, archive: str) -> dict[str, str]:
    return dict(env.store.state[archive].rejects)


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

    assert {k: row(e) for k, e in rows.items()} == {
        STEP1: (STEP1, "r1", "150M", 1, 1, 4, "loaded", None),
    }
    assert rows[STEP1].questions == 2
    assert written(env) == task_files(STEP1_DIR, "arc_easy", "boolq")
    assert json.loads(content(env, f"{STEP1_DIR}/boolq-metrics.json")) == {"t": "b"}
    assert member_rejects(env) == [(STEP1, "step-1/README.md", qa_members.SKIPPED_NOT_TASK_FILE)]


def test_path_traversal_member_never_written(env: Env) -> None:
    evil = [
        reg("step-1/../../evil.json", b"{}"),
        reg("step-1/../../../../evil-metrics.json", b"{}"),
        reg("..\\..\\evil-predictions.jsonl", b"{}"),
    ]
    env.write(STEP1, step_tar_gz(1, {"arc_easy": "a"}, evil))

    rows = run(env)

    assert rows[STEP1].status == "loaded"
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


@pytest.mark.parametrize("folder", ["spool", "batch"])
def test_symlinked_scratch_folder_never_written_through(env: Env, folder: str) -> None:
    elsewhere = env.tmp / "elsewhere"
    elsewhere.mkdir()
    env.work_dir.mkdir()
    (env.work_dir / folder).symlink_to(elsewhere, target_is_directory=True)
    env.write(STEP1, step_tar_gz(1, {"boolq": "b"}))

    rows = run(env)

    assert list(elsewhere.iterdir()) == []
    assert rows[STEP1].status == "loaded"
    assert written(env) == task_files(STEP1_DIR, "boolq")


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


def assert_one_line_reason(entry: Entry) -> None:
    assert entry.status == "rejected"
    assert entry.members_written == 0
    assert entry.reason
    assert "\n" not in entry.reason


def test_corrupt_gzip_rejected_others_extracted(env: Env) -> None:
    env.write("r1/150M/seed-1/step-2.tar.gz", noise(4096))
    env.write("models/r2.tar.gz", noise(2048, seed=8))
    env.write(STEP1, step_tar_gz(1, {"boolq": "b"}))

    rows = run(env)

    bad = rows["r1/150M/seed-1/step-2.tar.gz"]
    assert_one_line_reason(bad)
    assert row(bad)[1:5] == ("r1", "150M", 1, 2)
    assert_one_line_reason(rows["models/r2.tar.gz"])
    assert rows["models/r2.tar.gz"].coords is None
    assert rows[STEP1].status == "loaded"
    assert written(env) == task_files(STEP1_DIR, "boolq")
    rejected = {key for key, entry in env.store.state.items() if not entry.ok}
    assert rejected == {"models/r2.tar.gz", "r1/150M/seed-1/step-2.tar.gz"}
    assert member_rejects(env) == []


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
    assert "r1/150M/seed-1/step-2.tar.gz" not in env.store.files
    assert rows[STEP1].status == "loaded"
    assert written(env) == task_files(STEP1_DIR, "boolq")
    assert member_rejects(env) == []


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
    assert row(rows[CONTAINER]) == (CONTAINER, None, None, None, None, 0, "loaded", None)
    assert row(rows[inner]) == (inner, "rec", "150M", 1, 10, 4, "loaded", None)
    assert row(rows[nested_folder]) == (nested_folder, "rec", "1B", 2, 20, 2, "loaded", None)
    for step in (30, 40):
        assert_one_line_reason(rows[f"{CONTAINER}!rec/150M/seed-1/step-{step}.tar.gz"])
    assert len(rows) == 5
    assert written(env) == task_files("rec/150M/seed-1/step-10", "arc_easy", "boolq") | task_files(
        "rec/1B/seed-2/step-20", "mmlu_anatomy"
    )
    assert rejects_of(env, CONTAINER) == {
        "rec/README.md": qa_members.SKIPPED_NOT_STEP_TARBALL,
        "misc/other.tar.gz": qa_members.SKIPPED_BAD_STEP_PATH,
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
    assert rows[f"{CONTAINER}!rec/150M/seed-1/step-10.tar.gz"].status == "loaded"
    assert_one_line_reason(rows[f"{CONTAINER}!rec/150M/seed-1/step-20.tar.gz"])
    assert written(env) == task_files("rec/150M/seed-1/step-10", "boolq")


def test_duplicate_step_rejected_first_in_path_order_wins(env: Env) -> None:
    env.write("models/r1.tar.gz", tar_gz([reg(STEP1, step_tar_gz(1, {"boolq": "inner"}))]))
    env.write(STEP1, step_tar_gz(1, {"boolq": "outer"}))
    inner = f"models/r1.tar.gz!{STEP1}"

    rows = run(env)
    again = run(env)

    assert rows[inner].status == "loaded"
    assert rows[STEP1].status == "rejected"
    assert rows[STEP1].reason == f"duplicate step {STEP1_DIR}: already provided by {inner}"
    assert again[inner].status == "unchanged"
    assert again[STEP1].reason == rows[STEP1].reason
    assert json.loads(content(env, f"{STEP1_DIR}/boolq-metrics.json")) == {"t": "inner"}

    (env.qa_root / "models/r1.tar.gz").unlink()
    rows = run(env)

    assert list(rows) == [STEP1]
    assert rows[STEP1].status == "loaded"
    assert json.loads(content(env, f"{STEP1_DIR}/boolq-metrics.json")) == {"t": "outer"}


# --- idempotency -------------------------------------------------------------------------------


def write_mixed_qa_root(env: Env) -> None:
    readme = reg("step-1/README.md", b"x")
    env.write(STEP1, step_tar_gz(1, {"arc_easy": "a", "boolq": "b"}, [readme]))
    env.write("r1/150M/seed-1/step-3.tar.gz", noise(100))
    env.write(CONTAINER, tar_gz(container_members()))


def test_rerun_without_changes_extracts_nothing(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    write_mixed_qa_root(env)
    first = run(env)
    commits = env.store.commits
    files_before = dict(env.store.files)
    rejects_before = member_rejects(env)

    def fail(*args: object) -> None:
        raise AssertionError(f"archive read again: {args}")

    monkeypatch.setattr(qa_extract, "read_step_stream", fail)
    monkeypatch.setattr(qa_extract, "stream_recipe_tarball", fail)
    second = run(env)

    assert second.keys() == first.keys()
    for key, row in first.items():
        expected = "rejected" if row.status == "rejected" else "unchanged"
        assert second[key].status == expected
        assert second[key].members_written == row.members_written
        assert second[key].reason == row.reason
    assert env.store.commits == commits
    assert env.store.files == files_before
    assert member_rejects(env) == rejects_before
    assert len(rejects_before) == 5


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

    assert row(rows[STEP1]) == (STEP1, "r1", "150M", 1, 1, 4, "loaded", None)
    assert written(env) == task_files(STEP1_DIR, "arc_easy", "mmlu_anatomy")
    assert json.loads(content(env, f"{STEP1_DIR}/arc_easy-metrics.json")) == {"t": "new"}


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
    assert {entry.status for entry in rows.values()} == {"loaded"}
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
    assert list(env.store.state) == [step2]


def test_missing_qa_root_returns_nothing(env: Env, caplog: pytest.LogCaptureFixture) -> None:
    missing = env.tmp / "nowhere"
    before = outside_snapshot(env)
    with caplog.at_level(logging.INFO, logger="dr_ingest.qa_extract"):
        rows = load_qa_archives(missing, env.work_dir, env.store)

    assert rows == {}
    assert outside_snapshot(env) == before
    assert_work_dir_clean(env)
    assert len(caplog.records) == 1
    assert not missing.exists()
    assert env.store.state == {}


# --- observability and CLI ---------------------------------------------------------------------


def test_progress_lines_and_summary(
    env: Env, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    env.write(STEP1, step_tar_gz(1, {"boolq": "b"}))
    env.write("r1/150M/seed-1/step-2.tar.gz", step_tar_gz(2, {"boolq": "b", "piqa": "p"}))
    with caplog.at_level(logging.INFO, logger="dr_ingest.qa_extract"):
        run(env, batch_bytes=1, progress_seconds=0)

    lines = capsys.readouterr().out.splitlines()
    # one line per batch (the reader may be one archive ahead of the count) and a last one
    assert len(lines) == 3
    pattern = (
        r"dr_ingest: QA archives [0-2]/2 \([0-2] steps\), [0-3] questions loaded,"
        r" [\d,]+ questions/s, \d+ of \d+ MB read \(\d+%\), about \S+ left"
    )
    assert all(re.fullmatch(pattern, line) for line in lines), lines
    assert lines[-1].startswith("dr_ingest: QA archives 2/2 (2 steps), 3 questions loaded")
    assert " 3 questions loaded" in lines[-1]
    assert "questions/s" in lines[-1]
    assert "(100%), about 0s left" in lines[-1]
    messages = [record.getMessage() for record in caplog.records]
    assert messages[-1].startswith("done: archives=2, loaded=2, unchanged=0, rejected=0")


def test_batches_bound_the_scratch_space(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    """A batch is loaded and deleted before the reader gets more than two batches ahead."""
    for step in range(1, 7):
        env.write(f"r1/150M/seed-1/step-{step}.tar.gz", step_tar_gz(step, {"boolq": "x" * 500}))
    peak = 0
    original = RecordingStore.commit

    def commit(store: RecordingStore, entries: Sequence[Entry], files: Sequence[BatchFile]) -> None:
        nonlocal peak
        scratch = [p for p in env.work_dir.rglob("*") if p.is_file()]
        peak = max(peak, sum(p.stat().st_size for p in scratch))
        original(store, entries, files)

    monkeypatch.setattr(RecordingStore, "commit", commit)
    rows = run(env, batch_bytes=1)

    assert len(rows) == 6
    assert env.store.commits == 6
    one_step = sum(len(d) for d in env.store.files["r1/150M/seed-1/step-1.tar.gz"].values())
    assert one_step <= peak <= 3 * one_step


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
    assert {entry.status for entry in rows.values()} == {"loaded"}
    assert len([entry for entry in rows.values() if entry.coords is not None]) == 4
    assert sum(entry.members_written for entry in rows.values()) == 24
    assert sum(entry.questions for entry in rows.values()) == 44
    assert member_rejects(env) == []
    assert len(written(env)) == 24
    assert count_predictions(env) == (43, 150, 1)


def count_predictions(env: Env) -> tuple[int, int, int]:
    """Valid lines, answer choices and malformed lines of the extracted predictions files."""
    questions = choices = malformed = 0
    files = {rel: data for found in env.store.files.values() for rel, data in found.items()}
    for rel, data in files.items():
        if not rel.endswith("-predictions.jsonl"):
            continue
        for line in data.decode().splitlines():
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                malformed += 1
                continue
            questions += 1
            choices += len(record["model_output"])
    return questions, choices, malformed
