"""Write real-shaped W&B run exports (layouts A, B and C) and their history.

Every generated run is derived from one of the six real records of the upstream run export
(`wandb_runs_sample.parquet`, beside the repository): a template of the same kind
as the new run ID (matched, DPO, old; every other form takes the simple-FT records in turn).
Only what must differ changes, by targeted text replacement, so each document keeps the real
record's exact formatting, keys and size: the run ID everywhere it appears (also inside the
base64 `system_attrs.id`), the config's `learning_rate` and `seed` (and their copies in
`system_attrs.config` / `rawconfig`), and the summary's `total_tokens` (and its copy in
`system_attrs.summaryMetrics`) where the template has a number there. Run IDs come from
`generate_sample_data.generated_runs()` and cover every form of the run-ID grammar; learning
rates (the ID's own where it names one), seeds and token counts come from a seeded `random.Random`.

Layouts: A `wandb/wandb_runs_real_a.jsonl`; B `wandb/wandb_runs_real_b.parquet` (12 string
columns, one row group, written by the streaming string_parquet.py); C `wandb/exporter_real/`.
Each run is in one layout (round robin). History: K steps per run with the
template's metric keys (its historyKeys without system/* and _*; a template that logged none
gives runs without history), flat Parquet `wandb/wandb_history_real.parquet` for runs of A and
B, exporter rows `wandb/exporter_real/history.jsonl` (timestamp as epoch-float text) for C.

Usage:
    uv run python scripts/real_shaped.py --out DIR --runs N --history-steps K [--layouts A,B,C]
"""

from __future__ import annotations

import argparse
import base64
import csv
import json
import random
import re
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate_sample_data import generated_runs
from string_parquet import CODECS, write_string_parquet

REPO = Path(__file__).resolve().parents[1]
DEFAULT_UPSTREAM = REPO.parent / "shared" / "fixtures" / "upstream_dr_ingest"
RUNS_FILE = "wandb_runs_sample.parquet"
COLUMNS = (
    "run_id",
    "run_name",
    "state",
    "project",
    "entity",
    "created_at",
    "config",
    "summary",
    "wandb_metadata",
    "system_metrics",
    "system_attrs",
    "sweep_info",
)
NESTED = ("config", "summary", "wandb_metadata", "system_metrics", "system_attrs", "sweep_info")
PLAIN = tuple(column for column in COLUMNS if column not in NESTED)
# Layout C: the exporter's run keys, in order (renamed: name, summary_metrics, metadata).
EXPORTER_KEYS = (
    "run_id",
    "name",
    "display_name",
    "entity",
    "project",
    "state",
    "created_at",
    "updated_at",
    "tags",
    "group",
    "job_type",
    "sweep_name",
    "config",
    "summary_metrics",
    "system_metrics",
    "metadata",
    "history_keys",
    "url",
    "user",
    "heartbeat_at",
)
EXPORTED_AT = "2025-11-02T09:00:00Z"
HISTORY_MEMORY = "6GB"  # runs before (never beside) a build; sorting 5 M exporter rows needs it
LEARNING_RATES = (1e-05, 2e-05, 5e-05, 5e-06, 2e-06, 5e-07, 1e-04)
SEEDS = (8, 42, 1, 2, 3, 4, 5, 7, 11, 13)
LAYOUTS = ("A", "B", "C")
TOKEN_UNITS = {"M": 1_000_000, "B": 1_000_000_000, "G": 1_000_000_000}
# Slots a template's text is cut at; each generated run fills them with its own values.
SLOT_RUN_ID, SLOT_RUN_B64 = "run_id", "run_b64"
SLOT_LR, SLOT_SEED, SLOT_TOKENS = "learning_rate", "seed", "total_tokens"


