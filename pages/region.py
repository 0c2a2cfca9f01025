"""Region profile: every indicator of the region (global region filter) by sector, against
the national value and the host population, with trends, coverage per sector, and the
influence actions that concern the region (national ones listed apart).

Without a region filter the page asks for one (the choice sets the global filter).
"""

import streamlit as st

from sna import ui
from sna.ui import gapcache

c = ui.ctx()
f = c.filters
period = gapcache.shown_period(f.period, f.sector, f.region) if f.region else None
ui.header("region.title", default_period=period)

if f.region is None:
    st.info(c.t("region.pick_prompt"))
    gapcache.region_picker(c.t("region.choose"), {code: c.area(code) for code in gapcache.REGIONS},
                           c.t("region.choose"))
    st.page_link("pages/gaps.py", label=c.t("region.open_map"), icon=":material/map:")
    st.stop()

st.header(c.area(f.region))
if f.period and period != f.period:
    st.caption(c.t("gaps.period_shown", period=period, chosen=f.period))
st.page_link("pages/gaps.py", label=c.t("region.open_map"), icon=":material/map:")

view = gapcache.region_view(c.lang, f.region, f.sector, period)
if view.summary is None:
    st.info(c.t("region.no_data"))
else:
    st.plotly_chart(view.summary, width="stretch", key="region.summary", config={"displaylogo": False})
    st.subheader(c.t("region.indicators", period=period))
    tabs = st.tabs([c.label("sector", s) for s in view.sectors])
    for tab, sector in zip(tabs, view.sectors):
        with tab:
            st.dataframe(view.tables[sector], hide_index=True, width="stretch", key=f"region.table.{sector}")
            st.markdown(f"**{c.t('region.trends')}**")
            st.plotly_chart(view.trends[sector], width="stretch", key=f"region.trends.{sector}",
                            config={"displaylogo": False})
    if view.has_suppressed:
        st.caption(ui.suppression_footnote())

st.subheader(c.t("region.actions_title"))
local, national, hidden = gapcache.region_actions(c.lang, f.region, f, c.sensitive)
st.markdown(f"**{c.t('region.actions_local', n=len(local))}**")
if len(local):
    st.dataframe(local, hide_index=True, width="stretch", key="region.actions.local")
else:
    st.caption(c.t("region.actions_none"))
st.markdown(f"**{c.t('region.actions_national', n=len(national))}**")
if len(national):
    st.dataframe(national, hide_index=True, width="stretch", key="region.actions.national")
else:
    st.caption(c.t("region.actions_none"))
if hidden:
    st.caption(c.t("region.actions_hidden", n=hidden))

with st.expander(c.t("gaps.about_method")):
    st.markdown(c.t("method.text"))
