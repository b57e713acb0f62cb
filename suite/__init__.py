"""runner-suite: measure self-hosted GitHub Actions runner fleets."""

import os

__version__ = "0.1.0"

# Arrow's allocator for this process, read when pyarrow first allocates (a user's own setting kept): the
# C library's malloc. pyarrow's default (mimalloc) gives fresh pages back and takes them again: writing
# the 1M-job table after the analysis took 4.9 s with it and 1.6 s with malloc, and the whole report
# peaked 150-300 MiB higher (docs/architecture.md, "Tests": the speed paragraphs).
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
# numpy's advice to the kernel that its large arrays use huge pages, read when numpy is first imported (a
# user's own setting kept): off. With transparent huge pages on "madvise" (the common default), each
# advised allocation may wait for the kernel to compact memory: joining the 5M-step columns of a million
# jobs took 0.3-0.5 s per 40 MB column instead of 0.01-0.02 s, and reading the jobs of GitHub's shape
# took 7.3-8.2 s with the advice and 6.0-6.2 s without.
os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")
