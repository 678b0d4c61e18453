"""Member safety: which archive members may be read, and where a step's files belong.

Nothing here reads an archive. It decides, from a member's tar header and its path alone,
whether a member is refused (absolute paths, ``..``, links, devices, fifos, oversize), whether
it is a task file (``<task>-metrics.json`` / ``<task>-predictions.jsonl``) and which
recipe/params/seed/step an archive path names.
"""

from __future__ import annotations

import re
import tarfile
from dataclasses import dataclass
from pathlib import Path

ARCHIVE_SUFFIXES = (".tar.gz", ".tgz")
PREDICTIONS_SUFFIX = "-predictions.jsonl"
METRICS_SUFFIX = "-metrics.json"

_SEED_RE = re.compile(r"seed-(\d+)")
_STEP_RE = re.compile(r"step-(\d+)\.(?:tar\.gz|tgz)")
_TASK_FILE_RE = re.compile(r"(.+)(-metrics\.json|-predictions\.jsonl)")
_SEPARATORS_RE = re.compile(r"[\\/]")
_DRIVE_RE = re.compile(r"[A-Za-z]:")

SKIPPED_NOT_TASK_FILE = "skipped: not a <task>-metrics.json or <task>-predictions.jsonl file"
SKIPPED_NOT_STEP_TARBALL = "skipped: not a step tarball"
SKIPPED_BAD_STEP_PATH = (
    "skipped: tarball path does not match <recipe>/<params>/seed-<N>/step-<S>.tar.gz"
)


class UnsafePathError(ValueError):
    """An output path would resolve outside the folder it must stay in."""


@dataclass(frozen=True)
class StepCoords:
    """Which checkpoint a step archive holds: recipe, params, seed and step."""

    recipe: str
    params: str
    seed: int
    step: int

    @property
    def rel_dir(self) -> str:
        """The step's identity as a path, ``<recipe>/<params>/seed-<N>/step-<S>``."""
        return f"{self.recipe}/{self.params}/seed-{self.seed}/step-{self.step}"


@dataclass(frozen=True)
class TaskFile:
    """A task file member: its flattened name, task (file stem) and kind."""

    name: str
    task: str
    kind: str  # "predictions" or "metrics"


def safe_component(part: str) -> bool:
    """Whether one path component is a plain name (not empty, ``.``, ``..``, no ``\\`` or NUL)."""
    return part not in ("", ".", "..") and "\\" not in part and "\x00" not in part


def normalise_member_name(name: str) -> str:
    """A member name without leading ``./``."""
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
    if not (safe_component(recipe) and safe_component(params)):
        return None
    seed = _SEED_RE.fullmatch(parts[-2])
    step = _STEP_RE.fullmatch(parts[-1])
    assert seed is not None and step is not None
    return StepCoords(recipe, params, int(seed.group(1)), int(step.group(1)))


def member_problem(member: tarfile.TarInfo, max_bytes: int | None) -> str | None:
    """Why a member must not be read (None if it is safe); directories are safe."""
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


def task_file(member_name: str) -> TaskFile | None:
    """The flattened task file a metrics/predictions member is, None for other members."""
    base = _SEPARATORS_RE.split(member_name)[-1]
    match = _TASK_FILE_RE.fullmatch(base)
    if match is None or "\x00" in base:
        return None
    kind = "predictions" if match.group(2) == PREDICTIONS_SUFFIX else "metrics"
    return TaskFile(base, match.group(1), kind)


def inside(path: Path, root: Path) -> Path:
    """Resolve ``path`` and check that it lies strictly inside ``root`` (already resolved)."""
    resolved = path.resolve()
    if resolved == root or not resolved.is_relative_to(root):
        raise UnsafePathError(f"output path {path} resolves outside {root}")
    return resolved


REASON_NAME_CHARS = 120


def shorten(name: str, limit: int = REASON_NAME_CHARS) -> str:
    """A name cut to ``limit`` characters for a reject reason (the member itself is kept whole)."""
    return name if len(name) <= limit else f"{name[:limit]}... ({len(name)} characters)"


def one_line(exc: BaseException) -> str:
    """An exception as a one-line reason, at most a few hundred characters."""
    text = shorten(" ".join(str(exc).split()), 3 * REASON_NAME_CHARS)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
