"""The QA store in the warehouse: the hook's tables, loaded batch by batch, with the state.

Schema ``qa_store`` (declared as the dbt source ``qa``):

- ``archives``: the state, one row per archive (stamp, coordinates, status, counts);
- ``member_rejects``: members refused or skipped, per archive;
- ``members``: the task files loaded, per archive (name, kind, size, lines);
- ``prediction_records`` / ``task_metrics_records``: the parsed rows. Their columns are those
  of the dbt views ``load_qa__prediction_batch`` / ``load_qa__task_metrics_batch``, which parse
  the spooled files of the current batch: the parsing is SQL, this module only moves rows;
- ``batch_members``: the current batch's spooled files (empty between batches); dbt's build
  names its own table for it (the model ``load_qa__batch_members``, in the process's own
  database on a lake), the default is for a store used alone;
- ``settings``: what the stored rows were made with (a change reloads every archive).

Predictions are parsed by one of two dbt views. The strict one (DuckDB's JSON reader, several
times faster) cannot report a bad line: it fails on one, and skips blank lines. So each batch's
predictions are stored through it and checked, in the batch's transaction, against the lines
the hook counted; a batch that fails to read or to check is rolled back and read by the line
reader, which keeps every line (rejects and blank lines included). Both give the same rows
for a clean batch.

A batch is committed in one transaction: the old rows and state of its archives are deleted,
the new rows, members, rejects and state inserted. A killed build therefore leaves the store
as it was after the last whole batch, and the next build carries on from there.

On a DuckLake, several workers write the store at once. A transaction that conflicts with one
another worker committed first (two workers creating the tables, a delete beside an insert)
is rolled back and run again: each transaction is the whole of one step, so running it again
is safe.
"""

from __future__ import annotations

import json
import random
import shutil
import time
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

import duckdb
from duckdb import DuckDBPyConnection

from python_hooks.qa_members import METRICS_SUFFIX, PREDICTIONS_SUFFIX, StepCoords
from python_hooks.qa_state import Entry, Stamp

SCHEMA = "qa_store"
BATCH_MEMBERS = f"{SCHEMA}.batch_members"
CONFLICT_ATTEMPTS = 8
BATCH_DIR = "batch"
SPOOL_DIR = "spool"
EMPTY_BATCH = "empty"
RECORD_TABLES = ("prediction_records", "task_metrics_records")
# the temporary tables where the batch predictions reader records the lines it skips
# (its `rejects_table` / `rejects_scan`, models/staging/qa/_qa__sources.yml)
UNREADABLE_LINES = "dr_ingest_line_rejects_batch_prediction_lines"
UNREADABLE_SCANS = "dr_ingest_line_scans_batch_prediction_lines"

_BASE_TABLES = {
    "archives": (
        "archive varchar, recipe varchar, params varchar, seed bigint, step bigint,"
        " size bigint, mtime_ns bigint, status varchar, reason varchar,"
        " members_written bigint, questions bigint, duplicate boolean"
    ),
    "member_rejects": "archive varchar, member varchar, reason varchar",
    "members": (
        "archive varchar, member varchar, source_file varchar, file_kind varchar,"
        " recipe_slug varchar, params varchar, seed integer, step bigint, task varchar,"
        " file_size bigint, n_lines bigint"
    ),
    "settings": "name varchar, value varchar",
}
BATCH_MEMBER_COLUMNS = (
    "scratch_path varchar, archive varchar, member varchar, source_file varchar,"
    " file_kind varchar, recipe_slug varchar, params varchar, seed integer, step bigint,"
    " task varchar, file_size bigint, n_lines bigint"
)
_MEMBER_COLUMNS = (
    "archive, member, source_file, file_kind, recipe_slug, params, seed, step, task,"
    " file_size, n_lines"
)


@dataclass(frozen=True)
class BatchFile:
    """A spooled task file of the current batch, where DuckDB will read it."""

    scratch_path: str
    archive: str
    member: str
    kind: str
    coords: StepCoords
    task: str
    size: int
    lines: int

    @property
    def source_file(self) -> str:
        return f"{self.archive}!{self.member}"

    def row(self) -> tuple[object, ...]:
        c = self.coords
        return (
            self.scratch_path, self.archive, self.member, self.source_file, self.kind,
            c.recipe, c.params, c.seed, c.step, self.task, self.size, self.lines,
        )  # fmt: skip


def prepare_work_folder(work_root: Path) -> Path:
    """Empty the work folder's batch and spool folders (a killed build's leftovers) and
    write the empty placeholder batch the parsing views bind to; return the batch root."""
    batch_root = work_root / BATCH_DIR
    for leftover in (work_root / SPOOL_DIR, batch_root):
        if leftover.is_symlink() or leftover.is_file():
            leftover.unlink()  # never written through: a link is removed, not followed
        elif leftover.exists():
            shutil.rmtree(leftover)
    placeholder = batch_root / EMPTY_BATCH / "0"
    placeholder.mkdir(parents=True)
    for suffix in (PREDICTIONS_SUFFIX, METRICS_SUFFIX):
        (placeholder / f"empty{suffix}").touch()
    return batch_root