@dataclass(frozen=True)
class Text:
    """A template document cut at its slots: literals[0] slot[0] literals[1] ... literals[-1]."""

    literals: tuple[str, ...]
    slots: tuple[str, ...]

    def render(self, values: dict[str, str]) -> str:
        parts = [self.literals[0]]
        for slot, literal in zip(self.slots, self.literals[1:], strict=True):
            parts.append(values[slot])
            parts.append(literal)
        return "".join(parts)


@dataclass(frozen=True)
class Template:
    """One real record, ready to derive runs from."""

    index: int
    run_id: str
    kind: str  # matched / dpo / old / simple_ft
    plain: dict[str, str | None]  # state, project, entity, created_at (run_id/run_name: slots)
    texts: dict[str, Text | None]  # the six nested columns
    exporter: dict[str, str]  # layout C extras as JSON text: tags, user, heartbeat_at, ...
    wandb_id: tuple[str, str]  # the decoded `system_attrs.id` around the run ID
    metric_keys: tuple[str, ...]  # history metrics (historyKeys without system/* and _*)
    step_stride: int
    seconds_per_step: float
    started_epoch: float


@dataclass(frozen=True)
class PlannedRun:
    """One generated run: its ID, form, template, layout and the values that differ."""

    n: int
    run_id: str
    form: str
    run_type: str
    template: int
    layout: str
    learning_rate: float
    seed: int
    total_tokens: int
    metadata_null: bool  # layout C only: the exporter wrote `metadata: null`

    def values(self, template: Template) -> dict[str, str]:
        """What fills each slot of the template's documents for this run."""
        prefix, suffix = template.wandb_id
        wandb_id = f"{prefix}{self.run_id}{suffix}".encode()
        return {
            SLOT_RUN_ID: self.run_id,
            SLOT_RUN_B64: base64.b64encode(wandb_id).decode(),
            SLOT_LR: repr(self.learning_rate),
            SLOT_SEED: str(self.seed),
            SLOT_TOKENS: str(self.total_tokens),
        }


# --- run-ID forms (from dbt_project.yml) ------------------------------------------------------


def load_patterns(project_file: Path = REPO / "dbt_project.yml") -> list[dict[str, Any]]:
    return list(yaml.safe_load(project_file.read_text())["vars"]["run_id_patterns"])


def classify(run_id: str, patterns: list[dict[str, Any]]) -> tuple[str, str, dict[str, str]]:
    """(form name, run_type, fields) of the first pattern that holds, as the dbt models do."""
    for pattern in patterns:
        match = re.fullmatch(pattern["regex"], run_id)
        if match is None:
            continue
        if pattern.get("excludes") and re.search(pattern["excludes"], run_id):
            continue
        fields = {key: value for key, value in match.groupdict().items() if value is not None}
        required = pattern.get("requires") or {}
        if all(re.search(needle, fields.get(key, "")) for key, needle in required.items()):
            return str(pattern["name"]), str(pattern["run_type"]), fields
    return "other", "other", {}


def template_kind(run_type: str) -> str:
    return run_type if run_type in ("matched", "dpo", "old") else "simple_ft"


# --- templates: each real record cut at the places a generated run fills -------------------


def value_spans(text: str, document: dict[str, Any], offset: int = 0) -> dict[str, tuple[int, int]]:
    """Where each top-level value of `document` sits in `text` (its exact json.dumps form)."""
    spans: dict[str, tuple[int, int]] = {}
    position = offset + 1
    for key, value in document.items():
        position += len(json.dumps(key)) + 2
        length = len(json.dumps(value))
        spans[key] = (position, position + length)
        position += length + 2
    return spans


def is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def number_cuts(
    text: str, document: dict[str, Any], names: dict[str, str], offset: int = 0
) -> list[tuple[int, int, str]]:
    """(start, end, slot) of each top-level `"key": <number>` of `document` named in `names`."""
    spans = value_spans(text, document, offset)
    cuts = []
    for key, slot in names.items():
        if key in document and is_number(document[key]):
            start, end = spans[key]
            if text[start - len(key) - 4 : end] != f'"{key}": {json.dumps(document[key])}':
                raise ValueError(f"{key}: not found where expected")
            cuts.append((start, end, slot))
    return cuts


