"""The only Streamlit-aware part of sna: cached queries, the frame (filters, language,
login) and layout helpers shared by the pages."""

from .frame import Ctx, ctx, header, set_filter, setup, suppression_footnote  # noqa: F401
from .layout import keep, lazy_tabs, view_key  # noqa: F401
