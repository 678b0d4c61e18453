"""DataDecide's published result datasets as a source, on the real published files (../shared):
the scaling-law fits read from a `--local-dir` download and from the Hugging Face cache layout
at once, with a broken row and an unknown setup planted in a copy; the eval-results and
ppl-results as pretrain_metrics, alone (every value equal to the real full_eval's) and beside
full_eval (one row per key)."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
import yaml
from conftest import MODELS_AND_SEEDS, REPO, SHARED, DbtResult, invoke_dbt

# one worker builds the module's fixture once
pytestmark = pytest.mark.xdist_group("datadecide")

PUBLISHED = SHARED / "fixtures" / "datadecide_published"
FITS = "DataDecide-eval-results/data/scaling_law_fit-00000-of-00001.parquet"
TRAIN = "DataDecide-eval-results/data/train-00000-of-00004.parquet"
FULL_EVAL = SHARED / "fixtures" / "upstream_dr_ingest" / "pretrain_metrics_sample.parquet"
# full_eval's metric columns, as the project selects them
METRIC_COLUMNS = yaml.safe_load((REPO / "dbt_project.yml").read_text())["vars"][
    "pretrain_metric_columns"
]
# The raw data-mix names of DataDecide's published datasets beside the display names its
# release script gives them (allenai/DataDecide, release/upload_eval.py).
MIX_DISPLAY_NAMES = {
    "dolma17": "Dolma1.7",
    "no_code": "Dolma1.7 (no code)",
    "no_math_no_code": "Dolma1.7 (no math, code)",
    "no_reddit": "Dolma1.7 (no Reddit)",
    "no_flan": "Dolma1.7 (no Flan)",
    "dolma-v1-6-and-sources-baseline": "Dolma1.6++",
    "c4": "C4",
    "prox_fineweb_pro": "FineWeb-Pro",
    "fineweb_edu_dedup": "FineWeb-Edu",
    "falcon": "Falcon",
    "falcon_and_cc": "Falcon+CC",
    "falcon_and_cc_eli5_oh_top10p": "Falcon+CC (QC 10%)",
    "falcon_and_cc_eli5_oh_top20p": "Falcon+CC (QC 20%)",
    "falcon_and_cc_og_eli5_oh_top10p": "Falcon+CC (QC Orig 10%)",
    "falcon_and_cc_tulu_qc_top10": "Falcon+CC (QC Tulu 10%)",
    "DCLM-baseline": "DCLM-Baseline",
    "dolma17-75p-DCLM-baseline-25p": "DCLM-Baseline 25% / Dolma 75%",
    "dolma17-50p-DCLM-baseline-50p": "DCLM-Baseline 50% / Dolma 50%",
    "dolma17-25p-DCLM-baseline-75p": "DCLM-Baseline 75% / Dolma 25%",
    "dclm_ft7percentile_fw2": "DCLM-Baseline (QC 7%, FW2)",
    "dclm_ft7percentile_fw3": "DCLM-Baseline (QC 7%, FW3)",
    "dclm_fw_top10": "DCLM-Baseline (QC FW 10%)",
    "dclm_fw_top3": "DCLM-Baseline (QC FW 3%)",
    "pos_eli5_oh_neg_dclm_refinedweb_steps_2000_lr3e4_top10p": "DCLM-Baseline (QC 10%)",
    "pos_eli5_oh_neg_dclm_refinedweb_steps_2000_lr3e4_top20p": "DCLM-Baseline (QC 20%)",
}


@dataclass(frozen=True)
class PublishedBuilds:
    alone: DbtResult  # the published files only
    with_full_eval: DbtResult  # the same files beside the real full_eval sample


@pytest.fixture(scope="module")
def published_builds(tmp_path_factory: pytest.TempPathFactory) -> PublishedBuilds:
    if not PUBLISHED.is_dir() or not FULL_EVAL.is_file():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but {PUBLISHED} is missing")
        pytest.skip(f"{PUBLISHED} not present on this clone")
    work = tmp_path_factory.mktemp("datadecide_published")
    root = work / "data" / "datadecide"
    # as `huggingface-cli download --local-dir`
    shutil.copytree(PUBLISHED / "DataDecide-eval-results", root / "DataDecide-eval-results")
    shutil.copytree(PUBLISHED / "DataDecide-ppl-results", root / "DataDecide-ppl-results")
    # as the Hugging Face cache: the snapshot's files are symlinks to blobs
    cache = root / "hub" / "datasets--allenai--DataDecide-eval-results"
    blob = cache / "blobs" / "0f1e2d"
    blob.parent.mkdir(parents=True)
    shutil.copy(PUBLISHED / FITS, blob)
    link = cache / "snapshots" / "a1b2c3" / "data" / Path(FITS).name
    link.parent.mkdir(parents=True)
    link.symlink_to(os.path.relpath(blob, link.parent))
    # a third shard with a row that has no setup and a setup the grammar does not know
    broken = root / "other" / "data" / "scaling_law_fit-00000-of-00001.parquet"
    broken.parent.mkdir(parents=True)
    con = duckdb.connect()
    con.execute(
        f"""copy (
            select * replace (case when row_number() over () = 1 then null else setup end as setup)
            from (select * from '{PUBLISHED / FITS}' limit 2)
            union all
            select * replace ('4_param-default' as setup)
            from (select * from '{PUBLISHED / FITS}' limit 1)
        ) to '{broken}' (format parquet)"""
    )
    # and an eval-results row whose metrics text is cut short
    truncated = root / "other" / "data" / "train-00000-of-00001.parquet"
    con.execute(
        f"""copy (
            select * replace (left(metrics, 40) as metrics) from '{PUBLISHED / TRAIN}' limit 1
        ) to '{truncated}' (format parquet)"""
    )
    con.close()
    alone = invoke_dbt(["build"], work / "data", work / "alone.duckdb", work / "alone")
    assert alone.returncode == 0, alone.output[-5000:]
    (work / "data" / "pretrain").mkdir()
    shutil.copy(FULL_EVAL, work / "data" / "pretrain" / "full_eval.parquet")
    both = invoke_dbt(MODELS_AND_SEEDS, work / "data", work / "both.duckdb", work / "both")
    assert both.returncode == 0, both.output[-5000:]
    return PublishedBuilds(alone, both)


@pytest.fixture(scope="module")
def published_build(published_builds: PublishedBuilds) -> DbtResult:
    return published_builds.alone


def test_every_published_fit_once_with_its_setup_parsed(published_build: DbtResult) -> None:
    published = duckdb.sql(f"select count(*) from '{PUBLISHED / FITS}'").fetchone()
    assert published is not None and published[0] == 300
    rows = published_build.query(
        "select setup, fit_form, is_one_step, is_ai2, heldout_params, step2_fraction, count(*)"
        " from scaling_law_fits where setup != '4_param-default' group by all order by 1"
    )
    assert rows == [
        ("3_param-default", "3_param", False, False, ["1B"], 0.9, 150),
        ("5_param-1_step-ai2", "5_param", True, True, ["1B"], 0.9, 150),
    ]
    # the values are carried as published
    same = published_build.query(
        f"""select count(*) from scaling_law_fits as fits
        inner join '{PUBLISHED / FITS}' as published
            on fits.task = published.task and fits.mix = published.mix
            and fits.fit_metric = published.metric and fits.setup = published.setup
        where fits.stacked_predicted is not distinct from published.stacked_pred
            and fits.step_1_true is not distinct from published.step_1_y
            and fits.stacked_rel_error is not distinct from published.rel_error_stacked"""
    )
    assert same == [(300,)]


def test_copies_are_superseded_and_bad_rows_are_rejects(published_build: DbtResult) -> None:
    counts = published_build.query(
        "select sum(records_read), sum(records_rejected), sum(records_superseded),"
        " sum(records_used) from ingest_source_counts"
        " where source_name = 'datadecide_scaling_law_fits'"
    )
    # 300 (local dir) + 300 (cache) + 3 (planted); one planted row is a copy of a published key
    assert counts == [(603, 1, 301, 301)]
    rejects = published_build.query(
        "select source_name, reason from ingest_rejects where source_name like 'datadecide%'"
        " order by all"
    )
    assert rejects == [
        ("datadecide_eval_results", "metrics is neither a dict literal nor JSON of numbers"),
        ("datadecide_scaling_law_fits", "scaling-law fit without its task, mix, metric or setup"),
    ]
    unknown = published_build.query(
        "select setup, fit_form, heldout_params from scaling_law_fits where fit_form is null"
    )
    assert unknown == [("4_param-default", None, None)]


def test_every_published_mix_name_maps_like_its_display_name(published_build: DbtResult) -> None:
    pairs = ", ".join(f"('{mix}', '{display}')" for mix, display in MIX_DISPLAY_NAMES.items())
    rows = published_build.query(
        f"""with names (mix, display_name) as (values {pairs}),
        spelled as (
            -- matched as the warehouse matches spellings: case, '-', '_', ' ' and '/' alike
            select recipe, regexp_replace(lower(unnest(spellings)), '[-_ /]', '_', 'g') as spelling
            from recipes
        ),
        mapped as (
            select
                names.mix,
                (select any_value(recipe) from spelled
                 where spelling = regexp_replace(lower(names.mix), '[-_ /]', '_', 'g'))
                    as mix_recipe,
                (select any_value(recipe) from spelled
                 where spelling = regexp_replace(lower(names.display_name), '[-_ /]', '_', 'g'))
                    as display_recipe
            from names
        )
        select mix, mix_recipe, display_recipe from mapped
        where mix_recipe is null or mix_recipe is distinct from display_recipe"""
    )
    assert rows == []
    fitted = published_build.query("select distinct mix, recipe from scaling_law_fits")
    assert fitted == [("DCLM-baseline", "DCLM-Baseline")]


def full_eval_values(build: DbtResult) -> str:
    """The real full_eval sample in pretrain_metrics' long form (seed number -> role), as SQL."""
    return f"""
        with sample as (
            unpivot (select * exclude (filename) from read_parquet('{FULL_EVAL}', filename = true))
            on columns('{METRIC_COLUMNS}')
            into name full_eval_column value value
        )
        select
            sample.params, sample.data, roles.seed_role, cast(sample.step as bigint) as step,
            sample.full_eval_column, cast(sample.value as double) as value
        from sample
        inner join seeds.seed_roles as roles on sample.seed = roles.seed_index
        where isfinite(cast(sample.value as double))
    """


