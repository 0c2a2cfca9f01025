"""An import's report in the reader's language: one row per problem (line, column, value,
reason), and the preview of what the file would change."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from .i18n import has, t
from .importing import ImportPlan, Problem


def reason(problem: Problem, lang: str) -> str:
    """The problem's reason translated when its code is known, else the library's text."""
    key = f"data.err.{problem.code}"
    if not has(key):
        return problem.reason
    params = dict(problem.params or {})
    suggestion = params.get("suggestion")
    hint = f" ({suggestion} ?)" if suggestion else ""
    try:
        return t(key, lang, hint=hint, **{k: v for k, v in params.items() if k != "hint"})
    except (KeyError, IndexError):
        return problem.reason


def problems_frame(errors: Sequence[Problem], warnings: Sequence[Problem], lang: str) -> pd.DataFrame:
    rows = [(p, "error") for p in errors] + [(p, "warning") for p in warnings]
    return pd.DataFrame({
        t("data.col.line", lang): ["" if p.line is None else str(p.line) for p, _ in rows],
        t("data.col.column", lang): [p.column or "" for p, _ in rows],
        t("data.col.value", lang): [p.value or "" for p, _ in rows],
        t("data.col.reason", lang): [reason(p, lang) for p, _ in rows],
        t("data.col.severity", lang): [t(f"data.severity.{s}", lang) for _, s in rows],
    })


def preview_frame(plan: ImportPlan, lang: str, limit: int = 200) -> pd.DataFrame:
    prev = plan.preview(limit)
    return pd.DataFrame({
        t("data.col.line", lang): prev["line"],
        t("data.col.status", lang): [t(f"data.status.{s}", lang) for s in prev["status"]],
        t("data.col.key", lang): prev["key"],
        t("data.col.changes", lang): prev["changes"],
    })
