"""Placeholder: this page is being built (see its issue)."""

import streamlit as st

from sna import ui

ui.header("nav.decision_makers")
