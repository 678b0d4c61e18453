"""Inputs as researchers have them: symlinked exports, and history timestamps of every form.

Three builds of the same inputs, laid out three ways and built under three time zones:
real files (TZ=UTC), a tree of symlinked files with a link back to the data root (a cycle,
TZ=America/Los_Angeles), and symlinked folders (TZ=Asia/Kolkata). The warehouse must be the
same. The history includes an older export's naive datetimes (a Parquet TIMESTAMP column and
naive ISO text), read as UTC whatever TZ is. The parsing of each timestamp form is the dbt unit
test `stg_wandb__history_jsonl_types_every_timestamp_form`.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import duckdb
import pytest
from conftest import MODELS_AND_SEEDS, REPO, DbtResult, RunDbt

from python_hooks.data_files import find_files
from python_hooks.qa_extract import find_archives

RUNS = "wandb_runs_sample.parquet"
HISTORY = "wandb_history_sample.parquet"
PRETRAIN = "pretrain_metrics_sample.parquet"
NAIVE_PARQUET_STEP = 900_001
NAIVE_TEXT_STEP = 900_002
MARTS = (
    "checkpoint_matches",
    "checkpoints",
    "history",
    "ingest_rejects",
    "matched_finetune",
    "pretrain_checkpoints",
    "pretrain_metrics",
    "qa_checkpoint_scores",
    "qa_choices",
    "qa_instances",
    "qa_task_evals",
    "run_configs",
    "run_eval_metrics",
    "run_history_summary",
    "runs",
)


def write_naive_history(folder: Path, run_id: str) -> list[Path]:
    """An older export's history: a flat Parquet with a naive TIMESTAMP column, and
    exporter-form JSONL with naive ISO text. Both mean 2025-08-19 14:58:36(.5) UTC."""
    folder.mkdir(parents=True)
    parquet = folder / "older_history.parquet"
    connection = duckdb.connect()
    try:
        connection.execute(
            "copy (select ? as run_id, ?::bigint as step,"
            " timestamp '2025-08-19 14:58:36.5' as timestamp, 12.5 as runtime,"
            " 0.25 as train_loss) to '" + str(parquet) + "' (format parquet)",
            [run_id, NAIVE_PARQUET_STEP],
        )
    finally:
        connection.close()
    jsonl = folder / "older_history.jsonl"
    entry = {
        "run_id": run_id,
        "step": NAIVE_TEXT_STEP,
        "timestamp": "2025-08-19 14:58:36",
        "runtime": 13.0,
        "metrics": {"train_loss": 0.2},
    }
    jsonl.write_text(json.dumps(entry) + "\n")
    return [parquet, jsonl]


def first_run_id(upstream_dir: Path) -> str:
    connection = duckdb.connect()
    try:
        row = connection.execute(
            "select min(run_id) from read_parquet(?)", [str(upstream_dir / RUNS)]
        ).fetchone()
    finally:
        connection.close()
    assert row is not None
    return str(row[0])


def lay_real_files(root: Path, upstream_dir: Path, older: list[Path]) -> None:
    """Every input a real file (copies keep their modification times)."""
    (root / "wandb" / "older").mkdir(parents=True)
    (root / "pretrain").mkdir()
    for name in (RUNS, HISTORY):
        shutil.copy2(upstream_dir / name, root / "wandb" / name)
    for path in older:
        shutil.copy2(path, root / "wandb" / "older" / path.name)
    shutil.copy2(upstream_dir / PRETRAIN, root / "pretrain" / PRETRAIN)
    shutil.copytree(REPO / "sample_data" / "matches", root / "matches", copy_function=shutil.copy2)
    shutil.copytree(REPO / "sample_data" / "qa", root / "qa", copy_function=shutil.copy2)


def lay_symlinked_files(root: Path, upstream_dir: Path, older: list[Path]) -> None:
    """Real folders, every file a symlink; plus a link from inside wandb/ to the data root."""
    (root / "wandb" / "older").mkdir(parents=True)
    (root / "pretrain").mkdir()
    for name in (RUNS, HISTORY):
        (root / "wandb" / name).symlink_to(upstream_dir / name)
    for path in older:
        (root / "wandb" / "older" / path.name).symlink_to(path)
    (root / "pretrain" / PRETRAIN).symlink_to(upstream_dir / PRETRAIN)
    for tree in ("matches", "qa"):
        source = REPO / "sample_data" / tree
        for path in sorted(source.rglob("*")):
            target = root / tree / path.relative_to(source)
            if path.is_dir():
                target.mkdir(parents=True, exist_ok=True)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.symlink_to(path)
    # a cycle: walking it naively would read every export again, forever
    (root / "wandb" / "loop").symlink_to(root, target_is_directory=True)


def lay_symlinked_folders(
    root: Path, elsewhere: Path, upstream_dir: Path, older_folder: Path
) -> None:
    """wandb/ and pretrain/ are links to folders elsewhere (holding links to the exports),
    wandb/older/ a link to a folder, matches/ and qa/ links to the sample's folders."""
    exports = elsewhere / "wandb_exports"
    exports.mkdir(parents=True)
    for name in (RUNS, HISTORY):
        (exports / name).symlink_to(upstream_dir / name)
    (exports / "older").symlink_to(older_folder, target_is_directory=True)
    pretrain = elsewhere / "pretrain_exports"
    pretrain.mkdir()
    (pretrain / PRETRAIN).symlink_to(upstream_dir / PRETRAIN)
    root.mkdir()
    (root / "wandb").symlink_to(exports, target_is_directory=True)
    (root / "pretrain").symlink_to(pretrain, target_is_directory=True)
    (root / "matches").symlink_to(REPO / "sample_data" / "matches", target_is_directory=True)
    (root / "qa").symlink_to(REPO / "sample_data" / "qa", target_is_directory=True)


