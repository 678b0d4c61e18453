"""The checkpoint dimension on real data: seed roles, `main`, checkpoints, matching tables.

One build of a data root made at run time from ../shared/fixtures (nothing is copied into the
repository):
- wandb/: the six real runs, plus one record derived from the real matched run whose ID
  starts from the checkpoint of the real evaluation lines (Dolma1.7 150M, small aux 3, 38750);
- pretrain/: the real full_eval slice, plus rows derived from it whose perplexities are the
  real ones the matching tables record (530M at step 6250 for small aux 2 and 3; the 150M
  target's final perplexity), so every seed has a different value;
- qa/: the five real prediction lines packed as `dolma1.7/150M/seed-15/step-38750`, and as
  4M default checkpoints at steps 5745 (10 steps after a full_eval step) and 5900 (none near);
- matches/: the real matching tables, and one malformed table.
"""

from __future__ import annotations

import io
import json
import shutil
import tarfile
from pathlib import Path

import duckdb
import pytest
from conftest import SHARED, DbtResult, invoke_dbt

# one worker builds this module's shared data once (conftest: xdist groups)
pytestmark = pytest.mark.xdist_group("checkpoints")

MATCHED = "250912-172812_match_150M_c4_finetune_100Mtx1_DD-d17-530M-6250-2"
MAIN_RUN = "2025_08_21-08_24_43_test_finetune_DD-dolma1_7-4M_main_1Mtx1_--learning_rate=5e-07"
DERIVED_RUN = "250913-090000_match_60M_c4_finetune_10Mtx1_DD-d17-150M-38750-2"
REAL_MATCHES = SHARED / "fixtures" / "real_matched_models"
REAL_LINES = SHARED / "fixtures" / "real_eval_instances" / "arc_easy-predictions.jsonl"
TARGET_TABLE = REAL_MATCHES / "dolma1_7/150M/default/37500.0/perf_matches_ppl_c4_en-validation.json"
SEED_150M_AUX3_ARC_EASY = 0.61  # the derived full_eval value the instance means are set beside


