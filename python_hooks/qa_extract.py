"""Extract per-question QA evaluation tarballs safely, tolerantly and idempotently.

Two layouts are found under a root folder ``QA_ROOT``:

1. step tarballs ``QA_ROOT/<recipe>/<params>/seed-<N>/step-<S>.tar.gz`` (or ``.tgz``) holding
   ``step-<S>/<task>-metrics.json`` and ``step-<S>/<task>-predictions.jsonl`` members;
2. recipe tarballs (any other ``*.tar.gz`` under ``QA_ROOT``) whose members are step tarballs at
   ``[<folder>/]<recipe>/<params>/seed-<N>/step-<S>.tar.gz``; they are streamed, never unpacked.

Every step archive's metrics/predictions members are written, flattened to their basename, to
``WORK_DIR/files/<recipe>/<params>/seed-<N>/step-<S>/``. Unsafe members (absolute paths, ``..``,
links, devices, fifos, oversize) are never written and are recorded as member rejects; a corrupt
or truncated archive is recorded as ``rejected`` and leaves nothing behind. ``WORK_DIR`` then holds:

- ``manifest.json``: the state (one entry per archive, keyed by its path relative to ``QA_ROOT``,
  nested archives as ``<outer>!<inner member>``) with the outer file's size and mtime_ns, so that an
  unchanged archive is not re-read on the next run;
- ``manifest.jsonl``: one :class:`ManifestRow` per line, for SQL;
- ``rejects.jsonl``: one line per rejected archive (``member`` null) and per member reject;
- ``files/``: exactly the output of the archives in the manifest that are not rejected.

A recipe tarball has a row of its own (recipe/params/seed/step null, ``members_written`` 0); its
non-step members are recorded as its member rejects. If two archives provide the same
recipe/params/seed/step, the first in path order wins and the other is rejected as a duplicate.

Usage: ``python -m python_hooks.qa_extract QA_ROOT WORK_DIR [--max-member-bytes N]``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import os
import re
import shutil
import sys
import tarfile
import tempfile
import time
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from tarfile import EOFHeaderError, HeaderError, ReadError
from typing import IO, Any, Self

LOGGER = logging.getLogger("dr_ingest.qa_extract")

DEFAULT_MAX_MEMBER_BYTES = 256 * 1024 * 1024
MANIFEST_VERSION = 1
MANIFEST_JSON = "manifest.json"
MANIFEST_JSONL = "manifest.jsonl"
REJECTS_JSONL = "rejects.jsonl"
FILES_DIR = "files"
TMP_DIR = ".tmp"

STATUS_EXTRACTED = "extracted"
STATUS_UNCHANGED = "unchanged"
STATUS_REJECTED = "rejected"

ARCHIVE_SUFFIXES = (".tar.gz", ".tgz")
_SEED_RE = re.compile(r"seed-(\d+)")
_STEP_RE = re.compile(r"step-(\d+)\.(?:tar\.gz|tgz)")
_TASK_FILE_RE = re.compile(r".+-(?:metrics\.json|predictions\.jsonl)")
_SEPARATORS_RE = re.compile(r"[\\/]")
_DRIVE_RE = re.compile(r"[A-Za-z]:")
_COPY_CHUNK = 1024 * 1024
_READ_ERRORS = (tarfile.TarError, OSError, EOFError, zlib.error, ValueError)

SKIPPED_NOT_TASK_FILE = "skipped: not a <task>-metrics.json or <task>-predictions.jsonl file"
SKIPPED_NOT_STEP_TARBALL = "skipped: not a step tarball"
SKIPPED_BAD_STEP_PATH = (
    "skipped: tarball path does not match <recipe>/<params>/seed-<N>/step-<S>.tar.gz"
)


@dataclass(frozen=True)
class ManifestRow:
    """The result of one archive (a step tarball, a recipe tarball or a nested step tarball)."""

    archive: str
    recipe: str | None
    params: str | None
    seed: int | None
    step: int | None
    members_written: int
    status: str
    reason: str | None


@dataclass(frozen=True)
class MemberReject:
    """A member of an archive that was skipped or refused as unsafe."""

    archive: str
    member: str
    reason: str


@dataclass(frozen=True)
class StepCoords:
    """Where a step archive's files go: recipe, params, seed and step."""

    recipe: str
    params: str
    seed: int
    step: int

    @property
    def rel_dir(self) -> str:
        """The output folder of the step, relative to ``WORK_DIR/files``."""
        return f"{self.recipe}/{self.params}/seed-{self.seed}/step-{self.step}"


