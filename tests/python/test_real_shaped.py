"""The real-shaped generator (scripts/real_shaped.py): its records have the real composition.

Each generated run must look like the real record it was derived from (../shared's six runs):
the same columns, the same top-level keys in every JSON document, sizes within the real range,
and only the run ID, learning rate, seed and token count changed. No dbt build is needed.
"""

from __future__ import annotations

import base64
import importlib
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol

import duckdb
import pytest
from conftest import BIN, REPO

# one worker builds this module's shared data once (conftest: xdist groups)
pytestmark = pytest.mark.xdist_group("real_shaped")

NESTED = ("config", "summary", "wandb_metadata", "system_metrics", "system_attrs", "sweep_info")
SPEC_FORMS = {
    *(f"M{i}" for i in range(1, 6)),
    *(f"F{i}" for i in range(1, 7)),
    "R1",
    "D1",
    "D2",
    "old",
    "other",
}
RUNS, STEPS = 48, 5  # 16 forms x 3 layouts: every form in every layout
TOLERANCE = 0.05


class Run(Protocol):
    """What the tests read of real_shaped.PlannedRun."""

    run_id: str
    run_type: str
    template: int
    layout: str
    learning_rate: float
    seed: int
    total_tokens: int

    def values(self, template: Any) -> dict[str, str]: ...  # noqa: ANN401


@dataclass
class Generated:
    """One generated data set and what it was derived from."""

    out: Path
    counts: dict[str, Any]
    plan: list[Run]  # real_shaped.PlannedRun, in run order
    templates: list[Any]  # real_shaped.Template, by index
    real: dict[str, dict[str, str]]  # the six real records by run ID

    def template_of(self, run: Run) -> dict[str, str]:
        return self.real[self.templates[run.template].run_id]

    def runs(self, layout: str) -> list[Run]:
        return [run for run in self.plan if run.layout == layout]


@pytest.fixture(scope="module")
def real_shaped() -> ModuleType:
    sys.path.insert(0, str(REPO / "scripts"))
    return importlib.import_module("real_shaped")


