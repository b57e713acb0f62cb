"""The twin's fake GitHub Actions REST API: a real HTTP server on 127.0.0.1.

It serves the endpoints the suite uses, shaped as GitHub's OpenAPI description says, with GitHub's
auth answers, rate-limit headers, ETags and 304s. Twin-only endpoints live under /_twin/.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import operator
import re
import secrets
import socket
import ssl
import sys
import threading
import time
from collections.abc import Callable
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from suite.clock import Clock, iso
from suite.isotime import parse_iso
from suite.twin import faults as fault_kinds
from suite.twin import github_objects as objects
from suite.twin.app_auth import AppConfig, jwt_problem
from suite.twin.faults import Faults, FaultsConfig
from suite.twin.fleet import Fleet, SimRun
from suite.twin.limits import SECONDARY_MESSAGE, LimitsConfig, PrimaryLimit, SecondaryLimits
from suite.twin.workflows import LISTED, REUSABLE, InputError, find_workflow

DOCS = "https://docs.github.com/rest"
MAX_FILTERED_RESULTS = 1000


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.headers = dict(headers or {})
        self.body: dict[str, Any] = {"message": message, "documentation_url": DOCS, "status": str(status)}
        if extra:
            self.body.update(extra)


class GitHubState:
    """What the handlers share: the fleet (behind a lock), the clock, the repo, the token."""

    def __init__(
        self,
        fleet: Fleet,
        clock: Clock,
        repo: str,
        token: str,
        limits: LimitsConfig | None = None,
        faults: FaultsConfig | None = None,
        app: AppConfig | None = None,
    ) -> None:
        self.fleet = fleet
        self.clock = clock
        self.repo = repo
        self.token = token
        self.lock = threading.Lock()
        self.limits = limits or LimitsConfig()
        self.limit = PrimaryLimit(limit=self.limits.primary_per_hour)
        self.secondary = SecondaryLimits(self.limits)
        self.faults = Faults(faults or FaultsConfig())
        self.app = app
        self.scheme = "http"  # "https" when make_server is given a TLS context
        self.installation_tokens: dict[str, float] = {}  # token -> expires at (virtual epoch s)
        self.in_flight = 0
        self.requests = 0
        self.last_request_wall = 0.0
        self.extra_info: Callable[[], dict[str, Any]] = dict

    def limit_key(self, token: str | None) -> str | None:
        """Whose primary rate limit a token draws on (None: not a valid credential at `now`).
        The twin's own token is a user's; installation tokens share their installation's limit."""
        if token is not None and token == self.token:
            return self.token
        expires = self.installation_tokens.get(token or "")
        if self.app is not None and expires is not None and expires > self.clock.now():
            return f"installation:{self.app.installation_id}"
        return None


