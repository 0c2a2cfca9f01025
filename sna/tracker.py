"""The influence-action tracker behind the actions and decision-makers pages.

Plain functions over the frames of :mod:`sna.queries` (no Streamlit): who may see what,
the tables shown on screen (labels in the reader's language), an action's detail, the
outcome-harvesting record, SNI milestones, data-quality notes and the decision-maker
register. Progress figures themselves come from :mod:`sna.actions`.

Rules shared by all functions:

* "today" is a parameter (the pages pass :func:`sna.config.today`).
* Inputs are never modified.
* *Display* tables (``*_table``) have their column headers already translated (keys
  ``actions.col.*``, ``outcomes.col.*``, ``dm.col.*``); they are what the page shows and
  what a CSV download holds. Computations return codes, not labels.
* Personal data (law 09-08): a stance or a private note reaches a display table only when
  ``sensitive`` is true **and** the input holds it; the pages do not even fetch it
  otherwise (``queries.decision_makers(sensitive=...)``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import io
from collections.abc import Collection, Iterable, Mapping
from typing import Any
from urllib.parse import urlparse

import numpy as np
import pandas as pd

from . import actions as A
from .codes import LEVELS, OUTCOME_TYPES, POLICY_STAGES, STANCES, TARGET_TYPES, VERIFICATIONS
from .i18n import area_name, fmt_date, label, t

__all__ = [
    "ALERTS", "VIEW_LEVELS", "WDWW_VIEWS", "COLUMN_WIDTHS", "visible_actions", "in_scope", "headline", "alerts",
    "sort_actions", "action_table", "rows_of", "csv_bytes", "table_options",
    "target_types_by_action", "narrow", "ActionDetail", "action_detail", "detail_facts", "md", "safe_url",
    "timeline_rows", "outcomes_for", "outcome_counts", "outcome_summary", "outcome_summary_for", "outcome_table",
    "milestone_table", "quality_table", "filter_decision_makers", "dm_activity", "activity_index", "dm_table",
    "dm_rows", "dm_headline", "dm_choices", "register_counts", "dm_actions", "stance_history", "stance_timeline",
    "quarter_ends", "stance_change_table",
]

#: Values of :func:`alerts` (what needs attention in an open action).
ALERTS = ("overdue", "due_soon", "no_due")

#: Options of the level selector of the pages: every level, then each one.
VIEW_LEVELS = ("all", *LEVELS)

#: Widths the pages give to columns of :func:`action_table`: long text narrower, so that
#: status, alert, due date and days left fit on a laptop screen; the alert wider than
#: its header.
COLUMN_WIDTHS: dict[str, str | int] = {"title": "medium", "lead": "medium", "alert": 130}

#: The who-does-what-where views: "rows:columns" of :func:`sna.actions.wdww_matrix`.
WDWW_VIEWS = ("organisation:region_code", "organisation:sector", "region_code:sector")

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_MD_SPECIAL = set("\\`*_{}[]()#+-.!|<>~$")
_MARK = {"unverified": "⚠ ", "disputed": "✗ ", "verified": "✓ "}


# --------------------------------------------------------------------------- helpers
def _col(df: pd.DataFrame, name: str) -> pd.Series:
    if name in df.columns:
        return df[name]
    return pd.Series([None] * len(df), index=df.index, dtype=object, name=name)


def _truthy(series: pd.Series) -> pd.Series:
    if series.dtype == bool:  # nothing can be missing
        return series.astype(bool)
    return series.map(lambda v: False if v is None or v is pd.NA or v != v else bool(v)).astype(bool)


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and value != value:
        return True
    return isinstance(value, str) and not value.strip()


def _text(value: Any) -> str:
    return "" if _missing(value) else str(value)


def _due(df: pd.DataFrame) -> pd.Series:
    return pd.to_datetime(_col(df, "due_date"), errors="coerce", format="ISO8601").dt.normalize()


def _date(value: Any) -> dt.date | None:
    if _missing(value):
        return None
    ts = pd.Timestamp(value)
    return None if pd.isna(ts) else ts.date()


def _dates_text(values: Iterable[Any], lang: str, empty: str = "—") -> list[str]:
    """Dates written in ``lang`` (each distinct value read and formatted once: tables run
    to thousands of rows and share few dates)."""
    days = _each(values, _date)
    text = {d: _fmt_day(d, lang) for d in set(days) if d is not None}
    return [text[d] if d is not None else empty for d in days]


@functools.lru_cache(maxsize=16384)
def _fmt_day(day: dt.date, lang: str) -> str:
    """:func:`sna.i18n.fmt_date` of a day, remembered (Babel takes tens of microseconds
    per date; the tables of a large store show thousands of dates on every rerun)."""
    return fmt_date(day, lang)


def _each(values: Iterable[Any], fn) -> list[Any]:
    """``[fn(v) for v in values]``, ``fn`` called once per distinct value (see
    :func:`sna.actions._per_value`)."""
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    return A._per_value(series, fn).tolist()


def _labels(values: Iterable[Any], list_name: str, lang: str) -> list[str]:
    """The label of each code (a missing one: the label of ``None``)."""
    return _each(values, lambda v: label(list_name, v if not _missing(v) else None, lang))


def _headers(frame: pd.DataFrame, prefix: str, lang: str) -> pd.DataFrame:
    return frame.rename(columns={c: t(f"{prefix}.col.{c}", lang) for c in frame.columns})


def _ids(values: Iterable[Any]) -> set[int]:
    return {int(v) for v in values if not _missing(v)}


# --------------------------------------------------------------------------- scope
def visible_actions(actions: pd.DataFrame, sensitive: bool) -> tuple[pd.DataFrame, int]:
    """The actions a reader may see, and how many were withheld.

    Actions flagged ``is_sensitive`` are shown only to those who may see sensitive data
    (editors and admins, not presenting: :attr:`sna.ui.Ctx.sensitive`); everyone else
    gets the others and a count to mention in a caption.
    """
    if sensitive:
        return actions.copy(), 0
    flagged = _truthy(_col(actions, "is_sensitive"))
    return actions[~flagged].copy(), int(flagged.sum())


def in_scope(main: pd.DataFrame, national: pd.DataFrame) -> pd.DataFrame:
    """The actions of a view together: the regional/local ones, then the national ones
    that :func:`sna.actions.filter_actions` keeps apart when a region is chosen (one of
    the two itself when the other is empty: read-only)."""
    if not len(national):
        return main
    if not len(main):
        return national
    return pd.concat([main, national])


def headline(main: pd.DataFrame, national: pd.DataFrame, today: dt.date) -> dict[str, Any]:
    """:func:`sna.actions.summary` of the view (national actions included) plus
    ``n_national`` (how many of them are national actions kept apart)."""
    out = A.summary(in_scope(main, national), today)
    out["n_national"] = len(national)
    return out


def alerts(df: pd.DataFrame, today: dt.date, soon_days: int = 30) -> pd.Series:
    """What needs attention in each action, one of :data:`ALERTS` or ``None``:

    ``overdue`` (open and due before today), ``due_soon`` (open, due within
    ``soon_days``), ``no_due`` (open without a due date). Closed actions get ``None``.
    """
    open_ = A.is_open(df)
    out = pd.Series([None] * len(df), index=df.index, dtype=object, name="alert")
    out[open_ & _due(df).isna()] = "no_due"
    out[A.due_within(df, today, soon_days)] = "due_soon"
    out[A.overdue(df, today)] = "overdue"
    return out


def sort_actions(df: pd.DataFrame, today: dt.date) -> pd.DataFrame:
    """The order of the tables: open actions by due date (the most overdue first), open
    actions without a due date, then done ones (latest first), then cancelled ones."""
    status = _col(df, "status")
    due = _due(df)
    done = pd.to_datetime(_col(df, "done_date"), errors="coerce", format="ISO8601")
    open_ = A.is_open(df)
    rank = pd.Series(4, index=df.index)
    rank[open_ & due.notna()] = 0
    rank[open_ & due.isna()] = 1
    rank[status.eq("done").fillna(False).astype(bool)] = 2
    rank[status.eq("cancelled").fillna(False).astype(bool)] = 3
    epoch = pd.Timestamp("1970-01-01")
    key = pd.Series(0.0, index=df.index)
    key[rank.eq(0)] = (due[rank.eq(0)] - epoch).dt.days.astype(float)
    done_days = (done - epoch).dt.days.astype(float)
    key[rank.eq(2)] = -done_days[rank.eq(2)].fillna(0.0)
    order = pd.DataFrame({"r": rank, "k": key, "ref": _col(df, "ref").astype(str)}, index=df.index)
    order = order.sort_values(["r", "k", "ref"], kind="stable")
    return df.loc[order.index]


def action_table(df: pd.DataFrame, today: dt.date, lang: str, names: Mapping[str, Mapping[str, str]],
                 *, sort: bool = True, keep_index: bool = False) -> pd.DataFrame:
    """The actions as shown on the page and downloaded as CSV (headers ``actions.col.*``).

    Columns, in the order a reader asks "what is late and who leads it": ref, title, lead,
    status, alert, due, days_left, stage, level, area, sector, target, start, done. A
    missing due date reads "pas d'échéance" (``actions.no_due``), an unknown area its
    code; ``days_left`` (negative = late) is given for open actions with a due date only.
    ``keep_index``: each row keeps the index of its action in ``df`` (for :func:`rows_of`).
    """
    rows = sort_actions(_only(df, _TABLE_COLUMNS), today) if sort else _only(df, _TABLE_COLUMNS)
    alert = alerts(rows, today)
    due = _due(rows)
    open_ = A.is_open(rows)
    no_due = t("actions.no_due", lang)
    alert_text = {a: t(f"actions.alert.{a}", lang) for a in ALERTS}
    out = pd.DataFrame({
        "ref": _col(rows, "ref").astype(object).values,
        "title": _col(rows, "title").map(_text).values,
        "lead": _each(_col(rows, "lead_organisation"), lambda v: _text(v) or "—"),
        "status": _labels(_col(rows, "status"), "status", lang),
        "alert": [alert_text.get(a) or t(f"actions.alert.{a}", lang) if a else "" for a in alert.tolist()],
        "due": _dates_text(_col(rows, "due_date"), lang, empty=no_due),
        "days_left": pd.array(_days_left(due, open_, today), dtype="Int64"),
        "stage": _labels(_col(rows, "policy_stage"), "stage", lang),
        "level": _labels(_col(rows, "level"), "level", lang),
        "area": _each(_col(rows, "area_code"), lambda v: area_name(None if _missing(v) else v, lang, names)),
        "sector": _labels(_col(rows, "sector"), "sector", lang),
        "target": _labels(_col(rows, "target_type"), "target_type", lang),
        "start": _dates_text(_col(rows, "start_date"), lang),
        "done": _dates_text(_col(rows, "done_date"), lang, empty=""),
    })
    if keep_index:
        out.index = rows.index
    return _headers(out, "actions", lang)


def rows_of(table: pd.DataFrame, *frames: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``table`` that show the actions of each of ``frames`` in turn, each
    in the table's order.

    ``table`` is :func:`action_table` (or :func:`quality_table`) of a superset of the
    frames (the same index) made with ``keep_index=True``: ``rows_of(table, df)`` is then
    ``action_table(df, ...)`` at the cost of a selection. Each row depends on its action
    and the day only, and the order of the table is total (ties broken by ref), so a page
    formats its 20,000 actions once per data version, language and day, and only selects
    rows when the filters change.
    """
    parts = [table[table.index.isin(df.index)] for df in frames if len(df)] or [table.iloc[0:0]]
    return (parts[0] if len(parts) == 1 else pd.concat(parts)).reset_index(drop=True)


