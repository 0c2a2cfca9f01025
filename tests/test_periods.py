"""Period codes: parsing, validation, ordering and normalisation of raw values."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sna.periods import (
    MAX_YEAR,
    MIN_YEAR,
    is_valid_period,
    normalise_period,
    parse_period,
    period_kind,
    period_sort_key,
)


@pytest.mark.parametrize(
    ("code", "first", "last"),
    [
        ("2024", dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
        ("2024-Q1", dt.date(2024, 1, 1), dt.date(2024, 3, 31)),
        ("2024-Q2", dt.date(2024, 4, 1), dt.date(2024, 6, 30)),
        ("2024-Q4", dt.date(2024, 10, 1), dt.date(2024, 12, 31)),
        ("2024-06", dt.date(2024, 6, 1), dt.date(2024, 6, 30)),
        ("2024-02", dt.date(2024, 2, 1), dt.date(2024, 2, 29)),  # leap year
        ("2023-02", dt.date(2023, 2, 1), dt.date(2023, 2, 28)),
        ("2024-12", dt.date(2024, 12, 1), dt.date(2024, 12, 31)),
    ],
)
def test_parse_period_bounds(code, first, last):
    assert parse_period(code) == (first, last)
    assert is_valid_period(code)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("2024-13", "month"),
        ("2024-00", "month"),
        ("2024-Q5", "quarter"),
        ("2024-Q0", "quarter"),
        ("24", "expected a year"),
        ("", "expected a year"),
        ("2024-6", "expected a year"),  # not canonical: normalise first
        (" 2024", "expected a year"),
        ("2024-q2", "expected a year"),
        ("2024/06", "expected a year"),
        ("1850", "outside"),
        ("2204", "outside"),
    ],
)
def test_parse_period_rejects_with_clear_message(code, message):
    with pytest.raises(ValueError, match=message) as info:
        parse_period(code)
    assert repr(code) in str(info.value)
    assert not is_valid_period(code)


@pytest.mark.parametrize("value", [None, 2024, 2024.0, dt.date(2024, 1, 1), ["2024"]])
def test_non_strings_are_not_valid_codes(value):
    assert not is_valid_period(value)
    with pytest.raises(ValueError):
        parse_period(value)


def test_period_kind():
    assert [period_kind(c) for c in ("2024", "2024-Q3", "2024-07")] == ["year", "quarter", "month"]
    with pytest.raises(ValueError):
        period_kind("2024-Q9")


def test_sort_key_is_chronological_year_then_quarter_then_month():
    codes = ["2025", "2024-04", "2024-Q2", "2024-03", "2024-01", "2024-Q1", "2024", "2023-12", "2024-12", "2024-Q4"]
    assert sorted(codes, key=period_sort_key) == [
        "2023-12", "2024", "2024-Q1", "2024-01", "2024-03", "2024-Q2", "2024-04", "2024-Q4", "2024-12", "2025",
    ]


def test_sort_key_rejects_invalid_codes():
    with pytest.raises(ValueError):
        period_sort_key("2024-13")


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (2024, "2024"),
        (2024.0, "2024"),
        (np.int64(2024), "2024"),
        (np.float64(2024.0), "2024"),
        ("2024", "2024"),
        ("2024 ", "2024"),
        (" 2024\n", "2024"),
        ("2024.0", "2024"),
        ("2024-06", "2024-06"),
        ("2024-6", "2024-06"),
        ("2024/06", "2024-06"),
        ("2024 / 6", "2024-06"),
        ("06/2024", "2024-06"),
        ("6-2024", "2024-06"),
        ("2024-Q2", "2024-Q2"),
        ("2024-q2", "2024-Q2"),
        ("2024 Q2", "2024-Q2"),
        ("2024Q2", "2024-Q2"),
        ("Q2 2024", "2024-Q2"),
        ("T2 2024", "2024-Q2"),  # French: 2e trimestre
        ("t2-2024", "2024-Q2"),
        ("2024-T3", "2024-Q3"),
        ("٢٠٢٤", "2024"),  # Arabic-Indic digits
        (dt.date(2024, 6, 15), "2024-06"),
        (dt.datetime(2024, 6, 30, 23, 59), "2024-06"),
        (pd.Timestamp("2024-01-31"), "2024-01"),
        (np.datetime64("2024-11-05"), "2024-11"),
        ("2024-06-15", "2024-06"),
        ("2024-06-15 00:00:00", "2024-06"),
    ],
)
def test_normalise_period_accepts_spreadsheet_variants(raw, code):
    assert normalise_period(raw) == code


@pytest.mark.parametrize(
    "raw",
    [
        None, True, False, float("nan"), float("inf"), 2024.5, 24, -2024, 202406, pd.NaT,
        np.datetime64("NaT"), "", "   ", "24", "2024-13", "2024/13", "13/2024", "2024-Q5", "T5 2024",
        "S1 2024", "juin 2024", "2024-06-31", "1899", "2101", "abc", ["2024"], {"year": 2024},
    ],
)
def test_normalise_period_rejects(raw):
    with pytest.raises(ValueError, match="invalid period"):
        normalise_period(raw)


def test_normalise_error_names_the_raw_value():
    with pytest.raises(ValueError, match=r"'2024/13': month must be 01 to 12"):
        normalise_period("2024/13")


years = st.integers(MIN_YEAR, MAX_YEAR)
valid_codes = st.one_of(
    years.map(str),
    st.builds(lambda y, q: f"{y}-Q{q}", years, st.integers(1, 4)),
    st.builds(lambda y, m: f"{y}-{m:02d}", years, st.integers(1, 12)),
)


@given(valid_codes)
def test_valid_codes_parse_and_normalise_to_themselves(code):
    start, end = parse_period(code)
    assert start <= end
    assert start.day == 1
    assert (end + dt.timedelta(days=1)).day == 1  # last day of a month
    assert is_valid_period(code)
    assert normalise_period(code) == code
    assert normalise_period(f"  {code.lower()} ") == code


@given(valid_codes, valid_codes)
def test_sort_key_orders_by_first_day(a, b):
    if parse_period(a)[0] < parse_period(b)[0]:
        assert period_sort_key(a) < period_sort_key(b)
    if period_sort_key(a) == period_sort_key(b):
        assert a == b


@given(st.dates(dt.date(MIN_YEAR, 1, 1), dt.date(MAX_YEAR, 12, 31)))
def test_a_date_normalises_to_the_month_containing_it(day):
    code = normalise_period(day)
    start, end = parse_period(code)
    assert start <= day <= end
    assert period_kind(code) == "month"


@given(st.text(max_size=12))
def test_is_valid_period_never_raises_and_agrees_with_parse(text):
    valid = is_valid_period(text)
    try:
        parse_period(text)
    except ValueError:
        assert not valid
    else:
        assert valid