def is_conflict(error: BaseException) -> bool:
    """A DuckLake write that lost to another transaction's commit."""
    return isinstance(error, duckdb.TransactionException) and "conflict" in str(error).lower()


def retry_conflicts(con: DuckDBPyConnection, step: Callable[[], None]) -> None:
    """Run ``step`` (one whole transaction) again after a write conflict, up to
    CONFLICT_ATTEMPTS times, waiting a little longer each time."""
    for attempt in range(1, CONFLICT_ATTEMPTS + 1):
        try:
            step()
            return
        except duckdb.Error as error:
            if not is_conflict(error) or attempt == CONFLICT_ATTEMPTS:
                raise
            with suppress(duckdb.Error):  # a failed commit has ended the transaction already
                con.execute("rollback")
            time.sleep(random.uniform(0.05, 0.2) * attempt)


def create_base_tables(
    con: DuckDBPyConnection, schema: str = SCHEMA, batch_members: str | None = BATCH_MEMBERS
) -> None:
    """The store's schema and the tables whose columns do not depend on the views, in one
    transaction (run again if another worker created them first)."""

    def create() -> None:
        con.execute("begin transaction")
        con.execute(f"create schema if not exists {schema}")
        for name, columns in _BASE_TABLES.items():
            con.execute(f"create table if not exists {schema}.{name} ({columns})")
        if batch_members is not None:
            con.execute(f"create table if not exists {batch_members} ({BATCH_MEMBER_COLUMNS})")
        con.execute("commit")

    retry_conflicts(con, create)


class _NotStrict(Exception):
    """The strict view cannot read the batch as the line reader would (rolled back)."""


