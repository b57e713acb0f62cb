"""junit.xml: one testsuite per run, one testcase per threshold; a null figure fails with its reason."""

import xml.etree.ElementTree as ET

from hypothesis import given
from hypothesis import strategies as st

from suite.analyze.result import with_thresholds
from suite.gates.thresholds import evaluate_all
from suite.pipeline.analysis import analyze_run_dir
from suite.report import write_reports
from suite.report.junit import failure_message, junit_xml

try:
    from tests.helpers.hand_made_run import write_fixture
except ImportError:  # tests collected as a package
    from tests.test_analyze_result import write_fixture

EXPRS = [
    "queue_time_s.p95 < 120",  # inconclusive: 7 s, but a p95 over 3 samples (it needs 20)
    "execution_time_s.max < 100",  # fails: 120
    "resources.cpu.max.max < 2000",  # ok
    "concurrency.max <= runners.configured",  # ok: 2 <= 4
]


def gated(result, exprs):
    return with_thresholds(result, evaluate_all(exprs, result))


def test_one_testcase_per_threshold_with_failures(tmp_path):
    run_dir = write_fixture(tmp_path)
    result = gated(analyze_run_dir(run_dir), EXPRS)
    write_reports(run_dir, result)
    root = ET.parse(run_dir / "junit.xml").getroot()
    assert root.tag == "testsuites"
    # 4 thresholds and the run (a dispatched workflow is missing): 1 failed, 1 inconclusive, the run
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("5", "3", "0")
    suites = root.findall("testsuite")
    assert len(suites) == 1
    suite = suites[0]
    assert suite.get("name") == "capacity-20261115T100000Z-abc123"
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors"), suite.get("skipped")) == (
        "5",
        "3",
        "0",
        "0",
    )
    assert suite.get("timestamp") == "2026-11-15T10:00:02"
    assert suite.get("time") == "128.000"
    props = {p.get("name"): p.get("value") for p in suite.find("properties") or []}
    assert props["profile"] == "capacity" and props["verdict"] == "fail" and props["environment"] == "local"
    *cases, run = suite.findall("testcase")
    assert [c.get("name") for c in cases] == EXPRS
    assert {c.get("classname") for c in cases} == {"thresholds.capacity"}
    failed = [c for c in cases if c.find("failure") is not None]
    assert [c.get("name") for c in failed] == ["queue_time_s.p95 < 120", "execution_time_s.max < 100"]
    inconclusive = failed[0].find("failure")
    assert inconclusive is not None and inconclusive.get("type") == "ThresholdInconclusive"
    message = inconclusive.get("message") or ""
    assert "queue_time_s.p95 is over 3 sample(s); a p95 needs at least 20" in message
    assert (run.get("name"), run.get("classname")) == ("run", "run.capacity")
    run_failure = run.find("failure")
    assert run_failure is not None and run_failure.get("type") == "RunFailed"
    assert run_failure.get("message") == "1 of 3 dispatched workflow(s) missing after collection"
    failure = failed[1].find("failure")
    assert failure is not None
    assert failure.get("type") == "ThresholdFailed"
    message = "execution_time_s.max = 120 does not satisfy `execution_time_s.max < 100`"
    assert failure.get("message") == message
    assert failure.text and "value: 120" in failure.text


def test_null_figure_fails_with_its_reason(tmp_path):
    result = gated(analyze_run_dir(tmp_path), ["queue_time_s.p95 < 120", "dispatch.late == 0"])  # empty run
    root = ET.fromstring(junit_xml(result))
    suite = root.find("testsuite")
    assert suite is not None and suite.get("failures") == "2" and suite.get("tests") == "3"
    assert suite.get("timestamp") is None  # no window: no timestamp rather than a made-up one
    null_case, ok_case, run = suite.findall("testcase")
    incomplete = run.find("failure")  # nothing collected: the run is incomplete
    assert incomplete is not None and incomplete.get("type") == "RunIncomplete"
    assert "run `suite collect <run directory>`" in (incomplete.get("message") or "")
    failure = null_case.find("failure")
    assert failure is not None
    message = failure.get("message") or ""
    assert message.startswith("queue_time_s.p95 < 120: the figure is null (queue_time_s.p95 is null (")
    assert "raw/jobs.jsonl absent: the jobs were never collected" in message
    assert ok_case.find("failure") is None


def test_no_thresholds_gives_an_empty_suite(tmp_path):
    result = analyze_run_dir(write_fixture(tmp_path))
    result = result | {"verdict": "pass", "verdict_reasons": []}  # as if no workflow were missing
    text = junit_xml(result)
    assert text.startswith("<?xml")
    suite = ET.fromstring(text).find("testsuite")
    assert suite is not None and suite.get("tests") == "0" and suite.findall("testcase") == []


def test_names_are_escaped_and_messages_plain():
    result = {
        "test_run_id": "x",
        "profile": "p",
        "window": {},
        "thresholds": [{"expr": 'a.b < 1 & "c"', "value": 2.5, "ok": False, "reason": None}],
    }
    case = ET.fromstring(junit_xml(result)).find("testsuite/testcase")
    assert case is not None and case.get("name") == 'a.b < 1 & "c"'
    assert failure_message({"expr": "a < 1", "value": 1.23456789, "ok": False}) == (
        "a = 1.23457 does not satisfy `a < 1`"
    )


@given(st.text(max_size=40))
def test_any_profile_name_or_reason_gives_a_parseable_file(text: str) -> None:
    """A control character (ESC, NUL...) in a user-written name used to be written as it is: invalid
    XML that a CI's parser refuses whole. Anything XML cannot carry becomes U+FFFD; the rest is kept."""
    result = {
        "test_run_id": "x",
        "profile": text,
        "window": {},
        "verdict": "inconclusive",
        "verdict_reasons": [text],
        "thresholds": [{"expr": "queue_time_s.max < 1", "value": None, "ok": None, "reason": text}],
    }
    root = ET.fromstring(junit_xml(result))  # parses: nothing XML 1.0 forbids is left
    suite = root.find("testsuite")
    assert suite is not None
    profile = [p.get("value") for p in suite.iter("property") if p.get("name") == "profile"]
    kept = "".join("\ufffd" if _forbidden(ch) else ch for ch in text) or "profile"  # empty: the default
    assert profile == [kept]


def _forbidden(ch: str) -> bool:
    o = ord(ch)
    return (o < 0x20 and ch not in "\t\n\r") or 0xD800 <= o <= 0xDFFF or o in (0xFFFE, 0xFFFF)