def _days_left(due: pd.Series, open_: pd.Series, today: dt.date) -> list[int | None]:
    """:func:`sna.actions.days_left` of each open action with a due date, else None
    (``due`` as :func:`_due` gives it: midnight Timestamps)."""
    if isinstance(due.dtype, pd.DatetimeTZDtype) or not pd.api.types.is_datetime64_dtype(due.dtype):
        return [A.days_left(d, today) if o and not pd.isna(d) else None for d, o in zip(due, open_)]
    days = (due - pd.Timestamp(today).normalize()).dt.days
    keep = (open_.to_numpy(dtype=bool) & due.notna().to_numpy())
    return [int(d) if k else None for d, k in zip(days.tolist(), keep.tolist())]


def _only(df: pd.DataFrame, columns: Collection[str]) -> pd.DataFrame:
    """``df`` with only those of ``columns`` it has (sorting 20,000 actions moves every
    column; a function reading five of them need not)."""
    return df[[c for c in df.columns if c in columns]]


#: The columns :func:`action_table` reads (with :func:`sort_actions` and :func:`alerts`).
_TABLE_COLUMNS = frozenset({"ref", "title", "lead_organisation", "status", "due_date", "policy_stage", "level",
                            "area_code", "sector", "target_type", "start_date", "done_date"})
