"""Folder operations of the Parquet export (`macros/export_marts.sql`), as SQL functions.

SQL can write Parquet but cannot create, rename or delete folders, so the export macro calls
these through the dbt-duckdb plugin (`python_hooks/dbt_plugin.py`):

- `dr_ingest_export_begin(final, tag)` creates the temporary sibling `<final>.tmp-<tag>` with
  the marker file and returns its absolute path;
- `dr_ingest_run_sql(sql)` runs one statement (a `COPY ... TO`) on a cursor of the same
  database and returns `{"rows": n}` or `{"error": "..."}` as JSON, so that the macro (Jinja
  has no try/except) can clean up before it fails the run-operation;
- `dr_ingest_swap_folder(tmp, final)` moves the previous export aside, moves `tmp` into place
  and deletes the previous export;
- `dr_ingest_remove_folder(path)` deletes an export folder (the temporary one, on failure);
- `dr_ingest_folder_bytes(path)` is the size of the files under a folder.

Safety: nothing is deleted or replaced unless it is a folder holding the marker file
`MARKER`, which only `export_begin` writes. A path that exists and is not an export (a user's
folder, a file, a symlink) is refused, so `path: ~` cannot wipe a home folder. Temporary
folders a run created and neither swapped nor removed (a Jinja error between two calls) are
removed when the process exits.
"""

from __future__ import annotations

import atexit
import json
import re
import shutil
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from duckdb import DuckDBPyConnection

MARKER = ".dr_ingest_export"
_TAG = re.compile(r"^[A-Za-z0-9_-]+$")
_PENDING: set[Path] = set()


class ExportFolderError(RuntimeError):
    """A folder the export refuses to create, replace or delete."""


def _absolute(path: str) -> Path:
    if not path or not path.strip():
        raise ExportFolderError("export path is empty")
    return Path(path).expanduser().absolute()


def is_export_folder(path: Path) -> bool:
    """A real folder (not a symlink) holding the export's marker file."""
    return path.is_dir() and not path.is_symlink() and (path / MARKER).is_file()


def _check_replaceable(path: Path) -> None:
    """`path` may be replaced: it does not exist, or it is an export folder."""
    if path.is_symlink():
        raise ExportFolderError(f"{path} is a symbolic link; give the folder it points to")
    if path.exists() and not is_export_folder(path):
        raise ExportFolderError(
            f"{path} exists and is not an export of dr_ingest (no {MARKER} file): "
            "refusing to replace it; remove it or choose another path"
        )


def _delete_export(path: Path) -> None:
    if not is_export_folder(path):
        raise ExportFolderError(f"{path} is not an export folder (no {MARKER}): not deleting it")
    shutil.rmtree(path)


def export_begin(final: str, tag: str) -> str:
    """Create `<final>.tmp-<tag>` (with the marker) for a new export of `final`; return it.

    `final`'s parent must be an existing folder and `final` must not exist or be an export.
    Leftover `<final>.tmp-*` / `<final>.old-*` export folders of killed runs are removed."""
    if not _TAG.match(tag or ""):
        raise ExportFolderError(f"bad export tag {tag!r}")
    target = _absolute(final)
    if not target.parent.is_dir():
        raise ExportFolderError(f"the parent of the export path {target} is not a folder")
    _check_replaceable(target)
    prefixes = (f"{target.name}.tmp-", f"{target.name}.old-")
    for leftover in target.parent.iterdir():
        if leftover.name.startswith(prefixes) and is_export_folder(leftover):
            shutil.rmtree(leftover)
    tmp = target.with_name(f"{target.name}.tmp-{tag}")
    tmp.mkdir()
    _PENDING.add(tmp)
    (tmp / MARKER).write_text(
        json.dumps(
            {
                "written_by": "dr_ingest export_marts",
                "tag": tag,
                "started_at": datetime.now(UTC).isoformat(),
            }
        )
        + "\n"
    )
    return str(tmp)


def swap_folder(tmp: str, final: str) -> str:
    """Put the finished export `tmp` in place of `final` (which may not exist yet); the
    previous export is moved aside first and deleted last. Returns `final`'s absolute path."""
    source = _absolute(tmp)
    target = _absolute(final)
    if not is_export_folder(source):
        raise ExportFolderError(f"{source} is not an export folder (no {MARKER})")
    if source.parent != target.parent:
        raise ExportFolderError(f"{source} and {target} are not in the same folder")
    _check_replaceable(target)
    old: Path | None = None
    if target.exists():
        old = target.with_name(f"{target.name}.old-{uuid.uuid4().hex[:12]}")
        target.rename(old)
    try:
        source.rename(target)
    except OSError:
        if old is not None:
            old.rename(target)  # put the previous export back
        raise
    _PENDING.discard(source)
    if old is not None:
        _delete_export(old)
    return str(target)


def remove_folder(path: str) -> bool:
    """Delete an export folder; False when there is nothing at `path`."""
    folder = _absolute(path)
    if not folder.exists() and not folder.is_symlink():
        _PENDING.discard(folder)
        return False
    _delete_export(folder)
    _PENDING.discard(folder)
    return True


def folder_bytes(path: str) -> int:
    """Total size in bytes of the files under `path` (0 when it does not exist)."""
    folder = _absolute(path)
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def sql_runner(conn: DuckDBPyConnection) -> Callable[[str], str]:
    """`run_sql(sql) -> JSON text` over a cursor of `conn` (see the module docstring)."""

    def run_sql(sql: str) -> str:
        cursor = conn.cursor()
        try:
            rows = cursor.execute(sql).fetchall()
        except Exception as error:  # reported to the macro, which cleans up and fails
            return json.dumps({"error": f"{type(error).__name__}: {error}"})
        finally:
            cursor.close()
        count = rows[0][0] if rows and rows[0] else None
        return json.dumps({"rows": count if isinstance(count, int) else None})

    return run_sql


def _remove_pending() -> None:
    for folder in list(_PENDING):
        if is_export_folder(folder):
            shutil.rmtree(folder, ignore_errors=True)
        _PENDING.discard(folder)


atexit.register(_remove_pending)
