"""runner-suite: measure self-hosted GitHub Actions runner fleets."""

import os

__version__ = "0.1.0"

# Arrow's allocator for this process, read when pyarrow first allocates (a user's own setting kept): the
# C library's malloc. pyarrow's default (mimalloc) gives fresh pages back and takes them again: writing
# the 1M-job table after the analysis took 4.9 s with it and 1.6 s with malloc, and the whole report
# peaked 150-300 MiB higher (docs/architecture.md, "Tests": the speed paragraphs).
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