def step_tarball(path: Path, step: int, predictions: bytes) -> None:
    """A step tarball as published: `step-<S>/arc_easy-predictions.jsonl`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w:gz") as archive:
        member = tarfile.TarInfo(f"step-{step}/arc_easy-predictions.jsonl")
        member.size = len(predictions)
        archive.addfile(member, io.BytesIO(predictions))


def target_entry(role: str) -> dict[str, float]:
    table = json.loads(TARGET_TABLE.read_text())
    return dict(table["dolma1_7"]["530M"][role])


def write_full_eval(upstream: Path, out: Path) -> None:
    """The real slice plus derived rows whose perplexities come from the real matching table."""
    aux2, aux3 = target_entry("small aux 2"), target_entry("small aux 3")
    default = target_entry("default")
    target_ppl = default["matched_score"] - default["score_diff"]
    source = f"read_parquet('{upstream / 'pretrain_metrics_sample.parquet'}')"
    ckpt_row = f"from {source} where params = '530M' and data = 'Dolma1.7' and step = 6250"
    out.parent.mkdir(parents=True)
    duckdb.sql(
        f"""
        copy (
            select * from {source}
            union all by name
            select * replace (1 as seed, {aux2["matched_score"]} as "c4_en-valppl") {ckpt_row}
            union all by name
            select * replace (2 as seed, {aux3["matched_score"]} as "c4_en-valppl") {ckpt_row}
            union all by name
            select * replace ('Dolma1.7' as data, 37500.0 as step, {target_ppl} as "c4_en-valppl")
            from {source} where params = '150M' and data = 'C4' and step = 10000
            union all by name
            select * replace (
                '150M' as params, 2 as seed, 38750.0 as step,
                {SEED_150M_AUX3_ARC_EASY} as arc_easy_acc_raw
            ) {ckpt_row}
        ) to '{out}' (format parquet)
        """
    )


def write_runs(upstream: Path, wandb: Path) -> None:
    wandb.mkdir(parents=True)
    shutil.copy(upstream / "wandb_runs_sample.parquet", wandb)
    duckdb.sql(
        f"""
        copy (
            select * replace ('{DERIVED_RUN}' as run_id, '{DERIVED_RUN}' as run_name)
            from read_parquet('{upstream / "wandb_runs_sample.parquet"}')
            where run_id = '{MATCHED}'
        ) to '{wandb / "wandb_runs_derived.parquet"}' (format parquet)
        """
    )


@pytest.fixture(scope="module")
def real_build(upstream_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> DbtResult:
    work = tmp_path_factory.mktemp("checkpoints")
    data = work / "data"
    write_runs(upstream_dir, data / "wandb")
    write_full_eval(upstream_dir, data / "pretrain" / "full_eval.parquet")
    lines = REAL_LINES.read_bytes()
    step_tarball(data / "qa/dolma1.7/150M/seed-15/step-38750.tar.gz", 38750, lines)
    step_tarball(data / "qa/dolma1.7/4M/seed-2/step-5745.tar.gz", 5745, lines)
    step_tarball(data / "qa/dolma1.7/4M/seed-2/step-5900.tar.gz", 5900, lines)
    shutil.copytree(REAL_MATCHES, data / "matches", ignore=shutil.ignore_patterns("*.md"))
    bad = data / "matches/dolma1_7/4M/default/5725.0/perf_matches_ppl_pile-validation.json"
    bad.parent.mkdir(parents=True)
    bad.write_text('{"dolma1_7": {"4M": {"default": {"matched_step": 57')
    result = invoke_dbt(["build"], data, work / "warehouse.duckdb", work)
    assert result.returncode == 0, result.output[-5000:]
    return result


def one(build: DbtResult, sql: str) -> tuple[object, ...]:
    rows = build.query(sql)
    assert len(rows) == 1, (sql, rows)
    return rows[0]


def test_real_matched_run_has_seed_role_small_aux_3(real_build: DbtResult) -> None:
    row = one(
        real_build,
        "select run_id_seed_index, start_seed_role, start_step_as_named, start_step from runs"
        f" where run_id = '{MATCHED}'",
    )
    assert row == (2, "small aux 3", "6250", 6250)


def test_matched_finetune_reads_the_checkpoints_own_seed(real_build: DbtResult) -> None:
    row = one(
        real_build,
        "select start_full_eval_seed, ckpt_metric_step, ckpt_metric_value,"
        " comparison_metric_value, expected_start_step, start_step_agrees"
        f" from matched_finetune where run_id = '{MATCHED}'",
    )
    aux3, default = target_entry("small aux 3"), target_entry("default")
    assert row[0] == 2
    assert row[1] == 6250
    # full_eval seed 2's value, which differs from the default seed's at the same step
    assert row[2] == pytest.approx(aux3["matched_score"])
    assert row[2] != pytest.approx(default["matched_score"])
    assert row[3] == pytest.approx(default["matched_score"] - default["score_diff"])
    # the real matching table of the 150M target names step 6250 for 530M small aux 3
    assert row[4] == 6250
    assert row[5] is True


def test_main_resolves_to_final_step_and_default_role(real_build: DbtResult) -> None:
    row = one(
        real_build,
        f"select start_seed_role, start_step_as_named, start_step from runs"
        f" where run_id = '{MAIN_RUN}'",
    )
    assert row == ("default", "main", 5725)  # 4M's final step (real_matched_models README)
    checkpoint = one(
        real_build,
        "select has_full_eval, full_eval_step, is_final_step, n_finetune_runs > 0, hf_revision"
        " from checkpoints where recipe = 'Dolma1.7' and params = '4M'"
        " and seed_role = 'default' and step = 5725",
    )
    assert checkpoint == (True, 5725, True, True, "step5725-seed-default")


def test_qa_near_a_full_eval_step_is_measured_there(real_build: DbtResult) -> None:
    rows = real_build.query(
        "select step, has_qa, has_full_eval, full_eval_step, full_eval_step_offset"
        " from checkpoints where recipe = 'Dolma1.7' and params = '4M' and step in (5745, 5900)"
        " order by step"
    )
    # 5745 is 10 steps after full_eval's 5735 and 20 after 5725: the nearer one wins
    assert rows == [(5745, True, False, 5735, 10), (5900, True, False, None, None)]


def test_qa_beyond_the_tolerance_is_listed_by_a_warning(real_build: DbtResult) -> None:
    (result,) = [
        r
        for r in real_build.run_results()
        if str(r["unique_id"]).endswith("dq_checkpoints_without_full_eval_step")
    ]
    assert result["status"] == "warn"
    compiled = next(
        (real_build.target_path / "compiled").rglob("dq_checkpoints_without_full_eval_step.sql")
    )
    listed = real_build.query(compiled.read_text())
    assert ("Dolma1.7", "4M", "default", 5900) in {row[:4] for row in listed}
    assert ("Dolma1.7", "4M", "default", 5745) not in {row[:4] for row in listed}
    assert result["failures"] == len(listed)


def test_one_checkpoint_where_full_eval_qa_and_a_run_meet(real_build: DbtResult) -> None:
    rows = real_build.query(
        "select has_full_eval, has_qa, n_finetune_runs, full_eval_step, hf_model, hf_revision"
        " from checkpoints where recipe = 'Dolma1.7' and params = '150M'"
        " and seed_role = 'small aux 3' and step = 38750"
    )
    assert rows == [
        (
            True,
            True,
            1,
            38750,
            "allenai/DataDecide-dolma1_7-150M",
            "step38750-seed-small-aux-3",
        )
    ]
    # every source joins on the same key: the QA folder seed-15, full_eval seed 2, the run
    assert one(
        real_build,
        "select count(*) from qa_instances"
        " where qa_folder_seed = 15 and step = 38750 and params = '150M'",
    ) == (5,)
    assert one(
        real_build,
        f"select start_seed_role, start_step from runs where run_id = '{DERIVED_RUN}'",
    ) == ("small aux 3", 38750)


def test_qa_checkpoint_scores_beside_full_eval(real_build: DbtResult) -> None:
    lines = [json.loads(line) for line in REAL_LINES.read_text().splitlines()]
    expected = {
        metric: sum(line["metrics"][metric] for line in lines) / len(lines)
        for metric in ("acc_raw", "acc_per_token", "acc_per_char", "acc_uncond")
    }
    rows = real_build.query(
        "select metric, n_questions, qa_mean, full_eval_step, full_eval_value, difference"
        " from qa_checkpoint_scores where recipe = 'Dolma1.7' and params = '150M'"
        " and seed_role = 'small aux 3' and step = 38750 and task = 'arc_easy'"
    )
    by_metric = {row[0]: row[1:] for row in rows}
    assert set(by_metric) == set(expected)  # no per-byte or *_corr in the real lines
    for metric, mean in expected.items():
        assert by_metric[metric][0] == 5
        assert by_metric[metric][1] == pytest.approx(mean)
        assert by_metric[metric][2] == 38750
    assert by_metric["acc_raw"][3] == pytest.approx(SEED_150M_AUX3_ARC_EASY)
    assert by_metric["acc_raw"][4] == pytest.approx(expected["acc_raw"] - SEED_150M_AUX3_ARC_EASY)


def test_checkpoint_matches_hold_every_real_entry(real_build: DbtResult) -> None:
    entries = 0
    for path in REAL_MATCHES.rglob("perf_matches_ppl_*-validation.json"):
        table = json.loads(path.read_text())
        entries += sum(len(roles) for sizes in table.values() for roles in sizes.values())
    assert one(real_build, "select count(*) from checkpoint_matches") == (entries,)
    row = one(
        real_build,
        "select matched_step, matched_score from checkpoint_matches"
        " where target_recipe = 'Dolma1.7' and target_params = '150M'"
        " and target_seed_role = 'default' and target_step = 37500"
        " and perplexity_set = 'c4_en' and candidate_recipe = 'Dolma1.7'"
        " and candidate_params = '530M' and candidate_seed_role = 'small aux 3'",
    )
    assert row == (6250, pytest.approx(target_entry("small aux 3")["matched_score"]))
    unknown = real_build.query(
        "select distinct candidate_match_key from checkpoint_matches"
        " where candidate_recipe = candidate_match_key"
    )
    assert unknown == []  # every real recipe key has a canonical name


def test_malformed_matching_table_is_a_reject(real_build: DbtResult) -> None:
    rejects = real_build.query(
        "select source_file, reason, action from ingest_rejects where source_name = 'matches'"
    )
    assert len(rejects) == 1
    assert rejects[0][0].endswith("4M/default/5725.0/perf_matches_ppl_pile-validation.json")
    assert rejects[0][1].startswith("not a matching table")
    assert rejects[0][2] == "dropped"
    counts = one(
        real_build,
        "select sum(records_read), sum(records_rejected), sum(records_used)"
        " from ingest_source_counts where source_name = 'matches'",
    )
    files = len(list(REAL_MATCHES.rglob("*.json")))
    assert counts == (files + 1, 1, files)


def test_real_data_confirms_index_0_is_the_default_role(real_build: DbtResult) -> None:
    """The real full_eval slice's seed 0 has the perplexity the real matching table gives the
    default role (530M, step 6250, c4_en): seed_roles' index 0 = default is confirmed."""
    (full_eval_value,) = one(
        real_build,
        "select pretrain_metrics.value from pretrain_metrics"
        " inner join seeds.seed_roles on pretrain_metrics.full_eval_seed = seed_roles.seed_index"
        " where seed_roles.seed_role = 'default' and params = '530M' and recipe = 'Dolma1.7'"
        " and step = 6250 and metric_label = 'c4_en-valppl'",
    )
    (matched_score,) = one(
        real_build,
        "select matched_score from checkpoint_matches where target_params = '150M'"
        " and target_seed_role = 'default'"
        " and target_step = 37500 and perplexity_set = 'c4_en' and candidate_params = '530M'"
        " and candidate_recipe = 'Dolma1.7' and candidate_seed_role = 'default'",
    )
    assert full_eval_value == pytest.approx(matched_score, rel=1e-12)
