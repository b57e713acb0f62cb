"""`suite query "SQL" [--reports DIR] [--json|--csv]`: SQL over every run directory's tables
(suite.decisions.query), printed as a table fitted to the terminal, as JSON or as CSV."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import sys
from decimal import Decimal
from typing import Any

from suite.cli.args import reports_dir
from suite.errors import EXIT_PASS

COMMANDS = ("query",)


def add_commands(sub: Any) -> None:
    q = sub.add_parser(
        "query",
        help="SQL (DuckDB) over every run directory's tables: views jobs, task_usage, runs",
    )
    q.add_argument(
        "sql", metavar="SQL", help='one query, e.g. "SELECT job_name, count(*) FROM jobs GROUP BY 1"'
    )
    q.add_argument("--reports", type=reports_dir, default="reports")
    shown = q.add_mutually_exclusive_group()
    shown.add_argument("--json", action="store_true", help="print a JSON array of objects")
    shown.add_argument("--csv", action="store_true", help="print CSV (RFC 4180), a header row first")


def plain(value: Any) -> Any:
    """A DuckDB value as JSON holds it: times as ISO-8601 text, decimals as numbers."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, bytes):
        return value.hex()
    return value


def cell(value: Any) -> str:
    """A value as a table or CSV cell: empty when null."""
    value = plain(value)
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value)
    return str(value)


def _csv(value: Any) -> Any:
    """A CSV cell as jobs.csv writes one (suite.report.escape.csv_cell: null empty, numbers as numbers,
    text never starting like a formula)."""
    from suite.report.escape import csv_cell

    value = plain(value)
    return csv_cell(json.dumps(value) if isinstance(value, list | dict) else value)


def run(args: argparse.Namespace) -> int:
    from suite.decisions.query import run_query  # startup time: DuckDB
    from suite.report.escape import terminal_text
    from suite.report.terminal_table import fitted_table, output_width

    answer = run_query(args.reports, args.sql)
    if args.json:
        rows = [dict(zip(answer.columns, map(plain, r), strict=True)) for r in answer.rows]
        print(json.dumps(rows, indent=2))
    elif args.csv:
        writer = csv.writer(sys.stdout, lineterminator="\r\n")
        writer.writerow(answer.columns)
        writer.writerows([_csv(v) for v in r] for r in answer.rows)
    else:
        table = [[terminal_text(cell(v)) for v in r] for r in answer.rows]
        print(fitted_table(table, [terminal_text(c) for c in answer.columns], output_width()))
        print(f"({len(answer.rows)} row{'s' if len(answer.rows) != 1 else ''})")
    return EXIT_PASS
