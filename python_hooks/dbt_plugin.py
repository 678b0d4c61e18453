"""dbt-duckdb plugin (profiles.yml `plugins:`): the SQL functions the project's macros call.

`dr_ingest_files(glob VARCHAR) -> VARCHAR[]`: the files matching a DuckDB-style glob with
symlinked files and folders followed (`python_hooks.data_files.find_files`). The macros of
`macros/source_files.sql` call it at compile time to list each file-backed source's files.
"""

from __future__ import annotations

from dbt.adapters.duckdb.plugins import BasePlugin
from duckdb import DuckDBPyConnection

from python_hooks.data_files import find_files


class Plugin(BasePlugin):
    """Registers the project's Python SQL functions on every dbt DuckDB connection."""

    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        # side effects: the result depends on the file system, never cache it
        conn.create_function(
            "dr_ingest_files", find_files, ["VARCHAR"], "VARCHAR[]", side_effects=True
        )
