"""The README and docs/ as a reader meets them: every SQL block runs on the sample warehouse,
the build of the sample names its planted warnings, and no product file points outside the
repository (to a specification, to the fixtures beside it, or to an issue number)."""

from __future__ import annotations

import re
import subprocess

from conftest import REPO, DbtResult

DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
SQL_BLOCK = re.compile(r"```sql\n(.*?)```", re.S)
# what a reader of the repository alone cannot follow
OUTSIDE = re.compile(r"SPEC|\.\./shared|\b[Ii]ssues? #?\d+\b|#\d{1,4}\b")


def sql_statements() -> list[tuple[str, str]]:
    """(file, statement) for every statement of every SQL block of the README and docs/."""
    found = []
    for path in DOCS:
        for block in SQL_BLOCK.findall(path.read_text()):
            for statement in block.split(";"):
                lines = [
                    line for line in statement.splitlines() if not line.strip().startswith("--")
                ]
                if "".join(lines).strip():
                    found.append((path.name, statement.strip()))
    return found


def test_every_sql_block_runs_on_the_sample(sample_build: DbtResult) -> None:
    statements = sql_statements()
    assert len(statements) >= 10
    assert {name for name, _ in statements} >= {"README.md", "vocabulary.md"}
    failures = []
    for name, statement in statements:
        try:
            rows = sample_build.query(statement)
        except Exception as error:  # every failure is reported, not only the first
            failures.append(f"{name}: {statement}\n  {error}")
            continue
        if not rows:
            failures.append(f"{name}: returns no row on the sample: {statement}")
    assert not failures, "\n".join(failures)


def test_the_sample_build_names_its_planted_warnings(sample_build: DbtResult) -> None:
    line = "dr_ingest: this is the shipped sample, which holds bad inputs on purpose"
    assert line in sample_build.output
    assert line in (REPO / "README.md").read_text()


def test_no_product_file_points_outside_the_repository() -> None:
    tracked = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    product = [
        name
        for name in tracked
        if not name.startswith(("tests/", "sample_data/"))
        and name != "uv.lock"
        and (REPO / name).is_file()
    ]
    assert len(product) > 50
    found = [
        f"{name}:{number}: {line.strip()[:120]}"
        for name in product
        for number, line in enumerate((REPO / name).read_text(errors="replace").splitlines(), 1)
        if OUTSIDE.search(line)
    ]
    assert not found, "\n".join(found)


def test_the_readme_is_a_front_door() -> None:
    assert len((REPO / "README.md").read_text().splitlines()) <= 300
