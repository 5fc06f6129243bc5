"""The one table reader/writer: format, same bytes every run, checks where a table is written."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
import pytest
from pandera.typing import Series

from analysis.io import (
    TableError,
    as_written,
    read_csv,
    read_parquet,
    significant,
    write_csv,
    write_parquet,
)


def estimates() -> pd.DataFrame:
    """A small table with the kinds of cells the workflow writes."""
    return pd.DataFrame({
        "model": ["panel_poisson_fe", "panel_poisson_fe", "cross_section_volume_poisson"],
        "estimate": [0.1 + 0.2, -1.2345678901234, math.nan],
        "p_value": [1.23456789e-12, 1.0, math.nan],
        "conf_high": [math.inf, 2.0, math.nan],
        "n": [120, 120, 14],
        "explicit_mandate": pd.array([True, False, pd.NA], dtype="boolean"),
        "reason": ["", "note, with a comma", "too few operations"],
    })


def test_csv_format_ten_significant_digits_text_as_written(tmp_path):
    path = write_csv(estimates(), tmp_path / "estimates.csv")
    lines = path.read_bytes().decode("utf-8").split("\n")
    assert lines[0] == "model,estimate,p_value,conf_high,n,explicit_mandate,reason"
    # 0.1 + 0.2 is 0.30000000000000004 in floating point: the noise is not written
    assert lines[1] == "panel_poisson_fe,0.3,1.23456789e-12,inf,120,True,"
    assert lines[2] == 'panel_poisson_fe,-1.23456789,1,2,120,False,"note, with a comma"'
    assert lines[3] == "cross_section_volume_poisson,,,,14,,too few operations"
    assert lines[4] == "" and len(lines) == 5  # "\n" line ends, one after the last row
    assert b"\r" not in path.read_bytes()


def test_significant_is_what_the_csv_holds(tmp_path):
    df = pd.DataFrame({"x": [2 / 3, 123456.789012345, 1e-15 / 3]})
    df["rounded"] = df["x"].map(significant)
    write_csv(df, tmp_path / "t.csv")
    back = read_csv(tmp_path / "t.csv")
    assert [float(v) for v in back["x"]] == list(df["rounded"])
    assert significant(2 / 3) == 0.6666666667
    assert math.isnan(significant(None)) and math.isnan(significant(math.nan))


def test_same_frame_same_bytes(tmp_path):
    for name, write in (("t.csv", write_csv), ("t.parquet", write_parquet)):
        first = write(estimates(), tmp_path / "a" / name).read_bytes()
        second = write(estimates(), tmp_path / "b" / name).read_bytes()
        assert first == second, name


def test_parquet_is_the_same_bytes_in_a_fresh_process(tmp_path):
    # A new interpreter is what a second workflow run is: nothing cached, same file.
    write_parquet(estimates(), tmp_path / "here.parquet")
    code = ("import sys; sys.path.insert(0, sys.argv[2]); from test_io import estimates; "
            "from analysis.io import write_parquet; write_parquet(estimates(), sys.argv[1])")
    subprocess.run([sys.executable, "-c", code, str(tmp_path / "there.parquet"),
                    str(Path(__file__).parent)], check=True)
    assert (tmp_path / "here.parquet").read_bytes() == (tmp_path / "there.parquet").read_bytes()


def test_parquet_has_no_index_and_keeps_types(tmp_path):
    df = estimates().iloc[[2, 0]]  # a filtered frame: its index is not 0..n-1
    back = read_parquet(write_parquet(df, tmp_path / "t.parquet"))
    assert list(back.columns) == list(df.columns)  # no __index_level_0__
    assert list(back.index) == [0, 1]
    assert str(back["explicit_mandate"].dtype) == "boolean" and back["n"].tolist() == [14, 120]


def test_parent_folder_created_and_no_temporary_file_left(tmp_path):
    path = write_csv(estimates(), tmp_path / "new" / "folder" / "t.csv")
    assert path.is_file()
    assert [p.name for p in path.parent.iterdir()] == ["t.csv"]


class Scores(pa.DataFrameModel):
    model: Series[str]
    p_value: Series[float] = pa.Field(nullable=True, ge=0, le=1)


def test_schema_error_names_the_file_and_writes_nothing(tmp_path):
    bad = pd.DataFrame({"model": ["m1", "m2"], "p_value": [0.5, 1.5]})
    path = tmp_path / "scores.csv"
    for write in (write_csv, write_parquet):
        with pytest.raises(TableError) as err:
            write(bad, path, Scores)
        message = str(err.value)
        assert str(path) in message and "Scores" in message
        assert "'p_value'" in message and "row 1" in message and "1.5" in message
        assert not path.exists()


def test_schema_error_keeps_the_old_file(tmp_path):
    path = write_csv(pd.DataFrame({"model": ["m1"], "p_value": [0.5]}), tmp_path / "s.csv")
    before = path.read_bytes()
    with pytest.raises(TableError):
        write_csv(pd.DataFrame({"model": ["m1"], "p_value": [-1.0]}), path, Scores)
    assert path.read_bytes() == before


def test_valid_table_is_written_with_its_schema(tmp_path):
    good = pd.DataFrame({"model": ["m1"], "p_value": [0.25]})
    assert read_csv(write_csv(good, tmp_path / "s.csv", Scores))["p_value"].tolist() == ["0.25"]


def test_read_csv_keeps_cells_as_written(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("doc_id,explicit_mandate,value,n\n0012,True,none,3\n0013,,NA,4\n",
                    encoding="utf-8")
    df = read_csv(path, ints=("n",))
    assert df["doc_id"].tolist() == ["0012", "0013"]
    assert df["explicit_mandate"].tolist() == ["True", ""]
    assert df["value"].tolist() == ["none", "NA"]  # never turned into NaN
    assert df["n"].tolist() == [3, 4]


def test_read_csv_accepts_a_spreadsheet_byte_order_mark_and_semicolons(tmp_path):
    path = tmp_path / "sheet.csv"
    path.write_bytes("\ufeffpara_id;oc\ndoc:1;true\n".encode("utf-8"))
    assert read_csv(path, sep=";").to_dict("records") == [{"para_id": "doc:1", "oc": "true"}]


def test_read_csv_names_the_line_and_column_of_a_bad_whole_number(tmp_path):
    path = tmp_path / "panel.csv"
    path.write_text("operation,all_paragraphs\nMINUSMA,12\nMINUSCA,1.5\n", encoding="utf-8")
    with pytest.raises(TableError, match=r"panel\.csv:3: column 'all_paragraphs' must be a "
                                         r"whole number, got '1\.5'"):
        read_csv(path, ints=("all_paragraphs",))
    with pytest.raises(TableError, match="column 'n_paragraphs' is missing"):
        read_csv(path, ints=("n_paragraphs",))


def test_as_written_is_what_the_file_reads_back(tmp_path):
    df = estimates()
    from_file = read_csv(write_csv(df, tmp_path / "t.csv"), ints=("n",))
    pd.testing.assert_frame_equal(as_written(df, ("n",)), from_file)


def test_importing_io_does_not_load_pandas():
    # the per-document extraction jobs write parquet through analysis.io without pandas
    code = ("import sys, analysis.io, analysis.vocab; "
            "assert 'pandas' not in sys.modules, 'pandas imported'")
    subprocess.run([sys.executable, "-c", code], check=True)