def warehouse(result: DbtResult) -> dict[str, object]:
    """What must not depend on the layout or TZ: mart row counts, runs and history."""
    runs = result.query(
        "select * exclude (source_file) replace (epoch(last_logged_at) as last_logged_at)"
        " from runs order by run_id"
    )
    history = result.query(
        "select run_id, step, logged_at, runtime, train_loss, learning_rate, total_tokens"
        " from history order by run_id, step"
    )
    counts = {name: result.query(f"select count(*) from {name}")[0][0] for name in MARTS}
    return {"counts": counts, "runs": runs, "history": history}


def test_symlinked_files_and_folders_build_the_same_warehouse_in_any_time_zone(
    run_dbt: RunDbt, tmp_path: Path, upstream_dir: Path
) -> None:
    older = write_naive_history(tmp_path / "older_exports", first_run_id(upstream_dir))
    roots = {
        "real": tmp_path / "real",
        "file_links": tmp_path / "file_links",
        "folder_links": tmp_path / "folder_links",
    }
    lay_real_files(roots["real"], upstream_dir, older)
    lay_symlinked_files(roots["file_links"], upstream_dir, older)
    lay_symlinked_folders(
        roots["folder_links"], tmp_path / "elsewhere", upstream_dir, older[0].parent
    )
    zones = {"real": "UTC", "file_links": "America/Los_Angeles", "folder_links": "Asia/Kolkata"}

    built = {}
    for name, root in roots.items():
        result = run_dbt(
            MODELS_AND_SEEDS, root, db_name=f"{name}.duckdb", extra_env={"TZ": zones[name]}
        )
        assert result.returncode == 0, result.output[-5000:]
        assert "no input files" not in result.output
        for source in ("run_export_parquet", "history_export", "full_eval", "match_table"):
            assert f"{source}" not in " ".join(
                line for line in result.output.splitlines() if "is empty" in line
            ), (name, source)
        built[name] = result

    # the symlinked exports are read under their paths inside the data root (stable paths
    # for loading by file), each once: the cycle added nothing
    files = built["file_links"].query("select distinct source_file from runs")
    assert files == [(str(roots["file_links"] / "wandb" / RUNS),)]
    files = built["folder_links"].query("select distinct source_file from history order by 1")
    assert [row[0] for row in files] == [
        str(roots["folder_links"] / "wandb" / path)
        for path in ("older/older_history.jsonl", "older/older_history.parquet", HISTORY)
    ]

    expected = warehouse(built["real"])
    assert len(expected["runs"]) == 6
    assert expected["counts"]["pretrain_metrics"] > 0
    assert expected["counts"]["checkpoint_matches"] > 0
    assert expected["counts"]["qa_instances"] > 0
    for name in ("file_links", "folder_links"):
        assert warehouse(built[name]) == expected, name

    # the older export's naive datetimes read as UTC in every zone
    for name, result in built.items():
        naive = result.query(
            f"select step, logged_at from history where step >= {NAIVE_PARQUET_STEP} order by 1"
        )
        assert naive == [
            (NAIVE_PARQUET_STEP, dt.datetime(2025, 8, 19, 14, 58, 36, 500_000)),
            (NAIVE_TEXT_STEP, dt.datetime(2025, 8, 19, 14, 58, 36)),
        ], name


