"""The architecture of docs/architecture.md, held by tests built from the source (ast): no import cycle
anywhere in suite/, rooms import one way only, small modules, nothing refers outside the repository."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SUITE = ROOT / "suite"
MAX_LINES = 400

# docs/architecture.md, "Rooms": each room may import only from the rooms listed after it (its layer and
# below). Base modules (suite, suite.errors, suite.clock, suite.isotime) are importable by everyone.
BASE = {"suite", "suite.errors", "suite.clock", "suite.isotime"}
ALLOWED: dict[str, set[str]] = {
    "rundir": set(),
    "gates": {"rundir"},
    "workflows": set(),
    "workload": {"workflows"},
    "profiles": {"gates", "rundir", "workflows", "schedule"},
    "schedule": set(),
    "github": set(),
    "dispatch": {"rundir", "github", "schedule", "profiles", "gates", "workflows"},
    "collect": {"rundir", "github", "dispatch"},
    "analyze": {"rundir", "schedule", "gates"},
    "report": {"rundir", "analyze", "gates"},
    "twin": {"rundir", "workflows", "workload", "profiles"},
    "fleet": {"rundir", "github", "twin", "workflows", "collect", "profiles"},
    "pipeline": {
        "rundir",
        "gates",
        "workflows",
        "profiles",
        "schedule",
        "github",
        "dispatch",
        "collect",
        "analyze",
        "report",
        "twin",
        "fleet",
        "export",
    },
    # exporters to other engines (OpenTelemetry, ClickHouse): they read the run directory's tables
    "export": {"rundir"},
    "decisions": {
        "rundir",
        "gates",
        "workflows",
        "profiles",
        "schedule",
        "analyze",
        "report",
        "twin",
        "fleet",
        "pipeline",
    },
}
ALLOWED["cli"] = set(ALLOWED) - {"cli"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(SUITE.rglob("*.py"))}


def imports_of(name: str, source: str, is_package: bool = False) -> set[str]:
    """Every suite module `name` imports, at any depth of its source (function-level imports count too)."""
    package = name if is_package else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source, name)):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            # `from pkg import submodule` imports the submodule; `from mod import name` the module
            targets = [
                f"{module}.{a.name}" if f"{module}.{a.name}" in MODULES else module for a in node.names
            ]
        else:
            continue
        found.update(t for t in targets if t in MODULES and t != name)
    return found


GRAPH = {
    name: imports_of(name, path.read_text(), path.name == "__init__.py") for name, path in MODULES.items()
}


def room(module: str) -> str | None:
    if module in BASE:
        return None
    parts = module.split(".")
    if parts[-1] == "__main__":  # `python -m suite` is the command line
        return "cli"
    return parts[1] if len(parts) > 1 else None


def test_the_import_graph_has_no_cycle():
    colour: dict[str, int] = {}  # 1 on the stack, 2 done
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        colour[node] = 1
        stack.append(node)
        for nxt in sorted(GRAPH[node]):
            if colour.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in colour:
                visit(nxt)
        stack.pop()
        colour[node] = 2

    for node in sorted(GRAPH):
        if node not in colour:
            visit(node)
    assert cycles == [], "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_the_graph_sees_every_form_of_import():
    """The cycle test is only as good as the graph: function-level, relative and `from pkg import module`
    imports are edges too."""
    source = (
        "import suite.clock\n"
        "def f():\n    from suite.errors import UsageError\n"
        "from . import stats\n"
        "from suite.report import fmt\n"
    )
    assert imports_of("suite.analyze.x", source) == {
        "suite.clock",
        "suite.errors",
        "suite.analyze.stats",
        "suite.report.fmt",
    }


def test_every_room_is_in_the_table():
    rooms = {room(m) for m in MODULES} - {None}
    assert rooms <= set(ALLOWED), f"rooms missing from the table: {sorted(rooms - set(ALLOWED))}"


def test_rooms_import_one_way():
    wrong = sorted(
        f"{src} -> {dst}"
        for src, targets in GRAPH.items()
        for dst in targets
        if (a := room(src)) is not None
        and (b := room(dst)) is not None
        and a != b
        and b not in ALLOWED.get(a, set())
    )
    assert wrong == [], "imports against the pipeline's direction:\n" + "\n".join(wrong)


def test_base_modules_import_no_room():
    for base in BASE - {"suite"}:
        assert {room(m) for m in GRAPH[base]} <= {None}, f"{base} imports {sorted(GRAPH[base])}"


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_is_over_the_limit(name: str):
    lines = len(MODULES[name].read_text().splitlines())
    assert lines <= MAX_LINES, f"{MODULES[name].relative_to(ROOT)} has {lines} lines (limit {MAX_LINES})"


OUTSIDE = re.compile(r"\.\./shared|DESIGN\.md")


def test_nothing_refers_to_files_outside_the_repository():
    tracked = [
        p
        for p in ROOT.rglob("*")
        if p.is_file()
        and p.suffix in {".py", ".md", ".toml", ".yaml", ".yml", ".tf", ".sh", ""}
        and not any(
            part.startswith(".") or part in {"reports", "__pycache__"} for part in p.relative_to(ROOT).parts
        )
        and p.name != Path(__file__).name
    ]
    offenders = sorted(
        str(p.relative_to(ROOT)) for p in tracked if OUTSIDE.search(p.read_text(errors="replace"))
    )
    assert offenders == []