@dataclass(frozen=True)
class FileStamp:
    """Size and mtime of an archive file on disk: the change detector."""

    size: int
    mtime_ns: int


@dataclass(frozen=True)
class _Entry:
    """The persisted state of one archive."""

    row: ManifestRow
    stamp: FileStamp
    files: tuple[str, ...] = ()
    rejects: tuple[MemberReject, ...] = ()
    duplicate: bool = False

    @property
    def ok(self) -> bool:
        return self.row.status != STATUS_REJECTED


@dataclass(frozen=True)
class _StepOutput:
    """A step archive read completely into a temporary folder."""

    tmp_dir: Path
    names: tuple[str, ...]
    rejects: tuple[MemberReject, ...]


@dataclass
class _Run:
    """The state of one call of :func:`extract_qa_tarballs`."""

    qa_root: Path
    work_root: Path
    max_member_bytes: int
    previous: dict[str, _Entry]
    entries: dict[str, _Entry] = field(default_factory=dict)
    claims: dict[str, str] = field(default_factory=dict)

    @property
    def files_root(self) -> Path:
        return self.work_root / FILES_DIR

    @property
    def tmp_root(self) -> Path:
        return self.work_root / TMP_DIR


class UnsafePathError(ValueError):
    """An output path would resolve outside the work dir."""


class _StrictTarInfo(tarfile.TarInfo):
    """A TarInfo whose reading fails on a missing, truncated or invalid header.

    ``tarfile`` ends the iteration silently on such a header after the first member; only the
    end-of-archive (zero) block may end it here, so a truncated tar stream is an error.
    """

    @classmethod
    def fromtarfile(cls, archive: tarfile.TarFile) -> Self:
        try:
            return super().fromtarfile(archive)
        except EOFHeaderError:
            raise
        except HeaderError as exc:
            raise ReadError(f"bad tar header at offset {archive.offset}: {exc}") from None


# --- paths -------------------------------------------------------------------------------------


def _safe_component(part: str) -> bool:
    return part not in ("", ".", "..") and "\\" not in part and "\x00" not in part


def _normalise_member_name(name: str) -> str:
    while name.startswith("./"):
        name = name[2:]
    return name


def is_archive_name(name: str) -> bool:
    """Whether a file or member name is a gzipped tarball (``.tar.gz`` or ``.tgz``)."""
    return name.endswith(ARCHIVE_SUFFIXES)


def looks_like_step_path(path: str) -> bool:
    """Whether a path ends with ``seed-<N>/step-<S>.tar.gz`` below some params folder."""
    parts = path.split("/")
    return (
        len(parts) >= 3
        and _SEED_RE.fullmatch(parts[-2]) is not None
        and _STEP_RE.fullmatch(parts[-1]) is not None
    )


def parse_step_path(path: str) -> StepCoords | None:
    """Parse ``[...]/<recipe>/<params>/seed-<N>/step-<S>.tar.gz``; None if it does not match."""
    parts = path.split("/")
    if not looks_like_step_path(path) or len(parts) < 4:
        return None
    recipe, params = parts[-4], parts[-3]
    if not (_safe_component(recipe) and _safe_component(params)):
        return None
    seed = _SEED_RE.fullmatch(parts[-2])
    step = _STEP_RE.fullmatch(parts[-1])
    assert seed is not None and step is not None
    return StepCoords(recipe, params, int(seed.group(1)), int(step.group(1)))


def _inside(path: Path, root: Path) -> Path:
    """Resolve ``path`` and check that it lies strictly inside ``root`` (already resolved)."""
    resolved = path.resolve()
    if resolved == root or not resolved.is_relative_to(root):
        raise UnsafePathError(f"output path {path} resolves outside {root}")
    return resolved


