"""The QA hook's allocator settings (python_hooks/allocator.py) let freed buffers be reused.

Each case runs in a fresh Python process: it allocates and frees 1 MiB buffers a few at a
time, as inflating does, and counts the process's page faults. With the settings, the
buffers come back from the heap; without them, each one is fetched from the kernel again.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import REPO

CHURN = """
import json, resource, sys
from python_hooks.allocator import keep_freed_memory
applied = keep_freed_memory() if sys.argv[1] == "on" else False
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(100):
    buffers = [b"x" * (1 << 20) for _ in range(4)]
    del buffers
faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
print(json.dumps({"applied": applied, "faults": faults}))
"""


def churn(setting: str) -> dict[str, int]:
    completed = subprocess.run(
        [sys.executable, "-c", CHURN, setting], cwd=REPO, capture_output=True, text=True, check=True
    )
    return dict(json.loads(completed.stdout))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt only")
def test_freed_buffers_are_reused_instead_of_faulted_in_again() -> None:
    off, on = churn("off"), churn("on")
    assert on["applied"] is True
    # 400 MiB of fresh pages is 102,400 faults; reused buffers fault once
    assert off["faults"] > 30_000
    assert on["faults"] < off["faults"] / 10
