"""The input files matching a source's file glob, found by a walk that follows symlinks.

DuckDB's recursive glob (`dir/**`) skips symlinked files and folders, and researchers symlink
their big exports into the data root. The file-backed sources therefore read an explicit
list of files computed by `find_files`, which matches the same glob syntax DuckDB uses
(`*`, `?`, `[...]` within one path component, `**` for zero or more folders; `*` also matches
names starting with a dot) and follows symlinked files and folders:

- a symlinked file is listed under its link path (the path inside the data root), so paths
  stay stable from one build to the next and incremental loading by file keeps working;
- each real folder is walked at most once per pattern position (a visited set keyed on
  device and inode), so a link to a parent folder (a cycle) or two links to one folder are
  read once, by the path that comes first in sorted order; there is no depth limit;
- each real file is listed once (two links to one file, or a link beside its target, would
  otherwise load the same records twice): the first path in sorted walk order is kept;
- broken links and unreadable folders are skipped.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Iterator

_WILDCARD = re.compile(r"[*?\[]")


def _split(pattern: str) -> tuple[str, list[str]]:
    """The literal folder prefix of a glob and its remaining components."""
    parts = pattern.split("/")
    literal: list[str] = []
    for index, part in enumerate(parts[:-1]):
        if _WILDCARD.search(part):
            return "/".join(literal), parts[index:]
        literal.append(part)
    return "/".join(literal), parts[len(literal) :]


def _identity(path: str) -> tuple[int, int] | None:
    """(device, inode) of what `path` points to, None if it cannot be read."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_dev, info.st_ino


def _entries(folder: str) -> list[tuple[str, bool]]:
    """Sorted (name, is_folder) of a folder's entries, links followed; [] if unreadable."""
    try:
        with os.scandir(folder or ".") as scan:
            found = []
            for entry in scan:
                try:
                    is_folder = entry.is_dir(follow_symlinks=True)
                    is_file = entry.is_file(follow_symlinks=True)
                except OSError:
                    continue
                if is_folder or is_file:
                    found.append((entry.name, is_folder))
    except OSError:
        return []
    return sorted(found)


def _join(folder: str, name: str) -> str:
    if not folder or folder.endswith("/"):
        return folder + name
    return f"{folder}/{name}"


def _walk(folder: str, parts: list[str], visited: set[tuple[int, int, int]]) -> Iterator[str]:
    """Files below `folder` matching the components `parts` (links followed)."""
    identity = _identity(folder or ".")
    if identity is None or (*identity, len(parts)) in visited:
        return
    visited.add((*identity, len(parts)))
    head, rest = parts[0], parts[1:]
    if head == "**":
        # zero folders (then the rest of the pattern here; a trailing `**` lists every file),
        # or one more folder with `**` still to match
        if rest:
            yield from _walk(folder, rest, visited)
        for name, is_folder in _entries(folder):
            if is_folder:
                yield from _walk(_join(folder, name), parts, visited)
            elif not rest:
                yield _join(folder, name)
        return
    for name, is_folder in _entries(folder):
        if not fnmatch.fnmatchcase(name, head):
            continue
        if not rest and not is_folder:
            yield _join(folder, name)
        elif rest and is_folder:
            yield from _walk(_join(folder, name), rest, visited)


def find_files(pattern: str) -> list[str]:
    """The files matching a DuckDB-style glob, symlinks followed, each real file once, sorted."""
    prefix, parts = _split(pattern.rstrip("/"))
    if prefix == "" and pattern.startswith("/"):
        prefix = "/"
    if not _WILDCARD.search(pattern):
        return [pattern] if os.path.isfile(pattern) else []
    seen_files: set[tuple[int, int]] = set()
    found: list[str] = []
    for path in _walk(prefix, parts, set()):
        identity = _identity(path)
        if identity is None or identity in seen_files:
            continue
        seen_files.add(identity)
        found.append(path)
    return sorted(found)