def _walk_dirs(top: Path) -> Iterable[tuple[Path, list[str]]]:
    """Yield (folder, file names) below ``top``, following symlinked folders once."""
    seen: set[tuple[int, int]] = set()
    for dirpath, dirnames, filenames in os.walk(top, followlinks=True):
        info = os.stat(dirpath)
        if (info.st_dev, info.st_ino) in seen:
            dirnames.clear()
            continue
        seen.add((info.st_dev, info.st_ino))
        dirnames.sort()
        yield Path(dirpath), filenames


def find_archives(qa_root: Path) -> list[Path]:
    """All ``*.tar.gz`` / ``*.tgz`` files below ``qa_root``, sorted by relative path."""
    found = [
        folder / name
        for folder, names in _walk_dirs(qa_root)
        for name in names
        if is_archive_name(name) and (folder / name).is_file()
    ]
    return sorted(found, key=lambda path: path.relative_to(qa_root).as_posix())


# --- members -----------------------------------------------------------------------------------


def member_problem(member: tarfile.TarInfo, max_bytes: int | None) -> str | None:
    """Why a member must not be written (None if it is safe); directories are safe."""
    name = member.name
    if name.startswith(("/", "\\")) or _DRIVE_RE.match(name):
        return "unsafe: absolute path"
    if ".." in _SEPARATORS_RE.split(name):
        return "unsafe: path traversal (..)"
    if member.issym():
        return f"unsafe: symbolic link to {member.linkname}"
    if member.islnk():
        return f"unsafe: hard link to {member.linkname}"
    if member.ischr() or member.isblk():
        return "unsafe: device file"
    if member.isfifo():
        return "unsafe: fifo"
    if member.isdir():
        return None
    if not member.isreg() or member.issparse():
        return "unsafe: not a regular file"
    if max_bytes is not None and member.size > max_bytes:
        return f"oversize: {member.size} bytes > max {max_bytes}"
    return None


def task_file_name(member_name: str) -> str | None:
    """The flattened output name of a metrics/predictions member, None for other members."""
    base = _SEPARATORS_RE.split(member_name)[-1]
    return base if _TASK_FILE_RE.fullmatch(base) and "\x00" not in base else None


def one_line(exc: BaseException) -> str:
    """An exception as a one-line reason."""
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


# --- reading archives --------------------------------------------------------------------------


def _open_stream(gz: IO[bytes]) -> tarfile.TarFile:
    """Open a decompressed tar stream for one sequential pass."""
    return tarfile.open(fileobj=gz, mode="r|", tarinfo=_StrictTarInfo)


def _drain(gz: IO[bytes]) -> None:
    """Read a gzip stream to its end so that its CRC and length are checked."""
    while gz.read(_COPY_CHUNK):
        pass


def _copy_member(tar: tarfile.TarFile, member: tarfile.TarInfo, dest: Path) -> None:
    source = tar.extractfile(member)
    if source is None:
        raise tarfile.ReadError(f"cannot read member {member.name}")
    with dest.open("xb") as out:
        shutil.copyfileobj(source, out, _COPY_CHUNK)


def _step_member(
    tar: tarfile.TarFile,
    member: tarfile.TarInfo,
    tmp_dir: Path,
    written: list[str],
    max_bytes: int,
) -> str | None:
    """Write one member of a step archive into ``tmp_dir``; return why it was not written."""
    problem = member_problem(member, max_bytes)
    if problem is not None or member.isdir():
        return problem
    name = task_file_name(member.name)
    if name is None:
        return SKIPPED_NOT_TASK_FILE
    if name in written:
        return f"skipped: duplicate file name {name} after flattening"
    dest = _inside(tmp_dir / name, tmp_dir)
    if dest.parent != tmp_dir:
        raise UnsafePathError(f"member {member.name} would be written outside {tmp_dir}")
    _copy_member(tar, member, dest)
    written.append(name)
    return None


