#!/usr/bin/env bash
# Start the dashboard on demo data: set-up, then `streamlit run app.py` on 127.0.0.1:8501.
# The first run creates the store (data/sna.db) and loads the demo dataset by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m streamlit run app.py "$@"
