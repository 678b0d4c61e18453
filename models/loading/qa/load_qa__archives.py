"""The QA hook (python_hooks.qa_extract) run inside `dbt build`.

`dbt.ref` of the two parsing views orders this model after them and names the views the
hook's store inserts through.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Protocol

from dbt.flags import get_flags
from duckdb import DuckDBPyConnection, DuckDBPyRelation

from python_hooks.allocator import keep_freed_memory
from python_hooks.paths import resolve_path
from python_hooks.qa_extract import Options, load_qa_archives
from python_hooks.qa_state import manifest_row
from python_hooks.qa_store import SCHEMA, WarehouseStore
from python_hooks.shards import Shard

MANIFEST_COLUMNS = (
    "archive varchar, recipe varchar, params varchar, seed bigint, step bigint,"
    " members_written bigint, questions bigint, status varchar, reason varchar"
)


class DbtConfig(Protocol):
    def __call__(self, **settings: str) -> None: ...
    def get(self, key: str) -> str: ...


class DbtContext(Protocol):
    """The `dbt` object dbt passes to a Python model (only what this model uses)."""

    config: DbtConfig

    def ref(self, name: str) -> DuckDBPyRelation: ...


def relation_name(relation: DuckDBPyRelation) -> str:
    """The table or view a `dbt.ref` relation selects from."""
    query = relation.sql_query().strip()
    prefix = "select * from "
    if not query.lower().startswith(prefix):
        raise ValueError(f"unexpected ref relation: {query}")
    return query[len(prefix) :].strip()


def model(dbt: DbtContext, session: DuckDBPyConnection) -> DuckDBPyRelation:
    dbt.config(materialized="table")
    views = {
        "prediction_records": relation_name(dbt.ref("load_qa__prediction_batch")),
        "task_metrics_records": relation_name(dbt.ref("load_qa__task_metrics_batch")),
    }
    batch_members = relation_name(dbt.ref("load_qa__batch_members"))
    strict = relation_name(dbt.ref("load_qa__prediction_batch_strict"))
    use_strict = str(dbt.config.get("qa_strict_reader")).strip().lower() == "true"
    # the store is in the target database (the lake, on a lake target), not beside the views
    schema = f'"{dbt.config.get("qa_store_database")}".{SCHEMA}'
    work_dir = Path(resolve_path(dbt.config.get("qa_work_dir")))
    qa_root = Path(resolve_path(dbt.config.get("qa_root")))
    options = Options(
        max_member_bytes=int(dbt.config.get("qa_max_member_bytes")),
        batch_bytes=int(dbt.config.get("qa_batch_bytes")),
        progress_seconds=float(dbt.config.get("qa_progress_seconds")),
        shard=Shard.parse(dbt.config.get("qa_shard")),
    )
    logging.getLogger("dr_ingest.qa_extract").setLevel(logging.INFO)
    keep_freed_memory()
    # `--full-refresh` reloads every archive. Read from the invocation's flags (dbt-duckdb runs
    # the model inside the dbt process): a config value rendered from flags.FULL_REFRESH is
    # fixed at parse time, and partial parsing keeps it across invocations.
    full_refresh = bool(getattr(get_flags(), "FULL_REFRESH", False))
    store = WarehouseStore(
        session,
        views,
        options.max_member_bytes,
        full_refresh,
        schema,
        batch_members,
        strict if use_strict else None,
    )
    entries = load_qa_archives(qa_root, work_dir, store, options)
    share = "" if options.shard.is_whole else f" (shard {options.shard})"
    readers = f"{store.readers['strict']} by the JSON reader, {store.readers['lines']} by lines"
    print(
        f"dr_ingest: QA archives {len(entries)} under {qa_root}{share}; batches parsed: {readers}",
        flush=True,
    )
    session.execute(f"create or replace temp table qa_build_manifest ({MANIFEST_COLUMNS})")
    rows = [tuple(manifest_row(entry).values()) for entry in entries.values()]
    if rows:
        session.executemany(
            "insert into qa_build_manifest values (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
        )
    return session.sql("select * from qa_build_manifest")
