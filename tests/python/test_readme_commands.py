"""The README's two commands, exactly as written, on a fresh copy of the repository.

The first command builds the shipped sample with the default, relative paths; what it
stores must equal the committed reference counts (tests/fixtures/sample_row_counts.csv) and
the suite's absolute-path build of the same data. The second command is what .ci/run runs.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
from pathlib import Path
from types import ModuleType

import pytest
from conftest import REPO, DbtResult

README = REPO / "README.md"


def _load_counts_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "sample_row_counts", REPO / "scripts" / "sample_row_counts.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


counts = _load_counts_module()


def readme_commands() -> list[str]:
    """The shell blocks of the README's section "The two commands", in order."""
    text = README.read_text()
    section = text.split("## The two commands", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in re.findall(r"```bash\n(.*?)```", section, re.S)]


def fresh_copy(dest: Path) -> Path:
    """The repository's files as a clone would have them (tracked and new, not ignored):
    no virtual environment, warehouse or dbt target."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if not source.is_file():  # deleted in the work tree, not yet committed
            continue
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    return dest


def user_env() -> dict[str, str]:
    """This machine's environment without the project's settings or the suite's venv."""
    return {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DR_INGEST_", "PYTEST_", "DBT_")) and key != "VIRTUAL_ENV"
    }


def describe_differences(expected: dict[str, int], found: dict[str, int]) -> str:
    names = sorted(set(expected) | set(found))
    return ", ".join(
        f"{name}: expected {expected.get(name)}, found {found.get(name)}"
        for name in names
        if expected.get(name) != found.get(name)
    )


def test_the_readme_has_two_commands_and_ci_runs_the_second_as_written() -> None:
    commands = readme_commands()
    assert len(commands) == 2, commands
    assert commands[0].endswith("uv run --frozen dbt build")
    ci_lines = (REPO / ".ci" / "run").read_text().splitlines()
    assert commands[1] in [line.strip() for line in ci_lines]


def test_the_reference_counts_cover_every_mart() -> None:
    assert set(counts.read_reference()) == set(counts.counted_relations())


@pytest.fixture(scope="module")
def readme_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh copy of the repository after the README's first command, run as written."""
    repo = fresh_copy(tmp_path_factory.mktemp("fresh") / "dr_ingest")
    first = readme_commands()[0]
    done = subprocess.run(
        ["bash", "-c", first],
        cwd=repo,
        env=user_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-5000:]
    assert "ERROR=0" in done.stdout
    return repo


def test_the_first_command_stores_the_reference_counts(
    readme_build: Path, sample_build: DbtResult
) -> None:
    found = counts.row_counts(readme_build / "warehouse" / "dr_ingest.duckdb")
    expected = counts.read_reference()
    assert found == expected, (
        "the sample's row counts differ from tests/fixtures/sample_row_counts.csv "
        f"(scripts/sample_row_counts.py updates it): {describe_differences(expected, found)}"
    )
    absolute = counts.row_counts(sample_build.db_path)
    assert found == absolute, (
        "the README's build (relative paths) differs from an absolute-path build: "
        + describe_differences(absolute, found)
    )
    # the QA tarballs were loaded, not only listed
    assert found["qa_store.prediction_records"] > 0


def test_odd_relative_spellings_build_the_same_warehouse(readme_build: Path) -> None:
    """`./`, `..` and trailing `/` in every path setting, the QA work folder set on its own."""
    env = user_env() | {
        "DR_INGEST_DATA_DIR": "./sample_data/",
        "DR_INGEST_DB": "./warehouse//relative.duckdb",
        "DR_INGEST_QA_WORK_DIR": "./warehouse/qa_scratch/",
    }
    done = subprocess.run(
        ["uv", "run", "--frozen", "dbt", "build", "--exclude-resource-type", "unit_test"],
        cwd=readme_build,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-5000:]
    found = counts.row_counts(readme_build / "warehouse" / "relative.duckdb")
    expected = counts.read_reference()
    assert found == expected, describe_differences(expected, found)
    # the scratch folder was the one configured, and no batch is left in it
    batches = (readme_build / "warehouse" / "qa_scratch" / "batch").iterdir()
    assert [folder.name for folder in batches] == ["empty"]