def test_published_files_alone_give_full_eval_values(published_build: DbtResult) -> None:
    compared = published_build.query(
        f"""with expected as ({full_eval_values(published_build)})
        select
            count(*) as keys,
            count(expected.value) as in_full_eval,
            count(*) filter (
                where abs(metrics.value - expected.value)
                    > 1e-12 * greatest(1, abs(expected.value))
            ) as different
        from pretrain_metrics as metrics
        left join expected
            on metrics.params = expected.params and metrics.recipe = expected.data
            and metrics.seed_role = expected.seed_role and metrics.step = expected.step
            and metrics.full_eval_column = expected.full_eval_column
        where not starts_with(metrics.full_eval_column, 'olmes_10_macro_avg_')"""
    )
    keys, in_full_eval, different = compared[0]
    # every published value is a full_eval value, and equal to it
    assert keys > 30_000 and in_full_eval == keys and different == 0, compared
    # and full_eval has no value of these checkpoints that the published files lack
    missing = published_build.query(
        f"""with expected as ({full_eval_values(published_build)})
        select count(*) from expected
        anti join pretrain_metrics as metrics
            on metrics.params = expected.params and metrics.recipe = expected.data
            and metrics.seed_role = expected.seed_role and metrics.step = expected.step
            and metrics.full_eval_column = expected.full_eval_column"""
    )
    assert missing == [(0,)]
    # the checkpoints dimension knows them as full_eval checkpoints
    orphans = published_build.query(
        "select count(*) from pretrain_metrics"
        " where checkpoint_id not in (select checkpoint_id from checkpoints)"
    )
    assert orphans == [(0,)]


def test_published_files_beside_full_eval_give_one_row_per_key(
    published_builds: PublishedBuilds,
) -> None:
    alone = published_builds.alone.query("select count(*) from pretrain_metrics")
    both = published_builds.with_full_eval.query(
        "select count(*), count(distinct (checkpoint_id, full_eval_column)),"
        " count(*) filter (where list_contains(value_sources, 'full_eval')"
        " and len(value_sources) > 1)"
        " from pretrain_metrics"
    )
    assert both[0][0] == both[0][1] == alone[0][0]
    assert both[0][2] > 30_000  # the keys both sources have, kept once
    disagreeing = published_builds.with_full_eval.query(
        "select count(*) from pretrain_metrics where value_sources = ['full_eval']"
    )
    assert disagreeing == [(0,)]
