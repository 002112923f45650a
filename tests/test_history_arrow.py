"""History tables written to Parquet without pandas (wikidiff.histories.arrow): the same Arrow tables and the same
pandas metadata as going through a DataFrame, the DataFrame way for values the direct way does not know, and a
history run that never imports pandas."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from wikidiff.histories.arrow import arrow_table, pandas_metadata
from wikidiff.histories.schema import TABLES
from wikidiff.histories.tables import FileSink, arrow_schema, frame, read_table

ROOT = Path(__file__).resolve().parents[1]


def _through_pandas(table: str, rows: list[dict]) -> pa.Table:
    return pa.Table.from_pandas(frame(table, rows), schema=arrow_schema(table), preserve_index=False)


def _row(table: str, **values) -> dict:
    kinds = {"int": 7, "str": "x", "bool": True, "float": 1.5, "ts": "2005-03-01T12:34:56Z", "cat": "info"}
    row = {col: kinds[kind] for col, kind in TABLES[table]}
    row.update(values)
    return row


@pytest.mark.parametrize("table", list(TABLES))
def test_the_metadata_is_the_one_pandas_writes(table):
    ref = pa.Schema.from_pandas(frame(table, []), preserve_index=False).metadata[b"pandas"]
    assert json.loads(ref) == pandas_metadata(table)


@pytest.mark.parametrize("table", list(TABLES))
def test_rows_make_the_table_a_dataframe_makes(table):
    cols = TABLES[table]
    none = {c: None for c, _ in cols}
    rows = [_row(table), none, _row(table), {}]  # a missing key is a missing value
    if table == "flags":  # categories known and new, unicode, empty strings, zero and negative numbers
        rows += [_row(table, code="a-new-code", severity="warning", message="é “quoted” 𝄞", section="",
                      old_offset=0, new_offset=-3, restored=False),
                 _row(table, code="broken-ref", severity=None, message=None)]
    assert arrow_table(table, rows, arrow_schema(table)).equals(_through_pandas(table, rows))
    assert arrow_table(table, [], arrow_schema(table)).equals(_through_pandas(table, []))


@pytest.mark.parametrize("odd", [
    {"revid": 3.0},  # a float in an integer column
    {"revid": True},  # a boolean in one
    {"title": 5},  # a number in a text column
    {"timestamp": "2005-03-01 12:34:56"},  # another form of date
    {"timestamp": "1600-03-01T12:34:56Z"},  # a year pandas' range decides
    {"restored": 1},
])
def test_values_of_other_kinds_go_through_pandas(odd):
    rows = [_row("flags", **odd)]
    assert arrow_table("flags", rows, arrow_schema("flags")) is None


def test_a_file_holds_what_was_given(tmp_path):
    rows = [_row("flags", revid=i, code="unsourced-text" if i % 2 else "zz-other", title=None if i == 3 else "T")
            for i in range(5)]
    rows.append(_row("flags", revid=9, title=5))  # the last batch goes through pandas
    sink = FileSink(tmp_path, batch=2)
    for row in rows:
        sink("flags", [row])
    sink.close()
    df = read_table(tmp_path, "flags")
    assert df["revid"].tolist() == [0, 1, 2, 3, 4, 9]
    assert df["title"].tolist()[2:] == ["T", pd.NA, "T", "5"]
    assert df["code"].tolist() == ["zz-other", "unsourced-text"] * 2 + ["zz-other", "info"]
    plain = pd.read_parquet(tmp_path / "flags.parquet")  # pandas alone: the same dtypes (times to Parquet's ms)
    assert [str(t) for c, t in plain.dtypes.items() if c != "timestamp"] == \
        [str(t) for c, t in df.dtypes.items() if c != "timestamp"]


def test_a_history_run_to_parquet_never_imports_pandas(shared_data, tmp_path):
    dump = shared_data / "anarchism-history" / "anarchism-500.xml.xz"
    code = ("import sys, wikidiff\n"
            f"wikidiff.history({str(dump)!r}, out={str(tmp_path)!r}, limit=20, resume=False)\n"
            "print('pandas' in sys.modules)\n")
    got = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert got.stdout.strip() == "False"
    assert len(read_table(tmp_path, "revisions")) == 20
