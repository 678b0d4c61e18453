"""Stream per-question QA evaluation tarballs into the warehouse, archive by archive.

Two layouts are found under a root folder ``QA_ROOT``:

1. step tarballs ``QA_ROOT/<recipe>/<params>/seed-<N>/step-<S>.tar.gz`` (or ``.tgz``) holding
   ``step-<S>/<task>-metrics.json`` and ``step-<S>/<task>-predictions.jsonl`` members;
2. recipe tarballs (any other ``*.tar.gz`` under ``QA_ROOT``) whose members are step tarballs at
   ``[<folder>/]<recipe>/<params>/seed-<N>/step-<S>.tar.gz``; they are streamed, never unpacked.

How the work is split:

- :mod:`python_hooks.qa_members`: which members are safe and what they are;
- :mod:`python_hooks.qa_archives`: reading the archives in one pass each;
- :mod:`python_hooks.qa_state`: the stamp of each archive and what to do with it;
- :mod:`python_hooks.qa_store`: the warehouse tables, committed batch by batch;
- this module: the driver. A reader thread decides and reads archives into a spool folder,
  batch by batch (about ``batch_bytes`` of task files each); the calling thread moves each
  complete batch into the batch folder the dbt parsing views read, commits it, and deletes it.

Scratch space is bounded: at most three batches exist at a time (one being written, one
waiting, one being loaded), each about ``batch_bytes`` plus one step tarball's task files.
After a run the work folder holds only two empty placeholder files.
"""

from __future__ import annotations

import logging
import os
import queue
import shutil
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Protocol

from python_hooks.qa_archives import (
    READ_ERRORS,
    StepRead,
    find_archives,
    read_step_stream,
    stream_recipe_tarball,
)
from python_hooks.qa_members import StepCoords, looks_like_step_path, one_line, parse_step_path
from python_hooks.qa_state import (
    STATUS_LOADED,
    Claims,
    Entry,
    Stamp,
    is_unchanged,
    nested_key,
    nested_previous,
    recipe_unchanged,
    rejected,
    summarise,
)
from python_hooks.qa_store import BATCH_DIR, SPOOL_DIR, BatchFile, prepare_work_folder
from python_hooks.shards import Shard

LOGGER = logging.getLogger("dr_ingest.qa_extract")

DEFAULT_MAX_MEMBER_BYTES = 256 * 1024 * 1024
# 512 MB: a whole recipe's 90 commits of 256 MB batches took 86 s of its 224 s; 45 of 512 MB
# took 13 s (each commit writes the batch's last, partial row groups)
DEFAULT_BATCH_BYTES = 512 * 1024 * 1024
DEFAULT_PROGRESS_SECONDS = 5.0


class Store(Protocol):
    """Where archives' rows and state go (:class:`python_hooks.qa_store.WarehouseStore`)."""

    def previous(self) -> dict[str, Entry]: ...
    def commit(self, entries: Sequence[Entry], files: Sequence[BatchFile]) -> None: ...
    def forget(self, archives: Sequence[str]) -> None: ...


@dataclass(frozen=True)
class Options:
    """Limits of a run."""

    max_member_bytes: int = DEFAULT_MAX_MEMBER_BYTES
    batch_bytes: int = DEFAULT_BATCH_BYTES
    progress_seconds: float = DEFAULT_PROGRESS_SECONDS
    # the share of the archives this run loads (by each archive file's path below the root);
    # the others, and their stored rows, are left alone
    shard: Shard = field(default_factory=Shard)


@dataclass
class _Batch:
    """Archives decided by the reader: the changed ones with their spooled files."""

    number: int
    spool: Path
    changed: list[Entry] = field(default_factory=list)
    carried: list[Entry] = field(default_factory=list)
    files: list[tuple[Entry, StepRead, Path]] = field(default_factory=list)
    size: int = 0