# --- the walk itself (no build) -----------------------------------------------------------


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """root/wandb with a real file, a symlinked file, a symlinked folder, two links to one
    file, a link to the root (a cycle), a broken link and a hidden file."""
    root = tmp_path / "root"
    outside = tmp_path / "outside"
    (outside / "deep").mkdir(parents=True)
    (outside / "deep" / "b_runs.jsonl").write_text("{}\n")
    (outside / "c_runs.jsonl").write_text("{}\n")
    (root / "wandb" / "sub").mkdir(parents=True)
    (root / "wandb" / "a_runs.jsonl").write_text("{}\n")
    (root / "wandb" / ".hidden_runs.jsonl").write_text("{}\n")
    (root / "wandb" / "linked_runs.jsonl").symlink_to(outside / "c_runs.jsonl")
    (root / "wandb" / "sub" / "same_runs.jsonl").symlink_to(outside / "c_runs.jsonl")
    (root / "wandb" / "linked_folder").symlink_to(outside, target_is_directory=True)
    (root / "wandb" / "loop").symlink_to(root, target_is_directory=True)
    (root / "wandb" / "broken_runs.jsonl").symlink_to(tmp_path / "gone.jsonl")
    return root


def test_walk_follows_links_once_and_matches_like_duckdb(tree: Path) -> None:
    wandb = tree / "wandb"
    found = find_files(f"{tree}/wandb/**/*runs*.jsonl")
    # outside/c_runs.jsonl is reached three ways (two links and the linked folder): listed
    # once, under the first path in sorted walk order; the loop and the broken link add nothing
    assert found == [
        f"{wandb}/.hidden_runs.jsonl",
        f"{wandb}/a_runs.jsonl",
        f"{wandb}/linked_folder/deep/b_runs.jsonl",
        f"{wandb}/linked_runs.jsonl",
    ]
    # on a tree without links the walk lists what DuckDB's glob lists
    plain = tree.parent / "plain"
    shutil.copytree(REPO / "sample_data", plain)
    connection = duckdb.connect()
    try:
        for pattern in ("wandb/**/*runs*", "matches/**/perf_matches_ppl_*.json", "**", "*/*"):
            glob = f"{plain}/{pattern}"
            rows = connection.execute("select file from glob(?) order by 1", [glob]).fetchall()
            assert find_files(glob) == [row[0] for row in rows], pattern
    finally:
        connection.close()
    assert find_files(f"{tree}/missing/**") == []
    assert find_files(f"{wandb}/a_runs.jsonl") == [f"{wandb}/a_runs.jsonl"]


def test_qa_archives_are_found_through_symlinked_files_and_folders(tmp_path: Path) -> None:
    archives = REPO / "sample_data" / "qa"
    qa_root = tmp_path / "qa"
    (qa_root / "models").mkdir(parents=True)
    for path in sorted(archives.rglob("*.tar.gz")):
        (qa_root / "models" / f"linked-{path.name}").symlink_to(path)
    (qa_root / "folder").symlink_to(archives, target_is_directory=True)
    (qa_root / "loop").symlink_to(qa_root, target_is_directory=True)
    found = [path.relative_to(qa_root).as_posix() for path in find_archives(qa_root)]
    expected_in_folder = sorted(
        f"folder/{path.relative_to(archives).as_posix()}" for path in archives.rglob("*.tar.gz")
    )
    expected_links = sorted(f"models/linked-{path.name}" for path in archives.rglob("*.tar.gz"))
    assert found == sorted(expected_in_folder + expected_links)