class WarehouseStore:
    """The hook's tables, read and written through one DuckDB connection."""

    def __init__(
        self,
        con: DuckDBPyConnection,
        views: dict[str, str],
        max_member_bytes: int,
        full_refresh: bool = False,
        schema: str = SCHEMA,
        batch_members: str = BATCH_MEMBERS,
        strict_predictions: str | None = None,
    ) -> None:
        """``views`` maps each record table to the dbt view (relation name) parsing it;
        ``schema`` is where the store lives (qualified by its database on a lake) and
        ``batch_members`` the table the views join the batch's files through;
        ``strict_predictions`` is the strict view of the predictions (None: the line reader
        only)."""
        self.con = con
        self.views = views
        self.schema = schema
        self.batch_members = batch_members
        self.strict_predictions = strict_predictions
        # batches whose predictions were parsed by each view (for the hook's summary)
        self.readers: dict[str, int] = {"strict": 0, "lines": 0}
        self._stored: set[str] | None = None  # None: unknown, delete for every archive
        self._prepare(max_member_bytes, full_refresh)

    # --- set-up --------------------------------------------------------------------------

    def _signature(self, max_member_bytes: int) -> str:
        columns = {
            table: [f"{name} {kind}" for name, kind in self._columns(view)]
            for table, view in self.views.items()
        }
        return json.dumps({"max_member_bytes": max_member_bytes, "columns": columns})

    def _stored_signature(self) -> str | None:
        rows = self.con.execute(
            f"select value from {self.schema}.settings where name = 'signature'"
        ).fetchall()
        return str(rows[0][0]) if rows else None

    def _columns(self, view: str) -> list[tuple[str, str]]:
        relation = self.con.sql(f"select * from {view} limit 0")
        return [
            (name, str(kind)) for name, kind in zip(relation.columns, relation.types, strict=True)
        ]

    def _prepare(self, max_member_bytes: int, full_refresh: bool) -> None:
        if self.strict_predictions is not None:
            lines = self._columns(self.views["prediction_records"])
            strict = self._columns(self.strict_predictions)
            if strict != lines:
                raise ValueError(
                    f"{self.strict_predictions} must have the columns of the line reader:"
                    f" {strict} != {lines}"
                )
        create_base_tables(self.con, self.schema, None)
        # a killed build's batch list (an autocommitted write of its own)
        self.con.execute(f"delete from {self.batch_members}")
        signature = self._signature(max_member_bytes)
        retry_conflicts(self.con, lambda: self._reset_if_stale(signature, full_refresh))

    def _reset_if_stale(self, signature: str, full_refresh: bool) -> None:
        # read again on every attempt: the worker that won a conflict may have reset it
        if full_refresh or self._stored_signature() != signature:
            self._reset(signature)

    def _reset(self, signature: str) -> None:
        """Drop every stored row and state; the record tables take the views' columns."""
        self._begin()
        try:
            for table in RECORD_TABLES:
                self.con.execute(f"drop table if exists {self.schema}.{table}")
                view = self.views[table]
                self.con.execute(
                    f"create table {self.schema}.{table} as select * from {view} limit 0"
                )
            for table in ("archives", "member_rejects", "members", "settings"):
                self.con.execute(f"delete from {self.schema}.{table}")
            self.con.execute(
                f"insert into {self.schema}.settings values ('signature', ?)", [signature]
            )
        except BaseException:
            self.con.execute("rollback")
            raise
        self.con.execute("commit")

    # --- state ---------------------------------------------------------------------------

    def previous(self) -> dict[str, Entry]:
        """Every archive's entry as the last build committed it (remembered: only these
        archives can have rows to delete)."""
        rejects: dict[str, list[tuple[str, str]]] = {}
        for archive, member, reason in self.con.execute(
            f"select archive, member, reason from {self.schema}.member_rejects order by all"
        ).fetchall():
            rejects.setdefault(archive, []).append((member, reason))
        entries = {}
        for row in self.con.execute(
            f"select archive, recipe, params, seed, step, size, mtime_ns, status, reason,"
            f" members_written, questions, duplicate from {self.schema}.archives"
        ).fetchall():
            archive, recipe, params, seed, step = row[:5]
            coords = None if recipe is None else StepCoords(recipe, params, seed, step)
            entries[archive] = Entry(
                archive, coords, Stamp(row[5], row[6]), row[7], row[8],
                row[9], row[10], tuple(rejects.get(archive, ())), bool(row[11]),
            )  # fmt: skip
        self._stored = set(entries)
        return entries

    # --- writing -------------------------------------------------------------------------

    def _begin(self) -> None:
        self.con.execute("begin transaction")

    def _delete(self, archives: Sequence[str]) -> None:
        """Delete the rows of archives stored by an earlier build (a scan per table: skipped
        for the new archives, most of a first build)."""
        if self._stored is not None:
            archives = [archive for archive in archives if archive in self._stored]
        if not archives:
            return
        for table in (*RECORD_TABLES, "members", "member_rejects", "archives"):
            self.con.execute(
                f"delete from {self.schema}.{table} where list_contains(?, archive)",
                [list(archives)],
            )

    def _insert_state(self, entries: Sequence[Entry]) -> None:
        rows = []
        rejects = []
        for e in entries:
            c = e.coords
            rows.append((
                e.archive, c.recipe if c else None, c.params if c else None,
                c.seed if c else None, c.step if c else None, e.stamp.size, e.stamp.mtime_ns,
                e.status, e.reason, e.members_written, e.questions, e.duplicate,
            ))  # fmt: skip
            rejects.extend((e.archive, member, reason) for member, reason in e.rejects)
        self._insert_rows(f"{self.schema}.archives", _BASE_TABLES["archives"], rows)
        self._insert_rows(f"{self.schema}.member_rejects", _BASE_TABLES["member_rejects"], rejects)

    def _insert_rows(self, table: str, spec: str, rows: Sequence[tuple[object, ...]]) -> None:
        """Insert ``rows`` (in the column order of the column ``spec``) with one
        statement, the rows passed as one JSON text. Python parameters cost DuckDB ~70 us per
        value here (``executemany``: ~2 ms per row), which was 15 s of a 2M-question build."""
        if not rows:
            return
        columns = [column.split()[0] for column in spec.split(",")]
        document = json.dumps([dict(zip(columns, row, strict=True)) for row in rows])
        self.con.execute(
            f"insert into {table}"
            f" select unnest(cast(?::json as struct({spec})[]), recursive := true)",
            [document],
        )

    def commit(self, entries: Sequence[Entry], files: Sequence[BatchFile]) -> None:
        """Replace the rows and state of ``entries``' archives, loading ``files`` (already in
        the batch folder), in one transaction. The batch list is written before it and
        emptied after it, each on its own: on a lake it is in another database, and one
        transaction writes one database."""
        if files:
            rows = [f.row() for f in files]
            self._insert_rows(self.batch_members, BATCH_MEMBER_COLUMNS, rows)
        try:
            if files and self.strict_predictions is not None:
                try:
                    retry_conflicts(self.con, lambda: self._commit(entries, files, strict=True))
                    self.readers["strict"] += 1
                    return
                except _NotStrict:
                    pass  # rolled back: the line reader reads the batch
            retry_conflicts(self.con, lambda: self._commit(entries, files, strict=False))
            if files:
                self.readers["lines"] += 1
        finally:
            if files:
                self.con.execute(f"delete from {self.batch_members}")
            self._drop_unreadable_lines()

    def _commit(self, entries: Sequence[Entry], files: Sequence[BatchFile], strict: bool) -> None:
        # every attempt reads the batch again: the reader's record of unreadable lines starts
        # empty each time
        self._drop_unreadable_lines()
        self._begin()
        try:
            self._delete([e.archive for e in entries])
            if files:
                if strict:
                    self._insert_strict()
                else:
                    self._insert_from("prediction_records", self.views["prediction_records"])
                    self._store_unreadable_lines()
                self._insert_from("task_metrics_records", self.views["task_metrics_records"])
                self.con.execute(
                    f"insert into {self.schema}.members select {_MEMBER_COLUMNS}"
                    f" from {self.batch_members}"
                )
            self._insert_state(entries)
        except BaseException:
            self.con.execute("rollback")
            raise
        self.con.execute("commit")

    def _insert_from(self, table: str, view: str) -> None:
        self.con.execute(f"insert into {self.schema}.{table} by name select * from {view}")

    def _insert_strict(self) -> None:
        """Store the batch's predictions parsed by the strict view, then check them: every
        predictions file of the batch has one row per line the hook counted, each with a
        doc_id and no doc_id twice (what the line reader stores when no line is a reject or
        blank). Raises :class:`_NotStrict` when the view fails or the check does."""
        assert self.strict_predictions is not None
        try:
            self._insert_from("prediction_records", self.strict_predictions)
        except duckdb.Error as error:
            # a line that is not one JSON object of the type, or not UTF-8: the line reader
            # keeps it as a reject
            if is_conflict(error) or isinstance(error, duckdb.InterruptException):
                raise
            raise _NotStrict(str(error)) from error
        mismatched = self.con.execute(
            f"""
            with batch_files as (
                select source_file, n_lines
                from {self.batch_members}
                where file_kind = 'predictions'
            ),

            parsed as (
                select
                    source_file,
                    count(*) as n_rows,
                    count(doc_id) as n_doc_ids,
                    count(distinct doc_id) as n_distinct_doc_ids
                from {self.schema}.prediction_records
                where source_file in (select batch_files.source_file from batch_files)
                group by source_file
            )

            select count(*)
            from batch_files
            left join parsed on batch_files.source_file = parsed.source_file
            where
                coalesce(parsed.n_rows, 0) != batch_files.n_lines
                or parsed.n_doc_ids != parsed.n_rows
                or parsed.n_distinct_doc_ids != parsed.n_rows
            """
        ).fetchall()[0][0]
        if mismatched:
            raise _NotStrict(f"{mismatched} predictions files with blank lines or doc_id problems")

    def _store_unreadable_lines(self) -> None:
        """Store the predictions lines the batch reader skipped (bytes that are not UTF-8, a
        line over the line limit) as rejected records of their file, so that every line the
        hook counted has its row (the reader's record of them is dropped after the commit:
        it is a temporary table, in another database than the store's)."""
        found = self.con.execute(
            "select count(*) from duckdb_tables() where temporary and table_name = ?",
            [UNREADABLE_LINES],
        ).fetchall()[0][0]
        if not found:
            return
        self.con.execute(
            f"""
            insert into {self.schema}.prediction_records by name
            select
                members.archive, members.source_file, members.recipe_slug, members.params,
                members.seed, members.step, members.task, members.file_size,
                case errors.error_type
                    when 'INVALID ENCODING' then 'line is not UTF-8'
                    when 'LINE SIZE OVER MAXIMUM' then 'line of '
                        || coalesce(regexp_extract(
                            errors.error_message, 'Actual Size:\\s*(\\d+)', 1), '?')
                        || ' bytes is over max_line_bytes'
                    else 'unreadable line: ' || left(errors.error_message, 120)
                end as reject_reason,
                left(errors.csv_line, 200) as raw_excerpt,
                false as blank_line,
                cast(now() at time zone 'UTC' as timestamp) as _loaded_at
            from {UNREADABLE_LINES} as errors
            inner join {UNREADABLE_SCANS} as scans
                on errors.scan_id = scans.scan_id and errors.file_id = scans.file_id
            inner join {self.batch_members} as members
                on scans.file_path = members.scratch_path
            """
        )

    def _drop_unreadable_lines(self) -> None:
        self.con.execute(f"drop table if exists {UNREADABLE_LINES}")
        self.con.execute(f"drop table if exists {UNREADABLE_SCANS}")

    def forget(self, archives: Sequence[str]) -> None:
        """Delete the rows and state of archives that are gone."""
        if archives:
            retry_conflicts(self.con, lambda: self._forget(archives))

    def _forget(self, archives: Sequence[str]) -> None:
        self._begin()
        try:
            self._delete(archives)
        except BaseException:
            self.con.execute("rollback")
            raise
        self.con.execute("commit")
