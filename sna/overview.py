"""Headline figures of the overview page, from plain DataFrames."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from . import actions as A
from .filters import Filters


def filtered_actions(actions: pd.DataFrame, filters: Filters, *,
                     prepared: A.Prepared | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(actions in the filters, national actions kept apart when a region is chosen);
    ``prepared``: :func:`sna.actions.prepare` of ``actions``, when the caller keeps one."""
    return A.filter_actions(actions, sector=filters.sector, region=filters.region,
                            period=filters.period_bounds(), level=filters.level, prepared=prepared)


def headline(actions: pd.DataFrame, milestones: pd.DataFrame, filters: Filters, today: dt.date, *,
             prepared: A.Prepared | None = None) -> dict:
    """Actions by status, % done (cancelled excluded), overdue, due in 30 days — for the
    filtered actions, national ones included — and the SNI milestones with days left."""
    local, national = filtered_actions(actions, filters, prepared=prepared)
    scoped = pd.concat([local, national]) if len(national) else local
    out = A.summary(scoped, today)
    out["n_national_apart"] = len(national)
    ms = milestones.copy()
    ms["days_left"] = [A.days_left(d, today) for d in ms["due_date"]]
    out["milestones"] = ms
    return out