def id_cuts(text: str, run_id: str) -> list[tuple[int, int, str]]:
    found, start = [], text.find(run_id)
    while start >= 0:
        found.append((start, start + len(run_id), SLOT_RUN_ID))
        start = text.find(run_id, start + len(run_id))
    return found


def column_cuts(column: str, text: str, run_id: str) -> list[tuple[int, int, str]]:
    """Every place of a template column that a generated run fills with its own value."""
    document = json.loads(text)
    if json.dumps(document) != text:
        raise ValueError(f"{run_id} {column}: not in json.dumps form, cannot cut by offsets")
    cuts = id_cuts(text, run_id)
    if not isinstance(document, dict):
        return cuts
    config_numbers = {"learning_rate": SLOT_LR, "seed": SLOT_SEED}
    if column == "config":
        cuts += number_cuts(text, document, config_numbers)
    elif column == "summary":
        cuts += number_cuts(text, document, {"total_tokens": SLOT_TOKENS})
    elif column == "system_attrs":
        spans = value_spans(text, document)
        for key, names in (
            ("config", config_numbers),
            ("rawconfig", config_numbers),
            ("summaryMetrics", {"total_tokens": SLOT_TOKENS}),
        ):
            if isinstance(document.get(key), dict):
                cuts += number_cuts(text, document[key], names, spans[key][0])
        if isinstance(document.get("id"), str):
            start, end = spans["id"]
            cuts.append((start + 1, end - 1, SLOT_RUN_B64))
    return cuts


def cut(text: str, cuts: list[tuple[int, int, str]]) -> Text:
    literals, slots, position = [], [], 0
    for start, end, slot in sorted(cuts):
        if start < position:
            raise ValueError(f"overlapping slots at {start}")
        literals.append(text[position:start])
        slots.append(slot)
        position = end
    literals.append(text[position:])
    return Text(tuple(literals), tuple(slots))


def wandb_id_parts(attrs: dict[str, Any], run_id: str) -> tuple[str, str]:
    """`system_attrs.id` is base64 of `Run:v1:<run ID>:<project>:<entity>`: the text around."""
    try:
        decoded = base64.b64decode(attrs["id"]).decode()
    except (KeyError, TypeError, ValueError):
        return "Run:v1:", ""
    prefix, found, suffix = decoded.partition(run_id)
    return (prefix, suffix) if found else ("Run:v1:", "")


