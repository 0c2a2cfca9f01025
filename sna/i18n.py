"""Strings of the interface in French (default), English and Arabic, and per-language
formatting of numbers and dates.

Strings live in ``sna/locales/*.json``, one file per part of the product (``frame.json``,
``codes.json``, ``gaps.json``...), each mapping a key to its three translations::

    {"overview.title": {"fr": "Vue d'ensemble", "en": "Overview", "ar": "نظرة عامة"}}

Keys are unique across files. Labels of codes use ``code.<list>.<code>`` (see
:mod:`sna.codes`). A missing key or translation is a bug: :func:`t` shows the key itself
and the test suite fails on it.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
from pathlib import Path
from typing import Any

from babel.dates import format_date as _babel_date
from babel.numbers import format_decimal as _babel_decimal

from .codes import LANGUAGES

LOCALES_DIR = Path(__file__).resolve().parent / "locales"
DEFAULT_LANG = "fr"
RTL = frozenset({"ar"})
_BABEL_LOCALE = {"fr": "fr_MA", "en": "en", "ar": "ar_MA"}
# Month names: CLDR's fr_MA abbreviates June "jui." (July "juil."), which reads as a typo;
# French dates use fr's "juin" / "juil." / "sept." instead (numbers keep fr_MA).
_DATE_LOCALE = {**_BABEL_LOCALE, "fr": "fr"}


@functools.cache
def catalog() -> dict[str, dict[str, str]]:
    """Every key → {language: text}, merged from the locale files (duplicates are an error)."""
    merged: dict[str, dict[str, str]] = {}
    for path in sorted(LOCALES_DIR.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for key, texts in data.items():
            if key in merged:
                raise ValueError(f"i18n key {key!r} defined twice (again in {path.name})")
            merged[key] = texts
    return merged


def normalise_lang(lang: str | None) -> str:
    return lang if lang in LANGUAGES else DEFAULT_LANG


def t(key: str, lang: str = DEFAULT_LANG, **params: Any) -> str:
    """The text of ``key`` in ``lang`` with ``{name}`` placeholders filled from ``params``."""
    texts = catalog().get(key)
    if texts is None:
        return key
    text = texts.get(normalise_lang(lang)) or texts.get(DEFAULT_LANG) or key
    return text.format(**params) if params else text


def has(key: str) -> bool:
    return key in catalog()


def label(list_name: str, code: str | None, lang: str = DEFAULT_LANG) -> str:
    """The label of a code (``label("sector", "health", "fr") == "Santé"``); unknown codes
    are shown as themselves, ``None`` as an em dash."""
    if code is None or (isinstance(code, float) and math.isnan(code)):
        return "—"
    key = f"code.{list_name}.{code}"
    return t(key, lang) if has(key) else str(code)


def is_rtl(lang: str) -> bool:
    return lang in RTL


def fmt_number(value: Any, lang: str = DEFAULT_LANG, decimals: int = 1, *, empty: str = "—") -> str:
    """A number written the way readers of ``lang`` expect (``148 152,5`` in French)."""
    if value is None:
        return empty
    try:
        x = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(x):
        return empty
    pattern = "#,##0" + ("." + "#" * decimals if decimals > 0 else "")
    return _babel_decimal(x, format=pattern, locale=_BABEL_LOCALE[normalise_lang(lang)])


def fmt_date(value: dt.date | None, lang: str = DEFAULT_LANG, *, style: str = "medium", empty: str = "—") -> str:
    """A date in the reader's language (``30 juin 2026``, ``30 Jun 2026``, ``30 يونيو 2026``)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return empty
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    fmt = "long" if style == "long" else "d MMM y" if lang != "ar" else "d MMMM y"
    return _babel_date(value, format=fmt, locale=_DATE_LOCALE[normalise_lang(lang)])


def fmt_month(value: dt.date, lang: str = DEFAULT_LANG) -> str:
    """A month in the reader's language, for a time axis (``oct. 2024``, ``Oct 2024``,
    ``أكتوبر 2024``): plotly names months in English whatever the page's language."""
    fmt = "MMMM y" if normalise_lang(lang) == "ar" else "MMM y"
    return _babel_date(value, format=fmt, locale=_DATE_LOCALE[normalise_lang(lang)])


def area_name(area_code: str | None, lang: str, names: dict[str, dict[str, str]]) -> str:
    """The name of an area in ``lang`` from a {code: {"fr":..., "ar":..., "en":...}} map;
    ``MA`` is the national level, None means "national"."""
    if area_code is None or area_code == "MA":
        return t("area.national", lang)
    entry = names.get(area_code)
    if not entry:
        return str(area_code)
    return entry.get(normalise_lang(lang)) or entry.get(DEFAULT_LANG) or str(area_code)
