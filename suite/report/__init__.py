"""Report writers: result.json, summary.md, jobs.csv and the console summary."""

from suite.report.terminal import terminal_summary
from suite.report.writer import write_reports

__all__ = ["terminal_summary", "write_reports"]
