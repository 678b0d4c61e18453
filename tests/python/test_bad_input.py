"""Bad input never stops the build: each kind becomes a row of ingest_rejects, with its file and
reason, while the other records of the same file load.

One build of the sample beside a copy of its files damaged in every way researchers' files
are: a line that is not UTF-8 in a run export, a history export, an oe-eval
`metrics-all.jsonl` and predictions file, a QA predictions member and a metrics member; a
20 MB run record and a 17 MB QA line (over the 16 MB line limit, var max_line_bytes); a QA
member whose name is longer than a file name may be; a matching table that is not UTF-8.
"""

from __future__ import annotations

import gzip
import io
import json
import shutil
import tarfile
from pathlib import Path

import pytest
from conftest import MODELS_AND_SEEDS, REPO, DbtResult, invoke_dbt

pytestmark = pytest.mark.xdist_group("bad_input")

SAMPLE = REPO / "sample_data"
NOT_UTF8 = b"\xff\xfe caf\xe9"
# a run record with a 20 MB config, and a QA line of 17 MB: both over the 16 MB line limit
BIG_RUN_LINE = json.dumps({"run_id": "huge", "config": {"blob": "x" * (20 * 1024 * 1024)}})
BIG_QA_LINE = json.dumps({"doc_id": 97, "pad": "y" * (17 * 1024 * 1024)})
GOOD_RUN = "250101-000000_badinput_good_Ft_DD-dolma1_7-150M-main-2"
NEAR_BIG_RUN = "250101-000000_badinput_after_big_Ft_DD-dolma1_7-150M-main-2"
LONG_NAME = "a" * 3000


def first_line(path: Path) -> dict[str, object]:
    return json.loads(path.read_bytes().split(b"\n", 1)[0])


def with_run_id(record: dict[str, object], run_id: str) -> bytes:
    copy = dict(record, run_id=run_id, run_name=run_id)
    return json.dumps(copy).encode()