_SORT_COLUMNS = frozenset({"ref", "status", "due_date", "done_date"})


def csv_bytes(*tables: pd.DataFrame) -> bytes:
    """``tables`` (one after the other, same headers) as CSV for a spreadsheet: UTF-8
    with a byte-order mark (Excel reads the accents and Arabic right) and text cells that
    start like a formula (= + - @) prefixed with an apostrophe so they are never run."""
    kept = [tb for tb in tables if len(tb)] or list(tables[:1])
    safe = pd.concat(kept, ignore_index=True) if len(kept) > 1 else kept[0].copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(
                lambda v: "'" + v if isinstance(v, str) and v.startswith(_FORMULA_START) else v)
    buffer = io.StringIO()
    safe.to_csv(buffer, index=False)
    return buffer.getvalue().encode("utf-8-sig")


# --------------------------------------------------------------------------- table filters
def table_options(df: pd.DataFrame, target_types: Mapping[int, set[str]] | None = None) -> dict[str, list[str]]:
    """Choices of the page's table filters, from the actions at hand: ``organisation``
    (lead organisations, sorted), ``target_type`` and ``stage`` (codes in code order)."""
    orgs = sorted({str(v) for v in _distinct(_col(df, "lead_organisation")) if not _missing(v)}, key=str.casefold)
    if target_types is not None:
        present = set().union(*(target_types.get(int(i), set()) for i in _distinct(_col(df, "id"))
                                if not _missing(i)))
    else:
        present = {v for v in _distinct(_col(df, "target_type")) if not _missing(v)}
    stages = {v for v in _distinct(_col(df, "policy_stage")) if not _missing(v)}
    return {
        "organisation": orgs,
        "target_type": [c for c in TARGET_TYPES if c in present] + sorted(present - set(TARGET_TYPES)),
        "stage": [s for s in POLICY_STAGES if s in stages],
    }


def _distinct(series: pd.Series) -> list[Any]:
    """The distinct values of ``series`` (missing ones included), in order of appearance."""
    values = series.to_numpy(dtype=object)
    codes, uniques = pd.factorize(values)
    return [*uniques, *(values[codes < 0][:1] if (codes < 0).any() else [])]


def target_types_by_action(links: pd.DataFrame, decision_makers: pd.DataFrame) -> dict[int, set[str]]:
    """{action id: target types of all its decision-makers} (an action aimed at a ministry
    and at parliament matches both), in action id order."""
    if links is None or not len(links) or not len(decision_makers):
        return {}
    types = decision_makers.set_index("id")["target_type"]
    merged = links.assign(target_type=links["decision_maker_id"].map(types)).dropna(subset=["target_type"])
    out: dict[int, set[str]] = {}
    for action, target in zip(merged["action_id"].tolist(), merged["target_type"].tolist()):
        out.setdefault(int(action), set()).add(target)
    return {k: out[k] for k in sorted(out)}


def narrow(df: pd.DataFrame, today: dt.date, *, organisations: Collection[str] = (),
           target_types: Collection[str] = (), stages: Collection[str] = (), late_only: bool = False,
           target_types_of: Mapping[int, set[str]] | None = None) -> pd.DataFrame:
    """The page's own table filters on top of the global ones (empty = no filter):
    lead organisation, target type (any of the action's decision-makers when
    ``target_types_of`` is given, else its first target), policy stage, overdue only."""
    out, _ = A.filter_actions(df, organisation=list(organisations) or None, stage=list(stages) or None,
                              target_type=None if target_types_of is not None else (list(target_types) or None),
                              include_archived=True)
    if target_types and target_types_of is not None:
        wanted = set(target_types)
        keep = [bool(target_types_of.get(int(i), set()) & wanted) if not _missing(i) else False
                for i in _col(out, "id")]
        out = out[pd.Series(keep, index=out.index, dtype=bool)]
    if late_only:
        out = out[A.overdue(out, today)]
    return out


# --------------------------------------------------------------------------- detail
@dataclasses.dataclass
class ActionDetail:
    """Everything the detail of one action shows (display frames already translated)."""

    action: dict[str, Any]
    lead: str | None
    partners: list[str]
    targets: pd.DataFrame
    indicators: pd.DataFrame
    stages: pd.DataFrame
    outcomes: pd.DataFrame
    evidence_url: str | None
    alert: str | None
    days_left: int | None


def safe_url(url: Any) -> str | None:
    """``url`` when it is an http(s) address, else ``None`` (never a ``javascript:`` link)."""
    if _missing(url):
        return None
    text = str(url).strip()
    parsed = urlparse(text)
    return text if parsed.scheme in ("http", "https") and parsed.netloc else None


