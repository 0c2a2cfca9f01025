"""Period codes (DESIGN.md section 4): a year, a quarter or a month.

Canonical codes, as stored in ``observation.period``:

========  ===========  =============================
kind      code         covers
========  ===========  =============================
year      ``2024``     2024-01-01 .. 2024-12-31
quarter   ``2024-Q2``  2024-04-01 .. 2024-06-30
month     ``2024-06``  2024-06-01 .. 2024-06-30
========  ===========  =============================

:func:`parse_period` and :func:`is_valid_period` accept canonical codes only;
:func:`normalise_period` turns what spreadsheets and surveys hand us (``2024.0``,
``'2024-6'``, ``'T2 2024'``, a date cell...) into a canonical code, or refuses it.

Years are limited to :data:`MIN_YEAR`..:data:`MAX_YEAR`: a code such as ``2204`` or
``1024`` is almost certainly a typing error and is refused rather than stored.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import numbers
import re
from typing import Any, Literal

import numpy as np
import pandas as pd

__all__ = [
    "MIN_YEAR",
    "MAX_YEAR",
    "PeriodKind",
    "parse_period",
    "is_valid_period",
    "period_kind",
    "period_sort_key",
    "normalise_period",
]

#: Smallest and largest year accepted in a period code.
MIN_YEAR = 1900
MAX_YEAR = 2100

PeriodKind = Literal["year", "quarter", "month"]

# Canonical forms: ASCII digits only, no surrounding blanks.
_YEAR = re.compile(r"([0-9]{4})", re.ASCII)
_QUARTER = re.compile(r"([0-9]{4})-Q([0-9])", re.ASCII)
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})", re.ASCII)

_EXPECTED = "expected a year (2024), a quarter (2024-Q2) or a month (2024-06)"


def _parse(code: str, shown: Any = None) -> tuple[PeriodKind, int, int]:
    """(kind, year, number) of a canonical code; number is 0, the quarter or the month.

    ``shown`` is the value named in error messages (the raw input), default ``code``.
    """
    label = repr(code if shown is None else shown)
    if not isinstance(code, str):
        raise ValueError(f"invalid period {label}: not a string; {_EXPECTED}")
    kind: PeriodKind
    if m := _YEAR.fullmatch(code):
        kind, year, n = "year", int(m.group(1)), 0
    elif m := _QUARTER.fullmatch(code):
        kind, year, n = "quarter", int(m.group(1)), int(m.group(2))
        if not 1 <= n <= 4:
            raise ValueError(f"invalid period {label}: quarter must be Q1 to Q4")
    elif m := _MONTH.fullmatch(code):
        kind, year, n = "month", int(m.group(1)), int(m.group(2))
        if not 1 <= n <= 12:
            raise ValueError(f"invalid period {label}: month must be 01 to 12")
    else:
        raise ValueError(f"invalid period {label}: {_EXPECTED}")
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"invalid period {label}: year {year} is outside {MIN_YEAR}-{MAX_YEAR}")
    return kind, year, n


def parse_period(code: str) -> tuple[dt.date, dt.date]:
    """First and last day (both inclusive) of the canonical period ``code``.

    >>> parse_period("2024-Q2")
    (datetime.date(2024, 4, 1), datetime.date(2024, 6, 30))

    Raises :class:`ValueError` for anything that is not a canonical code
    (``'2024-13'``, ``'2024-Q5'``, ``'24'``, ``'2024-6'``, ``' 2024'``...); use
    :func:`normalise_period` first on raw input.
    """
    kind, year, n = _parse(code)
    if kind == "year":
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    if kind == "quarter":
        first_month, last_month = 3 * n - 2, 3 * n
    else:
        first_month = last_month = n
    last_day = calendar.monthrange(year, last_month)[1]
    return dt.date(year, first_month, 1), dt.date(year, last_month, last_day)


def is_valid_period(code: object) -> bool:
    """Whether ``code`` is a canonical period code (never raises)."""
    try:
        _parse(code)  # type: ignore[arg-type]
    except ValueError:
        return False
    return True


def period_kind(code: str) -> PeriodKind:
    """``'year'``, ``'quarter'`` or ``'month'``; :class:`ValueError` if ``code`` is invalid."""
    return _parse(code)[0]


_KIND_RANK = {"year": 0, "quarter": 1, "month": 2}


def period_sort_key(code: str) -> tuple[int, int, int]:
    """A key that sorts canonical codes chronologically.

    Periods sort by their first day; periods starting on the same day sort longest
    first, so a year comes before its first quarter, which comes before its first month:
    ``2024, 2024-Q1, 2024-01, 2024-02, 2024-03, 2024-Q2, 2024-04, ...``.
    The order is total and stable. Raises :class:`ValueError` for an invalid code.
    """
    kind, year, n = _parse(code)
    if kind == "year":
        first_month = 1
    elif kind == "quarter":
        first_month = 3 * n - 2
    else:
        first_month = n
    return year, first_month, _KIND_RANK[kind]


# Raw forms accepted by normalise_period (after stripping and upper-casing; \d also
# matches other scripts' digits, e.g. Arabic-Indic, which int() understands).
_RAW_YEAR = re.compile(r"(\d{4})(?:\.0+)?")                      # 2024, 2024.0
_RAW_YEAR_QUARTER = re.compile(r"(\d{4})\s*[-/ ]?\s*[QT]\s*(\d)")  # 2024-Q2, 2024 q2, 2024T2
_RAW_QUARTER_YEAR = re.compile(r"[QT]\s*(\d)\s*[-/ ]?\s*(\d{4})")  # T2 2024, Q2-2024
_RAW_YEAR_MONTH = re.compile(r"(\d{4})\s*[-/]\s*(\d{1,2})")        # 2024-6, 2024/06
_RAW_MONTH_YEAR = re.compile(r"(\d{1,2})\s*[-/]\s*(\d{4})")        # 06/2024, 6-2024
_RAW_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?")  # 2024-06-15[ 00:00:00]


def normalise_period(raw: Any) -> str:
    """The canonical period code for a raw spreadsheet value.

    Accepted (blanks around the value are ignored, letters in any case):

    * a year: ``2024`` (int), ``2024.0`` (float, as Excel gives it), ``'2024'``,
      ``'2024 '``, ``'2024.0'`` → ``'2024'``;
    * a quarter: ``'2024-Q2'``, ``'2024-q2'``, ``'2024 Q2'``, ``'2024Q2'``,
      ``'Q2 2024'``, French *trimestre* ``'T2 2024'`` / ``'2024-T2'`` → ``'2024-Q2'``;
    * a month: ``'2024-06'``, ``'2024-6'``, ``'2024/06'``, ``'06/2024'``, ``'6-2024'``
      → ``'2024-06'``;
    * a date or datetime (also a pandas ``Timestamp`` or an ISO date string such as
      ``'2024-06-15'``) → its month, ``'2024-06'``.

    Anything else (``None``, NaN, ``True``, ``'24'``, ``'2024-13'``, ``'2024-Q5'``,
    ``'S1 2024'``, a year outside :data:`MIN_YEAR`..:data:`MAX_YEAR`...) raises
    :class:`ValueError`.
    """
    code = _normalise(raw)
    _parse(code, shown=raw)  # validates ranges: year bounds, month 1-12, quarter 1-4
    return code


def _normalise(raw: Any) -> str:
    if raw is None or isinstance(raw, bool):
        raise ValueError(f"invalid period {raw!r}: {_EXPECTED}")
    # Dates first (datetime is a subclass of date; pandas Timestamp of datetime).
    if isinstance(raw, dt.date):
        if raw != raw:  # NaT
            raise ValueError(f"invalid period {raw!r}: missing date")
        return f"{raw.year:04d}-{raw.month:02d}"
    if raw is pd.NaT or isinstance(raw, np.datetime64):
        ts = pd.Timestamp(raw)
        if pd.isna(ts):
            raise ValueError(f"invalid period {raw!r}: missing date")
        return f"{ts.year:04d}-{ts.month:02d}"
    if isinstance(raw, numbers.Integral):
        return f"{int(raw):04d}" if int(raw) >= 0 else _refuse(raw)
    if isinstance(raw, numbers.Real):
        value = float(raw)
        if not math.isfinite(value) or not value.is_integer() or value < 0:
            raise ValueError(f"invalid period {raw!r}: a number must be a whole year; {_EXPECTED}")
        return f"{int(value):04d}"
    if not isinstance(raw, str):
        raise ValueError(f"invalid period {raw!r}: unsupported type {type(raw).__name__}")

    text = " ".join(raw.split()).upper()
    if not text:
        raise ValueError(f"invalid period {raw!r}: empty")
    if m := _RAW_YEAR.fullmatch(text):
        return f"{int(m.group(1)):04d}"
    if m := _RAW_YEAR_QUARTER.fullmatch(text):
        return f"{int(m.group(1)):04d}-Q{int(m.group(2))}"
    if m := _RAW_QUARTER_YEAR.fullmatch(text):
        return f"{int(m.group(2)):04d}-Q{int(m.group(1))}"
    if m := _RAW_YEAR_MONTH.fullmatch(text):
        return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}"
    if m := _RAW_MONTH_YEAR.fullmatch(text):
        return f"{int(m.group(2)):04d}-{int(m.group(1)):02d}"
    if m := _RAW_ISO_DATE.fullmatch(text):
        year, month, day = (int(g) for g in m.groups())
        try:
            dt.date(year, month, day)
        except ValueError as exc:
            raise ValueError(f"invalid period {raw!r}: not a valid date ({exc})") from None
        return f"{year:04d}-{month:02d}"
    return _refuse(raw)


def _refuse(raw: Any) -> str:
    raise ValueError(f"invalid period {raw!r}: {_EXPECTED}")
