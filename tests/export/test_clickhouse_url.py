"""The ClickHouse export's URLs, its refusals and its failures: exit-code classes, one line, and never a
password in a message, a summary or the request's address."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from suite.errors import EnvironmentFailure, UsageError
from suite.export.clickhouse import ddl_statements, export_runs
from suite.export.clickhouse_transport import DEFAULT_DATABASE, HttpTransport, parse_url
from suite.rundir.table_io import write_table
from suite.rundir.tables import JOBS, RUN, TASK_USAGE

SECRET = "s3cr3t-pw"


def test_url_forms():
    t = parse_url(f"clickhouse://ci:{SECRET}@ch.example:9123/telemetry")
    assert (t.kind, t.base_url, t.database, t.where) == (
        "http",
        "http://ch.example:9123",
        "telemetry",
        "http://ch.example:9123/telemetry",
    )
    assert t.headers == {"X-ClickHouse-User": "ci", "X-ClickHouse-Key": SECRET}
    assert SECRET not in repr(t)
    t = parse_url("clickhouse://ch.example")
    assert (t.base_url, t.database, t.headers) == ("http://ch.example:8123", DEFAULT_DATABASE, {})
    t = parse_url(f"https://ci:{SECRET}@ch.example:8443/?database=ci")
    assert (t.base_url, t.database, t.headers["X-ClickHouse-Key"]) == (
        "https://ch.example:8443",
        "ci",
        SECRET,
    )
    assert parse_url("http://127.0.0.1:8123/").database == DEFAULT_DATABASE
    t = parse_url("chdb:///var/lib/ch?database=ci")
    assert (t.kind, t.path, t.database, t.where) == ("chdb", "/var/lib/ch", "ci", "chdb:///var/lib/ch")
    assert parse_url("chdb://relative/dir").path == "relative/dir"


@pytest.mark.parametrize(
    "url",
    [
        f"postgres://u:{SECRET}@h/db",
        f"clickhouse://u:{SECRET}@h:notaport/db",
        f"clickhouse://u:{SECRET}@h/bad-name",
        f"clickhouse://u:{SECRET}@h/x;DROP",
        "chdb://",
        "clickhouse:///db",
    ],
)
def test_bad_urls_are_usage_errors_without_the_password(url):
    with pytest.raises(UsageError) as e:
        parse_url(url)
    assert SECRET not in str(e.value) and "\n" not in str(e.value)


def test_ddl_names_the_urls_database_and_creates_if_not_exists():
    statements = ddl_statements("telemetry")
    assert statements[0] == "CREATE DATABASE IF NOT EXISTS telemetry"
    creates = [s for s in statements[1:] if s.startswith("CREATE")]
    assert [s.split("(")[0].split()[-1] for s in creates] == [
        "telemetry.jobs",
        "telemetry.task_usage",
        "telemetry.runs",
    ]
    alters = [s for s in statements[1:] if not s.startswith("CREATE")]  # a database made before a column
    assert [s.split()[:3] for s in alters] == [["ALTER", "TABLE", "telemetry.runs"]]
    assert all("IF NOT EXISTS" in s and "${" not in s for s in statements)


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def minimal_run(rd: Path) -> Path:
    write_table(
        rd, JOBS, {"repository": ["o/r"], "test_run_id": ["t1"], "job_id": [1], "created_at": [1.8e9]}
    )
    write_table(rd, TASK_USAGE, {})
    write_table(rd, RUN, {"test_run_id": ["t1"]})
    return rd


def test_a_server_that_does_not_answer_is_an_environment_failure(tmp_path):
    url = f"clickhouse://ci:{SECRET}@127.0.0.1:{closed_port()}/db"
    with pytest.raises(EnvironmentFailure) as e:
        export_runs(url, [minimal_run(tmp_path / "run")])
    assert SECRET not in str(e.value) and "127.0.0.1" in str(e.value)


def test_the_password_never_reaches_the_request_address():
    transport = HttpTransport(parse_url(f"clickhouse://ci:{SECRET}@127.0.0.1:{closed_port()}/db"))
    try:
        assert SECRET not in str(transport.client.base_url)
        assert transport.client.headers["X-ClickHouse-Key"] == SECRET
    finally:
        transport.close()


def test_a_run_without_tables_or_with_keyless_rows_sends_nothing(tmp_path):
    url = f"chdb://{tmp_path / 'ch'}"
    with pytest.raises(UsageError, match=r"no tables/jobs\.parquet"):
        export_runs(url, [tmp_path / "empty"])
    rd = minimal_run(tmp_path / "run")
    write_table(rd, JOBS, {"repository": ["o/r", None], "test_run_id": ["t1", "t1"], "job_id": [1, 2]})
    with pytest.raises(UsageError, match=r"1 row\(s\) without repository"):
        export_runs(url, [minimal_run(tmp_path / "good"), rd])
    assert not (tmp_path / "ch").exists()  # checked before anything was sent
