"""The two predictions readers of the QA hook store the same rows.

The hook parses a batch with the strict view (DuckDB's JSON reader) when the batch is clean
and with the line reader otherwise (python_hooks/qa_store.py). Here both dbt views, as the
sample build compiled them, are pointed at a temporary work folder, and the hook loads the
same archives twice: with the strict view and with the line reader alone. The stored tables
must be equal, whether every line is a clean variant of the real lines (the strict view reads
the batch) or one line is bad in some way (it falls back to the line reader).
"""

from __future__ import annotations

import gzip
import io
import json
import re
import tarfile
from pathlib import Path

import duckdb
import pytest
from conftest import SHARED, DbtResult

from python_hooks.qa_extract import Options, load_qa_archives
from python_hooks.qa_store import BATCH_MEMBER_COLUMNS, WarehouseStore, prepare_work_folder

REAL_LINES = SHARED / "fixtures" / "real_eval_instances" / "arc_easy-predictions.jsonl"
COMPILED = Path("compiled", "dr_ingest", "models", "loading", "qa")
STEP = "dolma1.7/150M/seed-15/step-38750.tar.gz"
METRICS = b'{"task_name": "arc_easy", "num_instances": 5, "metrics": {"primary_score": 0.5}}'


@pytest.fixture(scope="module")
def real_lines() -> list[dict[str, object]]:
    if not REAL_LINES.is_file():
        pytest.skip(f"{REAL_LINES} not present on this clone")
    return [json.loads(line) for line in REAL_LINES.read_text().splitlines()]


def clean_variants(lines: list[dict[str, object]], ending: str = "\n") -> bytes:
    """The real lines, then variants that are still one object with a distinct doc_id each:
    other native_id and label types, missing and null fields, extra keys, other key orders,
    escapes and an empty choice list; lines end with ``ending``, the last line without."""
    out = [json.dumps(line) for line in lines]
    first = lines[0]
    variants: list[dict[str, object]] = [
        {**first, "native_id": 7},
        {**first, "native_id": None, "label": "B"},
        {k: v for k, v in first.items() if k not in ("native_id", "label")},
        {**first, "extra": {"nested": [1, 2]}, "task_hash": "caf\u00e9 \u2603"},
        dict(reversed(list(first.items()))),
        {**first, "metrics": {"acc_raw": 1, "acc_per_char": 0.25}},
        {**first, "model_output": []},
        {**first, "model_output": None},
        {**first, "metrics": None},
    ]
    for number, variant in enumerate(variants, start=100):
        out.append(json.dumps({**variant, "doc_id": number}))
    out.append(json.dumps({**first, "doc_id": 200}, ensure_ascii=True).replace("A", "\\u0041"))
    return (ending.join(out[:-1]) + ending + out[-1]).encode()


def step_archive(predictions: bytes) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, data in (
            ("step-38750/arc_easy-predictions.jsonl", predictions),
            ("step-38750/arc_easy-metrics.json", METRICS),
        ):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return gzip.compress(buffer.getvalue(), mtime=0)


def view_sql(build: DbtResult, name: str, work: Path) -> str:
    """A compiled parsing view, reading `work`'s batch folder and the table `members`."""
    sql = (build.target_path / COMPILED / f"{name}.sql").read_text()
    sql = re.sub(r"'[^']*/batch/(\*/\*/\*-[a-z]+\.jsonl?)'", rf"'{work}/batch/\1'", sql)
    return re.sub(r'"[^"]+"\."loading"\."load_qa__batch_members"', "members", sql)


def load(build: DbtResult, data: Path, work: Path, strict: bool) -> tuple[dict[str, int], dict]:
    """Load `data` with the compiled views; the readers used and the stored tables."""
    con = duckdb.connect()
    prepare_work_folder(work)
    con.execute(f"create table members ({BATCH_MEMBER_COLUMNS})")
    for view in (
        "load_qa__prediction_batch",
        "load_qa__prediction_batch_strict",
        "load_qa__task_metrics_batch",
    ):
        con.execute(f"create view {view} as {view_sql(build, view, work)}")
    views = {
        "prediction_records": "load_qa__prediction_batch",
        "task_metrics_records": "load_qa__task_metrics_batch",
    }
    strict_view = "load_qa__prediction_batch_strict" if strict else None
    store = WarehouseStore(
        con, views, 1 << 20, batch_members="members", strict_predictions=strict_view
    )
    load_qa_archives(data, work, store, Options(1 << 20))
    tables = {
        table: sorted(
            con.execute(
                f"select * exclude (archive, _loaded_at) from qa_store.{table}"
                if table == "prediction_records"
                else f"select * exclude (archive) from qa_store.{table}"
            ).fetchall(),
            key=repr,
        )
        for table in ("prediction_records", "task_metrics_records", "members")
    }
    con.close()
    return store.readers, tables


def both_readers(build: DbtResult, tmp_path: Path, predictions: bytes) -> tuple[dict, dict, dict]:
    data = tmp_path / "qa"
    (data / STEP).parent.mkdir(parents=True)
    (data / STEP).write_bytes(step_archive(predictions))
    readers, strict_tables = load(build, data, tmp_path / "work_strict", strict=True)
    _, line_tables = load(build, data, tmp_path / "work_lines", strict=False)
    return readers, strict_tables, line_tables


@pytest.mark.parametrize("ending", ["\n", "\r\n"])
def test_clean_lines_are_read_by_the_strict_view_with_the_line_reader_s_rows(
    sample_build: DbtResult, tmp_path: Path, real_lines: list[dict[str, object]], ending: str
) -> None:
    readers, strict_tables, line_tables = both_readers(
        sample_build, tmp_path, clean_variants(real_lines, ending)
    )
    assert readers == {"strict": 1, "lines": 0}
    records = strict_tables["prediction_records"]
    assert len(records) == len(real_lines) + 10
    assert strict_tables == line_tables


BAD_LINES = {
    "blank line": b"\n",
    "white-space line": b"  \t\n",
    "not JSON": b"{not json\n",
    "an array": b"[1, 2]\n",
    "no doc_id": b'{"native_id": "x"}\n',
    "doc_id twice": b'{"doc_id": 0}\n',
    "not UTF-8": b'{"doc_id": 300, "native_id": "\xff"}\n',
    "wrong type": b'{"doc_id": 301, "metrics": {"acc_raw": "high"}}\n',
    "two objects": b'{"doc_id": 302}{"doc_id": 303}\n',
    "duplicate key": b'{"doc_id": 304, "doc_id": 305}\n',
}


@pytest.mark.parametrize("case", sorted(BAD_LINES))
def test_a_bad_line_sends_the_batch_to_the_line_reader(
    sample_build: DbtResult, tmp_path: Path, real_lines: list[dict[str, object]], case: str
) -> None:
    clean = "".join(json.dumps(line) + "\n" for line in real_lines).encode()
    readers, strict_tables, line_tables = both_readers(
        sample_build, tmp_path, clean + BAD_LINES[case]
    )
    assert readers == {"strict": 0, "lines": 1}
    assert strict_tables == line_tables
    # every counted line has its row: the bad one is a reject or a blank line
    assert len(strict_tables["prediction_records"]) == len(real_lines) + 1