@pytest.fixture(scope="module")
def generated(
    real_shaped: ModuleType, upstream_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Generated:
    out = tmp_path_factory.mktemp("real_shaped")
    counts = real_shaped.generate(out, RUNS, STEPS, upstream=upstream_dir)
    patterns = real_shaped.load_patterns()
    templates = real_shaped.load_templates(upstream_dir, patterns)
    connection = duckdb.connect()
    relation = connection.sql(f"select * from '{upstream_dir / 'wandb_runs_sample.parquet'}'")
    columns = [column[0] for column in relation.description]
    real = {row[0]: dict(zip(columns, row, strict=True)) for row in relation.fetchall()}
    connection.close()
    plan = real_shaped.plan_runs(templates, patterns, RUNS)
    return Generated(out, counts, plan, templates, real)


def read_b(generated: Generated) -> list[dict[str, str]]:
    connection = duckdb.connect()
    relation = connection.sql(
        f"select * from '{generated.out / 'wandb' / 'wandb_runs_real_b.parquet'}'"
    )
    columns = [column[0] for column in relation.description]
    rows = [dict(zip(columns, row, strict=True)) for row in relation.fetchall()]
    connection.close()
    return rows


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def records_a_and_b(generated: Generated) -> list[tuple[Run, dict[str, str]]]:
    """(planned run, its record with every nested column as JSON text) for layouts A and B."""
    lines = read_jsonl(generated.out / "wandb" / "wandb_runs_real_a.jsonl")
    # json.dumps gives back the exact text: the real documents are in json.dumps form
    a = [{k: json.dumps(v) if k in NESTED else v for k, v in line.items()} for line in lines]
    return [
        *zip(generated.runs("A"), a, strict=True),
        *zip(generated.runs("B"), read_b(generated), strict=True),
    ]


def exporter_runs(generated: Generated) -> list[tuple[Run, dict[str, Any]]]:
    lines = read_jsonl(generated.out / "wandb" / "exporter_real" / "runs.jsonl")
    return list(zip(generated.runs("C"), lines, strict=True))


def real_range(generated: Generated, column: str) -> tuple[float, float]:
    sizes = [len(record[column]) for record in generated.real.values()]
    return min(sizes) * (1 - TOLERANCE), max(sizes) * (1 + TOLERANCE)


def test_every_run_id_form_of_spec_3(generated: Generated) -> None:
    assert set(generated.counts["forms"]) == SPEC_FORMS
    assert generated.counts["runs"] == RUNS
    assert [generated.counts[f"layout_{x}"] for x in "abc"] == [16, 16, 16]


def test_classifier_agrees_with_the_real_classification(
    real_shaped: ModuleType, upstream_dir: Path
) -> None:
    expected = json.loads((upstream_dir / "expected_classification.json").read_text())
    patterns = real_shaped.load_patterns()
    for entry in expected:
        assert real_shaped.classify(entry["run_id"], patterns)[1] == entry["run_type"]


def test_templates_are_of_the_same_kind(generated: Generated, upstream_dir: Path) -> None:
    expected = json.loads((upstream_dir / "expected_classification.json").read_text())
    real_type = {entry["run_id"]: entry["run_type"] for entry in expected}
    simple = set()
    for run in generated.plan:
        template_type = real_type[generated.templates[run.template].run_id]
        if run.run_type in ("matched", "dpo", "old"):
            assert template_type == run.run_type, run.run_id
        else:
            assert template_type.startswith("simple_ft"), run.run_id
            simple.add(run.template)
    assert len(simple) == 3  # the three real simple-FT records take turns


def test_column_sizes_within_the_real_range(generated: Generated) -> None:
    for run, record in records_a_and_b(generated):
        for column in NESTED:
            low, high = real_range(generated, column)
            assert low <= len(record[column]) <= high, (run.run_id, column, len(record[column]))
    renamed = {
        "config": "config",
        "summary_metrics": "summary",
        "system_metrics": "system_metrics",
        "metadata": "wandb_metadata",
    }
    for run, line in exporter_runs(generated):
        for key, column in renamed.items():
            if line["run"][key] is None:
                continue
            low, high = real_range(generated, column)
            assert low <= len(json.dumps(line["run"][key])) <= high, (run.run_id, key)


def test_key_sets_of_the_real_record(generated: Generated) -> None:
    for run, record in records_a_and_b(generated):
        real = generated.template_of(run)
        assert list(record) == list(real)
        for column in NESTED:
            assert list(json.loads(record[column])) == list(json.loads(real[column])), column
        attrs, real_attrs = json.loads(record["system_attrs"]), json.loads(real["system_attrs"])
        for key in ("config", "rawconfig", "summaryMetrics", "historyKeys"):
            assert list(attrs[key]) == list(real_attrs[key]), key


def test_exporter_keys_and_renames(generated: Generated, real_shaped: ModuleType) -> None:
    nulls = 0
    for run, line in exporter_runs(generated):
        real = generated.template_of(run)
        real_attrs = json.loads(real["system_attrs"])
        assert list(line) == ["run", "exported_at"]
        exported = line["run"]
        assert tuple(exported) == real_shaped.EXPORTER_KEYS
        assert exported["run_id"] == exported["name"] == run.run_id
        assert list(exported["config"]) == list(json.loads(real["config"]))
        assert list(exported["summary_metrics"]) == list(json.loads(real["summary"]))
        assert list(exported["system_metrics"]) == list(json.loads(real["system_metrics"]))
        if exported["metadata"] is None:
            nulls += 1
        else:
            assert list(exported["metadata"]) == list(json.loads(real["wandb_metadata"]))
        assert exported["history_keys"] == real_attrs["historyKeys"]
        assert exported["tags"] == real_attrs["tags"]
        assert exported["user"] == real_attrs["user"]
        assert exported["heartbeat_at"] == real_attrs["heartbeatAt"]
        assert exported["url"].endswith(f"/runs/{run.run_id}")
    assert 0 < nulls < len(generated.runs("C"))
    folder = generated.out / "wandb" / "exporter_real"
    assert json.loads((folder / "manifest.json").read_text())["runs"] == 16
    assert json.loads((folder / "state.json").read_text())["last_run_exported"] == 16


def restored(text: str, run: Run, real_id: str) -> dict[str, Any]:
    """A generated document with the run's own values put back to the template's."""
    return json.loads(text.replace(run.run_id, real_id))


def test_only_what_must_differ_changes(generated: Generated) -> None:
    for run, record in records_a_and_b(generated):
        real = generated.template_of(run)
        real_id = real["run_id"]
        for column in NESTED:
            assert real_id not in record[column]
            assert record[column].count(run.run_id) == real[column].count(real_id), column
        config, real_config = json.loads(record["config"]), json.loads(real["config"])
        summary, real_summary = json.loads(record["summary"]), json.loads(real["summary"])
        attrs, real_attrs = json.loads(record["system_attrs"]), json.loads(real["system_attrs"])
        changed_config = {"learning_rate": run.learning_rate, "seed": run.seed}
        for key, value in changed_config.items():
            if key in real_config:
                assert config[key] == value
                assert attrs["config"][key] == attrs["rawconfig"][key] == value
        if isinstance(real_summary.get("total_tokens"), int | float):
            assert summary["total_tokens"] == run.total_tokens
            assert attrs["summaryMetrics"]["total_tokens"] == run.total_tokens
        else:
            assert summary.get("total_tokens") == real_summary.get("total_tokens")
        wandb_id = base64.b64decode(attrs["id"]).decode()
        assert wandb_id == base64.b64decode(real_attrs["id"]).decode().replace(real_id, run.run_id)
        # everything else is the real record's
        for column in NESTED:
            document = restored(record[column], run, real_id)
            original = json.loads(real[column])
            if column == "config":
                document.update({k: real_config[k] for k in changed_config if k in real_config})
            if column == "summary" and "total_tokens" in real_summary:
                document["total_tokens"] = real_summary["total_tokens"]
            if column == "system_attrs":
                document["id"] = original["id"]
                for key in ("config", "rawconfig"):
                    for name in changed_config:
                        if name in original[key]:
                            document[key][name] = original[key][name]
                if "total_tokens" in original["summaryMetrics"]:
                    document["summaryMetrics"]["total_tokens"] = original["summaryMetrics"][
                        "total_tokens"
                    ]
            assert document == original, (run.run_id, column)
        assert [record[c] for c in ("state", "project", "entity", "created_at")] == [
            real[c] for c in ("state", "project", "entity", "created_at")
        ]


def test_parquet_is_one_row_group_of_strings(generated: Generated, real_shaped: ModuleType) -> None:
    path = generated.out / "wandb" / "wandb_runs_real_b.parquet"
    connection = duckdb.connect()
    groups = connection.sql(
        f"select distinct row_group_id, row_group_num_rows from parquet_metadata('{path}')"
    ).fetchall()
    types = connection.sql(f"describe select * from '{path}'").fetchall()
    connection.close()
    assert groups == [(0, 16)]
    assert [(name, kind) for name, kind, *_ in types] == [
        (column, "VARCHAR") for column in real_shaped.COLUMNS
    ]
    # the text went through DuckDB unchanged: byte-identical to the rendered documents
    for run, row in zip(generated.runs("B"), read_b(generated), strict=True):
        template = generated.templates[run.template]
        values = run.values(template)
        for column in NESTED:
            assert row[column] == real_shaped.nested(template.texts, column, values)


def test_history_flat_and_exporter(generated: Generated) -> None:
    wandb = generated.out / "wandb"
    connection = duckdb.connect()
    flat = connection.sql(f"select * from '{wandb / 'wandb_history_real.parquet'}'")
    columns = [column[0] for column in flat.description]
    rows = [dict(zip(columns, row, strict=True)) for row in flat.fetchall()]
    connection.close()
    keys: list[str] = []
    for template in generated.templates:
        keys += [key for key in template.metric_keys if key not in keys]
    assert columns == ["run_id", "step", "timestamp", "runtime", *keys]
    assert {"train_loss", "total_tokens", "per_device_tps", "logps/chosen"} <= set(keys)
    assert not any(key.startswith(("system/", "_")) for key in keys)
    by_run: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_run.setdefault(row["run_id"], []).append(row)
    for run in generated.plan:
        template = generated.templates[run.template]
        entries = by_run.get(run.run_id, [])
        if run.layout == "C" or not template.metric_keys:
            assert entries == [], run.run_id
            continue
        assert len(entries) == STEPS
        for entry in entries:
            assert isinstance(entry["timestamp"], float)
            for key in keys:
                assert (entry[key] is not None) == (key in template.metric_keys), key
            if template.kind == "dpo":
                assert entry["total_tokens"] is None and entry["logps/chosen"] is not None
    assert generated.counts["history_flat_rows"] == len(rows)
    exporter = read_jsonl(wandb / "exporter_real" / "history.jsonl")
    assert generated.counts["history_exporter_rows"] == len(exporter)
    layouts = {run.run_id: run for run in generated.plan}
    for entry in exporter:
        run = layouts[entry["run_id"]]
        assert run.layout == "C"
        assert list(entry) == [
            "run_id", "step", "timestamp", "runtime", "wandb_metadata", "metrics", "extra"
        ]  # fmt: skip
        assert isinstance(entry["timestamp"], str)
        assert float(entry["timestamp"]) > 1.7e9
        assert list(entry["metrics"]) == list(generated.templates[run.template].metric_keys)
    # some runs have no history at all, as in the real sample
    assert any(not t.metric_keys for t in generated.templates)


def test_cli_counts_layouts_and_missing_upstream(tmp_path: Path, upstream_dir: Path) -> None:
    script = str(REPO / "scripts" / "real_shaped.py")
    completed = subprocess.run(
        [str(BIN / "python"), script, "--out", str(tmp_path), "--runs", "6",
         "--history-steps", "2", "--layouts", "B,C", "--upstream", str(upstream_dir)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    counts = json.loads(completed.stdout.strip())
    assert (counts["layout_a"], counts["layout_b"], counts["layout_c"]) == (0, 3, 3)
    assert "wandb/wandb_runs_real_a.jsonl" not in counts["files"]
    assert counts["files"]["wandb/wandb_runs_real_b.parquet"] > 0
    assert counts["bytes"] == sum(counts["files"].values())
    again = subprocess.run(
        [str(BIN / "python"), script, "--out", str(tmp_path), "--runs", "3",
         "--history-steps", "0", "--layouts", "A", "--upstream", str(upstream_dir)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    # a re-run replaces the earlier files: nothing of the B,C run is left behind
    assert set(json.loads(again.stdout)["files"]) == {"wandb/wandb_runs_real_a.jsonl"}
    assert sorted(p.name for p in (tmp_path / "wandb").rglob("*")) == ["wandb_runs_real_a.jsonl"]
    missing = subprocess.run(
        [str(BIN / "python"), script, "--out", str(tmp_path), "--upstream", str(tmp_path / "no")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert missing.returncode != 0
    assert len(missing.stderr.strip().splitlines()) == 1
    assert "--upstream" in missing.stderr


def test_plan_is_deterministic(real_shaped: ModuleType, upstream_dir: Path) -> None:
    patterns = real_shaped.load_patterns()
    templates = real_shaped.load_templates(upstream_dir, patterns)
    first = real_shaped.plan_runs(templates, patterns, 40, ("A", "C"))
    assert first == real_shaped.plan_runs(templates, patterns, 40, ("A", "C"))
    assert {run.layout for run in first} == {"A", "C"}
    assert len({run.run_id for run in first}) == 40


@pytest.mark.parametrize("codec", ["none", "gzip"])
def test_streaming_parquet_writer_round_trips(tmp_path: Path, codec: str) -> None:
    """Nulls, empty strings, non-ASCII text and values spanning several pages read back
    exactly, from one row group."""
    sys.path.insert(0, str(REPO / "scripts"))
    writer = importlib.import_module("string_parquet")
    rows = 3000
    big = "x" * 700_000  # pages close at ~1 MiB: this column needs many pages
    columns: dict[str, list[str | None]] = {
        "id": [f"run-{i}" for i in range(rows)],
        "maybe": [
            None if i % 7 in (0, 1) else ("" if i % 7 == 2 else f"é{i}✓") for i in range(rows)
        ],
        "doc": [big + str(i) if i % 500 == 0 else json.dumps({"i": i}) for i in range(rows)],
        "none": [None] * rows,
    }
    path = tmp_path / "strings.parquet"
    writer.write_string_parquet(
        path,
        {
            name: (lambda v=values: (None if x is None else x.encode() for x in v))
            for name, values in columns.items()
        },
        rows,
        codec,
    )
    connection = duckdb.connect()
    read = connection.sql(f"select * from '{path}'").fetchall()
    groups = connection.sql(
        f"select distinct row_group_id, row_group_num_rows from parquet_metadata('{path}')"
    ).fetchall()
    connection.close()
    assert groups == [(0, rows)]
    assert read == list(zip(*columns.values(), strict=True))
