"""The price table and the right-size headroom the analysis is given: the shipped pricing/fargate.yaml,
or the table and headroom suite.yaml's `cost:` section names:

    cost:
      prices: my-prices.yaml   # a table shaped like pricing/fargate.yaml (default: that file)
      headroom_pct: 25         # the right-size recommendation's headroom over the peaks (default 25)

Read here, at the edge (suite.pipeline.analysis passes the result to the pure analysis), through the
suite's one reader of user files (suite.profiles.userfile): every problem is one UsageError naming
file:line and the fix (exit 2), never the file's contents.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from suite.errors import UsageError
from suite.fleet.config import REGION_RE, config_path, load_config_node
from suite.profiles.userfile import check_file, display_path, load_yaml_file
from suite.profiles.yamlpos import Node, brief, where
from suite.rundir.cost_types import PlatformPrices, PriceTable

SHIPPED = Path(__file__).resolve().parents[2] / "pricing" / "fargate.yaml"
SHIPPED_NAME = "pricing/fargate.yaml"
ARCHITECTURES = ("X86_64", "ARM64")
DEFAULT_HEADROOM_PCT = 25.0  # suite.analyze.rightsize.DEFAULT_HEADROOM_PCT (tests hold them equal)
MAX_HEADROOM_PCT = 400.0
MAX_PRICE = 1000.0  # per vCPU- or GB-hour: far above any Fargate price; a bigger number is a typo
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
FIX = "shape it like pricing/fargate.yaml"


@dataclass(frozen=True)
class CostSettings:
    prices: PriceTable
    headroom_pct: float


def _fail(source: str, node: Node | None, message: str) -> UsageError:
    return UsageError(f"{where(source, node.line if node else 0)}: {message}")


def _mapping(source: str, node: Node | None, what: str) -> dict[str, Node]:
    if node is None or not node.is_mapping:
        raise _fail(source, node, f"{what} must be a mapping; {FIX}")
    return dict(node.value)


def _text(source: str, fields: dict[str, Node], key: str, limit: int = 500) -> str:
    node = fields.get(key)
    if node is None or not isinstance(node.value, str) or not node.value.strip() or len(node.value) > limit:
        raise _fail(source, node, f"`{key}` must be a non-empty string of at most {limit} characters; {FIX}")
    return node.value.strip()


def _price(source: str, fields: dict[str, Node], key: str, at: str) -> float:
    node = fields.get(key)
    value = None if node is None else node.value
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _fail(source, node, f"{at}.{key} must be a number (price per hour), got {_shown(value)}")
    if not 0 < value <= MAX_PRICE:
        raise _fail(source, node, f"{at}.{key} must be > 0 and <= {MAX_PRICE:g}, got {value:g}")
    return float(value)


def _shown(value: Any) -> str:
    return "nothing" if value is None else "a mapping" if isinstance(value, dict) else brief(value)


def parse_prices(root: Node | None, source: str) -> PriceTable:
    """A price table from its YAML document (source: the name errors and result.json give it)."""
    top = _mapping(source, root, "the price table")
    unknown = sorted(set(top) - {"checked", "source", "currency", "regions"})
    if unknown:
        raise _fail(source, top[unknown[0]], f"unknown key {brief(unknown[0])}; {FIX}")
    checked = _text(source, top, "checked", 10)
    if not _DATE.match(checked):
        raise _fail(source, top["checked"], "`checked` must be the date the prices were checked, YYYY-MM-DD")
    regions: dict[str, dict[str, PlatformPrices]] = {}
    for region, node in _mapping(source, top.get("regions"), "`regions`").items():
        if not isinstance(region, str) or not REGION_RE.match(region):
            raise _fail(source, node, f"{brief(region)} is not an AWS region name; write it like eu-west-1")
        archs: dict[str, PlatformPrices] = {}
        for arch, entry in _mapping(source, node, f"regions.{region}").items():
            if arch not in ARCHITECTURES:
                raise _fail(
                    source, entry, f"regions.{region}: {brief(arch)} is not one of {', '.join(ARCHITECTURES)}"
                )
            fields = _mapping(source, entry, f"regions.{region}.{arch}")
            extra = sorted(set(fields) - {"vcpu_hour", "gb_hour"})
            if extra:
                raise _fail(
                    source, fields[extra[0]], f"regions.{region}.{arch}: unknown key {brief(extra[0])}"
                )
            at = f"regions.{region}.{arch}"
            archs[arch] = PlatformPrices(
                vcpu_hour=_price(source, fields, "vcpu_hour", at),
                gb_hour=_price(source, fields, "gb_hour", at),
            )
        regions[region] = archs
    return PriceTable(
        table=source,
        checked=checked,
        source=_text(source, top, "source"),
        currency=_text(source, top, "currency", 10),
        regions=regions,
    )


def read_prices(path: Path | None = None) -> PriceTable:
    """The shipped table (path None) or a user's, checked."""
    file = path or SHIPPED
    root, _ = load_yaml_file(file, "price table")
    return parse_prices(root, SHIPPED_NAME if path is None else display_path(file))


def cost_settings(path: Path | None = None) -> CostSettings:
    """suite.yaml's `cost:` section (absent: the shipped table, the default headroom)."""
    path = path or config_path()
    root = load_config_node(path)
    node = None if root is None else root.value.get("cost")
    source = display_path(path)
    if node is None or node.value is None:
        return CostSettings(read_prices(), DEFAULT_HEADROOM_PCT)
    fields = _mapping(source, node, "`cost:`")
    unknown = sorted(set(fields) - {"prices", "headroom_pct"})
    if unknown:
        raise _fail(
            source,
            fields[unknown[0]],
            f"cost: unknown key {brief(unknown[0])} (cost takes prices, headroom_pct)",
        )
    headroom = DEFAULT_HEADROOM_PCT
    if (h := fields.get("headroom_pct")) is not None:
        v = h.value
        if (
            isinstance(v, bool)
            or not isinstance(v, int | float)
            or not math.isfinite(v)
            or not 0 <= v <= MAX_HEADROOM_PCT
        ):
            raise _fail(
                source, h, f"cost.headroom_pct must be a percentage 0..{MAX_HEADROOM_PCT:g}, got {_shown(v)}"
            )
        headroom = float(v)
    table = None
    if (p := fields.get("prices")) is not None:
        if not isinstance(p.value, str) or not p.value.strip():
            raise _fail(
                source, p, "cost.prices must be the path of a price table (like pricing/fargate.yaml)"
            )
        file = Path(p.value.strip())
        check_file(file, "price table")
        table = read_prices(file)
    return CostSettings(table or read_prices(), headroom)