def _read_step_stream(raw: IO[bytes], key: str, tmp_dir: Path, max_bytes: int) -> _StepOutput:
    """Read a gzipped step tarball completely into ``tmp_dir``; raise if it is unreadable."""
    written: list[str] = []
    rejects: list[MemberReject] = []
    with gzip.GzipFile(fileobj=raw, mode="rb") as gz, _open_stream(gz) as tar:
        for member in tar:
            problem = _step_member(tar, member, tmp_dir, written, max_bytes)
            if problem is not None:
                rejects.append(MemberReject(key, member.name, problem))
        _drain(gz)
    return _StepOutput(tmp_dir, tuple(written), tuple(rejects))


def _install(output: _StepOutput, coords: StepCoords, run: _Run) -> tuple[str, ...]:
    """Move a completely read step into ``files/<step dir>``; return the files' relative paths."""
    target = _inside(run.files_root / coords.rel_dir, run.work_root)
    target.mkdir(parents=True, exist_ok=True)
    target = _inside(target, run.work_root)
    for name in output.names:
        os.replace(output.tmp_dir / name, _inside(target / name, run.work_root))
    return tuple(f"{coords.rel_dir}/{name}" for name in output.names)


# --- entries -----------------------------------------------------------------------------------


def _row(
    key: str, coords: StepCoords | None, written: int, status: str, reason: str | None
) -> ManifestRow:
    if coords is None:
        return ManifestRow(key, None, None, None, None, written, status, reason)
    return ManifestRow(
        key, coords.recipe, coords.params, coords.seed, coords.step, written, status, reason
    )


def _rejected(
    key: str, coords: StepCoords | None, stamp: FileStamp, reason: str, duplicate: bool = False
) -> _Entry:
    LOGGER.warning("rejected %s: %s", key, reason)
    row = _row(key, coords, 0, STATUS_REJECTED, reason)
    return _Entry(row, stamp, duplicate=duplicate)


def _coords_of(row: ManifestRow) -> StepCoords | None:
    if row.recipe is None or row.params is None or row.seed is None or row.step is None:
        return None
    return StepCoords(row.recipe, row.params, row.seed, row.step)


def _record(run: _Run, key: str, entry: _Entry, coords: StepCoords | None) -> None:
    run.entries[key] = entry
    if entry.ok and coords is not None:
        run.claims[coords.rel_dir] = key


def _duplicate(run: _Run, key: str, coords: StepCoords, stamp: FileStamp) -> _Entry | None:
    """A rejected entry if another archive already provides this step, else None."""
    owner = run.claims.get(coords.rel_dir)
    if owner is None or owner == key:
        return None
    reason = f"duplicate step {coords.rel_dir}: already provided by {owner}"
    return _rejected(key, coords, stamp, reason, duplicate=True)


def _files_present(entry: _Entry, run: _Run) -> bool:
    return all((run.files_root / rel).is_file() for rel in entry.files)


def _reused(entry: _Entry) -> _Entry:
    """A previous entry carried over unchanged (rejected entries stay rejected)."""
    if not entry.ok:
        return entry
    return replace(entry, row=replace(entry.row, status=STATUS_UNCHANGED))


def _extract_step(
    run: _Run, key: str, coords: StepCoords, stamp: FileStamp, raw: IO[bytes]
) -> _Entry:
    """Read one step archive from a gzip stream and move its files into place."""
    run.tmp_root.mkdir(parents=True, exist_ok=True)
    tmp_dir = Path(tempfile.mkdtemp(prefix="step-", dir=run.tmp_root)).resolve()
    try:
        output = _read_step_stream(raw, key, tmp_dir, run.max_member_bytes)
        files = _install(output, coords, run)
    except _READ_ERRORS as exc:
        return _rejected(key, coords, stamp, one_line(exc))
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)
    row = _row(key, coords, len(files), STATUS_EXTRACTED, None)
    return _Entry(row, stamp, files, output.rejects)


def _step_file_entry(
    run: _Run, path: Path, key: str, coords: StepCoords, stamp: FileStamp
) -> _Entry:
    duplicate = _duplicate(run, key, coords, stamp)
    if duplicate is not None:
        return duplicate
    previous = run.previous.get(key)
    if (
        previous is not None
        and previous.stamp == stamp
        and not previous.duplicate
        and _files_present(previous, run)
    ):
        return _reused(previous)
    with path.open("rb") as raw:
        return _extract_step(run, key, coords, stamp, raw)


