"""The benchmark's reference: the figures `suite report` computes, from the same raw files, in DuckDB.

    python tools/bench_reference.py RUN_DIR OUT.parquet

Reads ledger.jsonl, raw/runs.jsonl, raw/jobs.jsonl and raw/metrics.jsonl (only the fields the figures
need: DuckDB's JSON reader skips the rest of GitHub's objects), computes with docs/architecture.md's
definitions, writes the per-job rows to OUT.parquet (zstd) and prints the figures as one JSON object.
It imports nothing from the suite: it is a second implementation, not a copy.

- Accepted dispatch: status 2xx, per suite_id its last 2xx ledger row (file order). A job is this
  test's when its run id was returned by an accepted dispatch and is in raw/runs.jsonl. (The suite's
  fallback for a dispatch answered without a run id, by display_title, is not done here: the count of
  such dispatches is printed as `accepted_without_run_id`, and must be 0 for the figures to compare.)
- Jobs: the last copy of a job id (file order) wins; only the highest run_attempt of each run is kept.
  ran = not skipped and started; busy = ran and completed; queue = started − created (ran);
  execution = max(started, completed) − started (busy).
- Percentiles: quantile_cont, linear interpolation between closest ranks (numpy's default).
- Max concurrency: exact, a sweep over +1 at each busy job's start and −1 at its end, ends before
  starts at one instant (half-open intervals).
- Window: first scheduled_at of the ledger + the manifest's clock_offset_s .. last busy job's end;
  throughput = busy jobs ending inside it per minute of it.
- Per-job CPU and memory: the job's task (task id = runner_name) metric rows with a value whose stamp
  is in [start, end): max and mean of CpuUtilized and MemoryUtilized; percentages of the mean
  CpuReserved / MemoryReserved inside the interval, else of the task's mean. Only Container Insights
  rows (raw/metrics.jsonl): the benchmark's runs have no raw/samples.jsonl. The range join is an
  equi-join on (task, minute) followed by the exact interval test (every minute a job overlaps is
  listed), so it is exact for any sample spacing.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import duckdb

BUCKET_S = 60  # the range join's bucket width (any width is exact; a minute suits Container Insights)
QUANTILES = (0.5, 0.9, 0.95, 0.99)


def _jsonl(path: Path, columns: dict[str, str]) -> str:
    cols = ", ".join(f"{k}: '{v}'" for k, v in columns.items())
    quoted = str(path).replace("'", "''")
    return f"read_json('{quoted}', format='newline_delimited', columns={{{cols}}})"


def _epoch(col: str) -> str:
    return f"epoch(CAST({col} AS TIMESTAMPTZ))"


def load(con: duckdb.DuckDBPyConnection, run_dir: Path) -> None:
    raw = run_dir / "raw"
    ledger = {
        "suite_id": "VARCHAR",
        "scheduled_at": "VARCHAR",
        "status": "BIGINT",
        "workflow_run_id": "BIGINT",
    }
    con.execute(f"CREATE TABLE ledger AS SELECT * FROM {_jsonl(run_dir / 'ledger.jsonl', ledger)}")
    con.execute(f"CREATE TABLE runs AS SELECT id FROM {_jsonl(raw / 'runs.jsonl', {'id': 'BIGINT'})}")
    jobs = {"id": "BIGINT", "run_id": "BIGINT", "run_attempt": "BIGINT", "name": "VARCHAR"}
    jobs |= {"conclusion": "VARCHAR", "runner_name": "VARCHAR", "created_at": "VARCHAR"}
    jobs |= {"started_at": "VARCHAR", "completed_at": "VARCHAR"}
    con.execute(f"CREATE TABLE jobs_raw AS SELECT * FROM {_jsonl(raw / 'jobs.jsonl', jobs)}")
    metrics = {"task_id": "VARCHAR", "metric": "VARCHAR", "timestamp": "VARCHAR", "value": "DOUBLE"}
    con.execute(
        f"CREATE TABLE samples AS SELECT task_id, metric, {_epoch('timestamp')} AS t, value "
        f"FROM {_jsonl(raw / 'metrics.jsonl', metrics)} "
        "WHERE value IS NOT NULL AND timestamp IS NOT NULL AND timestamp <> ''"
    )


SCOPE = """
CREATE TABLE accepted AS
SELECT suite_id, workflow_run_id AS run_id FROM (SELECT *, rowid AS r FROM ledger)
WHERE status BETWEEN 200 AND 299
QUALIFY row_number() OVER (PARTITION BY suite_id ORDER BY r DESC) = 1;
CREATE TABLE scope AS
SELECT DISTINCT run_id FROM accepted JOIN (SELECT DISTINCT id AS run_id FROM runs) USING (run_id);
"""

JOBS = f"""
CREATE TABLE jobs AS
WITH last AS (
  SELECT *, coalesce(run_attempt, 1) AS attempt FROM (SELECT *, rowid AS r FROM jobs_raw)
  QUALIFY row_number() OVER (PARTITION BY id ORDER BY r DESC) = 1
), latest AS (
  SELECT * FROM last QUALIFY attempt = max(attempt) OVER (PARTITION BY run_id)
), stamped AS (
  SELECT id, run_id, attempt AS run_attempt, name, conclusion, runner_name,
         {_epoch("created_at")} AS created, {_epoch("started_at")} AS started,
         {_epoch("completed_at")} AS completed
  FROM latest WHERE run_id IN (SELECT run_id FROM scope)
), flagged AS (
  SELECT *, conclusion IS DISTINCT FROM 'skipped' AND started IS NOT NULL AS ran FROM stamped
), busy AS (
  SELECT *, ran AND completed IS NOT NULL AS busy FROM flagged
)
SELECT *,
  CASE WHEN ran THEN started - created END AS queue_s,
  CASE WHEN busy THEN started END AS s,
  CASE WHEN busy THEN greatest(started, completed) END AS e,
  CASE WHEN busy THEN greatest(started, completed) - started END AS execution_s
