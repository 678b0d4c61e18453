"""One meaning per column name across the marts.

The marts are the warehouse's public vocabulary: a reader who learns what `step`, `recipe` or
`run_id` means in one mart must be able to rely on it in every other. So:

- every mart, and every column of every mart, is documented in a `_*.yml` file under
  models/marts/ (any subfolder), once, and each documented mart has a model file;
- a column name used by two or more marts has the same description in each (whitespace
  normalised, `{{ doc('...') }}` blocks rendered), unless it is one of the few SHARED_NAMES
  whose meaning is shared but whose description says how that table uses it. Two
  descriptions that differ are two meanings, or one meaning told two ways: either way one of
  them is renamed or reworded;
- no mart has a bare `seed` or `data` column: a seed is always said with its role
  (`seed_role`) or source-specific spelling (`qa_folder_seed`, `run_id_seed_index`,
  `full_eval_seed`), and a pretraining data mix is a `recipe`.

These tests read the YAML only, but for the layering test, which reads the shared sample build's
manifest.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from conftest import REPO, DbtResult

MARTS_DIR = REPO / "models" / "marts"
DOCS_DIR = REPO / "models"  # dbt's docs-paths default to the model paths
YAML_PATTERNS = ("_*.yml", "_*.yaml")
MODEL_SUFFIXES = (".sql", ".py")

# Names whose meaning is shared by every mart that has them, but whose description
# legitimately says how that table uses them (which file, which metrics, which value).
# `step` is the training step of the model a row is about: a checkpoint's pretraining step in
# the checkpoint facts, the fine-tuning run's logged step in `history`.
SHARED_NAMES = frozenset({"source_file", "_loaded_at", "metrics", "value", "step"})
# Bare names that say too little: use the role or source-specific spelling instead.
FORBIDDEN_NAMES = {
    "seed": "seed_role, or qa_folder_seed / run_id_seed_index / full_eval_seed",
    "data": "recipe",
}
MIN_MARTS = 10
MIN_COLUMNS = 100

DOC_BLOCK = re.compile(r"\{%-?\s*docs\s+(\w+)\s*-?%\}(.*?)\{%-?\s*enddocs\s*-?%\}", re.DOTALL)
DOC_REF = re.compile(r"\{\{-?\s*doc\(\s*['\"](\w+)['\"]\s*\)\s*-?\}\}")


@dataclass(frozen=True)
class Column:
    name: str
    raw_description: str
    description: str  # doc blocks rendered, whitespace normalised


@dataclass(frozen=True)
class Mart:
    name: str
    yaml_path: Path
    description: str
    columns: tuple[Column, ...]


def normalise(text: str) -> str:
    """Collapse runs of whitespace (folded scalars, line breaks) into one space; strip."""
    return " ".join(text.split())


@cache
def doc_blocks() -> dict[str, str]:
    """`{% docs name %}...{% enddocs %}` blocks of the project's Markdown files."""
    blocks: dict[str, str] = {}
    for path in sorted(DOCS_DIR.rglob("*.md")):
        for match in DOC_BLOCK.finditer(path.read_text()):
            blocks[match.group(1)] = match.group(2)
    return blocks


def render(raw: object) -> str:
    """A YAML description as dbt shows it: doc references replaced by their blocks (an
    unknown one is left as written), whitespace normalised."""
    if not isinstance(raw, str):
        return ""
    blocks = doc_blocks()
    return normalise(DOC_REF.sub(lambda m: blocks.get(m.group(1), m.group(0)), raw))


def mart_yaml_files() -> list[Path]:
    return sorted({path for pattern in YAML_PATTERNS for path in MARTS_DIR.rglob(pattern)})


def mart_model_files() -> list[Path]:
    return sorted(p for p in MARTS_DIR.rglob("*") if p.is_file() and p.suffix in MODEL_SUFFIXES)


def parse_mart(entry: dict[str, object], yaml_path: Path) -> Mart:
    columns = entry.get("columns") or []
    assert isinstance(columns, list), f"{yaml_path}: {entry.get('name')}: columns is not a list"
    return Mart(
        name=str(entry["name"]),
        yaml_path=yaml_path,
        description=render(entry.get("description")),
        columns=tuple(
            Column(
                name=str(column["name"]),
                raw_description=normalise(str(column.get("description") or "")),
                description=render(column.get("description")),
            )
            for column in columns
        ),
    )


@cache
def marts() -> tuple[Mart, ...]:
    """Every `models:` entry of every mart YAML file, in file order."""
    found: list[Mart] = []
    for path in mart_yaml_files():
        document = yaml.safe_load(path.read_text()) or {}
        found.extend(parse_mart(entry, path) for entry in document.get("models") or [])
    return tuple(found)


def require_enough(found: tuple[Mart, ...]) -> None:
    """Guard against a vacuous pass (marts moved where this test does not look)."""
    n_columns = sum(len(mart.columns) for mart in found)
    assert len(found) >= MIN_MARTS, f"only {len(found)} marts found under {MARTS_DIR}"
    assert n_columns >= MIN_COLUMNS, f"only {n_columns} mart columns found under {MARTS_DIR}"


