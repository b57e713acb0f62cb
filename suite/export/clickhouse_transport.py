"""Where a ClickHouse export goes: a ClickHouse server's HTTP interface, or chdb (an in-process
ClickHouse keeping its data in a folder), behind one small interface (`Transport`).

URL forms (docs/architecture.md, Exports):
- `clickhouse://USER:PASSWORD@HOST:PORT/DATABASE`: the HTTP interface at http://HOST:PORT (8123 when no
  port is given);
- `http(s)://[USER:PASSWORD@]HOST:PORT/?database=DATABASE`: the HTTP interface at that address;
- `chdb://PATH[?database=DATABASE]`: chdb, its data kept in PATH.
The database is `runner_suite` when the URL names none. Credentials go in ClickHouse's headers
(X-ClickHouse-User / X-ClickHouse-Key), never in the request's URL, a message or a log line: `Target.where`
is the address without them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

import httpx

from suite.errors import EnvironmentFailure, UsageError

DEFAULT_DATABASE = "runner_suite"
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
HTTP_TIMEOUT_S = 300.0  # one table's rows in one request: minutes at most for a million jobs
CHUNK_BYTES = 1 << 20
URL_FORMS = "clickhouse://USER:PASSWORD@HOST:8123/DB, http(s)://HOST:PORT/?database=DB or chdb://PATH"


@dataclass(frozen=True)
class Target:
    kind: str  # "http" or "chdb"
    database: str
    where: str  # the address without credentials: what messages show
    base_url: str = ""  # http: scheme://host:port
    path: str = ""  # chdb: the data folder
    headers: dict[str, str] = field(default_factory=dict, repr=False)


class Transport(Protocol):
    def execute(self, sql: str) -> None: ...

    def insert_parquet(self, table: str, columns: list[str], parquet: Path) -> None:
        """INSERT INTO `table` (columns) the rows of a Parquet file, as ClickHouse's Parquet format."""
        ...

    def rows(self, sql: str) -> list[dict[str, Any]]:
        """A query's rows (JSONEachRow), for the summary and the tests; small results only."""
        ...

    def close(self) -> None: ...


def parse_url(url: str) -> Target:
    """The export target a URL names; UsageError for anything else (the URL is never echoed: it may
    hold a password)."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    database = (query.get("database") or [""])[0]
    if parts.scheme == "chdb":
        path = unquote(parts.netloc + parts.path)
        if not path:
            raise UsageError(f"a chdb URL needs the data folder: chdb://PATH (one of {URL_FORMS})")
        return Target("chdb", _database(database), f"chdb://{path}", path=path)
    if parts.scheme not in ("clickhouse", "http", "https") or not parts.hostname:
        raise UsageError(f"not a ClickHouse URL: use {URL_FORMS}")
    if parts.scheme == "clickhouse":
        database = database or parts.path.strip("/")
    try:
        port = parts.port or (8123 if parts.scheme != "https" else 8443)
    except ValueError:
        raise UsageError(f"the ClickHouse URL's port is not a number (use {URL_FORMS})") from None
    scheme = "https" if parts.scheme == "https" else "http"
    base = f"{scheme}://{parts.hostname}:{port}"
    headers = {}
    if parts.username:
        headers["X-ClickHouse-User"] = unquote(parts.username)
    if parts.password:
        headers["X-ClickHouse-Key"] = unquote(parts.password)
    db = _database(database)
    return Target("http", db, f"{base}/{db}", base_url=base, headers=headers)


def _database(name: str) -> str:
    if not name:
        return DEFAULT_DATABASE
    if not _IDENTIFIER.fullmatch(name):
        raise UsageError(
            "the ClickHouse database name must be letters, digits and underscores (at most 64), "
            "starting with a letter or underscore"
        )
    return name


def open_transport(target: Target) -> Transport:
    return ChdbTransport(target) if target.kind == "chdb" else HttpTransport(target)


class HttpTransport:
    """ClickHouse's HTTP interface: the query in the `query` parameter, the data as the POST body."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self.client = httpx.Client(base_url=target.base_url, headers=target.headers, timeout=HTTP_TIMEOUT_S)

    def _post(self, sql: str, body: Iterator[bytes] | None = None) -> httpx.Response:
        params = {"query": sql, "database": self.target.database}
        try:
            response = self.client.post("/", params=params, content=body)
        except httpx.HTTPError as e:
            raise EnvironmentFailure(
                f"ClickHouse at {self.target.where} did not answer ({type(e).__name__}): is the server "
                "running and the URL's host and port right?"
            ) from None
        if response.status_code != 200:
            code = response.headers.get("X-ClickHouse-Exception-Code", "unknown")
            raise EnvironmentFailure(
                f"ClickHouse at {self.target.where} refused a request: HTTP {response.status_code}, "
                f"exception code {code[:12]} (the server's log says why; 516 is a wrong user or password)"
            )
        return response

    def execute(self, sql: str) -> None:
        self._post(sql)

    def insert_parquet(self, table: str, columns: list[str], parquet: Path) -> None:
        insert = f"INSERT INTO {self.target.database}.{table} ({', '.join(columns)}) FORMAT Parquet"
        with parquet.open("rb") as f:  # sent in chunks as it is read: never the whole file in memory
            self._post(insert, iter(lambda: f.read(CHUNK_BYTES), b""))

    def rows(self, sql: str) -> list[dict[str, Any]]:
        return _json_rows(self._post(f"{sql} FORMAT JSONEachRow").text)

    def close(self) -> None:
        self.client.close()


class ChdbTransport:
    """chdb: ClickHouse's engine in this process, its data in the target's folder; the Parquet file is
    read by ClickHouse's own `file()` table function."""

    def __init__(self, target: Target) -> None:
        try:
            from chdb.session import Session
        except ImportError:
            raise EnvironmentFailure(
                "chdb:// needs the chdb package (pip install chdb), or export to a ClickHouse server "
                "with clickhouse://HOST:8123/DB"
            ) from None
        self.target = target
        Path(target.path).mkdir(parents=True, exist_ok=True)
        self.session = Session(target.path)

    def _query(self, sql: str, fmt: str = "CSV") -> str:
        try:
            return str(self.session.query(sql, fmt))
        except RuntimeError as e:
            code = re.search(r"Code: (\d+)", str(e))
            raise EnvironmentFailure(
                f"ClickHouse (chdb at {self.target.path}) refused a query: exception code "
                f"{code.group(1) if code else 'unknown'}"
            ) from None

    def execute(self, sql: str) -> None:
        self._query(sql)

    def insert_parquet(self, table: str, columns: list[str], parquet: Path) -> None:
        names = ", ".join(columns)
        source = str(parquet.resolve()).replace("\\", "\\\\").replace("'", "\\'")
        into = f"{self.target.database}.{table} ({names})"
        self._query(f"INSERT INTO {into} SELECT {names} FROM file('{source}', Parquet)")

    def rows(self, sql: str) -> list[dict[str, Any]]:
        return _json_rows(self._query(sql, "JSONEachRow"))

    def close(self) -> None:
        self.session.close()


def _json_rows(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]