FROM busy;
"""

RESOURCES = f"""
CREATE TABLE job_minutes AS
SELECT id, runner_name AS task_id, s, e, unnest(range(CAST(floor(s / {BUCKET_S}) AS BIGINT),
       CAST(floor(e / {BUCKET_S}) AS BIGINT) + 1)) AS bucket
FROM jobs WHERE busy AND runner_name IS NOT NULL;
CREATE TABLE inside AS
SELECT j.id,
  count(*) FILTER (WHERE m.metric = 'CpuUtilized') AS n_cpu,
  count(*) FILTER (WHERE m.metric = 'MemoryUtilized') AS n_mem,
  max(m.value) FILTER (WHERE m.metric = 'CpuUtilized') AS cpu_max,
  avg(m.value) FILTER (WHERE m.metric = 'CpuUtilized') AS cpu_mean,
  max(m.value) FILTER (WHERE m.metric = 'MemoryUtilized') AS memory_max,
  avg(m.value) FILTER (WHERE m.metric = 'MemoryUtilized') AS memory_mean,
  avg(m.value) FILTER (WHERE m.metric = 'CpuReserved') AS cpu_res,
  avg(m.value) FILTER (WHERE m.metric = 'MemoryReserved') AS mem_res
FROM job_minutes j
JOIN (SELECT *, CAST(floor(t / {BUCKET_S}) AS BIGINT) AS bucket FROM samples) m
  ON m.task_id = j.task_id AND m.bucket = j.bucket AND m.t >= j.s AND m.t < j.e
GROUP BY j.id;
CREATE TABLE task_reserved AS
SELECT task_id,
  avg(value) FILTER (WHERE metric = 'CpuReserved') AS cpu_res,
  avg(value) FILTER (WHERE metric = 'MemoryReserved') AS mem_res
