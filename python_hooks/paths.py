"""The one rule for the project's configured paths: a relative path is resolved against the
folder dbt runs in (the process's working directory), once, before anything reads it.

The same function serves the SQL side (the `dr_ingest_abspath` function of the dbt-duckdb
plugin, called by the `resolved_path` macro) and the QA hook's Python models, so a file
spooled by the hook and the same file found by a DuckDB reader carry the same path text,
whatever form (relative, `./`, a trailing `/`) the setting was written in.

Symbolic links are not resolved: a file is known by the path it was reached through, which
is what DuckDB's readers report back in their `filename` column.
"""

from __future__ import annotations

import os


def resolve_path(path: str) -> str:
    """``path`` made absolute against the working directory and normalised (no `.`, `..`,
    doubled or trailing `/`); glob characters pass through unchanged."""
    return os.path.abspath(os.path.expanduser(path))