def relative(path: Path) -> str:
    return str(path.relative_to(REPO))


def columns_by_name(found: tuple[Mart, ...]) -> dict[str, list[tuple[Mart, Column]]]:
    """Column name (lower case: DuckDB names are case-insensitive) -> (mart, column) pairs."""
    by_name: dict[str, list[tuple[Mart, Column]]] = defaultdict(list)
    for mart in found:
        for column in mart.columns:
            by_name[column.name.lower()].append((mart, column))
    return by_name


def describe_conflict(name: str, uses: list[tuple[Mart, Column]]) -> str:
    """The name, then each of its descriptions with the marts that give it (and how it is
    written in the YAML when that is a doc reference)."""
    marts_by_description: dict[tuple[str, str], list[str]] = defaultdict(list)
    for mart, column in uses:
        marts_by_description[(column.description, column.raw_description)].append(mart.name)
    n_descriptions = len({description for description, _ in marts_by_description})
    lines = [f"{name} ({n_descriptions} descriptions):"]
    for (description, raw), names in sorted(marts_by_description.items()):
        written = "" if raw == description else f" [written: {raw}]"
        lines.append(f"  - {', '.join(names)}: {description or '<none>'}{written}")
    return "\n".join(lines)


def test_marts_and_columns_are_documented_once() -> None:
    found = marts()
    require_enough(found)
    problems: list[str] = []

    entries: dict[str, list[Mart]] = defaultdict(list)
    for mart in found:
        entries[mart.name].append(mart)
    files: dict[str, list[Path]] = defaultdict(list)
    for path in mart_model_files():
        files[path.stem].append(path)

    for name in sorted(entries.keys() | files.keys()):
        yaml_paths = [relative(mart.yaml_path) for mart in entries.get(name, [])]
        model_paths = [relative(path) for path in files.get(name, [])]
        if len(yaml_paths) != 1 or len(model_paths) != 1:
            problems.append(
                f"{name}: {len(model_paths)} model file(s) {model_paths}, "
                f"{len(yaml_paths)} YAML entr(ies) {yaml_paths} (want one of each)"
            )

    for mart in found:
        if not mart.description:
            problems.append(f"{mart.name}: no description")
        seen: set[str] = set()
        for column in mart.columns:
            if column.name.lower() in seen:
                problems.append(f"{mart.name}.{column.name}: listed more than once")
            seen.add(column.name.lower())
            if not column.description:
                problems.append(f"{mart.name}.{column.name}: no description")
            elif DOC_REF.search(column.description):
                problems.append(f"{mart.name}.{column.name}: unknown doc block in description")

    assert not problems, "Undocumented or misdocumented marts:\n" + "\n".join(problems)


def test_a_shared_column_name_has_one_description() -> None:
    found = marts()
    require_enough(found)
    by_name = columns_by_name(found)
    shared = {name: uses for name, uses in by_name.items() if len({m.name for m, _ in uses}) > 1}
    assert len(shared) >= 2, f"only {len(shared)} column names shared by two or more marts"

    conflicts = [
        describe_conflict(name, uses)
        for name, uses in sorted(shared.items())
        if name not in SHARED_NAMES and len({column.description for _, column in uses}) > 1
    ]
    assert not conflicts, (
        f"{len(conflicts)} column name(s) mean different things in different marts: give each "
        "meaning its own name, or one description (see SHARED_NAMES for the exceptions)\n"
        + "\n".join(conflicts)
    )


def test_no_bare_seed_or_data_column() -> None:
    found = marts()
    require_enough(found)
    offenders = [
        f"{mart.name}.{column.name} ({relative(mart.yaml_path)}): "
        f"use {FORBIDDEN_NAMES[column.name.lower()]}"
        for mart in found
        for column in mart.columns
        if column.name.lower() in FORBIDDEN_NAMES
    ]
    assert not offenders, "Bare `seed`/`data` mart columns:\n" + "\n".join(offenders)


def test_layers_read_downward(sample_build: DbtResult) -> None:
    """Each layer reads only the layers below it: loading (the QA hook) reads sources, staging
    reads sources and what loading stored, intermediate models never read a mart. A mart is
    built from the layers below it, and the dimensions from the facts' sources."""
    manifest = json.loads((sample_build.target_path / "manifest.json").read_text())
    models = {
        unique_id: node
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "model"
    }

    def layer(unique_id: str) -> str:
        return str(models[unique_id]["original_file_path"]).split("/")[1]

    below = {
        "loading": {"loading"},
        "staging": {"loading", "staging"},
        "intermediate": {"loading", "staging", "intermediate"},
    }
    assert {layer(unique_id) for unique_id in models} == {*below, "marts"}
    wrong = sorted(
        f"{models[unique_id]['name']} ({layer(unique_id)}) reads {models[parent]['name']}"
        for unique_id in models
        for parent in models[unique_id]["depends_on"]["nodes"]
        if parent in models
        and layer(unique_id) in below
        and layer(parent) not in below[layer(unique_id)]
    )
    assert not wrong, "\n".join(wrong)