@dataclass
class _Progress:
    """What the reader has done, read by the calling thread for progress lines."""

    total_files: int
    total_bytes: int
    files_done: int = 0
    bytes_done: int = 0
    current: IO[bytes] | None = None

    def bytes_read(self) -> int:
        handle = self.current
        try:
            position = handle.tell() if handle is not None and not handle.closed else 0
        except (OSError, ValueError):
            position = 0
        return self.bytes_done + position


def _opener(stream: IO[bytes]) -> Callable[[], IO[bytes]]:
    return lambda: stream


class _Stop(Exception):
    """The calling thread asked the reader to stop."""


class _Reader:
    """Decides and reads every archive in path order, handing over batches (reader thread)."""

    def __init__(
        self,
        qa_root: Path,
        spool_root: Path,
        previous: dict[str, Entry],
        options: Options,
        hand_over: Callable[[_Batch], None],
        progress: _Progress,
    ) -> None:
        self.qa_root = qa_root
        self.spool_root = spool_root
        self.previous = previous
        self.options = options
        self.hand_over = hand_over
        self.progress = progress
        self.claims = Claims()
        self.seen: set[str] = set()
        self.batch = self._new_batch(0)

    def _new_batch(self, number: int) -> _Batch:
        return _Batch(number, self.spool_root / f"b{number}")

    def _flush(self) -> None:
        if self.batch.changed or self.batch.carried:
            self.hand_over(self.batch)
            self.batch = self._new_batch(self.batch.number + 1)

    def _add(self, entry: Entry, *, changed: bool, read: StepRead | None = None) -> None:
        self.seen.add(entry.archive)
        self.claims.claim(entry)
        (self.batch.changed if changed else self.batch.carried).append(entry)
        if read is not None and read.files:
            self.batch.files.append((entry, read, read.files[0].path.parent))
            self.batch.size += read.bytes
        if self.batch.size >= self.options.batch_bytes:
            self._flush()

    def _read_step(self, key: str, coords: StepCoords, stamp: Stamp, raw: IO[bytes]) -> None:
        """Read one step tarball from a stream into the batch's spool."""
        spool = self.batch.spool / str(len(self.batch.changed))
        spool.mkdir(parents=True)
        try:
            read = read_step_stream(raw, spool, self.options.max_member_bytes)
        except READ_ERRORS as exc:
            shutil.rmtree(spool, ignore_errors=True)
            LOGGER.warning("rejected %s: %s", key, one_line(exc))
            self._add(rejected(key, coords, stamp, one_line(exc)), changed=True)
            return
        entry = Entry(
            key, coords, stamp, STATUS_LOADED, None, len(read.files), read.questions, read.rejects
        )
        self._add(entry, changed=True, read=read)

    def _step(
        self, key: str, coords: StepCoords, stamp: Stamp, opener: Callable[[], IO[bytes]]
    ) -> None:
        """Decide one step tarball: duplicate, unchanged, or read."""
        reason = self.claims.duplicate_reason(key, coords)
        if reason is not None:
            LOGGER.warning("rejected %s: %s", key, reason)
            self._add(rejected(key, coords, stamp, reason, duplicate=True), changed=True)
            return
        previous = self.previous.get(key)
        if is_unchanged(previous, stamp):
            assert previous is not None
            self._add(previous.carried(), changed=False)
            return
        self._read_step(key, coords, stamp, opener())

    def _step_file(self, path: Path, key: str, stamp: Stamp) -> None:
        coords = parse_step_path(key)
        if coords is None:
            reason = "cannot parse <recipe>/<params>/seed-<N>/step-<S> from the archive path"
            self._add(rejected(key, None, stamp, reason), changed=True)
            return
        with path.open("rb") as raw:
            self.progress.current = raw
            self._step(key, coords, stamp, lambda: raw)

    def _carry_recipe(self, key: str) -> None:
        for entry in nested_previous(self.previous, key):
            reason = (
                self.claims.duplicate_reason(entry.archive, entry.coords)
                if entry.coords is not None and entry.ok
                else None
            )
            if reason is None:
                self._add(entry.carried(), changed=False)
            else:
                dup = rejected(entry.archive, entry.coords, entry.stamp, reason, duplicate=True)
                self._add(dup, changed=True)
        self._add(self.previous[key].carried(), changed=False)

    def _stream_recipe(self, path: Path, key: str, stamp: Stamp) -> None:
        member_rejects: list[tuple[str, str]] = []
        try:
            with path.open("rb") as raw:
                self.progress.current = raw
                for nested in stream_recipe_tarball(raw):
                    inner = nested_key(key, nested.name)
                    reason = nested.reject
                    if reason is None and inner in self.seen:
                        reason = "skipped: duplicate member name"
                    if reason is not None or nested.coords is None or nested.stream is None:
                        member_rejects.append((nested.member.name, reason or "skipped"))
                        continue
                    inner_stamp = Stamp(nested.member.size, int(nested.member.mtime * 1e9))
                    self._step(inner, nested.coords, inner_stamp, _opener(nested.stream))
        except READ_ERRORS as exc:
            LOGGER.warning("rejected %s: %s", key, one_line(exc))
            self._add(rejected(key, None, stamp, one_line(exc)), changed=True)
            return
        own = Entry(key, None, stamp, STATUS_LOADED, rejects=tuple(member_rejects))
        self._add(own, changed=True)

    def _archive(self, path: Path) -> None:
        key = path.relative_to(self.qa_root).as_posix()
        try:
            info = path.stat()
        except OSError as exc:
            entry = rejected(key, parse_step_path(key), Stamp(-1, -1), one_line(exc))
            self._add(entry, changed=True)
            return
        stamp = Stamp(info.st_size, info.st_mtime_ns)
        if looks_like_step_path(key):
            self._step_file(path, key, stamp)
        elif recipe_unchanged(self.previous, key, stamp, self.claims):
            self._carry_recipe(key)
        else:
            self._stream_recipe(path, key, stamp)

    def run(self, archives: Sequence[Path]) -> None:
        for path in archives:
            self._archive(path)
            self.progress.files_done += 1
            self.progress.bytes_done += path.stat().st_size if path.exists() else 0
            self.progress.current = None
        self._flush()


