"""The string catalogue and per-language formatting (issue 4).

* every key has a non-empty text in French, English and Arabic, with the same ``{name}``
  placeholders in the three;
* every code of every list in ``sna.codes.ALL_LISTS`` and every unit of the indicator
  catalogue has a label;
* no literal key used in the code (``t("...")``, ``c.t("...")``, ``ui.header("...")``,
  the navigation keys of ``app.py``...) is missing from the catalogue — a static scan;
* numbers and dates are written the way each language's readers expect.
"""

from __future__ import annotations

import ast
import csv
import datetime as dt
import re
import string
from pathlib import Path

import pytest

from sna import codes
from sna.filters import PARAMS
from sna.i18n import LANGUAGES, catalog, fmt_date, fmt_number, has, label, t

ROOT = Path(__file__).resolve().parent.parent
NNBSP, NBSP = "\u202f", "\u00a0"


def _placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def _sources() -> list[Path]:
    """The Python files that may use i18n keys: the frame, the pages and the package."""
    files = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "sna").rglob("*.py"))]
    return [f for f in files if "migrations" not in f.parts]


# ------------------------------------------------------------------ catalogue
def test_the_catalogue_is_not_empty_and_keys_are_unique_across_files():
    keys = catalog()  # raises on a key defined in two locale files
    assert len(keys) > 100
    assert has("app.title") and not has("no.such.key")


def _translation_problems(cat: dict) -> list[str]:
    """Keys without a non-empty text in one of the three languages."""
    problems = []
    for key, texts in cat.items():
        if not isinstance(texts, dict):
            problems.append(f"{key}: not a {{language: text}} mapping")
            continue
        for lang in LANGUAGES:
            text = texts.get(lang)
            if not isinstance(text, str) or not text.strip():
                problems.append(f"{key}: no {lang} text")
        extra = set(texts) - set(LANGUAGES)
        if extra:
            problems.append(f"{key}: unknown languages {sorted(extra)}")
    return problems


def _placeholder_problems(cat: dict) -> list[str]:
    """Keys whose ``{name}`` placeholders differ between languages (or do not parse)."""
    problems = []
    for key, texts in cat.items():
        try:
            fields = {lang: _placeholders(texts.get(lang) or "") for lang in LANGUAGES}
        except ValueError as exc:  # an unbalanced brace
            problems.append(f"{key}: {exc}")
            continue
        if len({frozenset(f) for f in fields.values()}) > 1:
            problems.append(f"{key}: {fields}")
    return problems


def test_every_key_has_a_non_empty_text_in_every_language():
    problems = _translation_problems(catalog())
    assert not problems, "\n".join(problems)


def test_placeholders_are_the_same_in_every_language():
    problems = _placeholder_problems(catalog())
    assert not problems, "\n".join(problems)


def test_the_checks_catch_a_missing_translation_and_a_placeholder_mismatch():
    broken = {
        "ok": {"fr": "Oui {n}", "en": "Yes {n}", "ar": "نعم {n}"},
        "no_ar": {"fr": "Oui", "en": "Yes"},
        "blank_en": {"fr": "Oui", "en": "  ", "ar": "نعم"},
        "renamed": {"fr": "{n} jours", "en": "{count} days", "ar": "{n} يوما"},
        "brace": {"fr": "{n", "en": "{n}", "ar": "{n}"},
    }
    assert _translation_problems(broken) == ["no_ar: no ar text", "blank_en: no en text"]
    assert [p.split(":")[0] for p in _placeholder_problems(broken)] == ["renamed", "brace"]


def test_the_text_of_a_key_is_returned_with_its_placeholders_filled():
    assert t("filters.latest_period", "fr", period="2024") == "2024 (la plus récente)"
    assert t("filters.latest_period", "en", period="2024") == "2024 (latest)"
    assert t("nav.overview", "ar") == "نظرة عامة"
    assert t("nav.overview", "xx") == t("nav.overview", "fr")  # unknown language: French
    assert t("no.such.key", "fr") == "no.such.key"  # shown as itself (and caught below)


@pytest.mark.parametrize("list_name", sorted(codes.ALL_LISTS))
def test_every_code_has_a_label(list_name):
    missing = [f"code.{list_name}.{code}" for code in codes.ALL_LISTS[list_name]
               if not has(f"code.{list_name}.{code}")]
    assert not missing, missing


def test_labels_of_codes_per_language():
    assert label("sector", "housing", "fr") == "Logement"
    assert label("sector", "housing", "en") == "Housing"
    assert label("sector", "housing", "ar") == "السكن"
    assert label("sector", None, "fr") == "—"
    assert label("sector", "food", "fr") == "food"  # unknown code: itself


def test_every_unit_of_the_indicator_catalogue_has_a_label():
    with open(ROOT / "data" / "indicators.csv", encoding="utf-8", newline="") as f:
        units = {row["unit"] for row in csv.DictReader(f)}
    assert units
    missing = sorted(f"code.unit.{u}" for u in units if not has(f"code.unit.{u}"))
    assert not missing, missing


