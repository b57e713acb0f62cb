"""suite.rundir.result_schema: the one typed catalogue of result.json, held to what the analysis writes."""

import ast
import json
from pathlib import Path
from typing import Any, get_args, get_origin, get_type_hints, is_typeddict

import pytest

from suite.gates import thresholds
from suite.pipeline.analysis import analyze_run_dir
from suite.report.jobs_csv import COLUMNS
from suite.rundir import cost_types, dist_type, failure_types, step_types
from suite.rundir import result_schema as schema
from suite.rundir import result_types as types_module
from tests.helpers.hand_made_run import write_fixture
from tests.helpers.synthetic_run import synthetic_run


def conforms(td: Any, value: Any, path: str = "") -> list[str]:
    """Where `value` does not have exactly the keys of TypedDict `td` (nested sections and list rows too)."""
    if not isinstance(value, dict):
        return [f"{path or 'result'} is {type(value).__name__}, not a {td.__name__}"]
    hints = get_type_hints(td)
    keys = set(value)
    problems = [f"{path}{k}: missing" for k in td.__required_keys__ - keys]
    problems += [f"{path}{k}: not in {td.__name__}" for k in keys - set(hints)]
    for key in keys & set(hints):
        tp = schema._optional(hints[key])
        item = value[key]
        if item is None or f"{path}{key}" in schema.CONFIGURATION:  # settings hold any keys
            continue
        if is_typeddict(tp):
            problems += conforms(tp, item, f"{path}{key}.")
        elif get_origin(tp) in (list,) and is_typeddict(args := get_args(tp)[0]):
            for i, row in enumerate(list(item)[:50]):
                problems += conforms(args, row, f"{path}{key}[{i}].")
    return problems


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    root = tmp_path_factory.mktemp("schema")
    (root / "empty").mkdir()
    return {
        "hand": analyze_run_dir(write_fixture(root / "hand")),
        "empty": analyze_run_dir(root / "empty"),
        "synthetic": synthetic_run(root / "synth")[1],
    }


def _plain(value):
    """The in-memory columns as JSON: numpy arrays as lists, other column types as lists."""
    return value.tolist() if hasattr(value, "tolist") else list(value)


def test_every_result_has_exactly_the_catalogued_fields(results):
    for name, result in results.items():
        assert conforms(schema.Result, json.loads(json.dumps(result, default=_plain))) == [], name


def test_every_numeric_field_is_a_number_or_null(results):
    for result in results.values():
        for path in schema.NUMERIC_FIELDS:
            value = schema.value_at(result, path)
            assert value is None or (isinstance(value, int | float) and not isinstance(value, bool)), path


def test_the_thresholds_field_lists_are_the_catalogue():
    """What suite.gates.thresholds lists by hand today is exactly what the catalogue derives."""
    assert set(schema.NUMERIC_FIELDS) == set(thresholds.KNOWN_FIELDS)
    assert schema.DISTRIBUTIONS == thresholds.DISTRIBUTIONS
    assert schema.DIST_STATS == thresholds.DIST_STATS
    assert schema.OPEN_FIELDS == thresholds.OPEN_FIELDS
    assert not any(p.startswith("fleet.") for p in schema.NUMERIC_FIELDS)  # configuration, not figures


def test_per_job_rows_and_jobs_csv_follow_the_catalogue(results):
    assert tuple(results["hand"]["per_job"][0]) == schema.PER_JOB_KEYS
    assert tuple(k for k in schema.PER_JOB_KEYS if k != "samples") == COLUMNS and COLUMNS[-1] == "failed_step"


def test_field_names_are_checked():
    assert schema.field("queue_time_s.p95") == "queue_time_s.p95"
    assert schema.field("fleet.runner_count") == "fleet.runner_count"
    assert schema.job_field("queue_s") == "queue_s"
    with pytest.raises(ValueError, match=r"queue_time\.p95 is not a field"):
        schema.field("queue_time.p95")
    with pytest.raises(ValueError, match="queue is not a per_job field"):
        schema.job_field("queue")


def test_the_catalogue_imports_nothing_from_the_suite_but_its_types():
    # result_types holds the sections too long for one module in type modules of their own
    types_only = {
        "suite.rundir.cost_types",
        "suite.rundir.dist_type",
        "suite.rundir.step_types",
        "suite.rundir.failure_types",
    }
    checked = ((schema, {"suite.rundir.result_types"}), (types_module, types_only))
    checked += ((dist_type, set()), (step_types, {"suite.rundir.dist_type"}), (failure_types, set()))
    checked += ((cost_types, {"suite.rundir.dist_type"}),)
    for module, allowed in checked:
        tree = ast.parse(Path(module.__file__).read_text())
        modules = [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        modules += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        assert [m for m in modules if m and m.split(".")[0] == "suite"] == sorted(allowed)
