"""Settings, read from the environment, and the paths of the project.

Every path is resolved from this package, never from the working directory.

| variable | meaning | default |
|---|---|---|
| ``SNA_DATABASE_URL`` | SQLAlchemy URL of the store | SQLite file ``data/sna.db`` |
| ``SNA_TODAY`` | ISO date used as "today" (tests, demos) | the real date |
| ``SNA_SUPPRESSION_THRESHOLD`` | smallest denominator shown on screen | 5 |
| ``SNA_LOGIN_REQUIRED`` | ``1`` to require a login even to view | viewing is open |
| ``SNA_AUTO_DEMO`` | ``0`` to start the app on an empty store | the demo is loaded on first run |
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
ROOT_DIR = PACKAGE_DIR.parent
DATA_DIR = ROOT_DIR / "data"
ASSETS_DIR = ROOT_DIR / "assets"
DEFAULT_DB_PATH = DATA_DIR / "sna.db"


def database_url() -> str:
    """The store's URL: ``SNA_DATABASE_URL`` or the SQLite file ``data/sna.db``."""
    url = os.environ.get("SNA_DATABASE_URL", "").strip()
    return url or f"sqlite:///{DEFAULT_DB_PATH}"


def today() -> dt.date:
    """Today's date, or ``SNA_TODAY`` when set (ISO ``YYYY-MM-DD``).

    Every "today" of the product goes through here so tests and demos are stable.
    """
    raw = os.environ.get("SNA_TODAY", "").strip()
    if raw:
        try:
            return dt.date.fromisoformat(raw)
        except ValueError as exc:
            raise ValueError(f"SNA_TODAY={raw!r} is not an ISO date (YYYY-MM-DD)") from exc
    return dt.date.today()


def suppression_threshold() -> int:
    """Denominators (or counts) below this are withheld on screen and in default exports."""
    raw = os.environ.get("SNA_SUPPRESSION_THRESHOLD", "").strip()
    return int(raw) if raw else 5


def _flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    return raw in ("1", "true", "yes", "on")


def login_required() -> bool:
    """Whether even viewing needs a login (off by default: the meeting laptop stays open)."""
    return _flag("SNA_LOGIN_REQUIRED", False)


def auto_demo() -> bool:
    """Whether the app loads the demo dataset into an empty store on first run."""
    return _flag("SNA_AUTO_DEMO", True)
