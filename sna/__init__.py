"""sna: the SNI dashboard's core — store, reference data, gaps, actions, import/export.

Everything here is plain Python, importable and testable without Streamlit, except
:mod:`sna.ui`.
"""

__version__ = "0.1.0"
