"""`suite export RUN_DIR... --to KIND=URL` and `--out KIND=URL` on run, collect and report (README, CLI;
docs/architecture.md, Exports): a bad target is one exit-2 line before any work, a URL's credentials are
never printed, an export that fails after a report is exit 3 with the reports on disk."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from suite.cli.main import main as cli_main
from suite.errors import UsageError
from suite.export.targets import parse_target, shown
from tests.export.job_tables import ensure_tables
from tests.export.otlp_receiver import otlp_receiver
from tests.helpers.twin_runs import run_on_twin

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "spec",
    [
        "otlp=http://127.0.0.1:4318",
        "otlp=https://collector.example:443/otlp",
        "clickhouse=clickhouse://u:p@ch:9000/db",
        "clickhouse=http://ch:8123",
        "clickhouse=chdb:///var/lib/ch",
    ],
)
def test_good_targets(spec: str) -> None:
    target = parse_target(spec)
    assert f"{target.kind}={target.url}" == spec


@pytest.mark.parametrize(
    ("spec", "said"),
    [
        ("http://127.0.0.1:4318", "no KIND="),
        ("jaeger=http://x", "kind 'jaeger'"),
        ("otlp=grpc://x:4317", "http://, https://"),
        ("otlp=127.0.0.1:4318", "the scheme must be"),
        ("otlp=http://:4318", "no host"),
        ("otlp=http://x:port", "not a URL"),
        ("clickhouse=ftp://x", "clickhouse://"),
        ("clickhouse=chdb://", "needs a folder"),
    ],
)
def test_bad_targets_are_one_exit_2_line(spec: str, said: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(UsageError, match=said):
        parse_target(spec)
    assert cli_main(["export", str(ROOT), "--to", spec]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and said in err and "Traceback" not in err


@settings(max_examples=200, deadline=None)
@given(
    kind=st.sampled_from(["otlp", "clickhouse", "jaeger", ""]),
    scheme=st.sampled_from(["http", "https", "clickhouse", "chdb", "grpc", ""]),
    password=st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=6, max_size=20).map(lambda t: f"Q{t}Q"),
    rest=st.sampled_from(["h:1", "h", "", ":x", "h/p?q=1", "h:port", "h/a@b", "h?k=v"]),
)
def test_credentials_are_never_said(kind: str, scheme: str, password: str, rest: str) -> None:
    spec = f"{scheme}://user:{password}@{rest}"
    spec = f"{kind}={spec}" if kind else spec
    try:
        target = parse_target(spec)
    except UsageError as exc:
        assert password not in str(exc)
    else:
        assert password not in str(target) and password not in shown(target.url)


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("smoke")
    body = (ROOT / "profiles" / "smoke.yaml").read_text()
    code, _, _, rd = run_on_twin(tmp, "smoke", body, before=lambda twin: twin.clock.sleep(95))
    assert code == 0
    ensure_tables(rd)
    return rd


def test_suite_export_sends_every_run_directory(smoke_run: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with otlp_receiver() as receiver:
        assert cli_main(["export", str(smoke_run), "--to", f"otlp={receiver.url}"]) == 0
    assert len(receiver.traces()) == 1 and len(receiver.metrics()) == 1
    assert f"Exported 1 run directory to otlp={receiver.url}" in capsys.readouterr().out


def test_report_out_exports_after_the_report(smoke_run: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (smoke_run / "result.json").unlink()
    with otlp_receiver() as receiver:
        assert cli_main(["report", str(smoke_run), "--out", f"otlp={receiver.url}"]) == 0
    assert (smoke_run / "result.json").exists()
    spans = [
        s for r in receiver.traces() for rs in r.resource_spans for ss in rs.scope_spans for s in ss.spans
    ]
    assert len(spans) == 3 + 3 * 2  # smoke: 3 workflow runs of one job each


def test_a_failed_export_after_a_report_is_exit_3_and_keeps_the_reports(
    smoke_run: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (smoke_run / "result.json").unlink()
    with otlp_receiver() as receiver:
        receiver.always = 403
        url = receiver.url.replace("http://", "http://me:s3cretpass@")
        assert cli_main(["report", str(smoke_run), "--out", f"otlp={url}"]) == 3
    err = capsys.readouterr().err
    assert (smoke_run / "result.json").exists() and (smoke_run / "report.html").exists()
    assert err.count("\n") == 1 and "HTTP 403" in err and f"suite export {smoke_run}" in err
    assert "s3cretpass" not in err


@pytest.mark.parametrize("command", [["run", "smoke"], ["collect"], ["report"]])
def test_a_bad_out_target_stops_before_any_work(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [*command, str(tmp_path)] if len(command) == 1 else [*command, "--reports", str(tmp_path / "r")]
    assert cli_main([*args, "--out", "otlp=ftp://user:pw123456@h"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--out" in err and "pw123456" not in err
    assert list(tmp_path.iterdir()) == []  # no run directory, nothing written
