"""The `motherduck` target of profiles.yml parses offline, without a token or a connection.

`dbt parse` renders the profile (the md: path, the env vars) and the whole project but opens no
database connection, so it must work with no `motherduck_token`, no network and no MotherDuck
extension: the test runs it in a subprocess with every token variable removed and the proxies
pointed at a closed port, and checks in dbt's debug log that no connection was opened.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import yaml
from conftest import BIN, REPO

DATABASE = "dr_ingest_parse_check"
UNREACHABLE = "http://127.0.0.1:9"  # the discard port: nothing listens, a request fails at once


def test_motherduck_profile_has_no_token_and_mirrors_dev() -> None:
    outputs = yaml.safe_load((REPO / "profiles.yml").read_text())["dr_ingest"]["outputs"]
    motherduck, dev = outputs["motherduck"], outputs["dev"]
    assert motherduck["type"] == "duckdb"
    assert motherduck["path"].startswith("md:")
    assert "DR_INGEST_MOTHERDUCK_DATABASE" in motherduck["path"]
    assert "token" not in json.dumps(motherduck)  # no motherduck_token key or setting
    for key in ("schema", "threads", "config_options", "plugins"):
        assert motherduck[key] == dev[key], key


def test_dbt_parse_target_motherduck_offline(tmp_path: Path) -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if "motherduck" not in key.lower() and not key.lower().endswith("_proxy")
    }
    env.update(
        {
            "DR_INGEST_MOTHERDUCK_DATABASE": DATABASE,
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "HTTP_PROXY": UNREACHABLE,
            "HTTPS_PROXY": UNREACHABLE,
            "http_proxy": UNREACHABLE,
            "https_proxy": UNREACHABLE,
            "HOME": str(tmp_path / "home"),  # no ~/.duckdb extensions, no saved credentials
        }
    )
    (tmp_path / "home").mkdir()
    target = tmp_path / "target"
    completed = subprocess.run(
        [
            str(BIN / "dbt"),
            "parse",
            "--target",
            "motherduck",
            "--no-partial-parse",
            "--log-level",
            "debug",
            "--log-level-file",  # the project logs at info to the file
            "debug",
            "--target-path",
            str(target),
            "--log-path",
            str(tmp_path / "logs"),
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output[-5000:]
    assert "target: motherduck" in output
    # dbt logs these whenever it opens a connection (e.g. `dbt run-operation` on dev)
    log = output + (tmp_path / "logs" / "dbt.log").read_text()
    assert "Acquiring new duckdb connection" not in log
    assert "Opening a new connection" not in log

    manifest = json.loads((target / "manifest.json").read_text())
    models = [n for n in manifest["nodes"].values() if n["resource_type"] == "model"]
    expected = {
        p.stem for p in (REPO / "models").rglob("*") if p.suffix in {".sql", ".py"} and p.is_file()
    }
    assert {m["name"] for m in models} == expected
    assert {m["database"] for m in models} == {DATABASE}
    marts = {m["name"]: m for m in models if m["original_file_path"].startswith("models/marts/")}
    assert {"runs", "history", "qa_instances"} <= set(marts)
    assert {m["schema"] for m in marts.values()} == {"main"}
