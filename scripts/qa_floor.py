"""The QA floor: what any loader of the QA archives must spend, measured in the benchmark's run.

Two parts, timed separately and added:

- **inflate**: every archive and every step tarball inside it inflated (ISA-L, as the hook
  does) and each member read to its end, nothing written; with the hook's allocator settings
  (python_hooks/allocator.py), so that both pay the same for memory.
- **read JSON**: DuckDB's JSON reader parsing every predictions file into the type of
  `qa_prediction_json_type` (dbt_project.yml), every column counted, nothing written. The
  files are first spooled, untimed, a chunk of about `CHUNK_BYTES` at a time (a whole recipe
  would not fit on a small disk), and each chunk is read in one query.
"""

from __future__ import annotations

import json
import shutil
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import duckdb
import yaml
from isal import igzip

from python_hooks.allocator import keep_freed_memory
from python_hooks.qa_archives import find_archives, open_tar_stream, stream_recipe_tarball
from python_hooks.qa_members import PREDICTIONS_SUFFIX, looks_like_step_path

REPO = Path(__file__).resolve().parents[1]
CHUNK_BYTES = 512 * 1024 * 1024
READ_SIZE = 1 << 20


def step_streams(qa_root: Path) -> Iterator[IO[bytes]]:
    """Every step tarball below ``qa_root`` as a gzip stream, recipe tarballs opened."""
    for path in find_archives(qa_root):
        with path.open("rb") as raw:
            if looks_like_step_path(path.relative_to(qa_root).as_posix()):
                yield raw
                continue
            for nested in stream_recipe_tarball(raw):
                if nested.stream is not None:
                    yield nested.stream


def members(step: IO[bytes]) -> Iterator[tuple[tarfile.TarInfo, IO[bytes]]]:
    with igzip.GzipFile(fileobj=step, mode="rb") as gz, open_tar_stream(gz) as tar:
        for member in tar:
            data = tar.extractfile(member) if member.isfile() else None
            if data is not None:
                yield member, data


def inflate(qa_root: Path) -> int:
    """Inflate everything, reading each member to its end; the bytes of task files."""
    total = 0
    for step in step_streams(qa_root):
        for _, data in members(step):
            while chunk := data.read(READ_SIZE):
                total += len(chunk)
    return total


def duckdb_type(node: object) -> str:
    """A from_json type description (parsed) as a DuckDB type, as the dbt macro
    json_type_as_duckdb writes it."""
    if isinstance(node, dict):
        fields = ", ".join(f'"{name}" {duckdb_type(inner)}' for name, inner in node.items())
        return f"STRUCT({fields})"
    if isinstance(node, list):
        return f"{duckdb_type(node[0])}[]"
    return str(node)


def prediction_columns() -> dict[str, str]:
    project = yaml.safe_load((REPO / "dbt_project.yml").read_text())
    shape = json.loads(project["vars"]["qa_prediction_json_type"])
    return {name: duckdb_type(inner) for name, inner in shape.items()}


def read_json_seconds(con: duckdb.DuckDBPyConnection, folder: Path) -> float:
    columns = prediction_columns()
    struct = "{" + ", ".join(f"'{name}': '{kind}'" for name, kind in columns.items()) + "}"
    counts = ", ".join(f'count("{name}")' for name in columns)
    glob = f"{folder}/*{PREDICTIONS_SUFFIX}"
    started = time.perf_counter()
    con.sql(
        f"select count(*), {counts} from read_json('{glob}', format = 'newline_delimited',"
        f" columns = {struct})"
    ).fetchall()
    return time.perf_counter() - started


def read_json(qa_root: Path, scratch: Path, memory_limit: str, threads: int) -> float:
    """Seconds DuckDB takes to parse every predictions file, chunk by chunk."""
    con = duckdb.connect(config={"memory_limit": memory_limit, "threads": threads})
    con.execute("set enable_progress_bar = false")
    seconds = 0.0
    spooled = chunk = 0
    scratch.mkdir(parents=True, exist_ok=True)
    try:
        for step in step_streams(qa_root):
            for member, data in members(step):
                if not member.name.endswith(PREDICTIONS_SUFFIX):
                    continue
                with (scratch / f"{spooled:08d}{PREDICTIONS_SUFFIX}").open("wb") as out:
                    shutil.copyfileobj(data, out, READ_SIZE)
                    chunk += out.tell()
                spooled += 1
            if chunk >= CHUNK_BYTES:
                seconds += read_json_seconds(con, scratch)
                shutil.rmtree(scratch)
                scratch.mkdir()
                chunk = 0
        if chunk:
            seconds += read_json_seconds(con, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        con.close()
    return seconds


def measure(qa_root: Path, scratch: Path, memory_limit: str, threads: int) -> dict[str, float]:
    """The floor's two parts and their sum, in seconds."""
    keep_freed_memory()
    started = time.perf_counter()
    inflate(qa_root)
    inflated = time.perf_counter() - started
    parsed = read_json(qa_root, scratch, memory_limit, threads)
    parts = {"qa_inflate": round(inflated, 2), "qa_read_json": round(parsed, 2)}
    return {**parts, "qa_total": round(sum(parts.values()), 2)}
