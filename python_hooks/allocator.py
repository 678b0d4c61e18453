"""Allocator settings for the QA hook's process.

Inflating a QA archive allocates a fresh buffer for every chunk it reads (the gzip reader's
output, tarfile's copies). With glibc's defaults, a freed buffer of 128 KiB or more (or a freed
stretch at the top of the heap) is handed back to the kernel at once, and the next one is
fetched again, one page fault per 4 KiB: on 2.8 GB of task files that was as much kernel time
as the inflating itself, and about twice its wall time. Keeping buffers up to
``MMAP_THRESHOLD`` on the heap, and freed memory up to ``TRIM_THRESHOLD`` in the process, lets
them be reused instead. DuckDB has its own allocator and is not affected.
"""

from __future__ import annotations

import ctypes
import sys

# mallopt parameters (glibc malloc.h)
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 * 1024 * 1024
TRIM_THRESHOLD = 128 * 1024 * 1024


def keep_freed_memory() -> bool:
    """Apply the settings to this process's allocator; False where there is no glibc
    ``mallopt`` (another system or C library: nothing changes there)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    )
