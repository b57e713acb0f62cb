"""junit.xml: one <testsuite> for the run, one <testcase> per threshold (honesty rule 2: a threshold
whose figure is null fails, with the reason).

The layout follows the JUnit XML that CI systems read (Jenkins' junit schema, GitHub test reporters,
GitLab): <testsuites> > <testsuite name tests failures errors skipped time timestamp> > <properties>,
<testcase name classname time> with a <failure message type> child when the threshold is not ok
(type ThresholdFailed, or ThresholdInconclusive when it could not be judged). A run that is incomplete,
has workflows missing or measured nothing has one more testcase, `run`, failing with the verdict's
reasons (type RunIncomplete, RunFailed or RunInconclusive); the properties carry verdict,
verdict_reasons and the incomplete banner.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from suite.errors import UsageError
from suite.gates.thresholds import parse
from suite.report.fmt import num
from suite.report.verdict_view import banner, verdict_reasons


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


RUN_FAILURE = {"incomplete": "RunIncomplete", "inconclusive": "RunInconclusive", "fail": "RunFailed"}


def _run_reasons(result: dict[str, Any]) -> list[str]:
    """The verdict's reasons that are not a threshold's (each threshold has its own testcase)."""
    return [r for r in verdict_reasons(result) if not r.startswith("threshold `")]


def junit_xml(result: dict[str, Any]) -> str:
    thresholds = list(result.get("thresholds") or [])
    run_case = 1 if _run_reasons(result) else 0
    failures = sum(t.get("ok") is not True for t in thresholds) + run_case
    run_id = str(result.get("test_run_id") or "run")
    profile = str(result.get("profile") or "profile")
    duration = (result.get("window") or {}).get("duration_s")
    time_s = f"{float(duration):.3f}" if duration is not None else "0"
    tests = str(len(thresholds) + run_case)
    counts = {"tests": tests, "failures": str(failures), "errors": "0", "skipped": "0"}

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
        ("verdict_reasons", "; ".join(verdict_reasons(result)) or None),
        ("incomplete", banner(result)),
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
            kind = "ThresholdInconclusive" if t.get("status") == "inconclusive" else "ThresholdFailed"
            failure = ET.SubElement(case, "failure", {"message": message, "type": kind})
            failure.text = f"{message}\nvalue: {_value(t.get('value'))}\nrun: {run_id}"
        else:
            ET.SubElement(case, "system-out").text = f"{t.get('expr')}: value {_value(t.get('value'))}"
    run_reasons = _run_reasons(result)
    if run_reasons:  # the run itself: incomplete, workflows missing, nothing measured
        case = ET.SubElement(suite, "testcase", {"name": "run", "classname": f"run.{profile}", "time": "0"})
        kind = RUN_FAILURE.get(str(result.get("verdict")), "RunFailed")
        failure = ET.SubElement(case, "failure", {"message": "; ".join(run_reasons), "type": kind})
        failure.text = "\n".join([*run_reasons, f"run: {run_id}"])
    _xml_safe(root)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


# characters XML 1.0 cannot carry at all (ElementTree writes them as they are: a CI's parser then refuses
# the whole file); a name or reason holding one gets U+FFFD in its place
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_safe(root: ET.Element) -> None:
    for element in root.iter():
        element.attrib = {k: _NOT_XML.sub("\ufffd", v) for k, v in element.attrib.items()}
        if element.text:
            element.text = _NOT_XML.sub("\ufffd", element.text)
