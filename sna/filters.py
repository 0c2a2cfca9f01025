"""The global filters (sector, region, period, decision-maker level) as one small object.

A filter set reads itself from URL parameters (codes, language-independent), writes itself
back, and describes itself in words ("Logement · Souss-Massa · 2024") for the caption that
heads every page and every slide.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from . import codes as C
from .i18n import area_name, label, t
from .periods import is_valid_period, parse_period

PARAMS = ("sector", "region", "period", "level")


@dataclasses.dataclass(frozen=True)
class Filters:
    """None means "all" for every field."""

    sector: str | None = None
    region: str | None = None
    period: str | None = None
    level: str | None = None

    @classmethod
    def from_params(cls, params: Mapping[str, object]) -> tuple["Filters", list[tuple[str, str]]]:
        """Filters from URL parameters, and the (parameter, value) pairs that were ignored
        because they are not valid codes."""
        values: dict[str, str | None] = {}
        invalid: list[tuple[str, str]] = []
        for name in PARAMS:
            raw = params.get(name)
            if isinstance(raw, list):
                raw = raw[-1] if raw else None
            if raw is None or str(raw).strip() == "":
                values[name] = None
                continue
            value = str(raw).strip()
            if valid(name, value):
                values[name] = value
            else:
                values[name] = None
                invalid.append((name, value))
        return cls(**values), invalid

    def to_params(self) -> dict[str, str]:
        """The URL parameters (codes only; unset filters are left out)."""
        return {k: v for k, v in dataclasses.asdict(self).items() if v is not None}

    def replace(self, **changes: str | None) -> "Filters":
        return dataclasses.replace(self, **changes)

    def period_bounds(self):
        """(first day, last day) of the period, or None for all periods."""
        return parse_period(self.period) if self.period else None

    def caption(self, lang: str, region_names: Mapping[str, Mapping[str, str]],
                *, with_level: bool = True, default_period: str | None = None) -> str:
        """The filters in words, e.g. ``Logement · Souss-Massa · 2024``.

        ``default_period`` names the period shown when none is chosen (the latest one).
        """
        parts = [
            label("sector", self.sector, lang) if self.sector else t("filters.all_sectors", lang),
            area_name(self.region, lang, region_names) if self.region else t("filters.all_regions", lang),
        ]
        if self.period:
            parts.append(self.period)
        elif default_period:
            parts.append(t("filters.latest_period", lang, period=default_period))
        else:
            parts.append(t("filters.all_periods", lang))
        if with_level and self.level:
            parts.append(label("level", self.level, lang))
        return " · ".join(parts)


def valid(name: str, value: str) -> bool:
    """Whether ``value`` is an acceptable code for filter ``name``."""
    if name == "sector":
        return value in C.SECTORS
    if name == "region":
        return value in C.REGION_CODES
    if name == "level":
        return value in C.LEVELS
    if name == "period":
        return is_valid_period(value)
    return False
