"""The product's code lists (DESIGN.md section 4): one home for every enumerated code.

The database stores these codes as strings guarded by check constraints; the
labels shown to people come from :mod:`sna.i18n` (key ``code.<list>.<code>``).
"""

from __future__ import annotations

SECTORS = ("health", "education", "justice", "housing", "cross_cutting")
LEVELS = ("national", "regional", "local")
POPULATION_GROUPS = ("migrants", "refugees", "host", "all")
SEXES = ("all", "female", "male")
DIRECTIONS = ("higher_is_better", "lower_is_better", "context")
ACTION_STATUSES = ("planned", "in_progress", "done", "postponed", "cancelled")
POLICY_STAGES = ("agenda_setting", "formulation", "adoption", "implementation", "monitoring")
STANCES = ("champion", "ally", "undecided", "opponent", "unknown")
OUTCOME_TYPES = ("agenda", "policy", "practice", "relationship", "discourse")
VERIFICATIONS = ("unverified", "verified", "disputed")
ROLES = ("viewer", "editor", "admin")
LANGUAGES = ("fr", "en", "ar")
REGION_CODES = tuple(f"{i:02d}" for i in range(1, 13))
NATIONAL_AREA = "MA"

ACTION_TYPES = (
    "position_paper", "policy_brief", "study", "open_letter",
    "bilateral_meeting", "hearing", "consultation", "field_visit",
    "workshop", "training", "public_campaign", "media", "digital", "litigation",
)
TARGET_TYPES = (
    "government", "ministry", "parliament", "human_rights_body",
    "regional_council", "territorial_administration", "communal_council",
    "deconcentrated_service", "public_agency", "international_org",
    "media", "private_sector", "civil_society",
)
ORGANISATION_TYPES = ("international_ngo", "national_ngo", "association", "network", "research", "union", "other")
IMPORT_KINDS = ("observations", "actions", "decision_makers", "census", "demo", "restore")
MILESTONE_STATUSES = ACTION_STATUSES

#: Statuses of an action that is still open (can become overdue or stale).
OPEN_STATUSES = ("planned", "in_progress", "postponed")

ALL_LISTS: dict[str, tuple[str, ...]] = {
    "sector": SECTORS,
    "level": LEVELS,
    "group": POPULATION_GROUPS,
    "sex": SEXES,
    "direction": DIRECTIONS,
    "status": ACTION_STATUSES,
    "stage": POLICY_STAGES,
    "stance": STANCES,
    "outcome_type": OUTCOME_TYPES,
    "verification": VERIFICATIONS,
    "role": ROLES,
    "language": LANGUAGES,
    "action_type": ACTION_TYPES,
    "target_type": TARGET_TYPES,
    "organisation_type": ORGANISATION_TYPES,
}


def sql_in(column: str, codes: tuple[str, ...]) -> str:
    """A check-constraint expression: ``column`` is one of ``codes``.

    The codes are constants of this module, never user input.
    """
    quoted = ", ".join(f"'{c}'" for c in codes)
    return f"{column} IN ({quoted})"