def epoch_seconds(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def build_template(index: int, record: dict[str, str | None], kind: str) -> Template:
    run_id = str(record["run_id"])
    texts: dict[str, Text | None] = {}
    for column in NESTED:
        text = record[column]
        texts[column] = None if text is None else cut(text, column_cuts(column, text, run_id))
    attrs = json.loads(record["system_attrs"] or "{}")
    summary = json.loads(record["summary"] or "{}")
    history = attrs.get("historyKeys") or {}
    lines = int(attrs.get("historyLineCount") or 0)
    last_step = int(history.get("lastStep") or 0)
    runtime, steps = summary.get("_runtime"), summary.get("_step")
    exporter = {
        "tags": json.dumps(attrs.get("tags", [])),
        "group": json.dumps(attrs.get("group")),
        "job_type": json.dumps(attrs.get("jobType")),
        "sweep_name": json.dumps(attrs.get("sweepName")),
        "history_keys": json.dumps(history),
        "user": json.dumps(attrs.get("user")),
        "heartbeat_at": json.dumps(attrs.get("heartbeatAt")),
        "updated_at": json.dumps(attrs.get("heartbeatAt") or record["created_at"]),
    }
    if any(run_id in text for text in exporter.values()):
        raise ValueError(f"{run_id}: the run ID inside an exporter extra is not handled")
    return Template(
        index=index,
        run_id=run_id,
        kind=kind,
        plain={column: record[column] for column in PLAIN},
        texts=texts,
        exporter=exporter,
        wandb_id=wandb_id_parts(attrs, run_id),
        metric_keys=tuple(
            key for key in history.get("keys", {}) if not key.startswith(("system/", "_"))
        ),
        step_stride=max(1, last_step // lines) if lines > 0 and last_step > 0 else 1,
        seconds_per_step=float(runtime) / steps if is_number(runtime) and steps else 2.0,
        started_epoch=epoch_seconds(str(record["created_at"])),
    )


def load_templates(upstream: Path, patterns: list[dict[str, Any]]) -> list[Template]:
    """The six real records, each cut at its slots (done once)."""
    connection = duckdb.connect()
    try:
        relation = connection.sql(
            f"select {', '.join(COLUMNS)} from read_parquet('{upstream / RUNS_FILE}')"
        )
        records = [dict(zip(COLUMNS, row, strict=True)) for row in relation.fetchall()]
    finally:
        connection.close()
    templates = []
    for index, record in enumerate(records):
        _, run_type, _ = classify(str(record["run_id"]), patterns)
        templates.append(build_template(index, record, template_kind(run_type)))
    return templates


# --- the plan: which run comes from which template, with which values ----------------------


def token_count(fields: dict[str, str], rng: random.Random) -> int:
    """Tokens seen: the ID's tokens x epochs (a little under, as real runs), else drawn."""
    match = re.fullmatch(r"(\d+)([MBG])", fields.get("num_finetune_tokens_per_epoch", ""))
    if match:
        epochs = int(fields.get("num_finetune_epochs") or 1)
        total = int(match.group(1)) * TOKEN_UNITS[match.group(2)] * epochs
        return int(total * rng.uniform(0.9, 0.999))
    return rng.randint(10_000_000, 2_000_000_000)


def learning_rate_of(fields: dict[str, str], rng: random.Random) -> float:
    """The ID's learning rate where it names one (as real runs), else drawn."""
    drawn = rng.choice(LEARNING_RATES)
    for key in ("lr", "lr2"):
        try:
            return float(fields[key])
        except (KeyError, ValueError):
            continue
    return drawn


def plan_runs(
    templates: list[Template],
    patterns: list[dict[str, Any]],
    count: int,
    layouts: tuple[str, ...] = LAYOUTS,
    seed: int = 20250901,
) -> list[PlannedRun]:
    """Deterministic: the same arguments give the same runs (IDs, templates, values)."""
    rng = random.Random(seed)
    run_ids = [sample.run_id for sample in generated_runs(rng, count)]
    by_kind: dict[str, list[Template]] = {}
    for template in templates:
        by_kind.setdefault(template.kind, []).append(template)
    turns: Counter[str] = Counter()
    exporter_runs = 0
    planned = []
    for n, run_id in enumerate(run_ids):
        form, run_type, fields = classify(run_id, patterns)
        kind = template_kind(run_type)
        candidates = by_kind.get(kind) or by_kind["simple_ft"]
        template = candidates[turns[kind] % len(candidates)]
        turns[kind] += 1
        layout = layouts[n % len(layouts)]
        exporter_runs += layout == "C"
        planned.append(
            PlannedRun(
                n=n,
                run_id=run_id,
                form=form,
                run_type=run_type,
                template=template.index,
                layout=layout,
                learning_rate=learning_rate_of(fields, rng),
                seed=rng.choice(SEEDS),
                total_tokens=token_count(fields, rng),
                metadata_null=layout == "C" and exporter_runs % 4 == 0,
            )
        )
    return planned


# --- rendering: one run's line in each layout (text joined, nothing re-serialised) ---------


def nested(texts: dict[str, Text | None], column: str, values: dict[str, str]) -> str | None:
    text = texts[column]
    return None if text is None else text.render(values)


def plain_value(run: PlannedRun, template: Template, column: str) -> str | None:
    value = template.plain[column]
    if column in ("run_id", "run_name") and value is not None:
        return value.replace(template.run_id, run.run_id)
    return value


def layout_a_line(run: PlannedRun, template: Template) -> str:
    """Layout A: the 12 keys, the six nested ones as JSON objects (the documents' own text)."""
    values = run.values(template)
    items = []
    for column in COLUMNS:
        if column in PLAIN:
            items.append(f'"{column}": {json.dumps(plain_value(run, template, column))}')
        else:
            text = nested(template.texts, column, values)
            items.append(f'"{column}": {"null" if text is None else text}')
    return "{" + ", ".join(items) + "}"


def layout_c_line(run: PlannedRun, template: Template) -> str:
    """Layout C: `{"run": {...}, "exported_at": ...}` with the exporter's keys and renames."""
    values = run.values(template)
    plain = {column: json.dumps(plain_value(run, template, column)) for column in PLAIN}
    entity, project = template.plain["entity"], template.plain["project"]

    def document(column: str) -> str:
        text = nested(template.texts, column, values)
        return "null" if text is None else text

    fields = {
        "run_id": plain["run_id"],
        "name": plain["run_name"],
        "display_name": plain["run_name"],
        "entity": plain["entity"],
        "project": plain["project"],
        "state": plain["state"],
        "created_at": plain["created_at"],
        "updated_at": template.exporter["updated_at"],
        "tags": template.exporter["tags"],
        "group": template.exporter["group"],
        "job_type": template.exporter["job_type"],
        "sweep_name": template.exporter["sweep_name"],
        "config": document("config"),
        "summary_metrics": document("summary"),
        "system_metrics": document("system_metrics"),
        "metadata": "null" if run.metadata_null else document("wandb_metadata"),
        "history_keys": template.exporter["history_keys"],
        "url": json.dumps(f"https://wandb.ai/{entity}/{project}/runs/{run.run_id}"),
        "user": template.exporter["user"],
        "heartbeat_at": template.exporter["heartbeat_at"],
    }
    body = ", ".join(f'"{key}": {fields[key]}' for key in EXPORTER_KEYS)
    return f'{{"run": {{{body}}}, "exported_at": {json.dumps(EXPORTED_AT)}}}'


# --- writers --------------------------------------------------------------------------------


def write_lines(path: Path, lines: Iterator[str]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with path.open("w") as handle:
        for line in lines:
            handle.write(line)
            handle.write("\n")
            written += 1
    return written


def runs_of(runs: list[PlannedRun], layout: str) -> list[PlannedRun]:
    return [run for run in runs if run.layout == layout]


def write_layout_a(path: Path, runs: list[PlannedRun], templates: list[Template]) -> int:
    return write_lines(path, (layout_a_line(run, templates[run.template]) for run in runs))


def column_values(
    column: str, runs: list[PlannedRun], templates: list[Template], values: list[dict[str, str]]
) -> Iterator[bytes | None]:
    """One column's text for every run, in run order (rendered one value at a time)."""
    for run, filled in zip(runs, values, strict=True):
        template = templates[run.template]
        if column in PLAIN:
            text = plain_value(run, template, column)
        else:
            text = nested(template.texts, column, filled)
        yield None if text is None else text.encode()


def write_layout_b(
    path: Path, runs: list[PlannedRun], templates: list[Template], codec: str = "none"
) -> int:
    """All rows in one row group, every column a string, as pandas writes it. The row group is
    written column by column, page by page (string_parquet.py), so memory stays flat at any scale;
    DuckDB then confirms the file holds exactly one row group of all rows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    values = [run.values(templates[run.template]) for run in runs]
    columns = {
        column: (lambda column=column: column_values(column, runs, templates, values))
        for column in COLUMNS
    }
    write_string_parquet(path, columns, len(runs), codec)
    connection = duckdb.connect()
    try:
        groups = connection.sql(
            f"select count(distinct row_group_id), max(row_group_num_rows)"
            f" from parquet_metadata('{path}')"
        ).fetchall()[0]
    finally:
        connection.close()
    if groups != (1, len(runs)):
        raise RuntimeError(f"{path}: row groups {groups}, expected one of {len(runs)} rows")
    return len(runs)


def write_layout_c(folder: Path, runs: list[PlannedRun], templates: list[Template]) -> int:
    rows = write_lines(
        folder / "runs.jsonl", (layout_c_line(run, templates[run.template]) for run in runs)
    )
    manifest = {
        "exporter": "wandb-export",
        "version": 2,
        "exported_at": EXPORTED_AT,
        "files": ["runs.jsonl", "history.jsonl"],
        "runs": rows,
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    state = {"last_run_exported": rows, "complete": True, "updated_at": EXPORTED_AT}
    (folder / "state.json").write_text(json.dumps(state, indent=2) + "\n")
    return rows


# --- history --------------------------------------------------------------------------------

# Per metric key: a SQL expression of p (progress 0..1], u (noise 0..1), k (step index), lr
# and tokens; unknown keys get {u}.
METRIC_SQL = {
    "train_loss": "case when is_dpo then 0.69 - 0.3 * p + 0.05 * {u}"
    " else 3.2 - 1.4 * p + 0.1 * {u} end",
    "learning_rate": "lr * case when p <= 0.03 then p / 0.03 else (1 - p) / 0.97 end",
    "total_tokens": "round(tokens * p)",
    "total_tokens_including_padding": "round(tokens * p * 1.12)",
    "per_device_tps": "9000 + 2000 * {u}",
    "per_device_tps_including_padding": "(9000 + 2000 * {u}) * 1.12",
    "epoch": "p",
    "training_step": "step",
    "logps/chosen": "-250 + 100 * p + 10 * {u}",
    "logps/rejected": "-260 + 60 * p + 10 * {u}",
    "rewards/chosen": "0.5 * p + 0.1 * {u}",
    "rewards/rejected": "-0.5 * p + 0.1 * {u}",
    "rewards/margin": "p + 0.1 * {u}",
    "rewards/average": "0.05 * {u}",
    "rewards/accuracy": "least(1.0, 0.5 + 0.45 * p + 0.05 * {u})",
}


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def metric_expression(key: str, templates: list[Template]) -> str:
    having = [str(t.index) for t in templates if key in t.metric_keys]
    noise = f"((hash(run_id, k, '{key}') % 10000) / 10000.0)"
    body = METRIC_SQL.get(key, "{u}").format(u=noise)
    return f"cast(case when template in ({', '.join(having)}) then {body} end as double)"


def history_view(connection: duckdb.DuckDBPyConnection, templates: list[Template]) -> list[str]:
    """The view `entries` (one row per run and step) over the tables gen_runs and gen_templates;
    returns the metric keys of all templates in first-seen order."""
    keys: list[str] = []
    for template in templates:
        keys += [key for key in template.metric_keys if key not in keys]
    metrics = ",\n".join(f"{metric_expression(key, templates)} as {quoted(key)}" for key in keys)
    connection.execute(
        f"""
        create or replace view entries as
        with base as (
            select r.n, r.run_id, r.template, r.layout, r.lr, r.tokens, t.is_dpo, s.k,
                   s.k * t.stride as step, s.k / r.steps as p,
                   s.k * t.stride * t.seconds_per_step
                       + (hash(r.run_id, s.k) % 1000) / 1000.0 as runtime,
                   t.started + r.n * 60.0 as started
            from gen_runs as r
            join gen_templates as t using (template)
            cross join lateral (select unnest(range(1, r.steps + 1)) as k) as s
            where t.has_metrics
        )
        select n, run_id, template, layout, k, step, started + runtime as timestamp, runtime,
               {metrics}
        from base
        """
    )
    return keys


def load_plan(
    connection: duckdb.DuckDBPyConnection,
    runs: list[PlannedRun],
    templates: list[Template],
    steps: int,
    work: Path,
) -> None:
    plan_file = work / "plan.csv"
    with plan_file.open("w", newline="") as handle:
        writer = csv.writer(handle)
        for run in runs:
            writer.writerow(
                [run.n, run.run_id, run.template, run.layout, run.learning_rate,
                 run.total_tokens, steps]
            )  # fmt: skip
    connection.execute(
        f"""
        create table gen_runs as select * from read_csv('{plan_file}', header = false,
            columns = {{'n': 'BIGINT', 'run_id': 'VARCHAR', 'template': 'INTEGER',
                        'layout': 'VARCHAR', 'lr': 'DOUBLE', 'tokens': 'DOUBLE',
                        'steps': 'BIGINT'}})
        """
    )
    plan_file.unlink()
    connection.execute(
        "create table gen_templates (template integer, stride bigint, seconds_per_step double,"
        " started double, is_dpo boolean, has_metrics boolean)"
    )
    connection.executemany(
        "insert into gen_templates values (?, ?, ?, ?, ?, ?)",
        [
            [t.index, t.step_stride, t.seconds_per_step, t.started_epoch, t.kind == "dpo",
             bool(t.metric_keys)]
            for t in templates
        ],
    )  # fmt: skip


def write_history(
    out: Path, runs: list[PlannedRun], templates: list[Template], steps: int, work: Path
) -> dict[str, int]:
    """Flat Parquet for runs of layouts A and B, exporter rows for runs of layout C."""
    wandb = out / "wandb"
    counted = {"history_flat_rows": 0, "history_exporter_rows": 0}
    if steps <= 0 or not runs:
        return counted
    # bounded, spilling to the scratch folder: 50,000 runs x 500 steps are 25 M rows to sort
    connection = duckdb.connect(
        config={"memory_limit": HISTORY_MEMORY, "temp_directory": str(work / "spill")}
    )
    try:
        load_plan(connection, runs, templates, steps, work)
        keys = history_view(connection, templates)
        with_history = {t.index for t in templates if t.metric_keys}
        flat_runs = sum(r.layout != "C" and r.template in with_history for r in runs)
        exporter_runs = sum(r.layout == "C" and r.template in with_history for r in runs)
        if flat_runs:
            columns = ", ".join(quoted(key) for key in keys)
            connection.execute(
                f"""
                copy (select run_id, step, timestamp, runtime, {columns}
                      from entries where layout != 'C' order by n, k)
                to '{wandb / "wandb_history_real.parquet"}' (format parquet)
                """
            )
            counted["history_flat_rows"] = flat_runs * steps
        if exporter_runs:
            selects = []
            for template in templates:
                if not template.metric_keys:
                    continue
                pairs = ", ".join(f"'{key}', {quoted(key)}" for key in template.metric_keys)
                selects.append(
                    f"""
                    select n, k, run_id, step, cast(timestamp as varchar) as timestamp,
                           runtime, json_object('host', 'node' || (n % 64)) as wandb_metadata,
                           json_object({pairs}) as metrics,
                           json_object('_step', step, '_runtime', runtime) as extra
                    from entries where layout = 'C' and template = {template.index}
                    """
                )
            connection.execute(
                f"""
                copy (select * exclude (n, k) from ({" union all ".join(selects)}) order by n, k)
                to '{wandb / "exporter_real" / "history.jsonl"}' (format json)
                """
            )
            counted["history_exporter_rows"] = exporter_runs * steps
    finally:
        connection.close()
    return counted


# --- the whole data set ---------------------------------------------------------------------


def generate(
    out: Path,
    runs: int,
    history_steps: int,
    layouts: tuple[str, ...] = LAYOUTS,
    upstream: Path = DEFAULT_UPSTREAM,
    seed: int = 20250901,
    parquet_codec: str = "none",
) -> dict[str, Any]:
    """Write the runs and history of `runs` real-shaped runs under out/wandb; the counts."""
    started = time.perf_counter()
    patterns = load_patterns()
    templates = load_templates(upstream, patterns)
    planned = plan_runs(templates, patterns, runs, layouts, seed)
    wandb = out / "wandb"
    wandb.mkdir(parents=True, exist_ok=True)
    files = {
        "A": wandb / "wandb_runs_real_a.jsonl",
        "B": wandb / "wandb_runs_real_b.parquet",
        "C": wandb / "exporter_real" / "runs.jsonl",
    }
    # a re-run replaces every file of an earlier one (another layout choice leaves none behind)
    shutil.rmtree(wandb / "exporter_real", ignore_errors=True)
    for stale in (files["A"], files["B"], wandb / "wandb_history_real.parquet"):
        stale.unlink(missing_ok=True)
    counts: dict[str, Any] = {"runs": len(planned)}
    with tempfile.TemporaryDirectory(prefix="real_shaped_", dir=out) as scratch:
        work = Path(scratch)
        for layout in LAYOUTS:
            selected = runs_of(planned, layout)
            counts[f"layout_{layout.lower()}"] = len(selected)
            if not selected:
                continue
            if layout == "A":
                write_layout_a(files["A"], selected, templates)
            elif layout == "B":
                write_layout_b(files["B"], selected, templates, parquet_codec)
            else:
                write_layout_c(files["C"].parent, selected, templates)
        counts.update(write_history(out, planned, templates, history_steps, work))
    counts["scaled_history_rows"] = counts["history_flat_rows"] + counts["history_exporter_rows"]
    counts["history_steps"] = history_steps
    counts["forms"] = dict(sorted(Counter(run.form for run in planned).items()))
    counts["templates"] = dict(Counter(templates[run.template].run_id for run in planned))
    counts["files"] = {
        str(path.relative_to(out)): path.stat().st_size
        for path in sorted(wandb.rglob("*"))
        if path.is_file() and ("real" in path.name or path.parent.name == "exporter_real")
    }
    counts["bytes"] = sum(counts["files"].values())
    counts["seconds"] = round(time.perf_counter() - started, 2)
    return counts


def parse_layouts(text: str) -> tuple[str, ...]:
    layouts = tuple(part.strip().upper() for part in text.split(",") if part.strip())
    unknown = sorted(set(layouts) - set(LAYOUTS))
    if unknown or not layouts:
        raise argparse.ArgumentTypeError(f"layouts are A, B, C (got {text!r})")
    return tuple(dict.fromkeys(layouts))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="data folder (writes out/wandb)")
    parser.add_argument("--runs", type=int, default=1000, help="generated runs")
    parser.add_argument("--history-steps", type=int, default=100, help="history steps per run")
    parser.add_argument("--layouts", type=parse_layouts, default=LAYOUTS, help="e.g. A,B,C")
    parser.add_argument("--upstream", type=Path, default=DEFAULT_UPSTREAM)
    parser.add_argument("--seed", type=int, default=20250901)
    parser.add_argument(
        "--parquet-codec",
        choices=CODECS,
        default="none",
        help="layout B pages: none (default; reads about as fast as snappy) or gzip (zlib"
        " level 1: files ~5x smaller, reading ~2.5x slower)",
    )
    args = parser.parse_args(argv)
    if not (args.upstream / RUNS_FILE).is_file():
        print(f"real_shaped.py: error: --upstream {args.upstream}: no {RUNS_FILE}", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    counts = generate(
        args.out,
        args.runs,
        args.history_steps,
        args.layouts,
        args.upstream,
        args.seed,
        args.parquet_codec,
    )
    print(json.dumps(counts))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
