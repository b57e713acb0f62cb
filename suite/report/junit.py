"""junit.xml: one <testsuite> for the run, one <testcase> per threshold (honesty rule 2: a threshold
whose figure is null fails, with the reason).

The layout follows the JUnit XML that CI systems read (Jenkins' junit schema, GitHub test reporters,
GitLab): <testsuites> > <testsuite name tests failures errors skipped time timestamp> > <properties>,
<testcase name classname time> with a <failure message type> child when the threshold is not ok.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from suite.errors import UsageError
from suite.gates.thresholds import parse
from suite.report.fmt import num


def _value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return num(value)


def failure_message(threshold: dict[str, Any]) -> str:
    """`queue_time_s.p95 = 130.5 does not satisfy queue_time_s.p95 < 120` (plus the reason, if any)."""
    expr, value, reason = threshold.get("expr"), threshold.get("value"), threshold.get("reason")
    if value is None:
        return f"{expr}: the figure is null ({reason or 'not observed'})"
    left = _left_side(str(expr)) if expr else "value"
    text = f"{left} = {_value(value)} does not satisfy `{expr}`"
    return f"{text}: {reason}" if reason else text


def _left_side(expr: str) -> str:
    """The field an expression compares (`jobs["build / npm"].execution_time_s.p95` whole)."""
    try:
        return parse(expr)[0]
    except UsageError:
        return expr.split()[0]


def junit_xml(result: dict[str, Any]) -> str:
    thresholds = list(result.get("thresholds") or [])
    failures = sum(t.get("ok") is not True for t in thresholds)
    run_id = str(result.get("test_run_id") or "run")
    profile = str(result.get("profile") or "profile")
    duration = (result.get("window") or {}).get("duration_s")
    time_s = f"{float(duration):.3f}" if duration is not None else "0"
    counts = {"tests": str(len(thresholds)), "failures": str(failures), "errors": "0", "skipped": "0"}

    root = ET.Element("testsuites", {"name": f"runner-suite {run_id}", **counts, "time": time_s})
    suite = ET.SubElement(root, "testsuite", {"name": run_id, **counts, "time": time_s})
    start = (result.get("window") or {}).get("start")
    if start:
        suite.set("timestamp", str(start).rstrip("Z").split(".")[0])  # xs:dateTime without zone, per schema
    props = ET.SubElement(suite, "properties")
    for name, value in (
        ("profile", profile),
        ("environment", result.get("environment")),
        ("verdict", result.get("verdict")),
        ("window.start", start),
        ("window.end", (result.get("window") or {}).get("end")),
        ("schema", result.get("schema")),
    ):
        ET.SubElement(props, "property", {"name": name, "value": "null" if value is None else str(value)})
    for t in thresholds:
        case = ET.SubElement(
            suite, "testcase", {"name": str(t.get("expr")), "classname": f"thresholds.{profile}", "time": "0"}
        )
        if t.get("ok") is not True:
            message = failure_message(t)
            failure = ET.SubElement(case, "failure", {"message": message, "type": "ThresholdFailed"})
            failure.text = f"{message}\nvalue: {_value(t.get('value'))}\nrun: {run_id}"
        else:
            ET.SubElement(case, "system-out").text = f"{t.get('expr')}: value {_value(t.get('value'))}"
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
