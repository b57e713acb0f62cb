"""The per-job columns' row view, re-exported for the analysis: it lives in suite.rundir.column_rows (the
run directory's job table is read back as one, suite.rundir.job_rows)."""

from suite.rundir.column_rows import CHUNK, Coded, Column, ColumnRows, Lazy, rows_of

__all__ = ["CHUNK", "Coded", "Column", "ColumnRows", "Lazy", "rows_of"]
