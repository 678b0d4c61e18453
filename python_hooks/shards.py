"""Which share of the inputs a worker loads: ``DR_INGEST_SHARD=i/N`` (``0 <= i < N``).

An input belongs to shard ``i`` of ``N`` when the first 8 bytes of the MD5 of its path below
its source's root, read as an unsigned integer, are ``i`` modulo ``N``. The rule uses only the
relative path, so workers on machines that mount the data at different places agree, and it
does not depend on which other inputs exist, so a new input never moves an old one.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

VARIABLE = "DR_INGEST_SHARD"
_FORM = re.compile(r"\s*(\d+)\s*/\s*(\d+)\s*")


@dataclass(frozen=True)
class Shard:
    index: int = 0
    count: int = 1

    @classmethod
    def parse(cls, text: str | None) -> Shard:
        """``i/N`` as written in DR_INGEST_SHARD; empty means every input."""
        if text is None or not text.strip():
            return cls()
        match = _FORM.fullmatch(text)
        if not match or not 0 <= int(match[1]) < int(match[2]):
            raise ValueError(f"{VARIABLE}={text!r}: expected i/N with 0 <= i < N, such as 0/2")
        return cls(int(match[1]), int(match[2]))

    @property
    def is_whole(self) -> bool:
        return self.count == 1

    def owns(self, relative_path: str) -> bool:
        digest = hashlib.md5(relative_path.encode(), usedforsecurity=False).digest()
        return int.from_bytes(digest[:8], "big") % self.count == self.index

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"