class _Loader:
    """Commits the reader's batches in the calling thread and prints progress lines."""

    def __init__(
        self, store: Store, work_root: Path, options: Options, progress: _Progress
    ) -> None:
        self.store = store
        self.batch_root = work_root / BATCH_DIR
        self.spool_root = work_root / SPOOL_DIR
        self.options = options
        self.progress = progress
        self.entries: dict[str, Entry] = {}
        self.started = time.monotonic()
        self.last_line = self.started
        self.questions = 0

    def _files(self, batch: _Batch, folder: Path) -> list[BatchFile]:
        files = []
        for entry, read, spool in batch.files:
            assert entry.coords is not None
            target = folder / spool.relative_to(batch.spool)
            for spooled in read.files:
                batch_file = BatchFile(
                    scratch_path=str(target / spooled.path.name),
                    archive=entry.archive,
                    member=spooled.member,
                    kind=spooled.task_file.kind,
                    coords=entry.coords,
                    task=spooled.task_file.task,
                    size=spooled.size,
                    lines=spooled.lines,
                )
                files.append(batch_file)
        return files

    def load(self, batch: _Batch) -> None:
        folder = self.batch_root / batch.spool.name
        try:
            if batch.spool.exists():
                os.replace(batch.spool, folder)
            if batch.changed:
                self.store.commit(batch.changed, self._files(batch, folder))
        finally:
            shutil.rmtree(folder, ignore_errors=True)
            shutil.rmtree(batch.spool, ignore_errors=True)
        for entry in (*batch.carried, *batch.changed):
            self.entries[entry.archive] = entry
            if entry.status == STATUS_LOADED:
                self.questions += entry.questions
        self.report()

    def report(self, final: bool = False) -> None:
        """Print a progress line if one is due (always when ``final``)."""
        now = time.monotonic()
        if not final and now - self.last_line < self.options.progress_seconds:
            return
        self.last_line = now
        print(self.progress_line(now), flush=True)

    def progress_line(self, now: float) -> str:
        elapsed = max(now - self.started, 1e-9)
        read = self.progress.bytes_read()
        total = max(self.progress.total_bytes, 1)
        fraction = min(read / total, 1.0)
        eta = elapsed * (1 - fraction) / fraction if fraction > 0 else float("nan")
        steps = sum(1 for e in self.entries.values() if e.coords is not None)
        return (
            f"dr_ingest: QA archives {self.progress.files_done}/{self.progress.total_files}"
            f" ({steps} steps), {self.questions:,} questions loaded,"
            f" {self.questions / elapsed:,.0f} questions/s,"
            f" {read / 1e6:,.0f} of {total / 1e6:,.0f} MB read ({fraction:.0%}),"
            f" about {_duration(eta)} left"
        )