def action_detail(
    ref: str,
    actions: pd.DataFrame,
    links: Mapping[str, pd.DataFrame],
    decision_makers: pd.DataFrame,
    organisations: pd.DataFrame,
    indicators: pd.DataFrame,
    stage_changes: pd.DataFrame,
    outcomes: pd.DataFrame,
    today: dt.date,
    *,
    lang: str,
    names: Mapping[str, Mapping[str, str]],
    sensitive: bool,
) -> ActionDetail | None:
    """The detail of action ``ref`` among ``actions`` (``None`` when it is not there):
    its targets (name, institution, level, area; the stance only when ``sensitive`` and
    present in ``decision_makers``), lead and partner organisations, the gap indicators
    behind the ask (names in ``lang``), stage history and outcomes."""
    rows = actions[_col(actions, "ref").astype(str) == str(ref)]
    if not len(rows):
        return None
    row = rows.iloc[0].to_dict()
    action_id = int(row["id"])

    dm_links = links.get("decision_makers", pd.DataFrame(columns=["action_id", "decision_maker_id"]))
    dm_ids = _ids(dm_links.loc[dm_links["action_id"] == action_id, "decision_maker_id"]) if len(dm_links) else set()
    dms = decision_makers[decision_makers["id"].isin(dm_ids)] if len(decision_makers) else decision_makers
    with_stance = sensitive and "stance" in dms.columns
    targets = pd.DataFrame({
        "name": dms.get("name", pd.Series(dtype=object)).map(_text).values,
        "institution": dms.get("institution", pd.Series(dtype=object)).map(_text).values,
        "level": [label("level", v, lang) for v in dms.get("level", pd.Series(dtype=object))],
        "area": [area_name(None if _missing(v) else v, lang, names)
                 for v in dms.get("area_code", pd.Series(dtype=object))],
    })
    if with_stance:
        targets["stance"] = [label("stance", v, lang) for v in dms["stance"]]

    org_names = organisations.set_index("id")["name"].to_dict() if len(organisations) else {}
    part = links.get("partners", pd.DataFrame(columns=["action_id", "organisation_id"]))
    partner_ids = part.loc[part["action_id"] == action_id, "organisation_id"] if len(part) else []
    partners = sorted({str(org_names.get(int(i), i)) for i in partner_ids}, key=str.casefold)

    ind_links = links.get("indicators", pd.DataFrame(columns=["action_id", "indicator"]))
    codes = list(ind_links.loc[ind_links["action_id"] == action_id, "indicator"]) if len(ind_links) else []
    cat = indicators.set_index("code") if len(indicators) else pd.DataFrame()
    name_col = f"name_{lang}" if f"name_{lang}" in cat.columns else "name_fr"
    ind = pd.DataFrame({
        "code": codes,
        "name": [(_text(cat.at[c, name_col]) or _text(cat.at[c, "name_fr"])) if c in cat.index else c for c in codes],
        "sector": [label("sector", cat.at[c, "sector"], lang) if c in cat.index else "—" for c in codes],
    }).sort_values("code")

    sc = stage_changes[stage_changes["action_id"] == action_id] if len(stage_changes) else stage_changes
    sc = sc.sort_values(["date", "id"]) if len(sc) else sc
    stages = pd.DataFrame({
        "date": [fmt_date(_date(v), lang) for v in sc.get("date", [])],
        "stage": [label("stage", v, lang) for v in sc.get("stage", [])],
        "organisation": [_text(v) or "—" for v in sc.get("organisation", [])],
    })

    found = outcomes_for(outcomes, links.get("outcomes"), rows)
    alert = alerts(rows, today).iloc[0]
    due = _date(row.get("due_date"))
    return ActionDetail(
        action=row,
        lead=_text(row.get("lead_organisation")) or None,
        partners=partners,
        targets=_headers(targets, "actions", lang),
        indicators=_headers(ind.rename(columns={"name": "indicator"}), "actions", lang),
        stages=_headers(stages, "actions", lang),
        outcomes=outcome_table(found, lang),
        evidence_url=safe_url(row.get("evidence_url")),
        alert=alert,
        days_left=A.days_left(due, today) if due is not None and bool(A.is_open(rows).iloc[0]) else None,
    )


def md(value: Any) -> str:
    """Text typed by someone (a title, an ask) made safe to put in Markdown: every
    Markdown character escaped, so it shows as typed (no link, image or formatting)."""
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in _text(value)).replace("\n", "  \n")


def detail_facts(detail: ActionDetail, lang: str, names: Mapping[str, Mapping[str, str]]) -> list[tuple[str, str]]:
    """The facts of an action's detail as (label, Markdown-safe value) pairs, in the
    order they are read: ask, status and stage, level and area, sector, dates (a missing
    due date reads "pas d'échéance"), days left or late, lead, partners, next step."""
    a = detail.action
    due = _date(a.get("due_date"))
    if detail.days_left is None:
        timing = ""
    elif detail.days_left < 0:
        timing = t("actions.days_late", lang, n=-detail.days_left)
    else:
        timing = t("actions.days_left", lang, n=detail.days_left)
    dates = " → ".join([fmt_date(_date(a.get("start_date")), lang),
                        fmt_date(due, lang) if due else t("actions.no_due", lang)])
    done = _date(a.get("done_date"))
    if done:
        dates += f" · {t('actions.col.done', lang)} {fmt_date(done, lang)}"
    facts = [
        ("ask", md(a.get("ask")) or "—"),
        ("status", f"{label('status', a.get('status'), lang)} · {label('stage', a.get('policy_stage'), lang)}"),
        ("where", f"{label('level', a.get('level'), lang)} · "
                  f"{md(area_name(None if _missing(a.get('area_code')) else a.get('area_code'), lang, names))}"),
        ("sector", f"{label('sector', a.get('sector'), lang)} · {label('action_type', a.get('action_type'), lang)}"),
        ("dates", dates + (f" · **{timing}**" if timing else "")),
        ("lead", md(detail.lead) or "—"),
        ("partners", ", ".join(md(p) for p in detail.partners) or "—"),
        ("next_step", md(a.get("next_step")) or "—"),
    ]
    return [(t(f"actions.fact.{k}", lang), v) for k, v in facts]


