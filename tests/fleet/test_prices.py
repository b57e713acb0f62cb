"""The price table and suite.yaml's `cost:` section (suite.fleet.prices): the shipped table reads, and a
bad file is one exit-2 line naming file:line, never its contents."""

from __future__ import annotations

from pathlib import Path

import pytest

from suite.errors import UsageError
from suite.fleet import prices

GOOD = """checked: "2026-12-03"
source: https://aws.amazon.com/fargate/pricing/
currency: USD
regions:
  eu-west-1:
    X86_64: {vcpu_hour: 0.05, gb_hour: 0.005}
"""


def test_the_shipped_table_is_dated_sourced_and_prices_the_common_regions():
    t = prices.read_prices()
    assert t["table"] == "pricing/fargate.yaml" and t["currency"] == "USD"
    assert t["source"] == "https://aws.amazon.com/fargate/pricing/" and len(t["checked"]) == 10
    for region in ("us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "ap-northeast-1"):
        assert set(t["regions"][region]) >= {"X86_64"}
    assert t["regions"]["us-east-1"]["X86_64"] == {"vcpu_hour": 0.04048, "gb_hour": 0.004445}
    assert t["regions"]["us-east-1"]["ARM64"] == {"vcpu_hour": 0.03238, "gb_hour": 0.00356}


def test_without_a_cost_section_the_settings_are_the_shipped_table_and_25_pct(tmp_path: Path):
    s = prices.cost_settings(tmp_path / "absent.yaml")
    assert s.headroom_pct == 25.0 and s.prices["table"] == "pricing/fargate.yaml"


def test_suite_yaml_names_a_table_and_a_headroom(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine.yaml").write_text(GOOD)
    (tmp_path / "suite.yaml").write_text("cost:\n  prices: mine.yaml\n  headroom_pct: 40\n")
    s = prices.cost_settings(tmp_path / "suite.yaml")
    assert s.headroom_pct == 40.0
    assert s.prices["table"] == "mine.yaml" and s.prices["regions"] == {
        "eu-west-1": {"X86_64": {"vcpu_hour": 0.05, "gb_hour": 0.005}}
    }


@pytest.mark.parametrize(
    ("text", "where", "what"),
    [
        (GOOD.replace("0.05,", "-1,"), ":6:", "vcpu_hour must be > 0"),
        (GOOD.replace("0.05,", f"'{'x' * 5000}',"), ":6:", "vcpu_hour must be a number"),
        (GOOD.replace("X86_64", "x86"), ":6:", "'x86' is not one of X86_64, ARM64"),
        (GOOD.replace("eu-west-1", "Ireland"), ":5:", "is not an AWS region name"),
        (GOOD.replace('"2026-12-03"', "last week"), ":1:", "YYYY-MM-DD"),
        (GOOD.replace("currency: USD\n", ""), "", "`currency` must be a non-empty string"),
        (GOOD + "extra: 1\n", ":7:", "unknown key 'extra'"),
        (GOOD.replace("gb_hour: 0.005", "gb_hour: 0.005, spot: 1"), ":6:", "unknown key 'spot'"),
    ],
)
def test_a_bad_price_table_is_one_line_with_file_and_line(tmp_path: Path, text: str, where: str, what: str):
    path = tmp_path / "p.yaml"
    path.write_text(text)
    with pytest.raises(UsageError) as err:
        prices.read_prices(path)
    line = str(err.value)
    assert line.startswith(f"{path}{where}") and what in line and "\n" not in line
    assert len(line) < 300  # a value is shown cut short (yamlpos.brief), never whole


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("cost:\n  headroom_pct: 900\n", "suite.yaml:2: cost.headroom_pct must be a percentage 0..400"),
        ("cost:\n  headroom_pct: yes\n", "suite.yaml:2: cost.headroom_pct must be a percentage"),
        ("cost:\n  prices: nowhere.yaml\n", "nowhere.yaml: not a price table (no such price table)"),
        ("cost:\n  prices: [a]\n", "suite.yaml:2: cost.prices must be the path of a price table"),
        ("cost:\n  headroom: 10\n", "suite.yaml:2: cost: unknown key 'headroom'"),
        ("cost: 3\n", "suite.yaml:1: `cost:` must be a mapping"),
    ],
)
def test_a_bad_cost_section_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, what: str
):
    monkeypatch.chdir(tmp_path)
    Path("suite.yaml").write_text(text)
    with pytest.raises(UsageError, match=None) as err:
        prices.cost_settings(Path("suite.yaml"))
    assert what in str(err.value) and "\n" not in str(err.value)


def test_suite_run_stops_on_a_bad_cost_section_before_anything_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    from suite.cli.main import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SUITE_CONFIG", str(tmp_path / "suite.yaml"))
    monkeypatch.setenv("SUITE_STATE_DIR", str(tmp_path / "state"))
    (tmp_path / "suite.yaml").write_text("cost:\n  headroom_pct: -5\n")
    smoke = Path(__file__).resolve().parents[2] / "profiles" / "smoke.yaml"
    assert main(["run", str(smoke), "--env", "local", "--reports", str(tmp_path / "reports")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "suite.yaml:2: cost.headroom_pct must be a percentage 0..400" in err[0]
    assert not (tmp_path / "reports").exists() or not any((tmp_path / "reports").iterdir())
