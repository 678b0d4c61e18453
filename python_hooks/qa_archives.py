"""Archive streaming: find QA tarballs and read them in one sequential pass each.

A step tarball's task files are copied, flattened to their base name, into a spool folder
given by the caller, where the loader reads them and deletes them. A recipe tarball (whose
members are step tarballs) is never unpacked: its nested step tarballs are yielded one by
one as streams and read straight from the outer stream. Nothing else touches the disk.

A truncated or corrupt gzip or tar stream raises (see :data:`READ_ERRORS`); tarfile's silent
end of iteration on a bad header is turned into an error by :class:`StrictTarInfo`.
"""

from __future__ import annotations

import os
import tarfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from tarfile import EOFHeaderError, HeaderError, ReadError
from typing import IO, Self

from isal import igzip, isal_zlib

from python_hooks.qa_members import (
    METRICS_SUFFIX,
    PREDICTIONS_SUFFIX,
    SKIPPED_BAD_STEP_PATH,
    SKIPPED_NOT_STEP_TARBALL,
    SKIPPED_NOT_TASK_FILE,
    StepCoords,
    TaskFile,
    UnsafePathError,
    inside,
    is_archive_name,
    member_problem,
    normalise_member_name,
    parse_step_path,
    shorten,
    task_file,
)

COPY_CHUNK = 1024 * 1024
# gzip streams are read with ISA-L (python-isal): the same format and checks as the standard
# library's gzip, about twice as fast to inflate
READ_ERRORS = (tarfile.TarError, OSError, EOFError, zlib.error, isal_zlib.error, ValueError)


class StrictTarInfo(tarfile.TarInfo):
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


@dataclass(frozen=True)
class SpooledFile:
    """A task file copied into the spool: where, how big, how many lines."""

    member: str
    task_file: TaskFile
    path: Path
    size: int
    lines: int


@dataclass(frozen=True)
class StepRead:
    """A step tarball read completely: its spooled task files and its refused members."""

    files: tuple[SpooledFile, ...]
    rejects: tuple[tuple[str, str], ...]  # (member, reason)

    @property
    def questions(self) -> int:
        return sum(f.lines for f in self.files if f.task_file.kind == "predictions")

    @property
    def bytes(self) -> int:
        return sum(f.size for f in self.files)


@dataclass(frozen=True)
class NestedMember:
    """One member of a recipe tarball: a step tarball to read, or a refused member."""

    member: tarfile.TarInfo
    name: str
    coords: StepCoords | None
    reject: str | None
    stream: IO[bytes] | None


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


def open_tar_stream(gz: IO[bytes]) -> tarfile.TarFile:
    """Open a decompressed tar stream for one sequential pass."""
    return tarfile.open(fileobj=gz, mode="r|", tarinfo=StrictTarInfo)


def drain(gz: IO[bytes]) -> None:
    """Read a gzip stream to its end so that its CRC and length are checked."""
    while gz.read(COPY_CHUNK):
        pass


def _copy_counting(source: IO[bytes], dest: Path) -> tuple[int, int]:
    """Copy a member into ``dest`` (created, never overwritten); return (bytes, lines)."""
    size = lines = 0
    last = b"\n"
    with dest.open("xb") as out:
        while chunk := source.read(COPY_CHUNK):
            out.write(chunk)
            size += len(chunk)
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    if last != b"\n":
        lines += 1
    return size, lines


def _spool_member(
    tar: tarfile.TarFile,
    member: tarfile.TarInfo,
    spool_dir: Path,
    taken: set[str],
    max_bytes: int,
) -> SpooledFile | str | None:
    """Copy one member of a step tarball into ``spool_dir``; a reason if it is refused."""
    problem = member_problem(member, max_bytes)
    if problem is not None or member.isdir():
        return problem
    found = task_file(member.name)
    if found is None:
        return SKIPPED_NOT_TASK_FILE
    if found.name in taken:
        return f"skipped: duplicate file name {shorten(found.name)} after flattening"
    # spooled under a short name of its own (a member's name may be longer than the file
    # system allows); the task and the member's name travel beside it
    suffix = PREDICTIONS_SUFFIX if found.kind == "predictions" else METRICS_SUFFIX
    dest = inside(spool_dir / f"{len(taken):06d}{suffix}", spool_dir)
    if dest.parent != spool_dir:
        raise UnsafePathError(f"member {member.name} would be written outside {spool_dir}")
    source = tar.extractfile(member)
    if source is None:
        raise tarfile.ReadError(f"cannot read member {member.name}")
    size, lines = _copy_counting(source, dest)
    taken.add(found.name)
    return SpooledFile(normalise_member_name(member.name), found, dest, size, lines)


def read_step_stream(raw: IO[bytes], spool_dir: Path, max_bytes: int) -> StepRead:
    """Read a gzipped step tarball completely into ``spool_dir``; raise if it is unreadable."""
    files: list[SpooledFile] = []
    rejects: list[tuple[str, str]] = []
    taken: set[str] = set()
    with igzip.GzipFile(fileobj=raw, mode="rb") as gz, open_tar_stream(gz) as tar:
        for member in tar:
            outcome = _spool_member(tar, member, spool_dir, taken, max_bytes)
            if isinstance(outcome, SpooledFile):
                files.append(outcome)
            elif outcome is not None:
                rejects.append((member.name, outcome))
        drain(gz)
    return StepRead(tuple(files), tuple(rejects))


def _nested(tar: tarfile.TarFile, member: tarfile.TarInfo) -> NestedMember | None:
    """Classify one recipe-tarball member (None for a harmless directory)."""
    problem = member_problem(member, None)
    if member.isdir() and problem is None:
        return None
    name = normalise_member_name(member.name)
    if problem is None and not is_archive_name(name):
        problem = SKIPPED_NOT_STEP_TARBALL
    coords = parse_step_path(name) if problem is None else None
    if problem is None and coords is None:
        problem = SKIPPED_BAD_STEP_PATH
    stream = tar.extractfile(member) if problem is None else None
    if problem is None and stream is None:
        problem = "skipped: unreadable member"
    return NestedMember(member, name, coords, problem, stream)


def stream_recipe_tarball(raw: IO[bytes]) -> Iterator[NestedMember]:
    """Yield the members of a recipe tarball in order; read each stream before the next.

    Raises one of :data:`READ_ERRORS` when the outer archive is corrupt or truncated, after
    the members before the damage were yielded.
    """
    with igzip.GzipFile(fileobj=raw, mode="rb") as gz, open_tar_stream(gz) as tar:
        for member in tar:
            nested = _nested(tar, member)
            if nested is not None:
                yield nested
        drain(gz)