def _process_step_file(run: _Run, path: Path, key: str, stamp: FileStamp) -> None:
    coords = parse_step_path(key)
    if coords is None:
        reason = "cannot parse <recipe>/<params>/seed-<N>/step-<S> from the archive path"
        _record(run, key, _rejected(key, None, stamp, reason), None)
        return
    _record(run, key, _step_file_entry(run, path, key, coords, stamp), coords)


# --- recipe tarballs ---------------------------------------------------------------------------


def _container_member_problem(
    run: _Run, member: tarfile.TarInfo, name: str, key: str
) -> tuple[str | None, StepCoords | None]:
    """Why a recipe-tarball member is not processed as a nested step tarball, and its coords."""
    problem = member_problem(member, None)
    if problem is not None:
        return problem, None
    if not is_archive_name(name):
        return SKIPPED_NOT_STEP_TARBALL, None
    coords = parse_step_path(name)
    if coords is None:
        return SKIPPED_BAD_STEP_PATH, None
    if f"{key}!{name}" in run.entries:
        return "skipped: duplicate member name", None
    return None, coords


def _container_member(
    run: _Run,
    tar: tarfile.TarFile,
    member: tarfile.TarInfo,
    key: str,
    stamp: FileStamp,
) -> MemberReject | None:
    """Process one member of a recipe tarball; return a reject if it is not a step tarball."""
    if member.isdir() and member_problem(member, None) is None:
        return None
    name = _normalise_member_name(member.name)
    problem, coords = _container_member_problem(run, member, name, key)
    if problem is not None or coords is None:
        return MemberReject(key, member.name, problem or SKIPPED_BAD_STEP_PATH)
    inner_key = f"{key}!{name}"
    entry = _duplicate(run, inner_key, coords, stamp)
    if entry is None:
        raw = tar.extractfile(member)
        if raw is None:
            return MemberReject(key, member.name, "skipped: unreadable member")
        entry = _extract_step(run, inner_key, coords, stamp, raw)
    _record(run, inner_key, entry, coords)
    return None


def _read_container(run: _Run, path: Path, key: str, stamp: FileStamp) -> None:
    """Stream a recipe tarball, extracting each nested step tarball on its own."""
    rejects: list[MemberReject] = []
    try:
        with (
            path.open("rb") as raw,
            gzip.GzipFile(fileobj=raw, mode="rb") as gz,
            _open_stream(gz) as tar,
        ):
            for member in tar:
                reject = _container_member(run, tar, member, key, stamp)
                if reject is not None:
                    rejects.append(reject)
            _drain(gz)
    except _READ_ERRORS as exc:
        run.entries[key] = _rejected(key, None, stamp, one_line(exc))
        return
    row = _row(key, None, 0, STATUS_EXTRACTED, None)
    run.entries[key] = _Entry(row, stamp, (), tuple(rejects))


def _inner_previous(run: _Run, key: str) -> list[tuple[str, _Entry]]:
    prefix = f"{key}!"
    return sorted((k, e) for k, e in run.previous.items() if k.startswith(prefix))


def _container_reusable(run: _Run, key: str, stamp: FileStamp) -> bool:
    """Whether a recipe tarball need not be read again (unchanged, outputs all present)."""
    previous = run.previous.get(key)
    if previous is None or previous.stamp != stamp:
        return False
    for _, entry in _inner_previous(run, key):
        coords = _coords_of(entry.row)
        if entry.duplicate and coords is not None and coords.rel_dir not in run.claims:
            return False
        if entry.ok and not _files_present(entry, run):
            return False
    return True


def _reuse_container(run: _Run, key: str, stamp: FileStamp) -> None:
    for inner_key, entry in _inner_previous(run, key):
        coords = _coords_of(entry.row)
        carried = _duplicate(run, inner_key, coords, stamp) if coords is not None else None
        _record(run, inner_key, carried or _reused(entry), coords)
    run.entries[key] = _reused(run.previous[key])


