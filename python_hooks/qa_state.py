"""State and change detection: what each archive was at the last build, and what to do now.

An archive is identified by its path relative to the QA root; a step tarball inside a recipe
tarball by ``<outer path>!<member path>``. Its stamp is what tells a change without reading
it: size and mtime of a file on disk, or size and mtime from the tar header of a nested
member (so a recipe tarball that gained one step loads only that step). The state of every
archive is kept in the warehouse, committed in the same transaction as its rows
(:mod:`python_hooks.qa_store`), so the state never claims rows that are not there.

Decisions, per archive, in path order:

- unchanged (same stamp as stored, not a duplicate last time): nothing is read;
- new or changed: read and its rows replaced;
- a step that an earlier archive (in path order) already provides: rejected as duplicate,
  its rows removed; duplicates are re-examined at every build, so a duplicate becomes the
  provider once the first one is deleted;
- gone from disk (or from its recipe tarball): forgotten, rows and state.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from python_hooks.qa_members import StepCoords

STATUS_LOADED = "loaded"
STATUS_UNCHANGED = "unchanged"
STATUS_REJECTED = "rejected"
NESTED_SEPARATOR = "!"


@dataclass(frozen=True)
class Stamp:
    """Size and mtime (ns) of an archive file, or of a nested member from its tar header."""

    size: int
    mtime_ns: int


@dataclass(frozen=True)
class Entry:
    """The result of one archive in one build (a step, recipe or nested step tarball)."""

    archive: str
    coords: StepCoords | None
    stamp: Stamp
    status: str
    reason: str | None = None
    members_written: int = 0
    questions: int = 0
    rejects: tuple[tuple[str, str], ...] = ()  # (member, reason)
    duplicate: bool = False

    @property
    def ok(self) -> bool:
        return self.status != STATUS_REJECTED

    def carried(self) -> Entry:
        """This entry kept from the previous build without reading (rejected stays rejected)."""
        return self if not self.ok else replace(self, status=STATUS_UNCHANGED)


def nested_key(outer: str, member: str) -> str:
    """The key of a step tarball inside a recipe tarball."""
    return f"{outer}{NESTED_SEPARATOR}{member}"


def rejected(
    archive: str,
    coords: StepCoords | None,
    stamp: Stamp,
    reason: str,
    *,
    duplicate: bool = False,
    rejects: tuple[tuple[str, str], ...] = (),
) -> Entry:
    """An archive that yields no rows."""
    return Entry(
        archive, coords, stamp, STATUS_REJECTED, reason, rejects=rejects, duplicate=duplicate
    )


@dataclass
class Claims:
    """Which archive provides each step in this build (the first in path order wins)."""

    owners: dict[str, str] = field(default_factory=dict)

    def duplicate_reason(self, archive: str, coords: StepCoords) -> str | None:
        """Why ``archive`` may not provide ``coords`` (another one does), else None."""
        owner = self.owners.get(coords.rel_dir)
        if owner is None or owner == archive:
            return None
        return f"duplicate step {coords.rel_dir}: already provided by {owner}"

    def claim(self, entry: Entry) -> None:
        if entry.ok and entry.coords is not None:
            self.owners[entry.coords.rel_dir] = entry.archive

    def is_claimed(self, coords: StepCoords) -> bool:
        return coords.rel_dir in self.owners


def is_unchanged(previous: Entry | None, stamp: Stamp) -> bool:
    """Whether an archive need not be read: same stamp, and not a duplicate last time."""
    return previous is not None and previous.stamp == stamp and not previous.duplicate


def nested_previous(previous: Mapping[str, Entry], outer: str) -> list[Entry]:
    """The nested entries of a recipe tarball at the last build, in key order."""
    prefix = outer + NESTED_SEPARATOR
    return [previous[key] for key in sorted(previous) if key.startswith(prefix)]


def recipe_unchanged(
    previous: Mapping[str, Entry], outer: str, stamp: Stamp, claims: Claims
) -> bool:
    """Whether a recipe tarball need not be streamed again.

    Same stamp, and no nested step that was a duplicate could now provide its step.
    """
    own = previous.get(outer)
    if own is None or own.stamp != stamp:
        return False
    return not any(
        entry.duplicate and entry.coords is not None and not claims.is_claimed(entry.coords)
        for entry in nested_previous(previous, outer)
    )


def manifest_row(entry: Entry) -> dict[str, object]:
    """The row of ``load_qa__archives`` for one entry."""
    coords = entry.coords
    return {
        "archive": entry.archive,
        "recipe": coords.recipe if coords else None,
        "params": coords.params if coords else None,
        "seed": coords.seed if coords else None,
        "step": coords.step if coords else None,
        "members_written": entry.members_written,
        "questions": entry.questions,
        "status": entry.status,
        "reason": entry.reason,
    }


def summarise(entries: Mapping[str, Entry]) -> dict[str, int]:
    """Counts of a build: archives by status, files and questions loaded, member rejects."""
    values = list(entries.values())
    return {
        "archives": len(values),
        "loaded": sum(e.status == STATUS_LOADED for e in values),
        "unchanged": sum(e.status == STATUS_UNCHANGED for e in values),
        "rejected": sum(e.status == STATUS_REJECTED for e in values),
        "members_written": sum(e.members_written for e in values),
        "questions": sum(e.questions for e in values),
        "member_rejects": sum(len(e.rejects) for e in values),
    }
