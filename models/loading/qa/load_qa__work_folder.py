"""Runs before the parsing views are created: load_qa__prediction_batch and
load_qa__task_metrics_batch read the batch folder and join load_qa__batch_members, and DuckDB
binds a view when it is created, so the folder's placeholder files must exist first.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from duckdb import DuckDBPyConnection, DuckDBPyRelation

from python_hooks.paths import resolve_path
from python_hooks.qa_store import SCHEMA, create_base_tables, prepare_work_folder


class DbtConfig(Protocol):
    def __call__(self, **settings: str) -> None: ...
    def get(self, key: str) -> str: ...


class DbtContext(Protocol):
    """The `dbt` object dbt passes to a Python model (only what this model uses)."""

    config: DbtConfig


def model(dbt: DbtContext, session: DuckDBPyConnection) -> DuckDBPyRelation:
    dbt.config(materialized="table")
    # resolved as the batch readers' glob is (resolved_path), so their `filename` is the
    # hook's scratch_path
    work_root = Path(resolve_path(dbt.config.get("qa_work_dir")))
    work_root.mkdir(parents=True, exist_ok=True)
    batch_root = prepare_work_folder(work_root)
    # in the target database (the lake, on a lake target); the batch list is its own model
    create_base_tables(session, f'"{dbt.config.get("qa_store_database")}".{SCHEMA}', None)
    return session.sql(
        "select ? as work_dir, ? as batch_dir", params=[str(work_root), str(batch_root)]
    )
