"""`suite compare BASE CAND`: are two runs of one profile different, metric by metric? (issue 7)"""

from __future__ import annotations

from suite.decisions.compare.core import Comparison, compare_dirs, compare_samples
from suite.decisions.compare.render import as_json, markdown, terminal

__all__ = ["Comparison", "as_json", "compare_dirs", "compare_samples", "markdown", "terminal"]
