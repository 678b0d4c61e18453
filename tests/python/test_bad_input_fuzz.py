"""Real lines, damaged at random (seeded): the build never stops, and every line is counted.

The six real upstream runs (as JSON lines, layout A: their JSON columns as objects) and the
real ARC-Easy prediction lines (as an oe-eval folder's predictions file) are each written
several times over, and each copy of a line is damaged in one of these ways: a byte flipped,
the line cut short, random bytes inserted (never a line break, so the line count is known),
or left whole. The build must finish every model, and for each damaged file
ingest_source_counts must count every line as read: used, superseded or rejected.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import duckdb
import pytest
from conftest import DbtResult, invoke_dbt
from test_eval_dumps import ARC_RC, RUN_ID, real_lines, task_line, write_dump

pytestmark = pytest.mark.xdist_group("bad_input_fuzz")
__all__ = ["real_lines"]  # the fixture of the real prediction lines, used here too

SEED = 20261205
COPIES = 8
LINE_BREAKS = {ord("\n"), ord("\r")}


def damage(line: bytes, rng: random.Random) -> bytes:
    """One line, flipped, cut, grown with random bytes, or left as it was."""
    kind = rng.randrange(4)
    if kind == 0:
        at = rng.randrange(len(line))
        byte = rng.choice([b for b in range(256) if b not in LINE_BREAKS])
        return line[:at] + bytes([byte]) + line[at + 1 :]
    if kind == 1:
        return line[: rng.randrange(1, len(line))]
    if kind == 2:
        at = rng.randrange(len(line))
        extra = bytes(rng.choice([b for b in range(256) if b not in LINE_BREAKS]) for _ in range(8))
        return line[:at] + extra + line[at:]
    return line


def run_lines(upstream: Path) -> list[bytes]:
    """The real runs as layout-A JSON lines (each JSON column an object)."""
    connection = duckdb.connect()
    try:
        relation = connection.sql(f"select * from '{upstream / 'wandb_runs_sample.parquet'}'")
        rows = [dict(zip(relation.columns, row, strict=True)) for row in relation.fetchall()]
    finally:
        connection.close()
    lines = []
    for row in rows:
        record: dict[str, Any] = {}
        for key, value in row.items():
            try:
                record[key] = json.loads(value) if isinstance(value, str) else value
            except json.JSONDecodeError:
                record[key] = value
        lines.append(json.dumps(record).encode())
    return lines


def damaged_file(path: Path, copies: list[list[bytes]], rng: random.Random) -> int:
    """Write the damaged ``copies`` of the lines; return how many non-blank lines it has."""
    out = [damage(line, rng) for lines in copies for line in lines]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\n".join(out) + b"\n")
    return sum(1 for line in out if line.strip())


@pytest.fixture(scope="module")
def fuzz_build(
    upstream_dir: Path, real_lines: list[dict[str, Any]], tmp_path_factory: pytest.TempPathFactory
) -> tuple[DbtResult, dict[str, int]]:
    rng = random.Random(SEED)
    work = tmp_path_factory.mktemp("bad_input_fuzz")
    data = work / "data"
    expected = {}
    # copies of a run are exports of the same run (the newest is used, the others superseded)
    expected["wandb_runs"] = damaged_file(
        data / "wandb" / "fuzzed_runs.jsonl", [run_lines(upstream_dir)] * COPIES, rng
    )
    folder = data / "evals" / "run_a"
    write_dump(folder, [task_line(ARC_RC, 1, "2024-12-19 12:16:07 UTC", {}, 5)], "")
    predictions = folder / f"task-001-{ARC_RC}-predictions.jsonl"
    # the copies repeat the questions' doc_ids (a file concatenated with itself): one line per
    # doc_id is used, the others are rejected, and no mart is skipped
    copies = [[json.dumps(line).encode() for line in real_lines]] * COPIES
    expected["eval_predictions"] = damaged_file(predictions, copies, rng)
    result = invoke_dbt(["build"], data, work / "warehouse.duckdb", work)
    return result, expected


def test_the_build_finishes_every_model(fuzz_build: tuple[DbtResult, dict[str, int]]) -> None:
    result, _ = fuzz_build
    results = result.run_results()
    models = {str(r["unique_id"]): str(r["status"]) for r in results if "model." in r["unique_id"]}
    assert models and set(models.values()) == {"success"}, models
    # a failing test may only be the reject-fraction threshold (bad data, reported)
    failed = {str(r["unique_id"]) for r in results if r["status"] in ("fail", "error")}
    assert failed <= {"test.dr_ingest.assert_reject_fraction_within_threshold"}, failed


def test_every_line_is_loaded_or_rejected(fuzz_build: tuple[DbtResult, dict[str, int]]) -> None:
    result, expected = fuzz_build
    rows = dict(
        result.query(
            "select source_name, sum(records_read) from ingest_source_counts"
            " where source_file like '%fuzzed_runs.jsonl' or source_file like 'evals/run_a/%'"
            " and source_name = 'eval_predictions' group by 1"
        )
    )
    assert rows == expected
    rejected = result.query(
        "select count(*) from ingest_rejects where source_file like '%fuzzed_runs.jsonl'"
    )[0][0]
    assert 0 < rejected < expected["wandb_runs"]  # some lines survive, some do not
    used = result.query(f"select count(*) from runs where run_id = '{RUN_ID}'")[0][0]
    assert used == 1  # an undamaged copy of the real run is there
