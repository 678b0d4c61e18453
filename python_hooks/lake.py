"""The DuckLake side of the warehouse: its extensions, its location, and a connection to it.

DuckDB's extensions cannot be downloaded at run time here, so they come from the installed
wheels (`duckdb-extension-ducklake`, `-postgres`, `-sqlite`) and are loaded from their files.
The postgres and sqlite wheels hold extensions whose internal names are `postgres_scanner` and
`sqlite_scanner`: DuckDB derives the entry point from the file name, so those two are loaded
from copies under that name (a folder of the system's temporary directory, written once).

The lake is found with two variables:

- ``DR_INGEST_LAKE_CATALOG``: the metadata connection after ``ducklake:`` (``postgres:dbname=…
  host=…``, ``sqlite:<file>``, or a DuckDB file path);
- ``DR_INGEST_LAKE_DATA_PATH``: where the data files go (a folder, or an object-store URL).

Relative file paths in either are made absolute against the folder dbt runs in, as every
other configured path is (``python_hooks.paths``): the catalog stores the data path, and a
relative one would mean a different folder to every client.

``python -m python_hooks.lake`` prints the statements that open the lake in the DuckDB CLI.
"""

from __future__ import annotations

import importlib.util
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from python_hooks.paths import resolve_path

CATALOG_VARIABLE = "DR_INGEST_LAKE_CATALOG"
DATA_PATH_VARIABLE = "DR_INGEST_LAKE_DATA_PATH"
DEFAULT_CATALOG = "warehouse/lake_catalog.ducklake"
DEFAULT_DATA_PATH = "warehouse/lake_data"
ALIAS = "lake"
# A new catalog is created by the first ATTACH. Workers starting together all try: in
# PostgreSQL, all but one fail ("duplicate key value violates unique constraint
# pg_type_typname_nsp_index"), and the catalog then exists, so they attach again.
ATTACH_ATTEMPTS = 8
_INITIALISING = ("Failed to initialize DuckLake", "duplicate key value", "already exists")
# (wheel package, file in the wheel, name DuckDB must load it under)
_EXTENSIONS = (
    ("duckdb_extension_ducklake", "ducklake", "ducklake"),
    ("duckdb_extension_postgres", "postgres", "postgres_scanner"),
    ("duckdb_extension_sqlite", "sqlite", "sqlite_scanner"),
)


def _engine_version() -> str:
    return "v" + duckdb.__version__


def extension_files() -> list[Path]:
    """The extension files to LOAD, each under the name its entry point expects."""
    version = _engine_version()
    copies = Path(tempfile.gettempdir()) / f"dr_ingest-duckdb-extensions-{version}"
    files = []
    for package, stem, name in _EXTENSIONS:
        spec = importlib.util.find_spec(package)
        if spec is None or spec.origin is None:
            raise RuntimeError(f"the wheel {package} is not installed (uv sync --frozen)")
        shipped = Path(spec.origin).parent / "extensions" / version / f"{stem}.duckdb_extension"
        if not shipped.is_file():
            raise RuntimeError(f"{shipped} is missing: its wheel is not for duckdb {version}")
        if stem == name:
            files.append(shipped)
            continue
        copy = copies / f"{name}.duckdb_extension"
        if not copy.is_file() or copy.stat().st_size != shipped.stat().st_size:
            copies.mkdir(parents=True, exist_ok=True)
            # written beside and renamed: workers starting together never load half a file
            partial = copies / f".{name}.{os.getpid()}.partial"
            shutil.copyfile(shipped, partial)
            partial.replace(copy)
        files.append(copy)
    return files


def load_extensions(con: duckdb.DuckDBPyConnection) -> None:
    for path in extension_files():
        con.execute(f"load '{path}'")


def resolve_catalog(catalog: str) -> str:
    """The metadata connection with a relative file path made absolute (a PostgreSQL
    connection string is left as it is)."""
    for prefix in ("sqlite:", "duckdb:"):
        if catalog.startswith(prefix):
            return prefix + resolve_path(catalog[len(prefix) :])
    if catalog.startswith(("postgres:", "mysql:", "md:")):
        return catalog
    return resolve_path(catalog)


def resolve_data_path(data_path: str) -> str:
    """A local folder made absolute, ending in a separator; a URL is left as it is."""
    if "://" in data_path:
        return data_path
    return resolve_path(data_path).rstrip("/") + "/"


def attach_sql(catalog: str | None = None, data_path: str | None = None) -> str:
    catalog = resolve_catalog(catalog or os.environ.get(CATALOG_VARIABLE, DEFAULT_CATALOG))
    data_path = resolve_data_path(
        data_path or os.environ.get(DATA_PATH_VARIABLE, DEFAULT_DATA_PATH)
    )
    return f"attach if not exists 'ducklake:{catalog}' as {ALIAS} (data_path '{data_path}')"


def attach(con: duckdb.DuckDBPyConnection, statement: str) -> None:
    """Run an ATTACH of a DuckLake, again after a failure of a catalog being created by
    another process at the same time."""
    for attempt in range(1, ATTACH_ATTEMPTS + 1):
        try:
            con.execute(statement)
            return
        except duckdb.Error as error:
            if attempt == ATTACH_ATTEMPTS or not any(m in str(error) for m in _INITIALISING):
                raise
            time.sleep(random.uniform(0.1, 0.3) * attempt)


def ensure_catalog(con: duckdb.DuckDBPyConnection, path: str, data_path: str | None) -> None:
    """Attach the lake once under a scratch name and detach it: the catalog exists after this,
    so the ATTACH that follows (dbt-duckdb's) never races another process creating it."""
    option = "" if data_path is None else f" (data_path '{data_path}')"
    attach(con, f"attach '{path}' as dr_ingest_lake_check{option}")
    con.execute("detach dr_ingest_lake_check")


def connect(catalog: str | None = None, data_path: str | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with the lake attached as ``lake`` and in use."""
    con = duckdb.connect(config={"autoinstall_known_extensions": False})
    load_extensions(con)
    attach(con, attach_sql(catalog, data_path))
    con.execute(f"use {ALIAS}")
    return con


def cli_init_sql() -> str:
    """Statements that open the lake in the DuckDB CLI (`duckdb -init <file>`)."""
    lines = [f"load '{path}';" for path in extension_files()]
    lines += [attach_sql() + ";", f"use {ALIAS};"]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(cli_init_sql())