def _page(items: list[Any], query: dict[str, str]) -> tuple[list[Any], int, int, int]:
    try:
        per_page = min(100, max(1, int(query.get("per_page", "30"))))
        page = max(1, int(query.get("page", "1")))
    except ValueError as exc:
        raise ApiError(422, "per_page and page must be integers") from exc
    last = max(1, -(-len(items) // per_page))
    return items[(page - 1) * per_page : page * per_page], page, per_page, last


_COMPARE: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
}


def _created_filter(expr: str) -> Callable[[int], bool]:
    """GitHub's `created` search qualifier: >=T, >T, <=T, <T, A..B, or a date/time T."""
    try:
        if ".." in expr:
            lo, hi = expr.split("..", 1)
            a = parse_iso(lo) if lo != "*" else float("-inf")
            b = parse_iso(hi) if hi != "*" else float("inf")
            return lambda t: a <= t <= b
        for op, compare in _COMPARE.items():
            if expr.startswith(op):
                bound = parse_iso(_with_time(expr[len(op) :]))
                return lambda t: compare(float(t), bound)
        day = parse_iso(_with_time(expr))
        return lambda t: day <= t < day + 86400
    except ValueError as exc:
        raise ApiError(422, f"Invalid created filter: {expr!r}") from exc


def _with_time(s: str) -> str:
    return s if "T" in s else s + "T00:00:00Z"


_STATUS_IS_CONCLUSION = {
    "success",
    "failure",
    "cancelled",
    "skipped",
    "neutral",
    "timed_out",
    "action_required",
}


def _status_filter(status: str) -> Callable[[SimRun], bool]:
    """`status` takes a status or a conclusion; every completed twin run concludes `success`."""
    if status in _STATUS_IS_CONCLUSION:
        return lambda r: r.status == "completed" and status == "success"
    return lambda r: r.status == status


class Handler(BaseHTTPRequestHandler):
    server_version = "GitHub.com"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    # TCP_NODELAY: headers and body go out as two writes; with Nagle on, the body waits for the
    # client's delayed ACK (~40 ms real per request), which is minutes of dispatch lag at 60x+.
    disable_nagle_algorithm = True
    state: GitHubState  # set on the subclass by make_server
    _limit_key: str | None = None  # whose primary limit this request draws on (set per request)

    def log_message(self, format: str, *args: Any) -> None:
        return

    def date_time_string(self, timestamp: float | None = None) -> str:
        return formatdate(self.state.clock.now(), usegmt=True)

    # ---- plumbing -------------------------------------------------------------------------------
    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def _handle(self, method: str) -> None:
        st = self.state
        with st.lock:
            st.in_flight += 1
            concurrent = st.in_flight
        try:
            self._handle_counted(method, concurrent)
        finally:
            with st.lock:
                st.in_flight -= 1

    def _handle_counted(self, method: str, concurrent: int) -> None:
        st = self.state
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        token = self._token()
        if method == "POST" and (m := re.fullmatch(r"/app/installations/(\d+)/access_tokens", parts.path)):
            self._access_token(int(m.group(1)), token)
            return
        is_twin = parts.path.startswith("/_twin/")
        is_dispatch = method == "POST" and parts.path.endswith("/dispatches")
        fault = fault_kinds.NONE
        latency = 0.0
        headers: dict[str, str]
        with st.lock:
            now = st.clock.now()
            st.requests += 1
            st.last_request_wall = time.time()
            st.fleet.advance(now)
            self._limit_key = st.limit_key(token)
            authed = self._limit_key is not None
            if authed and not is_twin:
                fault = st.faults.draw(is_dispatch)
                latency = st.faults.latency()
            try:
                if not authed:
                    raise ApiError(401, "Bad credentials" if token else "Requires authentication")
                if fault == fault_kinds.ERROR:  # answered before anything is done
                    raise ApiError(502, "Server Error")
                if fault == fault_kinds.RESET:
                    status, body, headers = 0, None, {}
                else:
                    if not is_twin and parts.path != "/rate_limit":
                        self._enforce_limits(method, is_dispatch, concurrent, now)
                    status, body, headers = self._route(method, parts.path, query, raw, now)
            except ApiError as err:
                status, body, headers = err.status, err.body, err.headers
            rate_headers = st.limit.headers(self._limit_key, now) if self._limit_key else {}
        if latency > 0:
            time.sleep(latency)
        if fault in (fault_kinds.RESET, fault_kinds.LOST):
            self._drop_connection()
            return
        counted = authed and not is_twin and parts.path != "/rate_limit"
        self._send(status, body, {**rate_headers, **headers}, count=counted)

    def _enforce_limits(self, method: str, is_dispatch: bool, concurrent: int, now: float) -> None:
        """GitHub's limits, checked before a request is acted on (a refused dispatch creates nothing)."""
        st = self.state
        if not st.limits.enabled:
            return
        if concurrent > st.limits.concurrent:
            st.secondary.refused += 1
            raise ApiError(403, SECONDARY_MESSAGE, headers={"retry-after": "60"})
        wait = st.secondary.check(now, method, is_dispatch)
        if wait is not None:
            raise ApiError(403, SECONDARY_MESSAGE, headers={"retry-after": str(int(wait))})
        key = self._limit_key or st.token
        if st.limit.snapshot(key, now)["remaining"] <= 0:
            raise ApiError(
                403,
                f"API rate limit exceeded for installation. {DOCS}#rate-limiting",
                headers=st.limit.headers(key, now),
            )

    def _access_token(self, installation_id: int, jwt: str | None) -> None:
        """POST /app/installations/{id}/access_tokens with the App's JWT: an installation token."""
        st = self.state
        self._limit_key = None
        with st.lock:
            now = st.clock.now()
            st.requests += 1
            st.last_request_wall = time.time()
            try:
                if st.app is None:
                    raise ApiError(404, "Not Found")
                if jwt is None:
                    raise ApiError(401, "A JSON web token could not be decoded")
                problem = jwt_problem(jwt, st.app, now)
                if problem is not None:
                    raise ApiError(401, problem)
                if installation_id != st.app.installation_id:
                    raise ApiError(404, "Not Found")
                token = "ghs_" + secrets.token_hex(18)
                expires = float(int(now) + st.app.token_lifetime_s)
                st.installation_tokens[token] = expires
                body: Any = {
                    "token": token,
                    "expires_at": iso(expires),
                    "permissions": {"actions": "write", "administration": "read", "metadata": "read"},
                    "repository_selection": "selected",
                }
                status = 201
            except ApiError as err:
                status, body = err.status, err.body
        self._send(status, body, {}, count=False)

    def _drop_connection(self) -> None:
        """Close the connection without an answer (a reset, or a response lost on the way)."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _token(self) -> str | None:
        auth = self.headers.get("Authorization", "")
        for scheme in ("Bearer ", "token "):
            if auth.startswith(scheme):
                return auth[len(scheme) :].strip()
        return None

    def _send(self, status: int, body: Any, headers: dict[str, str], count: bool) -> None:
        payload = b"" if body is None else json.dumps(body, separators=(",", ":")).encode()
        etag = f'W/"{hashlib.sha1(payload).hexdigest()}"' if payload and status == 200 else None
        if etag and self.command == "GET" and self.headers.get("If-None-Match") == etag:
            status, payload = 304, b""
        elif count and status != 401:
            key = self._limit_key or self.state.token
            with self.state.lock:  # remaining > 0 was checked before acting; a 304 does not count
                self.state.limit.take(key, self.state.clock.now())
                headers.update(self.state.limit.headers(key, self.state.clock.now()))
        self.send_response(status, HTTPStatus(status).phrase)
        self.send_header("X-GitHub-Api-Version-Selected", "2022-11-28")
        self.send_header("X-GitHub-Request-Id", hashlib.md5(self.path.encode()).hexdigest()[:20].upper())
        if etag:
            self.send_header("ETag", etag)
        for k, v in headers.items():
            self.send_header(k, v)
        if payload or status not in (204, 304):
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if payload:
            self.wfile.write(payload)

    def _link(self, path: str, query: dict[str, str], page: int, per_page: int, last: int) -> dict[str, str]:
        host = self.headers.get("Host", "127.0.0.1")
        rels = []
        for rel, p in (("prev", page - 1), ("next", page + 1), ("last", last), ("first", 1)):
            if (rel in ("prev", "first") and page > 1) or (rel in ("next", "last") and page < last):
                q = urlencode({**query, "per_page": per_page, "page": p})
                rels.append(f'<{self.state.scheme}://{host}{path}?{q}>; rel="{rel}"')
        return {"Link": ", ".join(rels)} if rels else {}

    # ---- routes ---------------------------------------------------------------------------------
    def _route(
        self, method: str, path: str, query: dict[str, str], raw: bytes, now: float
    ) -> tuple[int, Any, dict[str, str]]:
        st = self.state
        if path == "/rate_limit" and method == "GET":
            core = st.limit.snapshot(self._limit_key or st.token, now)
            search = {"limit": 30, "remaining": 30, "reset": int(now) + 60, "used": 0}
            return 200, {"resources": {"core": core, "search": search}, "rate": core}, {}
        if path.startswith("/_twin/") and method == "GET":
            return self._twin(path, query)
        prefix = f"/repos/{st.repo}/actions"
        if not path.startswith(prefix + "/"):
            raise ApiError(404, "Not Found")
        rest = path[len(prefix) :]
        api = f"{st.scheme}://{self.headers.get('Host', '127.0.0.1')}"
        if m := re.fullmatch(r"/workflows/([^/]+)/dispatches", rest):
            if method != "POST":
                raise ApiError(404, "Not Found")
            return self._dispatch(api, m.group(1), raw, now)
        if method != "GET":
            raise ApiError(404, "Not Found")
        if rest == "/workflows":
            wfs = [objects.workflow_object(api, st.repo, wf, int(now) - 86400) for wf in LISTED.values()]
            return 200, {"total_count": len(wfs), "workflows": wfs}, {}
        if rest == "/runs":
            return self._list_runs(api, path, query)
        if m := re.fullmatch(r"/runs/(\d+)", rest):
            return 200, objects.run_object(api, st.repo, self._run(int(m.group(1)))), {}
        if m := re.fullmatch(r"/runs/(\d+)/jobs", rest):
            return self._list_jobs(api, path, query, self._run(int(m.group(1))))
        if m := re.fullmatch(r"/jobs/(\d+)", rest):
            job = st.fleet.jobs.get(int(m.group(1)))
            if job is None:
                raise ApiError(404, "Not Found")
            return 200, objects.job_object(api, st.repo, st.fleet, job), {}
        if rest == "/runners":
            runners = [objects.runner_object(st.fleet, t) for t in st.fleet.online_runners()]
            page, p, pp, last = _page(sorted(runners, key=lambda r: r["id"]), query)
            return 200, {"total_count": len(runners), "runners": page}, self._link(path, query, p, pp, last)
        raise ApiError(404, "Not Found")

    def _run(self, run_id: int) -> SimRun:
        run = self.state.fleet.runs.get(run_id)
        if run is None:
            raise ApiError(404, "Not Found")
        return run

    def _dispatch(
        self, api: str, workflow_id: str, raw: bytes, now: float
    ) -> tuple[int, Any, dict[str, str]]:
        st = self.state
        wf = find_workflow(workflow_id)
        if wf is None:
            raise ApiError(404, "Not Found")
        if wf.file in REUSABLE:
            raise ApiError(422, "Workflow does not have 'workflow_dispatch' trigger")
        try:
            body = json.loads(raw or b"{}")
        except json.JSONDecodeError as exc:
            raise ApiError(400, "Problems parsing JSON") from exc
        if not isinstance(body, dict) or not isinstance(body.get("ref"), str):
            raise ApiError(422, 'Invalid request.\n\n"ref" wasn\'t supplied.')
        unknown = set(body) - {"ref", "inputs", "return_run_details"}
        if unknown:
            raise ApiError(422, f"Invalid request.\n\n{sorted(unknown)} are not permitted keys.")
        if body["ref"] not in ("main", "refs/heads/main"):
            raise ApiError(422, f"No ref found for: {body['ref']}")
        inputs = body.get("inputs") or {}
        if not isinstance(inputs, dict):
            raise ApiError(422, "Invalid request.\n\nFor 'properties/inputs', it is not an object.")
        try:
            accepted = wf.validate_inputs(inputs)
        except InputError as exc:
            raise ApiError(422, str(exc)) from exc
        run = st.fleet.dispatch(wf, accepted, display_title=accepted["suite_id"], at=now)
        if body.get("return_run_details") is True:
            return (
                200,
                {
                    "workflow_run_id": run.id,
                    "run_url": f"{api}/repos/{st.repo}/actions/runs/{run.id}",
                    "html_url": f"https://github.com/{st.repo}/actions/runs/{run.id}",
                },
                {},
            )
        return 204, None, {}

    def _list_runs(self, api: str, path: str, query: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        st = self.state
        runs = sorted(st.fleet.runs.values(), key=lambda r: r.id, reverse=True)
        filtered = False
        if "created" in query:
            keep = _created_filter(query["created"])
            runs = [r for r in runs if keep(r.created)]
            filtered = True
        if "status" in query:
            keep_s = _status_filter(query["status"])
            runs = [r for r in runs if keep_s(r)]
            filtered = True
        total = len(runs)
        if filtered:
            runs = runs[:MAX_FILTERED_RESULTS]  # GitHub caps filtered searches at 1,000 results
        page, p, pp, last = _page(runs, query)
        body = {"total_count": total, "workflow_runs": [objects.run_object(api, st.repo, r) for r in page]}
        return 200, body, self._link(path, query, p, pp, last)

    def _list_jobs(
        self, api: str, path: str, query: dict[str, str], run: SimRun
    ) -> tuple[int, Any, dict[str, str]]:
        if query.get("filter", "latest") not in ("latest", "all"):
            raise ApiError(422, "filter must be one of: latest, all")
        st = self.state
        jobs = [st.fleet.jobs[j] for j in sorted(run.job_ids.values())]
        page, p, pp, last = _page(jobs, query)
        body = {
            "total_count": len(jobs),
            "jobs": [objects.job_object(api, st.repo, st.fleet, j) for j in page],
        }
        return 200, body, self._link(path, query, p, pp, last)

    def _twin(self, path: str, query: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        st = self.state
        if path == "/_twin/truth":
            prefix = query.get("suite_id_prefix")
            titles = None
            if prefix is not None:
                titles = {
                    r.display_title for r in st.fleet.runs.values() if r.display_title.startswith(prefix)
                }
            return 200, st.fleet.truth(titles), {}
        if path == "/_twin/info":
            info = {
                "fleet": st.fleet.config.to_dict(),
                "now": st.clock.now(),
                "repo": st.repo,
                "limits": {**st.limits.to_dict(), "secondary_refused": st.secondary.refused},
                "app": {"installation_tokens_issued": len(st.installation_tokens)} if st.app else None,
                "faults": {
                    **st.faults.config.to_dict(),
                    "injected": dict(st.faults.injected),
                    "injected_dispatch": dict(st.faults.injected_dispatch),
                },
            }
            info.update(st.extra_info())
            return 200, info, {}
        raise ApiError(404, "Not Found")


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up or refuses the certificate is routine, not worth a traceback."""
        exc = sys.exc_info()[1]
        if isinstance(exc, ssl.SSLError | ConnectionError):
            return
        super().handle_error(request, client_address)


def make_server(state: GitHubState, port: int = 0, tls: ssl.SSLContext | None = None) -> ThreadingHTTPServer:
    """The twin's GitHub API on 127.0.0.1; HTTPS when `tls` (a server-side context) is given."""
    handler = type("TwinHandler", (Handler,), {"state": state})
    server = _Server(("127.0.0.1", port), handler)
    server.daemon_threads = True
    if tls is not None:
        # the handshake happens in the handler's thread on first read, not in the accepting one
        server.socket = tls.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
        state.scheme = "https"
    return server
