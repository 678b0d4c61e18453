"""Write the sample's reference row counts (tests/fixtures/sample_row_counts.csv).

The suite fails when a build of the shipped sample gives other counts. When the sample or a
mart changes on purpose, build the sample and run this to take the new counts:

    uv run --frozen dbt build && uv run --frozen python scripts/sample_row_counts.py

then read the diff of the CSV before committing it.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO / "tests" / "fixtures" / "sample_row_counts.csv"
# besides every mart: the QA hook's stored rows, which the QA marts read
STORE_TABLES = ("qa_store.prediction_records", "qa_store.task_metrics_records")


def counted_relations() -> list[str]:
    """Every mart (a model under models/marts/) and the QA store's record tables."""
    marts = sorted(path.stem for path in (REPO / "models" / "marts").rglob("*.sql"))
    return [*marts, *STORE_TABLES]


def row_counts(db_path: Path) -> dict[str, int]:
    """Rows of each counted relation in the warehouse at ``db_path``."""
    connection = duckdb.connect(str(db_path), read_only=True)
    try:
        return {
            name: int(connection.sql(f"select count(*) from {name}").fetchall()[0][0])
            for name in counted_relations()
        }
    finally:
        connection.close()


def read_reference(path: Path = REFERENCE) -> dict[str, int]:
    with path.open(newline="") as handle:
        return {row["relation"]: int(row["row_count"]) for row in csv.DictReader(handle)}


def write_reference(counts: dict[str, int], path: Path = REFERENCE) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["relation", "row_count"])
        writer.writerows(sorted(counts.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=REPO / "warehouse" / "dr_ingest.duckdb")
    args = parser.parse_args()
    write_reference(row_counts(args.db))
    print(f"wrote {REFERENCE.relative_to(REPO)}")


if __name__ == "__main__":
    main()
