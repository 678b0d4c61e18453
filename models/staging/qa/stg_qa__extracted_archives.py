"""Run the QA tarball extraction hook as a node of `dbt build` and return its manifest.

A Python model (not a source plugin): dbt runs it once per build, in DAG order, before the QA
staging models that read the extracted files; `dbt compile`, `dbt docs generate` and linting
never execute it, so they never unpack archives.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Protocol

from duckdb import DuckDBPyConnection, DuckDBPyRelation

from python_hooks.qa_extract import extract_qa_tarballs


class DbtConfig(Protocol):
    def __call__(self, **settings: str) -> None: ...
    def get(self, key: str) -> str: ...


class DbtContext(Protocol):
    """The `dbt` object dbt passes to a Python model (only what this model uses)."""

    config: DbtConfig


def model(dbt: DbtContext, session: DuckDBPyConnection) -> DuckDBPyRelation:
    dbt.config(materialized="table")
    qa_root = Path(dbt.config.get("qa_root"))
    work_dir = Path(dbt.config.get("qa_work_dir"))
    max_member_bytes = int(dbt.config.get("qa_max_member_bytes"))
    logging.getLogger("dr_ingest.qa_extract").setLevel(logging.INFO)
    rows = extract_qa_tarballs(qa_root, work_dir, max_member_bytes=max_member_bytes)
    manifest = (work_dir / "manifest.jsonl").resolve()
    columns = (
        "{'archive': 'VARCHAR', 'recipe': 'VARCHAR', 'params': 'VARCHAR', 'seed': 'BIGINT',"
        " 'step': 'BIGINT', 'members_written': 'BIGINT', 'status': 'VARCHAR',"
        " 'reason': 'VARCHAR'}"
    )
    print(f"dr_ingest: QA archives {len(rows)} under {qa_root} -> {work_dir}")
    return session.sql(
        f"select * from read_json('{manifest}', format = 'newline_delimited', columns = {columns})"
    )
