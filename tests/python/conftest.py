"""Shared pytest fixtures: run dbt in a subprocess against a temporary warehouse."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
UPSTREAM = SHARED / "fixtures" / "upstream_dr_ingest"
BIN = Path(sys.executable).parent


@dataclass
class DbtResult:
    """Outcome of one dbt invocation."""

    returncode: int
    output: str
    db_path: Path
    target_path: Path

    def run_results(self) -> list[dict[str, object]]:
        data = json.loads((self.target_path / "run_results.json").read_text())
        return list(data["results"])

    def query(self, sql: str) -> list[tuple[object, ...]]:
        connection = duckdb.connect(str(self.db_path), read_only=True)
        try:
            return connection.sql(sql).fetchall()
        finally:
            connection.close()


RunDbt = Callable[..., DbtResult]


def dbt_env(data_dir: Path, db_path: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["DR_INGEST_DATA_DIR"] = str(data_dir)
    env["DR_INGEST_DB"] = str(db_path)
    env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    env.update(extra or {})
    return env


def invoke_dbt(
    args: list[str],
    data_dir: Path,
    db_path: Path,
    work: Path,
    extra_env: dict[str, str] | None = None,
) -> DbtResult:
    """Run `dbt <args>` from the repo root into `db_path`, with its own target and log paths."""
    target_path = work / "target"
    command = [
        str(BIN / "dbt"),
        *args,
        "--target-path",
        str(target_path),
        "--log-path",
        str(work / "logs"),
    ]
    completed = subprocess.run(
        command,
        cwd=REPO,
        env=dbt_env(data_dir, db_path, extra_env),
        capture_output=True,
        text=True,
        check=False,
    )
    return DbtResult(
        completed.returncode, completed.stdout + completed.stderr, db_path, target_path
    )


@pytest.fixture
def run_dbt(tmp_path: Path) -> RunDbt:
    """Call as run_dbt(["build"], data_dir) -> DbtResult with a fresh database in tmp_path."""

    def _run(
        args: list[str],
        data_dir: Path,
        db_name: str = "warehouse.duckdb",
        extra_env: dict[str, str] | None = None,
    ) -> DbtResult:
        return invoke_dbt(args, data_dir, tmp_path / db_name, tmp_path, extra_env)

    return _run


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory: pytest.TempPathFactory) -> DbtResult:
    """One `dbt build` of the shipped sample data, shared by the read-only tests."""
    work = tmp_path_factory.mktemp("sample_build")
    result = invoke_dbt(["build"], REPO / "sample_data", work / "warehouse.duckdb", work)
    assert result.returncode == 0, result.output[-5000:]
    return result


@pytest.fixture(scope="session")
def upstream_dir() -> Path:
    """The real upstream slices in ../shared; skipped on a clone without them, never in CI."""
    if not UPSTREAM.is_dir():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but {UPSTREAM} is missing")
        pytest.skip(f"{UPSTREAM} not present on this clone")
    return UPSTREAM


@pytest.fixture
def data_root(tmp_path: Path) -> Iterator[Path]:
    """An empty data root (with wandb/) the test fills with the files it needs."""
    root = tmp_path / "data"
    (root / "wandb").mkdir(parents=True)
    yield root
    shutil.rmtree(root, ignore_errors=True)
