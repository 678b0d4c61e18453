"""The real-shaped QA archive generator (scripts/qa_real_shaped.py): nesting, real line shape.

A small instance (2 recipes x 2 steps x 3 tasks) is generated in a temporary folder and read back
with tarfile's streaming mode (`r|`), as the extractor reads it: the recipe tarballs hold step
tarballs at `<recipe>/<params>/seed-<N>/step-<S>.tar.gz`, those hold
`step-<S>/<task>-{metrics.json,predictions.jsonl}`, and every predictions line has the keys, key
order, value types and size of the real lines in ../shared/fixtures/real_eval_instances, with
predictions and accuracies that follow from its scores. No dbt build is needed.
"""

from __future__ import annotations

import gzip
import importlib
import io
import json
import math
import os
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from conftest import REPO, SHARED

from python_hooks.qa_members import parse_step_path, task_file

REAL_DIR = SHARED / "fixtures" / "real_eval_instances"
REAL_FILE = REAL_DIR / "arc_easy-predictions.jsonl"
RECIPES = "dolma1.7,dclm-baseline"
TASKS = ("arc_easy", "boolq", "csqa")  # 4, 2 and 5 answer choices
STEPS, QUESTIONS = 2, 240
SIZE_TOLERANCE = 0.15
HEX = set("0123456789abcdef")
METRICS_KEYS = (
    "task_name",
    "task_hash",
    "model_hash",
    "model_config",
    "task_config",
    "compute_config",
    "processing_time",
    "current_date",
    "num_instances",
    "task_idx",
    "metrics",
)


@dataclass(frozen=True)
class TaskFile:
    """One member of a step tarball, read back."""

    outer: str  # the step tarball's path (its member name in the recipe tarball, or file path)
    name: str
    data: bytes


@pytest.fixture(scope="module")
def real_dir() -> Path:
    """The real prediction lines in ../shared; skipped on a clone without them, never in CI."""
    if not REAL_FILE.is_file():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but {REAL_FILE} is missing")
        pytest.skip(f"{REAL_FILE} not present on this clone")
    return REAL_DIR


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    sys.path.insert(0, str(REPO / "scripts"))
    return importlib.import_module("qa_real_shaped")


def run(generator: ModuleType, out: Path, real_dir: Path, *extra: str) -> dict[str, Any]:
    argv = ["--out", str(out), "--questions", str(QUESTIONS), "--recipes", RECIPES]
    argv += ["--steps", str(STEPS), "--tasks", ",".join(TASKS), "--real-dir", str(real_dir)]
    argv += ["--prefixed-every", "2", "--jobs", "1", *extra]
    assert generator.main(argv) == 0
    summary: dict[str, Any] = json.loads((out / generator.SUMMARY_FILE).read_text())
    return summary


