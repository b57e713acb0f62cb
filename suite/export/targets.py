"""Where exports go: `KIND=URL` as `suite export --to` and `--out` on run, collect and report take it.

Kinds: `otlp` (an OpenTelemetry collector's OTLP/HTTP endpoint, http:// or https://) and `clickhouse`
(clickhouse://, http(s):// or chdb://PATH, the in-process engine over a folder). A bad spec is one exit-2
line. A URL may carry credentials (user:password@host): they are used, never shown; every message names
the URL as `shown(url)` prints it.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from suite.errors import EXIT_USAGE, EnvironmentFailure, SuiteError, UsageError, clip

KINDS = ("otlp", "clickhouse")
SCHEMES = {"otlp": ("http", "https"), "clickhouse": ("clickhouse", "http", "https", "chdb")}
MAX_SPEC_CHARS = 2048


@dataclass(frozen=True)
class ExportTarget:
    kind: str
    url: str

    def __str__(self) -> str:
        return f"{self.kind}={shown(self.url)}"


def shown(url: str) -> str:
    """The URL safe to print: whatever stands before its last `@` (user:password, even unencoded or
    with no scheme) and its query and fragment (where tokens travel) removed; bounded."""
    start = url.find("//") + 2 if "//" in url else 0
    cut = min((i for i in (url.find("?", start), url.find("#", start)) if i >= 0), default=len(url))
    at = url.rfind("@", start, cut)
    return clip(url[:start] + url[at + 1 if at >= 0 else start : cut], 200)


def parse_target(spec: str) -> ExportTarget:
    """`KIND=URL` checked: a known kind, a URL of a scheme that kind takes, with a host (a path for
    chdb://). UsageError (exit 2) otherwise, the URL shown without credentials."""
    if len(spec) > MAX_SPEC_CHARS:
        raise UsageError(
            f"an export target of {len(spec)} characters: give KIND=URL (at most {MAX_SPEC_CHARS})"
        )
    kind, sep, url = spec.partition("=")
    if not sep or kind not in KINDS:
        said = f"kind {kind!r}" if sep and re.fullmatch(r"[A-Za-z0-9_-]{1,20}", kind) else "no KIND="
        raise UsageError(  # the text is not echoed otherwise: it may be a URL with credentials
            f"export target with {said}: give KIND=URL with KIND one of {', '.join(KINDS)} "
            "(e.g. otlp=http://127.0.0.1:4318)"
        )
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (a port that is not a number raises here)
    except ValueError:
        raise UsageError(f"{kind}={shown(url)}: not a URL (e.g. {_example(kind)})") from None
    schemes = SCHEMES[kind]
    if parts.scheme not in schemes:
        raise UsageError(
            f"{kind}={shown(url)}: the scheme must be one of {', '.join(s + '://' for s in schemes)} "
            f"(e.g. {_example(kind)})"
        )
    if parts.scheme == "chdb":
        if not (parts.netloc + parts.path):
            raise UsageError(f"{kind}={shown(url)}: chdb:// needs a folder (e.g. chdb:///var/lib/suite-ch)")
    elif not parts.hostname:
        raise UsageError(f"{kind}={shown(url)}: no host (e.g. {_example(kind)})")
    return ExportTarget(kind, url)


def _example(kind: str) -> str:
    return "otlp=http://127.0.0.1:4318" if kind == "otlp" else "clickhouse=http://127.0.0.1:8123"


def export_to(target: ExportTarget, run_dirs: Sequence[Path]) -> object:
    """Send the run directories' tables to one target: `suite.export.<kind>.export_runs(url, run_dirs)`,
    its module imported only when used (ClickHouse's client is not loaded for an OTLP export)."""
    try:
        module = importlib.import_module(f"suite.export.{target.kind}")
    except ModuleNotFoundError as exc:  # the exporter's own dependency (e.g. a ClickHouse client) missing
        raise EnvironmentFailure(
            f"the {target.kind} exporter cannot be loaded ({clip(str(exc), 120)}): this installation lacks "
            "it or a library it needs; install runner-suite with its dependencies (pip install -e .)"
        ) from None
    return module.export_runs(target.url, list(run_dirs))


def export_all(targets: Sequence[ExportTarget], run_dirs: Sequence[Path]) -> list[str]:
    """Every target in turn; returns a line per target exported. The first failure stops with its own
    error (a SuiteError: its exit code) naming the target."""
    done = []
    for target in targets:
        try:
            export_to(target, run_dirs)
        except SuiteError as exc:  # the same exit code, the target named (never its credentials)
            kind = UsageError if exc.exit_code == EXIT_USAGE else EnvironmentFailure
            raise kind(f"export to {target}: {exc}") from None
        done.append(
            f"Exported {len(run_dirs)} run director{'y' if len(run_dirs) == 1 else 'ies'} to {target}"
        )
    return done
