"""Analysis stage: pure functions over the run directory's raw records (no I/O except `load`)."""
