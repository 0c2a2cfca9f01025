"""Presentation mode for the national meeting: chosen slides, one at a time, large type,
sidebar and chrome hidden (``?present=1``), a dated offline snapshot of the deck."""

import streamlit as st

from sna import config, slides, ui
from sna.ui import data, present

c = ui.ctx()
chosen, unknown = slides.parse_slides(st.query_params.get("slides"))
deck = present.deck(c, tuple(chosen))

if not c.presenting:
    ui.header("present.title", default_period=deck.period)
    picked = st.multiselect(c.t("present.choose"), list(slides.SLIDES), default=chosen, key="present.pick",
                            format_func=lambda k: c.t(f"present.slide.{k}"))
    if picked != chosen:
        st.query_params["slides"] = ",".join(picked)
        st.rerun()
    cols = st.columns(2)
    if cols[0].button(c.t("present.start"), type="primary", key="present.start", disabled=not picked):
        present.start()
    cols[1].download_button(c.t("present.snapshot"), data=present.snapshot(c, tuple(chosen)),
                            file_name=f"sni-{config.today().isoformat()}-{c.lang}.html", mime="text/html",
                            help=c.t("present.snapshot_help"), key="present.download")

if unknown:
    st.warning(c.t("present.unknown_slides", names=", ".join(unknown), available=", ".join(slides.SLIDES)))
if not deck.slides:
    st.info(c.t("present.no_slide"))
    st.stop()

i = present.current(len(deck.slides))
slide = deck.slides[i]
st.caption(deck.stamp)
(st.title if c.presenting else st.header)(slide.title)
if slide.message:
    st.info(slide.message)
if slide.figure is not None:
    st.plotly_chart(slide.figure, width="stretch", config={"displaylogo": False}, key=f"present.fig.{slide.key}")
if slide.table is not None:
    st.dataframe(slide.table, hide_index=True, width="stretch")
if slide.note:
    st.markdown(f"**{slide.note}**")

nav = st.columns([1, 2, 1, 1])
nav[0].button(c.t("present.prev"), key="present.prev", disabled=i == 0, on_click=present.go, args=(i - 1,))
nav[1].markdown(f"### {c.t('present.counter', i=i + 1, n=len(deck.slides))}")
nav[2].button(c.t("present.next"), key="present.next", disabled=i >= len(deck.slides) - 1,
              on_click=present.go, args=(i + 1,))
if c.presenting:
    nav[3].button(c.t("present.exit"), key="present.exit", on_click=present.stop)