FROM samples GROUP BY task_id;
CREATE TABLE per_job AS
WITH r AS (
  SELECT j.*, coalesce(i.n_cpu, 0) AS n_cpu, coalesce(i.n_mem, 0) AS n_mem,
    i.cpu_max, i.cpu_mean, i.memory_max, i.memory_mean,
    CASE WHEN t.task_id IS NOT NULL THEN coalesce(i.cpu_res, t.cpu_res) END AS cpu_res,
    CASE WHEN t.task_id IS NOT NULL THEN coalesce(i.mem_res, t.mem_res) END AS mem_res,
    t.task_id IS NOT NULL AND j.busy AS joined
  FROM jobs j LEFT JOIN inside i USING (id) LEFT JOIN task_reserved t ON t.task_id = j.runner_name
)
SELECT id, run_id, run_attempt, name, conclusion, runner_name,
  to_timestamp(created) AS created_at, to_timestamp(started) AS started_at,
  to_timestamp(completed) AS completed_at, queue_s, execution_s,
  CASE WHEN joined THEN greatest(n_cpu, n_mem) ELSE 0 END AS samples,
  cpu_max, cpu_mean,
  100 * cpu_max / nullif(cpu_res, 0) AS cpu_max_pct, 100 * cpu_mean / nullif(cpu_res, 0) AS cpu_mean_pct,
  memory_max, memory_mean,
  100 * memory_max / nullif(mem_res, 0) AS memory_max_pct,
  100 * memory_mean / nullif(mem_res, 0) AS memory_mean_pct,
  ran, busy, s, e
FROM r;
"""


def _distribution(con: duckdb.DuckDBPyConnection, column: str) -> dict[str, float | int | None]:
    q = ", ".join(str(x) for x in QUANTILES)
    row = con.execute(
        f"SELECT count({column}), min({column}), max({column}), quantile_cont({column}, [{q}]) "
        f"FROM per_job WHERE {column} IS NOT NULL"
    ).fetchone()
    assert row is not None
    count, lo, hi, qs = row
    out: dict[str, float | int | None] = {"count": count, "min": lo, "max": hi}
    for name, v in zip(("p50", "p90", "p95", "p99"), qs or [None] * 4, strict=True):
        out[name] = v
    return out


def figures(con: duckdb.DuckDBPyConnection, shift: float) -> dict[str, object]:
    def one(sql: str) -> object:
        row = con.execute(sql).fetchone()
        assert row is not None
        return row[0]

    start = one("SELECT min(epoch(CAST(scheduled_at AS TIMESTAMPTZ))) FROM ledger")
    end = one("SELECT max(e) FROM per_job WHERE busy")
    window = None
    thru = None
    if start is not None and end is not None and float(end) > float(start) + shift:  # type: ignore[arg-type]
        w0, w1 = float(start) + shift, float(end)  # type: ignore[arg-type]
        window = [w0, w1]
        done = one(f"SELECT count(*) FROM per_job WHERE busy AND e >= {w0!r} AND e <= {w1!r}")
        thru = int(done) / ((w1 - w0) / 60.0)  # type: ignore[call-overload]
    max_conc = one(
        "SELECT coalesce(max(level), 0) FROM (SELECT sum(d) OVER (ORDER BY t, d ROWS UNBOUNDED PRECEDING) "
        "AS level FROM (SELECT s AS t, 1 AS d FROM per_job WHERE busy "
        "UNION ALL SELECT e AS t, -1 AS d FROM per_job WHERE busy))"
    )
    return {
        "jobs": one("SELECT count(*) FROM per_job"),
        "ran": one("SELECT count(*) FROM per_job WHERE ran"),
        "accepted_without_run_id": one("SELECT count(*) FROM accepted WHERE run_id IS NULL"),
        "queue_time_s": _distribution(con, "queue_s"),
        "execution_time_s": _distribution(con, "execution_s"),
        "concurrency_max": max_conc,
        "window": window,
        "jobs_per_min": thru,
        "jobs_with_samples": one("SELECT count(*) FROM per_job WHERE ran AND samples > 0"),
        "cpu_max": _distribution(con, "cpu_max"),
        "memory_max": _distribution(con, "memory_max"),
    }


def main(argv: list[str]) -> int:
    run_dir, out = Path(argv[0]), Path(argv[1])
    manifest = json.loads((run_dir / "manifest.json").read_text())
    shift = float(manifest.get("clock_offset_s") or 0.0)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    load(con, run_dir)
    for sql in (SCOPE, JOBS, RESOURCES):
        con.execute(sql)
    quoted = str(out).replace("'", "''")
    con.execute(
        "COPY (SELECT * EXCLUDE (ran, busy, s, e) FROM per_job) "
        f"TO '{quoted}' (FORMAT parquet, COMPRESSION zstd)"
    )
    print(json.dumps(figures(con, shift)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
