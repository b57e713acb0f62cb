"""The vendored chart library is the file VENDORED.md names (its sha256), and inlines safely."""

import hashlib
import re
from pathlib import Path

from suite.report.assets import asset_text, chart_library_head, inline_script

ASSETS = Path(__file__).resolve().parents[2] / "suite" / "report" / "assets"


def test_vendored_files_match_their_recorded_sums() -> None:
    table = (ASSETS / "VENDORED.md").read_text()
    rows = re.findall(r"^\| `([^`]+)` \| [^|]+ \| `([0-9a-f]{64})` \|$", table, re.M)
    assert {name for name, _ in rows} == {"uPlot.iife.min.js", "uPlot.min.css", "uPlot.LICENSE"}
    for name, digest in rows:
        assert hashlib.sha256((ASSETS / name).read_bytes()).hexdigest() == digest, name


def test_library_head_inlines_script_and_style() -> None:
    head = chart_library_head()
    assert head.startswith("<style>") and head.endswith("</script>")
    assert asset_text("uPlot.iife.min.js")[:40] in head
    assert head.count("</script>") == 1 and head.count("</style>") == 1


def test_inline_script_cannot_end_early() -> None:
    assert inline_script('x = "</script><img src=x>"') == '<script>x = "<\\/script><img src=x>"</script>'