@pytest.fixture(scope="module")
def nested(
    generator: ModuleType, real_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("qa_nested")
    return out, run(generator, out, real_dir)


def step_files(step_name: str, raw: io.BufferedIOBase | Any) -> Iterator[TaskFile]:  # noqa: ANN401
    with gzip.GzipFile(fileobj=raw, mode="rb") as gz, tarfile.open(fileobj=gz, mode="r|") as tar:
        for member in tar:
            if member.isdir():
                assert member.name == step_name.rsplit("/", 1)[-1].removesuffix(".tar.gz")
                continue
            source = tar.extractfile(member)
            assert source is not None
            yield TaskFile(step_name, member.name, source.read())


def nested_files(out: Path) -> Iterator[TaskFile]:
    """Every task file of every recipe tarball, streamed (outer and inner `r|`)."""
    for path in sorted((out / "models").iterdir()):
        with (
            gzip.GzipFile(path, mode="rb") as gz,
            tarfile.open(fileobj=gz, mode="r|") as tar,
        ):
            for member in tar:
                assert member.isfile(), member.name
                assert member.name.startswith(f"{path.name.removesuffix('.tar.gz')}/")
                yield from step_files(member.name, tar.extractfile(member))


@pytest.fixture(scope="module")
def files(nested: tuple[Path, dict[str, Any]]) -> list[TaskFile]:
    return list(nested_files(nested[0]))


def predictions(files: list[TaskFile]) -> Iterator[tuple[TaskFile, str]]:
    for file in files:
        if file.name.endswith("-predictions.jsonl"):
            for line in file.data.decode().splitlines():
                yield file, line


def real_lines() -> list[dict[str, Any]]:
    return [json.loads(line) for line in REAL_FILE.read_text().splitlines() if line.strip()]


def type_tree(value: object) -> object:
    """The value with every leaf replaced by its type name (a choice list by its first)."""
    if isinstance(value, dict):
        return {key: type_tree(item) for key, item in value.items()}
    if isinstance(value, list):
        return [type_tree(value[0])] if value else []
    return type(value).__name__


def argmax(values: list[float]) -> int:
    return max(range(len(values)), key=values.__getitem__)


def test_nesting_and_member_names(
    nested: tuple[Path, dict[str, Any]], files: list[TaskFile]
) -> None:
    out, _ = nested
    assert sorted(p.name for p in (out / "models").iterdir()) == [
        "dclm-baseline.tar.gz",
        "dolma1.7.tar.gz",
    ]
    steps = sorted({file.outer for file in files})
    assert len(steps) == 2 * STEPS
    prefixed_steps = 0
    for outer in steps:
        coords = parse_step_path(outer)
        assert coords is not None, outer
        assert (
            outer == f"{coords.recipe}/{coords.params}/seed-{coords.seed}/step-{coords.step}.tar.gz"
        )
        assert coords.seed in (2, 4, 5, 14, 15)
        names = [file.name for file in files if file.outer == outer]
        assert len(names) == 2 * len(TASKS)
        folder = f"step-{coords.step}/"
        assert all(name.startswith(folder) and task_file(name) for name in names)
        tasks = {name.removeprefix(folder).rsplit("-", 1)[0] for name in names}
        plain = tasks == set(TASKS)
        prefixed = {task.split("-", 2)[-1] for task in tasks} == set(TASKS)
        assert plain or (prefixed and all(t.startswith("task-0") for t in tasks)), tasks
        prefixed_steps += not plain
    assert 0 < prefixed_steps < len(steps)  # --prefixed-every 2: oe-eval names in one of two


def test_tar_reads_the_nesting(nested: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    """tarfile's random-access reader and, where installed, `tar -tzf` list the same nesting."""
    out, _ = nested
    recipe_tarball = out / "models" / "dolma1.7.tar.gz"
    with tarfile.open(recipe_tarball, "r:gz") as tar:
        names = tar.getnames()
        inner = tar.extractfile(names[0])
        assert inner is not None
        step_bytes = inner.read()
    with tarfile.open(fileobj=io.BytesIO(step_bytes), mode="r:gz") as step:
        inner_names = step.getnames()
    assert len(inner_names) == 1 + 2 * len(TASKS)
    assert len(names) == STEPS and all(name.startswith("dolma1.7/") for name in names)
    if shutil.which("tar") is None:
        return
    listed = subprocess.run(
        ["tar", "-tzf", str(recipe_tarball)], capture_output=True, text=True, check=True
    )
    assert listed.stdout.split() == names
    (tmp_path / "step.tar.gz").write_bytes(step_bytes)
    listed = subprocess.run(
        ["tar", "-tzf", str(tmp_path / "step.tar.gz")], capture_output=True, text=True, check=True
    )
    assert [name.rstrip("/") for name in listed.stdout.split()] == inner_names


def test_lines_have_the_real_keys_types_and_sizes(files: list[TaskFile]) -> None:
    real = real_lines()
    shape = type_tree(real[0])
    per_choice = [len(json.dumps(c)) + 2 for r in real for c in r["model_output"]]
    choice_bytes = sum(per_choice) / len(per_choice)
    base = sum(len(json.dumps(r)) for r in real) / len(real) - 4 * choice_bytes
    lines = 0
    for _, line in predictions(files):
        record = json.loads(line)
        assert list(record) == list(real[0])
        assert list(record["metrics"]) == list(real[0]["metrics"])
        for choice in record["model_output"]:
            assert list(choice) == list(real[0]["model_output"][0])
        assert type_tree(record) == shape
        expected = base + len(record["model_output"]) * choice_bytes
        assert abs(len(line.encode()) - expected) <= SIZE_TOLERANCE * expected, line
        lines += 1
    assert lines > 0


def test_four_choice_lines_are_real_sized(files: list[TaskFile]) -> None:
    sizes = [len(x) for x in REAL_FILE.read_bytes().splitlines() if x.strip()]
    low, high = min(sizes) * (1 - SIZE_TOLERANCE), max(sizes) * (1 + SIZE_TOLERANCE)
    four = [
        len(line.encode())
        for _, line in predictions(files)
        if len(json.loads(line)["model_output"]) == 4
    ]
    assert four and all(low <= size <= high for size in four)


def test_predictions_follow_from_the_scores(files: list[TaskFile]) -> None:
    for file, line in predictions(files):
        record = json.loads(line)
        metrics, outputs = record["metrics"], record["model_output"]

        def column(key: str, outputs: list[dict[str, Any]] = outputs) -> list[float]:
            return [choice[key] for choice in outputs]

        gains = [c["sum_logits"] - c["sum_logits_uncond"] for c in outputs]
        expected = {
            "raw": argmax(column("sum_logits")),
            "per_token": argmax(column("logits_per_token")),
            "per_char": argmax(column("logits_per_char")),
            "uncond": argmax(gains),
        }
        gold = metrics["correct_choice"]
        assert record["label"] == gold and 0 <= gold < len(outputs)
        for name, index in expected.items():
            assert metrics[f"predicted_index_{name}"] == index, (file.name, name)
            assert metrics[f"acc_{name}"] == int(index == gold)
        for c in outputs:
            assert c["logits_per_char"] == c["sum_logits"] / c["num_chars"]
            assert c["logits_per_token"] == c["sum_logits"] / c["num_tokens"]
            assert c["logits_per_byte"] > 0
            assert math.isclose(c["logits_per_byte"], -c["logits_per_char"] / math.log(2))
            assert c["num_tokens_all"] > c["num_tokens"] > 0


def test_ids_and_hashes(files: list[TaskFile]) -> None:
    by_file: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for file, line in predictions(files):
        by_file.setdefault((file.outer, file.name), []).append(json.loads(line))
    task_hashes: dict[str, set[str]] = {}
    for (outer, name), records in by_file.items():
        assert [r["doc_id"] for r in records] == list(range(len(records)))
        assert all(isinstance(r["native_id"], str) and r["native_id"] for r in records)
        assert len({r["model_hash"] for r in records}) == 1
        task = name.rsplit("/", 1)[-1].removesuffix("-predictions.jsonl").split("-")[-1]
        task_hashes.setdefault(task, set()).update(r["task_hash"] for r in records)
        for r in records:
            assert all(len(h) == 32 and set(h) <= HEX for h in (r["model_hash"], r["task_hash"]))
        assert outer
    assert all(len(hashes) == 1 for hashes in task_hashes.values())
    assert len(set.union(*task_hashes.values())) == len(TASKS)


def test_scores_are_not_repeated_text(files: list[TaskFile]) -> None:
    scores = [
        choice["sum_logits"]
        for _, line in predictions(files)
        for choice in json.loads(line)["model_output"]
    ]
    assert len(set(scores)) > 0.9 * len(scores)


def test_metrics_files(files: list[TaskFile]) -> None:
    metrics_files = [f for f in files if f.name.endswith("-metrics.json")]
    lines = {
        (f.outer, f.name.removesuffix("-predictions.jsonl")): f.data.decode().splitlines()
        for f in files
        if f.name.endswith("-predictions.jsonl")
    }
    for file in metrics_files:
        document = json.loads(file.data)
        assert tuple(document) == METRICS_KEYS
        assert 1500 <= len(file.data) <= 8000
        assert "primary_metric" in document["task_config"]
        assert "primary_score" in document["metrics"]
        records = [
            json.loads(x) for x in lines[(file.outer, file.name.removesuffix("-metrics.json"))]
        ]
        assert document["num_instances"] == len(records)
        assert document["task_name"] in TASKS
        assert document["task_hash"] == records[0]["task_hash"]
        assert document["model_hash"] == records[0]["model_hash"]
        primary = document["task_config"]["primary_metric"]
        mean = sum(r["metrics"][primary] for r in records) / len(records)
        assert document["metrics"]["primary_score"] == pytest.approx(mean, abs=1e-6)


def test_counts_match_the_summary(
    nested: tuple[Path, dict[str, Any]], files: list[TaskFile]
) -> None:
    out, summary = nested
    lines = [json.loads(line) for _, line in predictions(files)]
    assert summary["archives"] == 2
    assert summary["step_archives"] == 2 * STEPS
    assert summary["task_files"] == len(files) == 2 * STEPS * 2 * len(TASKS)
    assert summary["questions"] == len(lines)
    assert abs(summary["questions"] - QUESTIONS) <= len(TASKS) * 2 * STEPS
    assert summary["choices"] == sum(len(r["model_output"]) for r in lines)
    assert summary["bytes_uncompressed"] == sum(len(f.data) for f in files)
    on_disk = sum(p.stat().st_size for p in (out / "models").iterdir())
    assert summary["bytes_compressed"] == on_disk


def test_flat_layout_and_determinism(
    generator: ModuleType, real_dir: Path, tmp_path: Path, nested: tuple[Path, dict[str, Any]]
) -> None:
    flat = tmp_path / "flat"
    summary = run(generator, flat, real_dir, "--layout", "flat")
    paths = sorted(p for p in flat.rglob("*.tar.gz"))
    assert len(paths) == summary["archives"] == 2 * STEPS
    flat_files: list[TaskFile] = []
    for path in paths:
        relative = path.relative_to(flat).as_posix()
        assert parse_step_path(relative) is not None
        with path.open("rb") as raw:
            flat_files += step_files(relative, raw)
    nested_data = {(f.outer, f.name): f.data for f in nested_files(nested[0])}
    assert {(f.outer, f.name): f.data for f in flat_files} == nested_data
    again = tmp_path / "again"
    run(generator, again, real_dir)
    for path in (nested[0] / "models").iterdir():
        assert (again / "models" / path.name).read_bytes() == path.read_bytes()
