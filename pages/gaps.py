"""Access gaps: where migrants' access is weakest — a map of the 12 regions (offline),
their ranking and figures, migrants against the host population, and the method.

Sector, region and period come from the global filters (no period: the latest with
data on migrants); the indicator (or index) and the value shown are chosen here.
Numbers: ``sna.gaps`` through ``sna.ui.gapcache``.
"""

import streamlit as st

from sna import maps, ui
from sna.ui import gapcache

c = ui.ctx()
f = c.filters
period = gapcache.shown_period(f.period, f.sector)
ui.header("gaps.title", default_period=period)
if f.period and period != f.period:
    st.caption(c.t("gaps.period_shown", period=period, chosen=f.period))

pick, show = st.columns([3, 2])
labels = gapcache.target_labels(c.lang)
target = gapcache.select(pick, c.t("gaps.target"), gapcache.target_choices(f.sector), name="gaps.target",
                         param="target", format_func=labels.get)
views = gapcache.views_for(target)
view = gapcache.select(show, c.t("gaps.view"), views, name="gaps.view", param="view", default="gap",
                       format_func=lambda v: c.t(f"gaps.view.{v}"), radio=True) if len(views) > 1 else views[0]

v = gapcache.gaps_view(c.lang, period, target, view, f.region)
st.subheader(v.title)

map_col, rank_col = st.columns([3, 2], gap="medium")
with map_col:
    event = st.pydeck_chart(v.deck, on_select="rerun", selection_mode="single-object", height=560,
                            key=f"gaps.map.{f.region or 'all'}", alt=c.t("gaps.map_title"))
    changed, picked = maps.region_after_click(event, f.region, v.codes)
    if changed:
        ui.set_filter("region", picked)
        st.rerun()
    st.plotly_chart(v.legend, width="stretch", key="gaps.legend",
                    config={"staticPlot": True, "displayModeBar": False})
    st.caption(c.t("gaps.map_help"))
with rank_col:
    if f.region:
        st.markdown(c.t("gaps.selected", name=c.area(f.region)))
        st.page_link("pages/region.py", label=c.t("gaps.open_profile"), icon=":material/location_on:")
        if st.button(c.t("gaps.clear_region"), key="gaps.clear_region", icon=":material/public:"):
            ui.set_filter("region", None)
            st.rerun()
    st.plotly_chart(v.ranking, width="stretch", key="gaps.ranking", config={"displaylogo": False})

st.subheader(c.t("gaps.table_title"))
st.dataframe(v.table, hide_index=True, width="stretch", key="gaps.table")
if v.has_suppressed:
    st.caption(ui.suppression_footnote())
st.download_button(c.t("frame.download_csv"), v.csv, file_name=v.csv_name, mime="text/csv",
                   key="gaps.csv", on_click="ignore", icon=":material/download:")

st.subheader(c.t("gaps.groups_title"))
if v.groups is not None:
    st.plotly_chart(v.groups, width="stretch", key="gaps.groups", config={"displaylogo": False})
if v.groups_note:
    st.caption(v.groups_note)

with st.expander(c.t("gaps.about_method")):
    st.markdown(c.t("method.text"))
st.caption(c.t("sources.disclaimer"))
