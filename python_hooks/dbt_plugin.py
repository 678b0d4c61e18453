"""dbt-duckdb plugin (profiles.yml `plugins:`): the SQL functions the project's macros call.

`dr_ingest_abspath(path VARCHAR) -> VARCHAR`: a configured path made absolute against the
folder dbt runs in (`python_hooks.paths.resolve_path`), the `resolved_path` macro's engine.

`dr_ingest_files(glob VARCHAR) -> VARCHAR[]`: the files matching a DuckDB-style glob with
symlinked files and folders followed (`python_hooks.data_files.find_files`). The macros of
`macros/source_files.sql` call it at compile time to list each file-backed source's files.

The folder operations of the Parquet export (`macros/export_marts.sql`,
`python_hooks.export_folders`): `dr_ingest_export_begin(final, tag) -> VARCHAR`,
`dr_ingest_run_sql(sql) -> VARCHAR` (JSON), `dr_ingest_swap_folder(tmp, final) -> VARCHAR`,
`dr_ingest_remove_folder(path) -> BOOLEAN`, `dr_ingest_folder_bytes(path) -> BIGINT`.
"""

from __future__ import annotations

from typing import Any

from dbt.adapters.duckdb.credentials import DuckDBCredentials
from dbt.adapters.duckdb.plugins import BasePlugin
from duckdb import DuckDBPyConnection

from python_hooks import export_folders, lake
from python_hooks.data_files import find_files
from python_hooks.paths import resolve_path


class Plugin(BasePlugin):
    """Registers the project's Python SQL functions on every dbt DuckDB connection; on the
    lake target (`lake_extensions: true`) also loads the DuckLake extensions from their wheels
    and makes the lake's relative paths absolute before dbt-duckdb attaches it."""

    def initialize(self, plugin_config: dict[str, Any]) -> None:
        self.lake_extensions = bool(plugin_config.get("lake_extensions", False))
        self.lakes: list[tuple[str, str | None]] = []

    def update_connection_config(self, creds: DuckDBCredentials, config: dict[str, Any]) -> None:
        if not self.lake_extensions:
            return
        for attachment in creds.attach or []:
            if not attachment.path.startswith("ducklake:"):
                continue
            attachment.path = "ducklake:" + lake.resolve_catalog(
                attachment.path[len("ducklake:") :]
            )
            options = attachment.options or {}
            if "data_path" in options:
                options["data_path"] = lake.resolve_data_path(str(options["data_path"]))
            self.lakes.append((attachment.path, options.get("data_path")))

    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        if self.lake_extensions:
            lake.load_extensions(conn)
            for path, data_path in self.lakes:
                lake.ensure_catalog(conn, path, data_path)
        # side effects: the result depends on the file system, never cache it
        conn.create_function(
            "dr_ingest_files", find_files, ["VARCHAR"], "VARCHAR[]", side_effects=True
        )
        functions = [
            ("dr_ingest_abspath", resolve_path, 1, "VARCHAR"),
            ("dr_ingest_export_begin", export_folders.export_begin, 2, "VARCHAR"),
            ("dr_ingest_run_sql", export_folders.sql_runner(conn), 1, "VARCHAR"),
            ("dr_ingest_swap_folder", export_folders.swap_folder, 2, "VARCHAR"),
            ("dr_ingest_remove_folder", export_folders.remove_folder, 1, "BOOLEAN"),
            ("dr_ingest_folder_bytes", export_folders.folder_bytes, 1, "BIGINT"),
        ]
        for name, function, arity, return_type in functions:
            conn.create_function(
                name, function, ["VARCHAR"] * arity, return_type, side_effects=True
            )