def step_tarball(path: Path, members: dict[str, bytes]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    path.write_bytes(gzip.compress(raw.getvalue()))


@pytest.fixture(scope="module")
def bad_build(tmp_path_factory: pytest.TempPathFactory) -> DbtResult:
    work = tmp_path_factory.mktemp("bad_input")
    data = work / "data"
    shutil.copytree(SAMPLE, data)
    runs = first_line(SAMPLE / "wandb" / "wandb_runs_2025_09.jsonl")
    (data / "wandb" / "bad_runs.jsonl").write_bytes(
        b"\n".join(
            [
                with_run_id(runs, GOOD_RUN),
                b'{"run_id": "' + NOT_UTF8 + b'", "config": {}}',
                BIG_RUN_LINE.encode(),
                with_run_id(runs, NEAR_BIG_RUN),
            ]
        )
        + b"\n"
    )
    history = data / "wandb" / "wandb_history_2025_10.jsonl"
    history.write_bytes(history.read_bytes() + b'{"run_id": "' + NOT_UTF8 + b'", "step": 1}\n')
    dump = data / "evals" / "finetuned" / "full_ft_150M"
    metrics = dump / "metrics-all.jsonl"
    metrics.write_bytes(metrics.read_bytes() + b'{"task_name": "' + NOT_UTF8 + b'"}\n')
    predictions = dump / "task-001-arc_easy:rc::olmes-predictions.jsonl"
    predictions.write_bytes(
        predictions.read_bytes() + b'{"doc_id": 99, "x": "' + NOT_UTF8 + b'"}\n'
    )
    qa_lines = (
        (SAMPLE / "evals" / "finetuned" / "full_ft_150M")
        .joinpath("task-001-arc_easy:rc::olmes-predictions.jsonl")
        .read_bytes()
    )
    step_tarball(
        data / "qa" / "dolma1.7" / "150M" / "seed-2" / "step-3000.tar.gz",
        {
            "step-3000/arc_easy-predictions.jsonl": qa_lines
            + b'{"doc_id": 98, "bad": "'
            + NOT_UTF8
            + b'"}\n'
            + BIG_QA_LINE.encode()
            + b"\n",
            "step-3000/boolq-metrics.json": b'{"task_name": "boolq", "x": "' + NOT_UTF8 + b'"}',
            f"step-3000/{LONG_NAME}-predictions.jsonl": qa_lines,
            # a predictions file concatenated with itself: every doc_id twice
            "step-3000/boolq-predictions.jsonl": qa_lines + qa_lines,
        },
    )
    table = next((data / "matches").rglob("perf_matches_ppl_*.json"))
    table.write_bytes(table.read_bytes() + NOT_UTF8)
    result = invoke_dbt(["build"], data, work / "warehouse.duckdb", work)
    assert result.returncode == 0, result.output[-5000:]
    return result


def rejects(result: DbtResult, source_name: str) -> list[tuple[str, str, str]]:
    rows = result.query(
        "select source_file, coalesce(record_key, ''), reason from ingest_rejects"
        f" where source_name = '{source_name}' order by all"
    )
    return [(str(a), str(b), str(c)) for a, b, c in rows]


def test_every_model_is_built(bad_build: DbtResult) -> None:
    statuses = {
        str(r["unique_id"]): str(r["status"])
        for r in bad_build.run_results()
        if str(r["unique_id"]).startswith("model.")
    }
    assert statuses and set(statuses.values()) == {"success"}, statuses


def test_run_export_lines(bad_build: DbtResult) -> None:
    runs = bad_build.query(
        f"select run_id from runs where run_id in ('{GOOD_RUN}', '{NEAR_BIG_RUN}') order by 1"
    )
    assert runs == [(NEAR_BIG_RUN,), (GOOD_RUN,)]
    found = [row for row in rejects(bad_build, "wandb_runs") if row[0].endswith("bad_runs.jsonl")]
    assert [(key, reason.split(" bytes")[0]) for _, key, reason in found] == [
        ("line 2", "line is not UTF-8"),
        ("line 3", f"line of {len(BIG_RUN_LINE)}"),
    ]
    assert found[1][2].endswith("bytes is over max_line_bytes (16777216)")


def test_history_metrics_and_prediction_lines(bad_build: DbtResult) -> None:
    history = rejects(bad_build, "wandb_history")
    assert any(
        f.endswith("wandb_history_2025_10.jsonl") and r == "line is not UTF-8"
        for f, _, r in history
    )
    assert ("evals/finetuned/full_ft_150M/metrics-all.jsonl", "line 4", "line is not UTF-8") in (
        rejects(bad_build, "eval_metrics")
    )
    predictions = rejects(bad_build, "eval_predictions")
    assert any(r == "line is not UTF-8" for _, _, r in predictions), predictions
    # the good lines of the same files are read, the bad one counted as rejected
    dump = SAMPLE / "evals" / "finetuned" / "full_ft_150M"
    for name in ("metrics-all.jsonl", "task-001-arc_easy:rc::olmes-predictions.jsonl"):
        good = len([line for line in (dump / name).read_text().splitlines() if line.strip()])
        counts = bad_build.query(
            "select records_read, records_rejected from ingest_source_counts"
            f" where source_file = 'evals/finetuned/full_ft_150M/{name}'"
        )
        assert counts == [(good + 1, 1)], name


def test_qa_members_judged_one_by_one(bad_build: DbtResult) -> None:
    archive = "dolma1.7/150M/seed-2/step-3000.tar.gz"
    found = bad_build.query(
        "select reason, record_key from ingest_rejects"
        f" where source_name like 'qa_%' and source_file like '{archive}%' order by all"
    )
    reasons = sorted(str(reason).split(" bytes")[0] for reason, _ in found)
    good = len([line for line in qa_lines_of(bad_build) if line.strip()])
    assert reasons == sorted(
        ["line is not UTF-8", f"line of {len(BIG_QA_LINE)}", "metrics file is not UTF-8"]
        + ["doc_id repeated in the file"] * good
    )
    assert all(len(str(reason)) < 200 for reason, _ in found)
    # both predictions members loaded their good lines, the long-named one too
    loaded = bad_build.query(
        "select count(distinct source_file), count(*), count(distinct (task_name, doc_id))"
        " from qa_instances where checkpoint_id = 'Dolma1.7|150M|default|3000'"
    )
    # three predictions members: each question once (the repeated file's second copies are
    # rejects)
    assert loaded == [(3, 3 * good, 3 * good)]


def qa_lines_of(_: DbtResult) -> list[bytes]:
    path = SAMPLE / "evals" / "finetuned" / "full_ft_150M"
    return path.joinpath("task-001-arc_easy:rc::olmes-predictions.jsonl").read_bytes().split(b"\n")


def test_matching_table_not_utf8(bad_build: DbtResult) -> None:
    assert [r for _, _, r in rejects(bad_build, "matches")] == ["file is not UTF-8"]
    assert bad_build.query("select count(*) from checkpoint_matches") != [(0,)]


def test_every_line_is_counted(bad_build: DbtResult) -> None:
    """read = rejected + superseded + skipped + used, unreadable lines included."""
    rows = bad_build.query(
        "select source_name, source_file, records_read, records_rejected from ingest_source_counts"
        " where source_file like '%bad_runs.jsonl'"
    )
    assert [(r[2], r[3]) for r in rows] == [(4, 2)]


def test_a_second_build_keeps_the_same_rejects(bad_build: DbtResult) -> None:
    """Unchanged files are not read again; their unreadable lines stay recorded (runs last:
    it builds the shared warehouse again)."""
    query = "select * from ingest_rejects order by all"
    before = bad_build.query(query)
    data = bad_build.db_path.parent / "data"
    again = invoke_dbt(MODELS_AND_SEEDS, data, bad_build.db_path, bad_build.db_path.parent)
    assert again.returncode == 0, again.output[-3000:]
    assert again.query(query) == before
