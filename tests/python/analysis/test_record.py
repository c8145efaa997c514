"""The record (worlds/record/record.csv) and `stackrace.record.compare`: the shipped file
is well formed and sourced, a bad row is refused with its line and column, and each
kind of target is read from the file as the output it names."""
import numpy as np
import pandas as pd
import pytest

import stackrace
from stackrace import record
from conftest import WORLDS_DIR

HEADER = "id,description,quantity,kind,stack,country,firm_size,date,value,low,high,source,read_via,notes\n"


def write(tmp_path, rows):
    path = tmp_path / "record.csv"
    path.write_text(HEADER + "".join(r + "\n" for r in rows))
    return path


def test_the_shipped_record_is_well_formed_and_sourced():
    table = record.load()
    assert len(table) >= 20
    assert table["source"].str.len().min() > 10
    assert set(table["quantity"]) <= set(record.QUANTITIES)
    assert (table["low"] <= table["value"]).all() and (table["value"] <= table["high"]).all()
    # History as the test: the record covers 2023 to 2025.
    assert table["date"].dt.year.min() <= 2023 and table["date"].dt.year.max() >= 2025


@pytest.mark.parametrize("row, column", [
    ("a,x,adoption,developer,,WLD,,2024-06,0.5,0.6,0.7,src,primary,", "low"),
    ("a,x,adoption,developer,,WLD,,2024-13,0.5,0.4,0.7,src,primary,", "date"),
    ("a,x,vibes,developer,,WLD,,2024-06,0.5,0.4,0.7,src,primary,", "quantity"),
    ("a,x,adoption,robot,,WLD,,2024-06,0.5,0.4,0.7,src,primary,", "kind"),
    ("a,x,adoption,developer,,WLD,,2024-06,0.5,0.4,0.7,,primary,", "source"),
    ("a,x,adoption,firm,,WLD,huge,2024-06,0.5,0.4,0.7,src,primary,", "firm_size"),
])
def test_a_bad_row_is_refused_with_its_line_and_column(tmp_path, row, column):
    path = write(tmp_path, ["ok,x,adoption,developer,,WLD,,2024-06,0.5,0.4,0.7,src,primary,", row])
    with pytest.raises(ValueError, match=rf"{path}:3: {column}:"):
        record.load(path)


def test_a_duplicate_id_is_refused(tmp_path):
    row = "a,x,adoption,developer,,WLD,,2024-06,0.5,0.4,0.7,src,primary,"
    with pytest.raises(ValueError, match="'a' is used twice"):
        record.load(write(tmp_path, [row, row]))


@pytest.fixture(scope="module")
def run_file(run_to_file):
    return run_to_file(WORLDS_DIR / "default.toml", "--agents", "20000", "--steps", "3", name="record_run.h5")


def test_each_target_is_read_as_the_output_it_names(run_file, tmp_path):
    ds = stackrace.open(run_file)  # the default world from 2026-01
    path = write(tmp_path, [
        "dev_world,developers using AI,adoption,developer,,WLD,,2026-01,0.9,0.8,0.95,src,primary,",
        "chn_closed,US closed among Chinese developers using AI,stack_share_of_users,developer,us_closed,CHN,,2026-01,"
        "0.1,0.05,0.15,src,primary,",
        "eu_firms,EU firms using AI,adoption,firm,,EU27,,2026-01,0.2,0.15,0.25,src,primary,",
        "open_world,open stacks among AI-using developers,stack_share_of_users,developer,open,WLD,,2026-01,"
        "0.2,0.1,0.3,src,primary,",
        "price,GPT-5 blended,price,,us_closed,WLD,,2026-01,3.4375,3.0,4.0,src,primary,",
        "gap,Chinese models' lag,capability_gap_months,,cn_open,WLD,,2026-01,7,4,14,src,primary,",
        "tokens,OpenRouter Chinese share,token_share,,cn_open,WLD,,2026-01,0.13,0.1,0.3,src,primary,",
        "old,developers using AI in 2023,adoption,developer,,WLD,,2023-06,0.44,0.4,0.5,src,primary,",
        "large,large EU firms using AI,adoption,firm,,EU27,large,2026-01,0.5,0.45,0.55,src,primary,",
    ])
    table = record.compare(ds, record.load(path))
    start = ds.isel(time=0, run=0)
    # The world: 1 − the weighted share on none, as the file's global_share gives it.
    none = float(start.global_share.sel(kind="developer", stack="none"))
    assert table.loc["dev_world", "model"] == pytest.approx(1 - none, abs=1e-6)
    share = start.share.sel(country="CHN", kind="developer")
    assert table.loc["chn_closed", "model"] == pytest.approx(
        float(share.sel(stack="us_closed") / (1 - share.sel(stack="none"))), rel=1e-6)
    assert table.loc["price", "model"] == pytest.approx(3.4375)
    assert table.loc["gap", "model"] == pytest.approx(7.0, rel=1e-6)
    assert table.loc["gap", "inside"]
    open_share = start.global_share.sel(kind="developer", stack=["cn_open", "us_open"]).sum()
    assert table.loc["open_world", "model"] == pytest.approx(float(open_share / (1 - none)), rel=1e-5)
    assert 0 < table.loc["eu_firms", "model"] < 1
    assert set(table.attrs["skipped"]) == {"tokens", "old"}
    # Firm sizes (MODEL.md 5.2): large firms start at Eurostat's 2.8 times the 10+ firms' rate.
    assert table.loc["eu_firms", "model"] < table.loc["large", "model"] < 1
    assert "outside the file's months" in table.attrs["skipped"]["old"]