# --------------------------------------------------------------------------- timeline
def timeline_rows(df: pd.DataFrame, today: dt.date, limit: int = 60) -> tuple[pd.DataFrame, int, int]:
    """Rows for the timeline chart: ``(frame, n_without_date, n_left_out)``.

    ``frame`` is :func:`sna.actions.timeline_frame` plus ``no_due`` (open without due
    date: drawn as a point at its start). When more than ``limit`` actions have dates, the
    most pressing are kept (overdue, then open by due date, then the latest done or
    cancelled) and ``n_left_out`` says how many were not drawn.
    """
    if len(df) <= limit:
        frame, n_no_date = A.timeline_frame(df, today)
        frame = frame.assign(no_due=(A.is_open(frame) & _due(frame).isna()).values)
        return frame, n_no_date, 0
    # Many actions: find the rows to draw on the columns that decide (with each row's
    # position), then build only those rows in full — the same rows, columns and order.
    narrow = _only(df, _SORT_COLUMNS | {"start_date"}).assign(_pos=np.arange(len(df)))
    frame, n_no_date = A.timeline_frame(narrow, today)
    frame = frame.assign(no_due=(A.is_open(frame) & _due(frame).isna()).values)
    if len(frame) <= limit:
        full, _ = A.timeline_frame(df, today)
        return full.assign(no_due=frame["no_due"].values), n_no_date, 0
    kept = frame.loc[sorted(sort_actions(frame, today).head(limit).index)]
    rows = df.iloc[kept["_pos"].to_numpy()]
    out = rows.assign(**{c: pd.Series(kept[c].to_numpy(), index=rows.index, dtype=kept[c].dtype)
                         for c in ("start", "end", "state", "no_due")}).reset_index(drop=True)
    return out, n_no_date, len(frame) - limit


# --------------------------------------------------------------------------- outcomes
def outcomes_for(outcomes: pd.DataFrame, links: pd.DataFrame | None, actions: pd.DataFrame, *,
                 include_unlinked: bool = False) -> pd.DataFrame:
    """Outcomes linked to at least one of ``actions`` (by ``id``), newest first, with
    ``actions`` (the refs of those actions, comma-separated). Outcomes linked to no
    action at all are added when ``include_unlinked`` (a view with no filter)."""
    columns = [*outcomes.columns, "actions"]
    if not len(outcomes):
        return pd.DataFrame(columns=columns)
    ids = pd.to_numeric(_col(actions, "id"), errors="coerce")
    known = ids.notna().to_numpy()
    ref_of = pd.Series(_col(actions, "ref").astype(str).to_numpy()[known], index=ids[known].astype("int64").to_numpy())
    links = links if links is not None and len(links) else pd.DataFrame(columns=["outcome_id", "action_id"])
    in_view = links[links["action_id"].isin(ref_of.index)]
    if len(in_view):  # the refs of each outcome's actions, sorted (one pass, not one group at a time)
        found: dict[Any, list[str]] = {}
        for outcome, ref in zip(in_view["outcome_id"].tolist(), in_view["action_id"].map(ref_of).tolist()):
            found.setdefault(outcome, []).append(ref)
        keys = sorted(found)
        by_outcome = pd.Series([", ".join(sorted(found[k])) for k in keys], name="action_id", dtype="str",
                               index=pd.Index(keys, dtype=in_view["outcome_id"].dtype, name="outcome_id"))
    else:
        by_outcome = in_view.groupby("outcome_id")["action_id"].agg(
            lambda ids: ", ".join(sorted(ref_of[int(i)] for i in ids)))  # empty: keeps the dtypes
    keep = outcomes["id"].isin(by_outcome.index)
    if include_unlinked:
        keep |= ~outcomes["id"].isin(set(links["outcome_id"]))
    out = outcomes[keep].copy()
    out["actions"] = out["id"].map(by_outcome).fillna("")
    order = pd.to_datetime(out["date_observed"], errors="coerce")
    return out.assign(_d=order).sort_values(["_d", "ref"], ascending=[False, True]).drop(columns="_d")


def outcome_counts(outcomes: pd.DataFrame) -> pd.DataFrame:
    """Outcomes per type and verification, long format: ``outcome_type, verification,
    count``, every type × verification (zeros included), in code order."""
    work = pd.DataFrame({"outcome_type": _col(outcomes, "outcome_type"),
                         "verification": _col(outcomes, "verification")})
    counts = work.groupby(["outcome_type", "verification"]).size()
    full = pd.MultiIndex.from_product([OUTCOME_TYPES, VERIFICATIONS], names=["outcome_type", "verification"])
    return counts.reindex(full, fill_value=0).astype("int64").rename("count").reset_index()


def outcome_summary(outcomes: pd.DataFrame) -> dict[str, int]:
    """``total`` and the count of each verification state (zeros included)."""
    verif = _col(outcomes, "verification")
    return {"total": len(outcomes), **{v: int(verif.eq(v).sum()) for v in VERIFICATIONS}}


def outcome_summary_for(outcomes: pd.DataFrame, links: pd.DataFrame | None, actions: pd.DataFrame, *,
                        include_unlinked: bool = False) -> dict[str, int]:
    """:func:`outcome_summary` of :func:`outcomes_for` (the headline of a view): the same
    figures from the outcomes' ids and verification alone (no table built, no sort)."""
    if not len(outcomes):
        return outcome_summary(outcomes)
    links = links if links is not None and len(links) else pd.DataFrame(columns=["outcome_id", "action_id"])
    ids = pd.to_numeric(_col(actions, "id"), errors="coerce").dropna().astype("int64").to_numpy()
    keep = outcomes["id"].isin(links.loc[links["action_id"].isin(ids), "outcome_id"].unique())
    if include_unlinked:
        keep |= ~outcomes["id"].isin(links["outcome_id"].unique())
    return outcome_summary(outcomes.loc[keep.to_numpy(), ["verification"]])


