"""Overview: headline figures of the influence work and of the data, within the filters."""

import streamlit as st

from sna import actions as A
from sna import charts, codes, config, overview, tracker, ui
from sna.ui import data

c = ui.ctx()
# Nothing here is "the latest period": actions, milestones and the data share span every
# period unless one is chosen, and the caption and the banner must say the same.
ui.header("overview.title")

today = config.today()
# the actions this reader may see (sensitive ones for signed-in editors only), as on the actions page
actions, n_hidden = data.derived("tracker:visible", (c.sensitive,),
                                 lambda: tracker.visible_actions(data.q("actions"), c.sensitive))
prepared = data.derived("tracker:prepared", ("visible", c.sensitive), lambda: A.prepare(actions))
figures = overview.headline(actions, data.q("milestones"), c.filters, today, prepared=prepared)

st.subheader(c.t("overview.actions"))
cols = st.columns(4)
cols[0].metric(c.t("overview.total"), c.num(figures["total"], 0))
cols[1].metric(c.t("overview.pct_done"), "—" if figures["pct_done"] is None else c.num(figures["pct_done"], 0) + " %",
               help=c.t("overview.pct_done_help"))
cols[2].metric(c.t("overview.overdue"), c.num(figures["overdue"], 0))
cols[3].metric(c.t("overview.due_30"), c.num(figures["due_30"], 0))
if figures["n_national_apart"]:
    st.caption(c.t("overview.national_apart", n=figures["n_national_apart"]))
if n_hidden:
    st.caption(c.t("actions.sensitive_hidden", n=n_hidden))


fig = charts.status_bars([c.label("status", s) for s in codes.ACTION_STATUSES],
                         [figures["by_status"][s] for s in codes.ACTION_STATUSES],
                         x_title=c.t("overview.count"), y_title=c.t("overview.status"),
                         title=c.t("overview.by_status"))
st.plotly_chart(fig, width="stretch", config={"displaylogo": False})

st.subheader(c.t("overview.milestones"))
ms = figures["milestones"]
mcols = st.columns(max(len(ms), 1))
for col, row in zip(mcols, ms.itertuples()):
    title = getattr(row, f"title_{c.lang}")
    left = row.days_left
    delta = c.t("overview.days_left", n=left) if left >= 0 else c.t("overview.days_late", n=-left)
    col.metric(title, c.date(row.due_date), delta=f"{c.label('status', row.status)} · {delta}",
               delta_color="off", delta_arrow="off")

st.subheader(c.t("overview.data"))
last = data.q("last_import")
illus, total = data.q("illustrative_share", sector=c.filters.sector, region=c.filters.region,
                      period=c.filters.period)
dcols = st.columns(2)
dcols[0].metric(c.t("overview.last_import"),
                c.date(last["at"]) if last else c.t("overview.no_import"),
                delta=last["file_name"] if last else None, delta_color="off", delta_arrow="off")
dcols[1].metric(c.t("overview.illustrative_share"),
                (c.num(100 * illus / total, 0) + " %") if total else "—")

# ---- largest gaps (the access-gaps map has the details)
from sna.ui import gapcache  # noqa: E402

st.subheader(c.t("gaps.largest_title"))
gap_period, largest = gapcache.largest(c.lang, c.filters.sector, c.filters.period, n=5)
if largest.empty:
    st.caption(c.t("gaps.largest_none"))
else:
    what = (c.t("gaps.target.sector", sector=c.label("sector", c.filters.sector)) if c.filters.sector
            else c.t("gaps.target.overall"))
    st.caption(c.t("gaps.largest_caption", what=what, period=gap_period))
    for col, row in zip(st.columns(len(largest)), largest.itertuples()):
        col.metric(row.name, row.value, delta=c.t("gaps.coverage_delta", value=row.coverage), delta_color="off",
                   delta_arrow="off")
st.page_link("pages/gaps.py", label=c.t("gaps.largest_link"), icon=":material/map:")