def _process_container(run: _Run, path: Path, key: str, stamp: FileStamp) -> None:
    if _container_reusable(run, key, stamp):
        _reuse_container(run, key, stamp)
    else:
        _read_container(run, path, key, stamp)


# --- state -------------------------------------------------------------------------------------


def _entry_to_json(entry: _Entry) -> dict[str, Any]:
    return {
        "size": entry.stamp.size,
        "mtime_ns": entry.stamp.mtime_ns,
        "row": asdict(entry.row),
        "files": list(entry.files),
        "member_rejects": [{"member": r.member, "reason": r.reason} for r in entry.rejects],
        "duplicate": entry.duplicate,
    }


def _entry_from_json(key: str, data: dict[str, Any]) -> _Entry:
    rejects = tuple(MemberReject(key, r["member"], r["reason"]) for r in data["member_rejects"])
    return _Entry(
        row=ManifestRow(**data["row"]),
        stamp=FileStamp(int(data["size"]), int(data["mtime_ns"])),
        files=tuple(data["files"]),
        rejects=rejects,
        duplicate=bool(data["duplicate"]),
    )


def _read_manifest(work_root: Path) -> dict[str, Any] | None:
    path = work_root / MANIFEST_JSON
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        LOGGER.warning("ignoring unreadable %s: %s", path, one_line(exc))
        return None
    if not isinstance(data, dict) or data.get("version") != MANIFEST_VERSION:
        LOGGER.warning("ignoring %s: unknown manifest version", path)
        return None
    return data


def _load_entries(data: dict[str, Any] | None) -> dict[str, _Entry]:
    if data is None:
        return {}
    try:
        return {key: _entry_from_json(key, value) for key, value in data["archives"].items()}
    except (KeyError, TypeError, ValueError) as exc:
        LOGGER.warning("ignoring malformed manifest: %s", one_line(exc))
        return {}


def _load_previous(work_root: Path, max_member_bytes: int) -> dict[str, _Entry]:
    data = _read_manifest(work_root)
    if data is not None and data.get("max_member_bytes") != max_member_bytes:
        LOGGER.info("max_member_bytes changed: re-extracting every archive")
        return {}
    return _load_entries(data)


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _jsonl(rows: Iterable[dict[str, Any]]) -> str:
    return "".join(json.dumps(row, sort_keys=False) + "\n" for row in rows)


def _reject_lines(entries: dict[str, _Entry]) -> list[dict[str, Any]]:
    lines: list[dict[str, Any]] = []
    for key, entry in entries.items():
        if not entry.ok:
            lines.append({"archive": key, "member": None, "reason": entry.row.reason})
        lines.extend(asdict(reject) for reject in entry.rejects)
    return lines


def _write_state(work_root: Path, entries: dict[str, _Entry], max_member_bytes: int) -> None:
    manifest = {
        "version": MANIFEST_VERSION,
        "max_member_bytes": max_member_bytes,
        "archives": {key: _entry_to_json(entry) for key, entry in entries.items()},
    }
    _write_atomic(work_root / MANIFEST_JSON, json.dumps(manifest, indent=1) + "\n")
    _write_atomic(work_root / MANIFEST_JSONL, _jsonl(asdict(e.row) for e in entries.values()))
    _write_atomic(work_root / REJECTS_JSONL, _jsonl(_reject_lines(entries)))


def _sweep(files_root: Path, owned: set[str]) -> int:
    """Delete every file below ``files_root`` that no current archive owns; return the count."""
    if not files_root.is_dir() or files_root.is_symlink():
        return 0
    removed = 0
    for dirpath, dirnames, filenames in os.walk(files_root, topdown=False):
        folder = Path(dirpath)
        links = [name for name in dirnames if (folder / name).is_symlink()]
        for name in [*filenames, *links]:
            if (folder / name).relative_to(files_root).as_posix() not in owned:
                (folder / name).unlink()
                removed += 1
        if folder != files_root and not any(folder.iterdir()):
            folder.rmdir()
    return removed


# --- driver ------------------------------------------------------------------------------------


def _stamp(path: Path) -> FileStamp:
    info = path.stat()
    return FileStamp(info.st_size, info.st_mtime_ns)


