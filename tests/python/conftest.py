"""Shared pytest fixtures: run dbt in a subprocess against a temporary warehouse.

A `dbt build` costs 15-25 s here, so builds of the same inputs are shared:

- `sample_build` (session): the shipped sample, read by every read-only test;
- `sample_rebuild` (session): a second build of the sample from scratch, then the same
  warehouse rebuilt in place;
- `sample_copy` (per test): a data root copied from the sample and its first build, restored
  from one session build at the same absolute paths, for tests that change inputs and build
  again;
- `upstream_build` (session): the real upstream slices in ../shared.

Under pytest-xdist (`-n 2 --dist loadgroup`, pyproject.toml) the tests that use one of them
form one group and run on one worker, so that each shared build runs once (see the end of this
file).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pytest

if TYPE_CHECKING:
    from xdist.remote import Producer
    from xdist.scheduler import Scheduling

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
UPSTREAM = SHARED / "fixtures" / "upstream_dr_ingest"
BIN = Path(sys.executable).parent
# `dbt build` of models and seeds only: for tests that read tables and not dbt's own tests
# (about half of a small build's time is its ~230 data and unit tests)
MODELS_AND_SEEDS = ["build", "--resource-type", "model", "--resource-type", "seed"]
# dbt's unit tests do not depend on the data: they run in `sample_build` only (checked by
# test_runs_mart.py), and every other `dbt build` here leaves them out (~5 s of each build)
WITHOUT_UNIT_TESTS = ["--exclude-resource-type", "unit_test"]


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
    # pytest-xdist runs three builds at once on two cores: one DuckDB thread each keeps them
    # from taking the cores from one another (a test or the caller may set more)
    env.setdefault("DR_INGEST_THREADS", "1")
    env.update(extra or {})
    return env


def invoke_dbt(
    args: list[str],
    data_dir: Path,
    db_path: Path,
    work: Path,
    extra_env: dict[str, str] | None = None,
    unit_tests: bool = False,
) -> DbtResult:
    """Run `dbt <args>` from the repo root into `db_path`, with its own target and log paths.
    A `build` leaves dbt's unit tests out unless `unit_tests` (see WITHOUT_UNIT_TESTS)."""
    target_path = work / "target"
    selection = []
    if args[:1] == ["build"] and not unit_tests and "--resource-type" not in args:
        selection = WITHOUT_UNIT_TESTS
    command = [
        str(BIN / "dbt"),
        *args,
        *selection,
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
    """One `dbt build` of the shipped sample data, shared by the read-only tests. The one build
    that also runs the tests of the views over the raw export files (`run_configs`), which
    every other build leaves out (var check_raw_file_views)."""
    work = tmp_path_factory.mktemp("sample_build")
    result = invoke_dbt(
        ["build", "--vars", "{check_raw_file_views: true}"],
        REPO / "sample_data",
        work / "warehouse.duckdb",
        work,
        unit_tests=True,
    )
    assert result.returncode == 0, result.output[-5000:]
    return result


def copy_warehouse(result: DbtResult, dest: Path) -> DbtResult:
    """A frozen copy of a finished build: the database file (same name), its QA work folder
    and run_results.json, in `dest`; later builds into `result.db_path` leave it as it was."""
    dest.mkdir(parents=True)
    db_path = dest / result.db_path.name
    shutil.copy2(result.db_path, db_path)
    wal = result.db_path.with_name(result.db_path.name + ".wal")
    if wal.exists():
        shutil.copy2(wal, db_path.with_name(db_path.name + ".wal"))
    qa_dir = Path(str(result.db_path) + ".qa")
    if qa_dir.is_dir():
        shutil.copytree(qa_dir, Path(str(db_path) + ".qa"), symlinks=True)
    target_path = dest / "target"
    target_path.mkdir()
    shutil.copy2(result.target_path / "run_results.json", target_path / "run_results.json")
    return DbtResult(result.returncode, result.output, db_path, target_path)


@dataclass(frozen=True)
class SampleRebuild:
    """A second build of the sample from scratch (`first`, a frozen copy of its warehouse as
    that build left it), then the same warehouse rebuilt in place, inputs unchanged (`second`,
    models and seeds: what is compared is tables)."""

    first: DbtResult
    second: DbtResult


@pytest.fixture(scope="session")
def sample_rebuild(tmp_path_factory: pytest.TempPathFactory) -> SampleRebuild:
    work = tmp_path_factory.mktemp("sample_rebuild")
    db_path = work / "warehouse.duckdb"
    first = invoke_dbt(["build"], REPO / "sample_data", db_path, work)
    assert first.returncode == 0, first.output[-5000:]
    frozen = copy_warehouse(first, work / "first")
    second = invoke_dbt(MODELS_AND_SEEDS, REPO / "sample_data", db_path, work)
    assert second.returncode == 0, second.output[-5000:]
    return SampleRebuild(frozen, second)


@dataclass(frozen=True)
class SampleCopy:
    """A data root copied from the sample (`data`, the test may change it) and its first build
    (`first`, into `work`); `build` runs dbt again on the same data root and warehouse."""

    data: Path
    work: Path
    first: DbtResult

    def build(
        self,
        args: list[str] | None = None,
        extra_env: dict[str, str] | None = None,
    ) -> DbtResult:
        return invoke_dbt(args or ["build"], self.data, self.first.db_path, self.work, extra_env)


@pytest.fixture(scope="session")
def sample_copy_snapshot(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, DbtResult]:
    """One first build of a copy of the sample, in `live`, saved byte for byte (modification
    times included) to `snapshot`: (live, snapshot, first build)."""
    base = tmp_path_factory.mktemp("sample_copy")
    live = base / "live"
    shutil.copytree(REPO / "sample_data", live / "data", symlinks=True)
    first = invoke_dbt(["build"], live / "data", live / "warehouse.duckdb", live)
    assert first.returncode == 0, first.output[-5000:]
    snapshot = base / "snapshot"
    shutil.copytree(live, snapshot, symlinks=True)
    return live, snapshot, first


@pytest.fixture
def sample_copy(sample_copy_snapshot: tuple[Path, Path, DbtResult]) -> SampleCopy:
    """The sample copied into a data root, after its first `dbt build`, ready to be changed.

    Every test gets the same state: `live` (data root, warehouse, QA work folder, target) is
    restored from the session's snapshot at the same absolute paths, with the files' sizes and
    modification times, so that it is what the first build left, as if this test had run it."""
    live, snapshot, first = sample_copy_snapshot
    shutil.rmtree(live, ignore_errors=True)
    shutil.copytree(snapshot, live, symlinks=True)
    return SampleCopy(live / "data", live, first)


@pytest.fixture(scope="session")
def upstream_dir() -> Path:
    """The real upstream slices in ../shared; skipped on a clone without them, never in CI."""
    if not UPSTREAM.is_dir():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but {UPSTREAM} is missing")
        pytest.skip(f"{UPSTREAM} not present on this clone")
    return UPSTREAM


@pytest.fixture(scope="session")
def upstream_data(upstream_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data root with the upstream run, history and pretraining slices (read-only)."""
    data = tmp_path_factory.mktemp("upstream_data") / "data"
    (data / "wandb").mkdir(parents=True)
    (data / "pretrain").mkdir()
    shutil.copy(upstream_dir / "wandb_runs_sample.parquet", data / "wandb")
    shutil.copy(upstream_dir / "wandb_history_sample.parquet", data / "wandb")
    shutil.copy(upstream_dir / "pretrain_metrics_sample.parquet", data / "pretrain")
    return data


@pytest.fixture(scope="session")
def upstream_build(upstream_data: Path, tmp_path_factory: pytest.TempPathFactory) -> DbtResult:
    """One `dbt build` of the upstream slices, shared by the upstream tests. The run models
    (`int_runs__*`, `runs`) read only the run export, so the history and pretraining files
    beside it do not change what the run-classification tests see."""
    work = tmp_path_factory.mktemp("upstream_build")
    result = invoke_dbt(["build"], upstream_data, work / "warehouse.duckdb", work)
    assert result.returncode == 0, result.output[-5000:]
    return result


@pytest.fixture
def data_root(tmp_path: Path) -> Iterator[Path]:
    """An empty data root (with wandb/) the test fills with the files it needs."""
    root = tmp_path / "data"
    (root / "wandb").mkdir(parents=True)
    yield root
    shutil.rmtree(root, ignore_errors=True)


# --- pytest-xdist: the tests of one shared build run on one worker --------------------------
#
# `--dist loadgroup` sends the tests of one `xdist_group` to one worker. Every test that uses a
# shared build gets its group here. pytest-xdist 3.8 passes a test's group to the controller by
# appending `@group` to the node ID, which pytest 9.2's structured node IDs ignore, so its
# loadgroup no longer groups (pytest-xdist issue #1386). Instead each worker writes the groups it
# collected to a folder the controller made (GROUPS_ENV), and the controller's scheduler
# (GroupScheduling) reads them.

# Shared-build fixture -> the group of every test that uses it (first match wins).
SHARED_BUILD_GROUPS = {
    "sample_build": "sample",
    "sample_rebuild": "sample",
    "sample_copy": "sample_copy",
    "upstream_build": "upstream",
}
GROUPS_ENV = "DR_INGEST_PYTEST_GROUPS_DIR"
GROUPS_DIR_KEY = pytest.StashKey[Path]()


def pytest_configure(config: pytest.Config) -> None:
    # pytest-xdist registers this marker too; registered here for `-p no:xdist` runs
    config.addinivalue_line("markers", "xdist_group(name): run on one xdist worker")
    controller = "PYTEST_XDIST_WORKER" not in os.environ
    if controller and config.getoption("dist", "no") == "loadgroup":
        groups_dir = Path(tempfile.mkdtemp(prefix="dr_ingest_pytest_groups_"))
        config.stash[GROUPS_DIR_KEY] = groups_dir
        os.environ[GROUPS_ENV] = str(groups_dir)  # the workers, started later, inherit it


def pytest_unconfigure(config: pytest.Config) -> None:
    groups_dir = config.stash.get(GROUPS_DIR_KEY, None)
    if groups_dir is not None:
        shutil.rmtree(groups_dir, ignore_errors=True)
        os.environ.pop(GROUPS_ENV, None)


def xdist_group_of(item: pytest.Item) -> str | None:
    mark = item.get_closest_marker("xdist_group")
    if mark is not None:
        return str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
    names = set(getattr(item, "fixturenames", ()))
    return next((g for name, g in SHARED_BUILD_GROUPS.items() if name in names), None)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test that uses a shared build with that build's group; on an xdist worker,
    write {node ID: group} for the controller."""
    groups: dict[str, str] = {}
    for item in items:
        group = xdist_group_of(item)
        if group is None:
            continue
        if item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(group))
        groups[item.nodeid] = group
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    groups_dir = os.environ.get(GROUPS_ENV)
    if worker and groups_dir:
        partial = Path(groups_dir) / f"{worker}.json.tmp"
        partial.write_text(json.dumps(groups))
        partial.replace(Path(groups_dir) / f"{worker}.json")


@pytest.hookimpl(tryfirst=True, optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Producer) -> Scheduling | None:
    """`--dist loadgroup` with the groups the workers wrote (see above)."""
    groups_dir = config.stash.get(GROUPS_DIR_KEY, None)
    if config.getoption("dist", "no") != "loadgroup" or groups_dir is None:
        return None
    from xdist.scheduler import LoadGroupScheduling

    class GroupScheduling(LoadGroupScheduling):
        """LoadGroupScheduling whose groups come from the workers' files."""

        groups: dict[str, str] | None = None

        def _split_scope(self, nodeid: str) -> str:
            scope = super()._split_scope(nodeid)
            if scope != nodeid:  # an `@group` suffix (a pytest-xdist that can pass it)
                return scope
            if self.groups is None:  # read once all workers have collected
                self.groups = {}
                for path in sorted(groups_dir.glob("*.json")):
                    self.groups.update(json.loads(path.read_text()))
            return self.groups.get(nodeid, nodeid)

    return GroupScheduling(config, log)
