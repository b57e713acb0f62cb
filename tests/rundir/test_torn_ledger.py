"""A torn last ledger line (a process killed, or a disk failing, in the middle of an append) is set aside
in ledger.torn and cut off, but only when it is provably incomplete (the last line, no newline, not
JSON) and inflight.json accounts for its dispatch, or schedule.json does and the line shows it was never
sent. Anything else is left as it is, for
the reading side to name as damaged input."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from suite.rundir.ledger import TORN_FILE, dispatch_row, not_sent_row, repair_torn_tail

PREFIX = "smoke-20260101T000000Z-abcdef"


def row_line(seq: int, sent: bool = True) -> str:
    suite_id = f"{PREFIX}-{seq:05d}"
    row = (
        dispatch_row(seq, suite_id, 100.0 * seq, 100.0 * seq + 0.5, 204, 1000 + seq, None)
        if sent
        else not_sent_row(seq, suite_id, 100.0 * seq, "interrupted")
    )
    return json.dumps(row, separators=(",", ":")) + "\n"  # as the appender writes it


def run_dir(tmp_path: Path, inflight_seq: int | None, schedule: bool) -> Path:
    d = tmp_path / "run"
    d.mkdir(exist_ok=True)
    for name in ("ledger.jsonl", TORN_FILE, "inflight.json", "schedule.json"):
        (d / name).unlink(missing_ok=True)
    if inflight_seq is not None:
        (d / "inflight.json").write_text(
            json.dumps({"seq": inflight_seq, "suite_id": f"{PREFIX}-{inflight_seq:05d}"})
        )
    if schedule:
        (d / "schedule.json").write_text(
            json.dumps({"suite_id_prefix": PREFIX, "offsets_s": [0.0] * 9, "start": 0})
        )
    return d


def repair(d: Path) -> str | None:
    return repair_torn_tail(d / "ledger.jsonl", d / "inflight.json", d / "schedule.json")


@given(
    whole=st.integers(min_value=0, max_value=5),
    cut=st.integers(min_value=1),
    sent=st.booleans(),
    accounted_by=st.sampled_from(["inflight", "schedule"]),
)
def test_any_cut_inside_the_last_row_is_set_aside_and_the_whole_rows_stay(
    tmp_path_factory, whole: int, cut: int, sent: bool, accounted_by: str
) -> None:
    d = run_dir(
        tmp_path_factory.mktemp("t"),
        whole + 1 if accounted_by == "inflight" else None,
        accounted_by == "schedule",
    )
    kept = "".join(row_line(seq) for seq in range(1, whole + 1))
    last = row_line(whole + 1, sent)
    torn = last[: 1 + cut % (len(last) - 2)]  # at least one byte, never the whole row without its newline
    (d / "ledger.jsonl").write_text(kept + torn)
    said = repair(d)
    # schedule.json alone accounts for a row only when its own text shows it was never sent: a sent row
    # cut short there is damage (its run would be lost if it were recorded again as never sent)
    if accounted_by == "schedule" and '"sent_at":null' not in torn:
        assert said is None and (d / "ledger.jsonl").read_text() == kept + torn
        return
    assert said is not None and f"set aside in {TORN_FILE}" in said
    assert (d / "ledger.jsonl").read_text() == kept  # every whole row, byte for byte
    (note,) = [json.loads(line) for line in (d / TORN_FILE).read_text().splitlines()]
    assert note["text"] == torn and note["ledger_bytes_kept"] == len(kept.encode())
    assert repair(d) is None  # nothing left to repair


def test_a_torn_line_naming_a_dispatch_nothing_accounts_for_is_left_alone(tmp_path: Path) -> None:
    d = run_dir(tmp_path, inflight_seq=7, schedule=False)
    text = row_line(1) + row_line(2)[:60]  # names seq 2 and its suite_id; inflight.json holds seq 7
    (d / "ledger.jsonl").write_text(text)
    assert repair(d) is None
    assert (d / "ledger.jsonl").read_text() == text and not (d / TORN_FILE).exists()


def test_a_torn_line_naming_only_its_seq_must_match_too(tmp_path: Path) -> None:
    d = run_dir(tmp_path, inflight_seq=7, schedule=False)
    (d / "ledger.jsonl").write_text(row_line(1) + '{"seq":2,"sui')
    assert repair(d) is None
    d = run_dir(tmp_path, inflight_seq=2, schedule=False)
    (d / "ledger.jsonl").write_text(row_line(1) + '{"seq":2,"sui')
    assert repair(d) is not None


def test_a_torn_line_of_another_run_is_not_accounted_for_by_this_schedule(tmp_path: Path) -> None:
    d = run_dir(tmp_path, inflight_seq=None, schedule=True)
    text = row_line(1) + row_line(2)[:60].replace(PREFIX, "other-20260101T000000Z-000000")
    (d / "ledger.jsonl").write_text(text)
    assert repair(d) is None and (d / "ledger.jsonl").read_text() == text


def test_nothing_accounts_for_a_torn_line_without_inflight_or_schedule(tmp_path: Path) -> None:
    d = run_dir(tmp_path, inflight_seq=None, schedule=False)
    (d / "ledger.jsonl").write_text(row_line(1) + '{"seq":2,"sui')
    assert repair(d) is None


def test_a_damaged_line_in_the_middle_is_not_repaired(tmp_path: Path) -> None:
    d = run_dir(tmp_path, inflight_seq=3, schedule=True)
    text = row_line(1) + row_line(2)[:30] + "\n" + row_line(3)
    (d / "ledger.jsonl").write_text(text)
    assert repair(d) is None and (d / "ledger.jsonl").read_text() == text


def test_a_whole_row_missing_only_its_newline_is_not_torn(tmp_path: Path) -> None:
    d = run_dir(tmp_path, inflight_seq=2, schedule=True)
    text = row_line(1) + row_line(2).rstrip("\n")
    (d / "ledger.jsonl").write_text(text)
    assert repair(d) is None and (d / "ledger.jsonl").read_text() == text


def test_an_absent_or_empty_or_whole_ledger_needs_nothing(tmp_path: Path) -> None:
    d = run_dir(tmp_path, inflight_seq=1, schedule=True)
    assert repair(d) is None
    (d / "ledger.jsonl").write_text("")
    assert repair(d) is None
    (d / "ledger.jsonl").write_text(row_line(1))
    assert repair(d) is None