def outcome_table(outcomes: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The outcome-harvesting record as shown (headers ``outcomes.col.*``): date,
    verification (marked: ⚠ unverified, ✗ disputed, ✓ verified), what changed, who
    changed (social actor), type, significance, contribution, verifier, actions."""
    verif = _col(outcomes, "verification")
    out = pd.DataFrame({
        "date": _dates_text(_col(outcomes, "date_observed"), lang),
        "verification": [_MARK.get(v, "") + label("verification", v if not _missing(v) else None, lang)
                         for v in verif],
        "description": _col(outcomes, "description").map(_text).values,
        "social_actor": _col(outcomes, "social_actor").map(_text).values,
        "type": [label("outcome_type", v if not _missing(v) else None, lang) for v in _col(outcomes, "outcome_type")],
        "significance": _col(outcomes, "significance").map(_text).values,
        "contribution": _col(outcomes, "contribution").map(_text).values,
        "verifier": _col(outcomes, "verifier").map(_text).values,
        "actions": _col(outcomes, "actions").map(_text).values,
    })
    return _headers(out, "outcomes", lang)


# --------------------------------------------------------------------------- milestones
def milestone_table(milestones: pd.DataFrame, today: dt.date, lang: str) -> pd.DataFrame:
    """The SNI's deliverables (headers ``actions.col.*``): milestone (title in ``lang``),
    due, status, days_left (negative = late; empty once done or cancelled), alert."""
    title_col = f"title_{lang}" if f"title_{lang}" in milestones.columns else "title_fr"
    status = _col(milestones, "status")
    days: list[int | None] = []
    for due, st in zip(_col(milestones, "due_date"), status):
        d = _date(due)
        days.append(A.days_left(d, today) if d is not None and st not in ("done", "cancelled") else None)
    out = pd.DataFrame({
        "milestone": [_text(v) or _text(f) for v, f in zip(_col(milestones, title_col), _col(milestones, "title_fr"))],
        "due": [fmt_date(_date(v), lang, empty=t("actions.no_due", lang)) for v in _col(milestones, "due_date")],
        "status": [label("status", v, lang) for v in status],
        "days_left": pd.array(days, dtype="Int64"),
        "alert": [t("actions.alert.overdue", lang) if d is not None and d < 0 else "" for d in days],
    })
    return _headers(out, "actions", lang)


# --------------------------------------------------------------------------- data quality
def quality_table(df: pd.DataFrame, known_areas: Collection[str], lang: str, *,
                  keep_index: bool = False) -> pd.DataFrame:
    """The actions to fix (:func:`sna.actions.data_quality`), one row per action
    (headers ``actions.col.*``): ref, title, problems (labels, the unknown area's code
    in brackets). Empty when nothing is wrong. ``keep_index``: each row keeps the index
    of its action in ``df`` (for :func:`rows_of`)."""
    problems = A.data_quality(df, known_areas)
    if not len(problems):
        return _headers(pd.DataFrame(columns=["ref", "title", "problems"]), "actions", lang)
    all_refs = _col(df, "ref").astype(str)
    with_problem = df[all_refs.isin(set(problems["ref"].astype(str))).to_numpy()]  # titles of those only
    refs = _col(with_problem, "ref").astype(str).tolist()
    titles = dict(zip(refs, _col(with_problem, "title").map(_text).tolist()))
    areas = dict(zip(refs, _col(with_problem, "area_code").tolist()))

    def one(ref: str, problem: str) -> str:
        text = t(f"actions.problem.{problem}", lang)
        return f"{text} ({areas.get(ref)})" if problem == "unknown_area" else text

    grouped: dict[Any, list[str]] = {}  # problems per ref, refs in order of appearance (groupby sort=False)
    for ref, problem in zip(problems["ref"].tolist(), problems["problem"].tolist()):
        if not pd.isna(ref):
            grouped.setdefault(ref, []).append(problem)
    out = pd.DataFrame({
        "ref": list(grouped),
        "title": [titles.get(str(r), "") for r in grouped],
        "problems": [", ".join(one(str(r), p) for p in ps) for r, ps in grouped.items()],
    })
    if keep_index:
        index_of = dict(zip(refs, with_problem.index))
        out.index = pd.Index([index_of[str(r)] for r in grouped], dtype=df.index.dtype)
    return _headers(out, "actions", lang)


# --------------------------------------------------------------------------- decision-makers
def _blanks(series: pd.Series) -> pd.Series:
    """:func:`_missing` of each value of a column of codes, without a call per value."""
    text = series.astype(object).where(series.notna(), None).astype("string")
    return text.str.strip().eq("").fillna(True).astype(bool)


def _is_national_dm(dm: pd.DataFrame) -> pd.Series:
    area = _col(dm, "area_code")
    return (_col(dm, "level").eq("national").fillna(False).astype(bool)
            | _blanks(area) | area.eq("MA").fillna(False).astype(bool))


def filter_decision_makers(dm: pd.DataFrame, *, sector: str | None = None, region: str | None = None,
                           level: str | None = None, target_types: Collection[str] = ()) -> pd.DataFrame:
    """The register within the filters (None/empty = all).

    ``sector``: one of the decision-maker's sectors (the comma-separated ``sectors``);
    ``region``: decision-makers of that region or its provinces, national ones kept (they
    act on every region); ``level`` and ``target_types``: equality.
    """
    mask = pd.Series(True, index=dm.index)
    if sector:
        listed = "," + _col(dm, "sectors").fillna("").astype(str) + ","
        mask &= listed.str.contains(f",{sector},", regex=False).fillna(False).astype(bool)
    if region:
        area = _col(dm, "area_code")
        in_region = area.astype("string").str.strip().str[:2].eq(region).fillna(False).astype(bool) & ~_blanks(area)
        mask &= (in_region | _is_national_dm(dm))
    if level:
        mask &= _col(dm, "level").eq(level).fillna(False).astype(bool)
    if target_types:
        mask &= _col(dm, "target_type").isin(list(target_types)).astype(bool)
    return dm[mask].copy()


def dm_activity(dm: pd.DataFrame, actions: pd.DataFrame, links: Mapping[str, pd.DataFrame],
                today: dt.date, *, index: tuple[pd.DataFrame, pd.DataFrame | None] | None = None) -> pd.DataFrame:
    """``dm`` plus, over ``actions`` (those the reader may see): ``n_actions``, ``n_open``,
    ``n_overdue``, ``n_done`` and ``n_outcomes`` (outcomes linked to those actions).

    ``index``: :func:`activity_index` of a superset of ``actions`` (same ``links`` and
    day), to select from instead of joining the links again (the same result)."""
    out = dm.copy()
    dm_links = links.get("decision_makers")
    if dm_links is None or not len(dm_links) or not len(actions):
        for col in ("n_actions", "n_open", "n_overdue", "n_done", "n_outcomes"):
            out[col] = 0
        return out
    if index is None:
        merged, pairs = activity_index(actions, links, today)
    else:
        ids = pd.to_numeric(_col(actions, "id"), errors="coerce").dropna().astype("int64").to_numpy()
        merged, pairs = index
        merged = merged[merged["action_id"].isin(ids).to_numpy()]
        pairs = pairs[pairs["action_id"].isin(ids).to_numpy()] if pairs is not None else None
    grouped = merged.groupby("decision_maker_id")
    per = grouped[["open", "overdue", "done"]].sum().rename(columns=lambda c: f"n_{c}")
    per["n_actions"] = grouped.size()
    if pairs is not None:  # an outcome linked to two actions of the same decision-maker counts once
        per["n_outcomes"] = pairs.groupby("decision_maker_id")["outcome_id"].nunique()
    found = per.reindex(pd.to_numeric(out["id"], errors="coerce").to_numpy())
    for col in ("n_actions", "n_open", "n_overdue", "n_done", "n_outcomes"):
        out[col] = found[col].fillna(0).astype("int64").to_numpy() if col in found.columns else 0
    return out


def activity_index(actions: pd.DataFrame, links: Mapping[str, pd.DataFrame],
                   today: dt.date) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """What :func:`dm_activity` counts, joined once: each (decision-maker, action) link
    with the action's ``open``, ``overdue`` and ``done`` flags on ``today``, and each
    (decision-maker, action, outcome) triple (``None`` without outcome links)."""
    dm_links = links.get("decision_makers")
    flags = pd.DataFrame({
        "action_id": _col(actions, "id").astype("int64").values,
        "open": A.is_open(actions).values,
        "overdue": A.overdue(actions, today).values,
        "done": _col(actions, "status").eq("done").fillna(False).astype(bool).values,
    })
    merged = dm_links.merge(flags, on="action_id", how="inner")
    out_links = links.get("outcomes")
    if out_links is None or not len(out_links):
        return merged, None
    pairs = dm_links.merge(flags[["action_id"]], on="action_id").merge(out_links, on="action_id")
    return merged, pairs


def dm_table(dm: pd.DataFrame, lang: str, names: Mapping[str, Mapping[str, str]], *,
             sensitive: bool, keep_index: bool = False) -> pd.DataFrame:
    """The register as shown (headers ``dm.col.*``), sorted by level, institution type,
    institution: ref, name, institution, type, level, area, sectors, influence, interest,
    then — only when ``sensitive`` and present — stance and private notes, then the
    activity counts of :func:`dm_activity` when present. ``keep_index``: each row keeps
    the index of its decision-maker in ``dm`` (for :func:`dm_rows`)."""
    level_rank = {lv: i for i, lv in enumerate(LEVELS)}
    rows = dm.assign(_l=_col(dm, "level").map(level_rank), _t=_col(dm, "target_type").astype(str),
                     _i=_col(dm, "institution").astype(str))
    rows = rows.sort_values(["_l", "_t", "_i", "ref"], kind="stable")
    out = pd.DataFrame({
        "ref": _col(rows, "ref").values,
        "name": _col(rows, "name").map(_text).values,
        "institution": _col(rows, "institution").map(_text).values,
        "type": _each(_col(rows, "target_type"), lambda v: label("target_type", v, lang)),
        "level": _each(_col(rows, "level"), lambda v: label("level", v, lang)),
        "area": _each(_col(rows, "area_code"), lambda v: area_name(None if _missing(v) else v, lang, names)),
        "sectors": _each(_col(rows, "sectors"),
                         lambda v: ", ".join(label("sector", s, lang) for s in str(v or "").split(",") if s)),
        "influence": _col(rows, "influence").values,
        "interest": _col(rows, "interest").values,
    })
    if sensitive and "stance" in rows.columns:
        out["stance"] = _each(rows["stance"], lambda v: label("stance", v, lang))
    if sensitive and "private_notes" in rows.columns:
        out["private_notes"] = rows["private_notes"].map(_text).values
    for col in _DM_COUNTS:
        if col in rows.columns:
            out[col] = rows[col].values
    if keep_index:
        out.index = rows.index
    return _headers(out, "dm", lang)


_DM_COUNTS = ("n_actions", "n_open", "n_overdue", "n_outcomes")  # the activity columns of dm_table


def dm_rows(table: pd.DataFrame, dm: pd.DataFrame, lang: str) -> pd.DataFrame:
    """``dm_table(dm, ...)`` picked from ``table``, :func:`dm_table` of the whole register
    (without activity) made with ``keep_index=True``: the rows of ``dm``'s decision-makers
    in the register's order, with ``dm``'s activity counts when it has them (the register
    is formatted once per data version and language; a filter change selects rows)."""
    rows = table[table.index.isin(dm.index)]
    counts = {t(f"dm.col.{col}", lang): dm.loc[rows.index, col].to_numpy() for col in _DM_COUNTS if col in dm.columns}
    return rows.assign(**counts).reset_index(drop=True)


def dm_headline(dm: pd.DataFrame) -> dict[str, int | None]:
    """Headline figures of the register (after :func:`dm_activity`): ``total``,
    ``high_influence`` (influence 4-5), ``with_open`` (aimed at by an open action) and
    ``supportive`` (champions and allies; ``None`` when ``dm`` holds no stance)."""
    influence = pd.to_numeric(_col(dm, "influence"), errors="coerce")
    return {
        "total": len(dm),
        "high_influence": int((influence >= 4).sum()),
        "with_open": int((pd.to_numeric(_col(dm, "n_open"), errors="coerce").fillna(0) > 0).sum()),
        "supportive": int(dm["stance"].isin(["champion", "ally"]).sum()) if "stance" in dm.columns else None,
    }


def dm_choices(dm: pd.DataFrame) -> dict[int, str]:
    """{id: "ref · name — institution"} in register order, for the decision-maker selector."""
    return {int(i): f"{_text(r)} · {_text(n)} — {_text(inst)}"
            for i, r, n, inst in zip(_col(dm, "id"), _col(dm, "ref"), _col(dm, "name"), _col(dm, "institution"))}


def register_counts(dm: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Decision-makers per institution type (rows) and level (columns), with labels;
    types and levels in code order, only the types present."""
    pairs = pd.DataFrame({"type": _col(dm, "target_type").to_numpy(), "level": _col(dm, "level").to_numpy()})
    counts = pairs.groupby(["type", "level"]).size()
    types = [c for c in TARGET_TYPES if c in set(counts.index.get_level_values("type"))]
    table = (counts.unstack(fill_value=0) if len(counts) else pd.DataFrame()).reindex(
        index=types, columns=list(LEVELS), fill_value=0)
    table.index = [label("target_type", c, lang) for c in table.index]
    table.columns = [label("level", c, lang) for c in table.columns]
    table.index.name = t("dm.col.type", lang)
    return table.astype("int64")


def dm_actions(dm_id: int, actions: pd.DataFrame, links: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """The actions (among ``actions``) aimed at decision-maker ``dm_id``."""
    dm_links = links.get("decision_makers")
    if dm_links is None or not len(dm_links):
        return actions.iloc[0:0]
    ids = _ids(dm_links.loc[dm_links["decision_maker_id"] == dm_id, "action_id"])
    return actions[_col(actions, "id").isin(ids)]


def stance_history(changes: pd.DataFrame, dm_ids: Collection[int], dates: Iterable[dt.date]) -> pd.DataFrame:
    """How many of the decision-makers ``dm_ids`` held each stance at each of ``dates``
    (the last change on or before the date; ``unknown`` before their first change).

    Long format ``date, stance, count``: every date × stance, zeros included.
    """
    dates = sorted(set(dates))
    wanted = set(int(i) for i in dm_ids)
    ch = changes[changes["decision_maker_id"].isin(wanted)] if len(changes) else changes
    ch = ch.assign(_d=pd.to_datetime(ch["date"], errors="coerce")).dropna(subset=["_d"]) if len(ch) else ch
    ch = ch.sort_values(["_d", "id"]) if len(ch) else ch
    rows = []
    for day in dates:
        cutoff = pd.Timestamp(day)
        known = ch[ch["_d"] <= cutoff].groupby("decision_maker_id")["stance"].last() if len(ch) else pd.Series()
        counts = known.value_counts()
        for stance in STANCES:
            n = int(counts.get(stance, 0))
            if stance == "unknown":
                n += len(wanted) - len(known)
            rows.append({"date": day, "stance": stance, "count": n})
    return pd.DataFrame(rows, columns=["date", "stance", "count"]).astype({"count": "int64"})


def stance_timeline(changes: pd.DataFrame, dm: pd.DataFrame, today: dt.date) -> pd.DataFrame:
    """:func:`stance_history` of the decision-makers of ``dm`` at every quarter end from
    their first recorded change to ``today`` (and at ``today``)."""
    ids = _ids(_col(dm, "id"))
    mine = changes[changes["decision_maker_id"].isin(ids)] if len(changes) else changes
    dates = pd.to_datetime(mine["date"], errors="coerce").dropna() if len(mine) else pd.Series(dtype="datetime64[ns]")
    first = dates.min().date() if len(dates) else today
    return stance_history(changes, ids, quarter_ends(min(first, today), today))


def quarter_ends(first: dt.date, today: dt.date) -> list[dt.date]:
    """The last day of every quarter from ``first``'s to the one before ``today``, and
    ``today`` itself (the points of the stance history)."""
    out: list[dt.date] = []
    q_end = (pd.Timestamp(first) + pd.offsets.QuarterEnd(0)).date()
    while q_end < today:
        out.append(q_end)
        q_end = (pd.Timestamp(q_end) + pd.offsets.QuarterEnd(1)).date()
    return [*out, today]


def stance_change_table(changes: pd.DataFrame, dm: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Each stance change of the decision-makers of ``dm`` (newest first; headers
    ``dm.col.*``): date, name, institution, previous stance, new stance, recorded by.
    Personal data: for those allowed to see stances only."""
    known = dm.set_index("id") if len(dm) else pd.DataFrame(columns=["name", "institution"])
    ch = changes[changes["decision_maker_id"].isin(set(known.index))].copy()
    ch = ch.assign(_d=pd.to_datetime(ch["date"], errors="coerce")).sort_values(["decision_maker_id", "_d", "id"])
    ch["previous"] = ch.groupby("decision_maker_id")["stance"].shift(1)
    ch = ch.sort_values(["_d", "id"], ascending=[False, False])
    out = pd.DataFrame({
        "date": [fmt_date(_date(v), lang) for v in ch["date"]],
        "name": [_text(known.at[i, "name"]) for i in ch["decision_maker_id"]],
        "institution": [_text(known.at[i, "institution"]) for i in ch["decision_maker_id"]],
        "previous": [label("stance", None if _missing(v) else v, lang) for v in ch["previous"]],
        "stance": [label("stance", v, lang) for v in ch["stance"]],
        "by": ch["by"].map(_text).values,
    })
    return _headers(out, "dm", lang)