def _process_archive(run: _Run, path: Path) -> None:
    key = path.relative_to(run.qa_root).as_posix()
    try:
        stamp = _stamp(path)
    except OSError as exc:
        run.entries[key] = _rejected(key, parse_step_path(key), FileStamp(-1, -1), one_line(exc))
        return
    if looks_like_step_path(key):
        _process_step_file(run, path, key, stamp)
    else:
        _process_container(run, path, key, stamp)


def _check_roots(qa_root: Path, work_root: Path) -> None:
    if qa_root.resolve().is_relative_to(work_root):
        raise ValueError(f"qa_root {qa_root} must not lie inside work_dir {work_root}")


def summarise(rows: Sequence[ManifestRow], rejects: Sequence[MemberReject]) -> dict[str, int]:
    """Counts of a run: archives by status, files written, member rejects."""
    return {
        "archives": len(rows),
        "extracted": sum(row.status == STATUS_EXTRACTED for row in rows),
        "unchanged": sum(row.status == STATUS_UNCHANGED for row in rows),
        "rejected": sum(row.status == STATUS_REJECTED for row in rows),
        "members_written": sum(row.members_written for row in rows),
        "member_rejects": len(rejects),
    }


def _run_all(run: _Run, archives: list[Path], progress_every: int) -> None:
    shutil.rmtree(run.tmp_root, ignore_errors=True)
    try:
        for done, path in enumerate(archives, start=1):
            _process_archive(run, path)
            if progress_every > 0 and done % progress_every == 0:
                LOGGER.info("progress: %d/%d archives done", done, len(archives))
    finally:
        shutil.rmtree(run.tmp_root, ignore_errors=True)


def extract_qa_tarballs(
    qa_root: Path,
    work_dir: Path,
    max_member_bytes: int = DEFAULT_MAX_MEMBER_BYTES,
    progress_every: int = 50,
) -> list[ManifestRow]:
    """Extract every QA tarball below ``qa_root`` into ``work_dir`` (see the module docstring)."""
    started = time.monotonic()
    work_dir.mkdir(parents=True, exist_ok=True)
    work_root = work_dir.resolve()
    run = _Run(qa_root, work_root, max_member_bytes, _load_previous(work_root, max_member_bytes))
    if qa_root.is_dir():
        _check_roots(qa_root, work_root)
        archives = find_archives(qa_root)
        _run_all(run, archives, progress_every)
    else:
        archives = []
        LOGGER.info("QA root %s does not exist: nothing to extract", qa_root)
    entries = dict(sorted(run.entries.items()))
    _sweep(run.files_root, {rel for entry in entries.values() for rel in entry.files})
    _write_state(work_root, entries, max_member_bytes)
    rows = [entry.row for entry in entries.values()]
    if archives:
        counts = summarise(rows, [r for e in entries.values() for r in e.rejects])
        summary = ", ".join(f"{name}={value}" for name, value in counts.items())
        LOGGER.info("done: %d tarballs, %s in %.2fs", len(archives), summary, _since(started))
    return rows


def _since(started: float) -> float:
    return time.monotonic() - started


def member_rejects(work_dir: Path) -> list[MemberReject]:
    """The skipped or unsafe members of the archives currently in ``work_dir``'s manifest."""
    entries = _load_entries(_read_manifest(work_dir.resolve()))
    return [reject for entry in entries.values() for reject in entry.rejects]


def main(argv: Sequence[str] | None = None) -> int:
    """CLI: extract QA_ROOT into WORK_DIR and print a JSON summary."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("qa_root", type=Path, help="root folder of the QA tarballs")
    parser.add_argument("work_dir", type=Path, help="folder receiving files/ and the manifest")
    parser.add_argument("--max-member-bytes", type=int, default=DEFAULT_MAX_MEMBER_BYTES)
    parser.add_argument("--progress-every", type=int, default=50)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    rows = extract_qa_tarballs(
        args.qa_root, args.work_dir, args.max_member_bytes, args.progress_every
    )
    summary = summarise(rows, member_rejects(args.work_dir))
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