# --------------------------------------------------------- keys used in code
# A literal first argument of t(...), c.t(...), ui.header(...)/header(...) and has(...).
# An f-string never matches: its quote follows an "f", not the parenthesis.
_KEY_CALL = re.compile(r"""(?<![\w])(?:t|header)\(\s*(?P<q>["'])(?P<key>[a-z_][\w.-]*)(?P=q)""")
# label("<list>", code[, lang]): two arguments at least (SQLAlchemy's .label("name") has one).
_LABEL_CALL = re.compile(r"""(?<![\w])label\(\s*(?P<q>["'])(?P<list>\w+)(?P=q)\s*,""")
_APP_PAGE = re.compile(r"""(?<![\w])page\(\s*"(?P<file>\w+)",\s*"(?P<key>\w+)\"""")


def _scan(pattern: re.Pattern, group: str) -> dict[str, list[str]]:
    used: dict[str, list[str]] = {}
    for path in _sources():
        text = path.read_text(encoding="utf-8")
        for m in pattern.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            used.setdefault(m.group(group), []).append(f"{path.relative_to(ROOT)}:{line}")
    return used


def test_the_scan_finds_the_keys_it_should():
    used = _scan(_KEY_CALL, "key")
    assert {"app.title", "filters.title", "overview.title"} <= set(used)  # t(), c.t(), ui.header()
    assert not any("{" in k for k in used)  # f-strings are skipped
    assert _KEY_CALL.search('t(f"nav.{key}", lang)') is None
    assert _KEY_CALL.search('st.session_state.get("sna.user")') is None


def test_no_literal_key_used_in_the_code_is_missing_from_the_catalogue():
    missing = {key: where for key, where in _scan(_KEY_CALL, "key").items() if not has(key)}
    assert not missing, "\n".join(f"{k}: {', '.join(w)}" for k, w in sorted(missing.items()))


def test_every_list_named_in_a_label_call_has_labels():
    lists = _scan(_LABEL_CALL, "list")
    prefixes = {key.split(".")[1] for key in catalog() if key.startswith("code.")}
    missing = {name: where for name, where in lists.items() if name not in prefixes}
    assert not missing, missing


def test_keys_built_by_the_frame_exist():
    """The keys app.py and the frame build with f-strings: nav.<page>, filters.<name>."""
    pages = list(_APP_PAGE.finditer((ROOT / "app.py").read_text(encoding="utf-8")))
    assert len(pages) >= 6
    missing = [f"nav.{m['key']}" for m in pages if not has(f"nav.{m['key']}")]
    missing += [f"filters.{name}" for name in PARAMS if not has(f"filters.{name}")]
    missing += [k for k in ("nav.section.analysis", "nav.section.influence", "nav.section.data",
                            "filters.all_sectors", "filters.all_regions", "filters.all_periods",
                            "filters.all_periods_short", "filters.all_levels", "filters.ignored")
                if not has(k)]
    assert not missing, missing
    for m in pages:  # and every page registered in app.py exists
        assert (ROOT / "pages" / f"{m['file']}.py").is_file(), m["file"]


def test_every_locale_file_is_valid_json_with_the_documented_shape():
    import json

    for path in sorted((ROOT / "sna" / "locales").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        assert isinstance(data, dict) and data, path.name
        assert all(isinstance(v, dict) for v in data.values()), path.name


def test_every_python_source_parses():
    """The scan reads source text: make sure it reads every file the app runs."""
    for path in _sources():
        ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


# ----------------------------------------------------------------- formatting
def _spaces(text: str) -> str:
    return text.replace(NNBSP, " ").replace(NBSP, " ")


def test_numbers_per_language():
    assert _spaces(fmt_number(148152.5, "fr")) == "148 152,5"
    assert fmt_number(148152.5, "fr") == "148\u202f152,5"  # a narrow no-break space: never split
    assert fmt_number(148152.5, "en") == "148,152.5"
    assert fmt_number(148152.5, "ar") == "148.152,5"  # Morocco: Latin digits (CLDR ar_MA)
    assert not re.search("[\u0660-\u0669\u06f0-\u06f9]", fmt_number(148152.5, "ar"))


def test_number_options():
    assert fmt_number(148152, "fr", 0) == "148\u202f152"
    assert fmt_number(45.4, "fr", 0) == "45"
    assert fmt_number(2.0, "en") == "2"  # no trailing zero
    assert fmt_number(1234.56, "en", 2) == "1,234.56"
    assert fmt_number(None, "fr") == "—"
    assert fmt_number(float("nan"), "en") == "—"
    assert fmt_number(None, "fr", empty="") == ""
    assert fmt_number("n/a", "fr") == "n/a"


def test_dates_per_language():
    day = dt.date(2026, 6, 30)
    assert fmt_date(day, "fr") == "30 juin 2026"
    assert fmt_date(day, "en") == "30 Jun 2026"
    assert fmt_date(day, "ar") == "30 يونيو 2026"
    # June and July stay distinct in French (CLDR's fr_MA writes June "jui.")
    assert fmt_date(dt.date(2026, 6, 5), "fr") == "5 juin 2026"
    assert fmt_date(dt.date(2026, 7, 5), "fr") == "5 juil. 2026"


def test_date_inputs():
    assert fmt_date(dt.datetime(2026, 3, 15, 23, 59), "fr") == "15 mars 2026"
    assert fmt_date("2026-03-15", "en") == "15 Mar 2026"
    assert fmt_date(None, "fr") == "—"
    assert fmt_date(float("nan"), "fr") == "—"
