"""Sources and method: every data source and licence, the map disclaimer, how figures are computed."""

import streamlit as st

from sna import ui
from sna.ui import data

c = ui.ctx()
st.title(c.t("sources.title"))

st.subheader(c.t("sources.data_heading"))
for key in ("sources.census", "sources.boundaries", "sources.published", "sources.demo"):
    st.markdown(c.t(key))

st.subheader(c.t("sources.disclaimer_heading"))
st.markdown(c.t("sources.disclaimer"))

st.subheader(c.t("method.heading"))
st.markdown(c.t("method.text"))

st.subheader(c.t("sources.catalogue_heading"))
cat = data.q("indicators")
st.dataframe(
    {
        c.t("sources.col_code"): cat["code"],
        c.t("sources.col_name"): cat[f"name_{c.lang}"],
        c.t("sources.col_sector"): [c.label("sector", s) for s in cat["sector"]],
        c.t("sources.col_unit"): [c.label("unit", u) for u in cat["unit"]],
        c.t("sources.col_direction"): [c.label("direction", d) for d in cat["direction"]],
        c.t("sources.col_compares"): cat["compares_groups"],
        c.t("sources.col_source"): cat["source"],
    },
    hide_index=True, width="stretch",
)