def _duration(seconds: float) -> str:
    if seconds != seconds:  # nan
        return "?"
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


def _run_reader(reader: _Reader, archives: Sequence[Path], handoff: queue.Queue[object]) -> None:
    try:
        reader.run(archives)
    except _Stop:
        pass
    except BaseException as exc:  # handed to the calling thread
        handoff.put(exc)
        return
    handoff.put(None)


def load_qa_archives(
    qa_root: Path, work_dir: Path, store: Store, options: Options = Options()
) -> dict[str, Entry]:
    """Stream every QA tarball below ``qa_root`` into ``store``; return this build's entries.

    ``work_dir``'s batch and spool folders are emptied first (the placeholder batch the
    parsing views bind to is written again).
    """
    work_root = work_dir  # as given: the batch readers glob this very path
    if qa_root.is_dir() and qa_root.resolve().is_relative_to(work_dir.resolve()):
        raise ValueError(f"qa_root {qa_root} must not lie inside work_dir {work_root}")
    archives = find_archives(qa_root) if qa_root.is_dir() else []
    if not qa_root.is_dir():
        LOGGER.info("QA root %s does not exist: nothing to load", qa_root)
    shard = options.shard
    archives = [a for a in archives if shard.owns(a.relative_to(qa_root).as_posix())]
    prepare_work_folder(work_root)
    # a nested archive's key is `<file>!<member>`: it goes with its file
    previous = {
        key: entry for key, entry in store.previous().items() if shard.owns(key.split("!", 1)[0])
    }
    sizes = sum(path.stat().st_size for path in archives)
    progress = _Progress(len(archives), sizes)
    loader = _Loader(store, work_root, options, progress)
    handoff: queue.Queue[object] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def hand_over(batch: _Batch) -> None:
        while not stop.is_set():
            try:
                handoff.put(batch, timeout=0.5)
                return
            except queue.Full:
                continue
        raise _Stop

    reader = _Reader(qa_root, work_root / SPOOL_DIR, previous, options, hand_over, progress)
    thread = threading.Thread(target=_run_reader, args=(reader, archives, handoff), daemon=True)
    thread.start()
    try:
        while (item := handoff.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            assert isinstance(item, _Batch)
            loader.load(item)
    finally:
        stop.set()
        while thread.is_alive():
            try:
                handoff.get(timeout=0.1)
            except queue.Empty:
                continue
        thread.join()
        shutil.rmtree(work_root / SPOOL_DIR, ignore_errors=True)
    store.forget(sorted(set(previous) - set(loader.entries)))
    entries = dict(sorted(loader.entries.items()))
    if archives:
        loader.report(final=True)
        counts = ", ".join(f"{k}={v}" for k, v in summarise(entries).items())
        LOGGER.info("done: %s in %.2fs", counts, time.monotonic() - loader.started)
    return entries
