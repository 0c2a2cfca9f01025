"""Import of observations, influence actions and decision-makers from CSV and XLSX files.

The flow, for the command line (``python -m sna import``) and for the Data page alike::

    df = read_table(data, "enquete.csv")          # every cell as text, index = file line
    plan = validate(df, "observations", engine)   # ImportPlan: rows, errors, counts
    if plan.ok:
        batch_id = commit(plan, engine, user="amina", progress=callback)

or in one call, :func:`import_file` / :func:`import_bytes`, which return an
:class:`ImportResult` (with ``exit_code`` 0, 1 or 2).

What is accepted
----------------
* **Files**: ``.csv`` (also ``.txt``/``.tsv``) and ``.xlsx`` (first sheet, or the sheet
  named after the kind). Text files in UTF-8 with or without BOM, UTF-16 with BOM, or the
  Windows code pages 1252 (French) and 1256 (Arabic), recognised with charset-normalizer;
  anything else is refused with a hint. Separators ``,``, ``;``, tab or ``|`` (taken
  from the header line). Blank lines are skipped; an HXL hashtag row under the header is
  skipped. Line numbers are those of the spreadsheet (header = line 1).
* **Headers** in English or French, any case, with or without accents (``indicateur``,
  ``Région``, ``période``, ``groupe``, ``valeur``...), see :data:`COLUMNS`. Unknown
  columns are ignored (a warning says which).
* **Codes and names**: regions as HCP codes (``01``, also ``1`` or ``1.0`` as Excel
  gives them, ``MA-01``) or names in French, English or Arabic with accent, case,
  hyphen, apostrophe and spacing variants; provinces as ``RR.PPP`` (``2.113`` → ``02.113``)
  or names; ``MA``/``Maroc``/``national`` for national figures. Groups, sex, sectors,
  levels, statuses, stages, stances, action and target types as codes or as their
  French, English or Arabic labels. Numbers with a decimal comma or point, thousands
  separated by spaces, a trailing ``%``. Periods as :func:`sna.periods.normalise_period`
  accepts them; dates as ISO ``2025-06-14``, ``14/06/2025`` or a date cell.
* **Blank cells**: a blank optional cell means "not given": a new row gets the default
  (``all`` for sex and age group, nothing for numerator, note...), an existing row keeps
  its stored value. (Hence an import cannot clear a field: use the edit form.)
  Exception: ``is_illustrative`` of observations is false unless the file says true —
  imported figures are real figures.

Guarantees
----------
* Nothing is written unless every row is valid; a commit is one transaction
  (``BEGIN IMMEDIATE`` on SQLite) that re-checks the rows against the store as it is then.
* Idempotent: rows equal to the stored ones are counted as unchanged and not written; a
  file that changes nothing writes nothing at all — no batch is recorded and
  ``data_version`` does not move (:func:`commit` returns ``None``).
* Every commit records an ``import_batch`` (file, kind, user, counts) with one
  change-log entry, plus one change-log entry per changed observation (old → new values
  as JSON) or per changed field of an action/decision-maker (as the edit form logs
  them), plus one per created action/decision-maker. :func:`revert_batch` undoes a batch.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import difflib
import functools
import io
import json
import math
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from . import codes as C
from . import config, db, store
from .models import (
    ChangeLog, DecisionMaker, ImportBatch, Indicator, InfluenceAction, Observation, Organisation,
    Province, Region, StageChange, StanceChange, action_decision_maker, action_indicator,
    action_partner, decision_maker_sector, outcome_action,
)
from .periods import normalise_period

__all__ = [
    "KINDS", "COLUMNS", "Problem", "PlannedRow", "ImportPlan", "ImportResult", "UnreadableFile",
    "CommitError", "RevertError", "read_table", "validate", "validate_observations",
    "validate_actions", "validate_decision_makers", "detect_kind", "commit", "import_file",
    "import_bytes", "revert_batch", "write_templates", "normalise_kind",
]

KINDS = ("observations", "actions", "decision_makers")
Progress = Callable[[int, int], None]

#: Largest file read (bytes); larger uploads are refused rather than read into memory.
MAX_BYTES = 200 * 1024 * 1024
#: Shown for a Problem found in the file as a whole (no line).
FILE = None


# =========================================================================== report
@dataclass
class Problem:
    """One thing wrong (or worth saying) about a file, a row or a cell.

    ``line`` is the spreadsheet's line number (header = 1), ``None`` for the file as a
    whole; ``column`` the file's own header text when known. ``code`` + ``params`` let a
    page translate ``reason`` (which is English).
    """

    line: int | None
    column: str | None
    value: str | None
    reason: str
    code: str = "invalid"
    params: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        where = "file" if self.line is None else f"line {self.line}"
        if self.column:
            where += f", column {self.column!r}"
        if self.value not in (None, ""):
            shown = self.value if len(self.value) <= 60 else self.value[:57] + "..."
            where += f", value {shown!r}"
        return f"{where}: {self.reason}"

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass
class PlannedRow:
    """A valid row of the file and what committing it would do.

    ``given`` holds the store values the file gives (resolved codes and ids; a blank
    cell is not given), ``values`` what would be written (defaults filled in for a new
    row); ``status`` is ``new``, ``changed`` or ``unchanged``; ``changes`` maps each changed
    field to ``(old, new)``.
    """

    line: int
    key: Any
    given: dict[str, Any]
    values: dict[str, Any] = field(default_factory=dict)
    status: str = "new"
    existing_id: int | None = None
    existing_batch: int | None = None
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)


@dataclass
class ImportPlan:
    """What a file would do to the store: valid rows, problems, and counts.

    ``ok`` is true when there is no error (warnings do not block). The counts compare
    with the store as it was at validation; :func:`commit` compares again.
    """

    kind: str
    file_name: str = ""
    rows: list[PlannedRow] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)  # canonical name -> file header
    n_lines: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def new(self) -> int:
        return self.count("new")

    @property
    def changed(self) -> int:
        return self.count("changed")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")

    def counts(self) -> dict[str, int]:
        return {"new": self.new, "changed": self.changed, "unchanged": self.unchanged}

    def errors_frame(self) -> pd.DataFrame:
        """Errors then warnings as a table (line, column, value, reason, code, severity)."""
        rows = [{**p.as_dict(), "severity": "error"} for p in self.errors]
        rows += [{**p.as_dict(), "severity": "warning"} for p in self.warnings]
        cols = ["line", "column", "value", "reason", "code", "severity"]
        return pd.DataFrame(rows, columns=cols + ["params"]).reindex(columns=cols)

    def preview(self, limit: int | None = None) -> pd.DataFrame:
        """One row per valid file row: line, status, its key and what would change."""
        out = []
        for r in self.rows[:limit]:
            key = r.key if isinstance(r.key, tuple) else (r.key,)
            out.append({
                "line": r.line, "status": r.status, "key": " · ".join(str(k) for k in key),
                "changes": "; ".join(f"{f}: {_shown(o)} → {_shown(n)}" for f, (o, n) in r.changes.items()),
            })
        return pd.DataFrame(out, columns=["line", "status", "key", "changes"])


def _shown(value: Any) -> str:
    if value is None:
        return "∅"
    if isinstance(value, float):
        return _num_text(value)
    if isinstance(value, (set, frozenset, tuple, list)):
        return ";".join(sorted(str(v) for v in value)) or "∅"
    return str(value)


@dataclass
class ImportResult:
    """The outcome of :func:`import_file`.

    ``status``: ``imported`` (written), ``unchanged`` (valid, nothing to write), ``valid``
    (dry run, valid), ``invalid`` (validation errors, nothing written) or ``unreadable``
    (missing file or format we cannot read).
    """

    kind: str
    file_name: str
    status: str
    plan: ImportPlan | None = None
    batch_id: int | None = None
    dry_run: bool = False
    problems: list[Problem] = field(default_factory=list)  # for unreadable files

    @property
    def exit_code(self) -> int:
        return {"imported": 0, "unchanged": 0, "valid": 0, "invalid": 1}.get(self.status, 2)

    @property
    def errors(self) -> list[Problem]:
        return self.problems + (self.plan.errors if self.plan else [])

    def report(self, limit: int = 50) -> str:
        """A plain-text report: counts, then errors (at most ``limit``) and warnings."""
        lines = [f"{self.file_name} ({self.kind.replace('_', '-')}):"]
        if self.status == "unreadable":
            lines += [f"  {p}" for p in self.problems]
            return "\n".join(lines)
        plan = self.plan
        assert plan is not None
        c = plan.counts()
        counts = f"{c['new']} new, {c['changed']} changed, {c['unchanged']} unchanged"
        if self.status == "imported":
            lines.append(f"  imported as batch {self.batch_id}: {counts}.")
        elif self.status == "unchanged":
            lines.append(f"  nothing to import: the store already holds these {c['unchanged']} rows "
                         "(no batch recorded).")
        elif self.status == "valid":
            lines.append(f"  valid (dry run, nothing written): would be {counts}.")
        else:
            lines.append(f"  {len(plan.errors)} error(s): nothing was written.")
        for p in plan.errors[:limit]:
            lines.append(f"  error: {p}")
        if len(plan.errors) > limit:
            lines.append(f"  ... and {len(plan.errors) - limit} more error(s)")
        for p in plan.warnings[:limit]:
            lines.append(f"  warning: {p}")
        if len(plan.warnings) > limit:
            lines.append(f"  ... and {len(plan.warnings) - limit} more warning(s)")
        return "\n".join(lines)


class UnreadableFile(ValueError):
    """The file cannot be read as a table; the message says what to do."""

    def __init__(self, message: str, code: str = "unreadable", **params: Any):
        super().__init__(message)
        self.code, self.params = code, params


class CommitError(RuntimeError):
    """A commit was refused (nothing written): invalid plan, or the store changed meanwhile."""

    def __init__(self, message: str, problems: Sequence[Problem] = ()):
        super().__init__(message)
        self.problems = list(problems)


class RevertError(RuntimeError):
    """A batch cannot be reverted (unknown, already reverted, or touched since)."""


class _NothingToDo(Exception):
    """Raised inside a write transaction to roll it back when no row would change."""


def normalise_kind(kind: str) -> str:
    """``observations``, ``actions`` or ``decision_makers`` (``decision-makers`` accepted)."""
    k = str(kind).strip().lower().replace("-", "_")
    if k in ("decision_maker", "dm", "dms", "decideurs"):
        k = "decision_makers"
    if k in ("action",):
        k = "actions"
    if k in ("observation", "obs"):
        k = "observations"
    if k not in KINDS:
        raise ValueError(f"unknown kind {kind!r}: observations, actions or decision-makers")
    return k


# ======================================================================= text folding
_BEFORE = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "ø": "o", "Ø": "O",
                         "đ": "d", "ł": "l", "ı": "i", "’": "'", "‘": "'", "ʼ": "'", "`": "'"})
_AFTER = str.maketrans({"ـ": "", "ة": "ه", "ى": "ي", "٫": ".", "٬": ""})


def _ascii_digits(text: str) -> str:
    if text.isascii():
        return text
    return "".join(str(unicodedata.digit(ch)) if ch.isdigit() and not ch.isascii() else ch for ch in text)


def fold(text: Any) -> str:
    """Lower-case words without accents, Arabic variants unified, separators as one space.

    ``"Tanger-Tétouan-Al Hoceïma"`` → ``"tanger tetouan al hoceima"``; ``"l’Oriental"``
    → ``"l oriental"``; ``"أكادير"`` and ``"اكادير"`` fold alike.
    """
    s = unicodedata.normalize("NFKD", str(text).translate(_BEFORE))
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).translate(_AFTER)
    s = _ascii_digits(s).casefold()
    return " ".join(re.sub(r"[\W_]+", " ", s).split())


def squash(text: Any) -> str:
    """:func:`fold` without spaces: the key names are compared on."""
    return fold(text).replace(" ", "")


def _suggest(key: str, choices: Mapping[str, str], shown: Callable[[str], str]) -> str | None:
    """The closest choice (difflib) to ``key`` among ``choices`` (key → code), as shown text."""
    if not key or not choices:
        return None
    match = difflib.get_close_matches(key, list(choices), n=1, cutoff=0.6)
    return shown(choices[match[0]]) if match else None


# ========================================================================= columns
@dataclass(frozen=True)
class Column:
    """A column of an import file: canonical name, accepted headers and documentation."""

    name: str
    aliases: tuple[str, ...]
    required: bool
    fr: str
    en: str
    ar: str
    example: str = ""


def _cols(*specs: tuple) -> tuple[Column, ...]:
    return tuple(Column(*s) for s in specs)


OBSERVATION_COLUMNS = _cols(
    ("indicator", ("indicator", "indicateur", "code_indicateur", "indicator_code", "code indicateur",
                   "المؤشر", "مؤشر"), True,
     "Code de l'indicateur du catalogue (SAN-01, EDU-02…) ou son nom exact.",
     "Indicator code from the catalogue (SAN-01, EDU-02…) or its exact name.",
     "رمز المؤشر في الفهرس (SAN-01، EDU-02…) أو اسمه الدقيق.", "SAN-01"),
    ("region", ("region", "région", "area", "area_code", "zone", "code_region", "code region", "territoire",
                "province", "الجهة", "جهة", "المنطقة"), True,
     "Région : code HCP (01 à 12), nom français, arabe ou anglais ; province : code RR.PPP ou nom ; "
     "MA, Maroc ou national pour le niveau national.",
     "Region: HCP code (01 to 12), French, Arabic or English name; province: RR.PPP code or name; "
     "MA, Morocco or national for national figures.",
     "الجهة: رمز المندوبية السامية للتخطيط (01 إلى 12) أو الاسم بالفرنسية أو العربية أو الإنجليزية؛ "
     "الإقليم: الرمز RR.PPP أو الاسم؛ MA أو المغرب أو وطني للمستوى الوطني.", "02"),
    ("period", ("period", "période", "periode", "année", "annee", "year", "date", "الفترة", "السنة"), True,
     "Période : année (2024), trimestre (2024-T2 ou 2024-Q2) ou mois (2024-06).",
     "Period: year (2024), quarter (2024-Q2) or month (2024-06).",
     "الفترة: سنة (2024) أو ربع سنة (2024-Q2) أو شهر (2024-06).", "2024"),
    ("group", ("group", "groupe", "population", "population_group", "groupe_population", "groupe de population",
               "الفئة", "الفئة السكانية"), True,
     "Groupe de population : migrants, réfugiés, population hôte (nationaux) ou ensemble.",
     "Population group: migrants, refugees, host population (nationals) or all.",
     "الفئة السكانية: المهاجرون أو اللاجئون أو الساكنة المضيفة أو المجموع.", "migrants"),
    ("value", ("value", "valeur", "القيمة", "قيمة"), True,
     "Valeur, dans l'unité de l'indicateur (virgule ou point décimal). Doit être dans la plage "
     "valide de l'indicateur.",
     "Value, in the indicator's unit (decimal comma or point). Must lie in the indicator's valid range.",
     "القيمة بوحدة المؤشر (فاصلة أو نقطة عشرية)، ضمن المجال الصالح للمؤشر.", "41,5"),
    ("numerator", ("numerator", "numérateur", "numerateur", "البسط"), False,
     "Numérateur (facultatif) : nombre de personnes concernées.",
     "Numerator (optional): number of people concerned.",
     "البسط (اختياري): عدد الأشخاص المعنيين.", "83"),
    ("denominator", ("denominator", "dénominateur", "denominateur", "المقام"), False,
     "Dénominateur (facultatif) : effectif de référence ; en dessous du seuil, la valeur est masquée.",
     "Denominator (optional): base population; below the threshold the value is withheld.",
     "المقام (اختياري): العدد المرجعي؛ تُحجب القيمة إذا كان أقل من العتبة.", "200"),
    ("sample_size", ("sample_size", "taille_echantillon", "taille échantillon", "taille de l'échantillon",
                     "echantillon", "effectif", "حجم العينة"), False,
     "Taille de l'échantillon (facultatif, nombre entier).",
     "Sample size (optional, whole number).",
     "حجم العينة (اختياري، عدد صحيح).", "200"),
    ("sex", ("sex", "sexe", "genre", "gender", "الجنس"), False,
     "Sexe (facultatif) : femmes, hommes ou ensemble (par défaut).",
     "Sex (optional): female, male or all (default).",
     "الجنس (اختياري): النساء أو الرجال أو المجموع (افتراضيا).", "ensemble"),
    ("age_group", ("age_group", "tranche_age", "tranche d'âge", "tranche_d_age", "groupe_age", "classe_age",
                   "age", "âge", "الفئة العمرية"), False,
     "Tranche d'âge (facultatif) telle que la source la donne, ex. 15-29 ; ensemble par défaut.",
     "Age group (optional) as the source gives it, e.g. 15-29; all by default.",
     "الفئة العمرية (اختياري) كما يوردها المصدر، مثلا 15-29؛ المجموع افتراضيا.", ""),
    ("source", ("source", "sources", "المصدر"), False,
     "Source de la donnée (enquête, rapport…).", "Source of the figure (survey, report…).",
     "مصدر المعطى (بحث، تقرير…).", "Enquête coalition 2024"),
    ("note", ("note", "notes", "remarque", "remarques", "commentaire", "comment", "ملاحظة", "ملاحظات"), False,
     "Note libre (facultatif).", "Free note (optional).", "ملاحظة حرة (اختياري).", ""),
    ("is_illustrative", ("is_illustrative", "illustrative", "illustratif", "donnees_illustratives",
                         "données illustratives"), False,
     "Donnée illustrative ? oui/non (facultatif ; non par défaut : une donnée importée est réelle).",
     "Illustrative figure? yes/no (optional; no by default: imported figures are real).",
     "معطى توضيحي؟ نعم/لا (اختياري؛ لا افتراضيا).", ""),
    ("suppressed", ("suppressed", "masque", "masqué", "supprime"), False,
     "Colonne des exports : * quand la valeur est masquée (petit effectif) ; une ligne masquée "
     "sans valeur est ignorée.",
     "Export column: * when the value is withheld (small count); a withheld row without a value "
     "is skipped.",
     "عمود التصدير: * عندما تُحجب القيمة (عدد صغير)؛ يُتجاهل السطر المحجوب بلا قيمة.", ""),
)

ACTION_COLUMNS = _cols(
    ("ref", ("ref", "référence", "reference", "code", "code_action", "action_ref", "المرجع"), True,
     "Référence unique de l'action (ex. ACT-2026-001) : une référence connue met l'action à jour.",
     "Unique reference of the action (e.g. ACT-2026-001): a known reference updates the action.",
     "المرجع الفريد للعمل (مثلا ACT-2026-001): مرجع معروف يحدّث العمل.", "ACT-2026-901"),
    ("title", ("title", "titre", "intitulé", "intitule", "العنوان"), False,
     "Titre (obligatoire pour une nouvelle action).", "Title (required for a new action).",
     "العنوان (إلزامي لعمل جديد).", "Accès des migrants à l'AMO-Tadamon — Oriental"),
    ("description", ("description", "الوصف"), False, "Description.", "Description.", "الوصف.", ""),
    ("ask", ("ask", "demande", "requête", "revendication", "المطلب"), False,
     "La demande adressée aux décideurs.", "The ask made to decision-makers.", "المطلب الموجه لصناع القرار.",
     "Inscrire les migrants à l'AMO-Tadamon sans titre de séjour."),
    ("sector", ("sector", "secteur", "القطاع"), False,
     "Secteur : santé, éducation, justice, logement ou transversal (obligatoire pour une nouvelle action).",
     "Sector: health, education, justice, housing or cross_cutting (required for a new action).",
     "القطاع: الصحة أو التعليم أو العدالة أو السكن أو قضايا أفقية (إلزامي لعمل جديد).", "santé"),
    ("level", ("level", "niveau", "échelle", "echelle", "المستوى"), False,
     "Niveau : national, régional ou local (obligatoire pour une nouvelle action).",
     "Level: national, regional or local (required for a new action).",
     "المستوى: وطني أو جهوي أو محلي (إلزامي لعمل جديد).", "régional"),
    ("area", ("area", "area_code", "zone", "région", "region", "province", "territoire", "code_zone",
              "المجال الترابي"), False,
     "Territoire : vide pour une action nationale, région (code ou nom) pour une action régionale, "
     "province (RR.PPP ou nom) pour une action locale.",
     "Area: empty for a national action, region (code or name) for a regional one, province "
     "(RR.PPP or name) for a local one.",
     "المجال الترابي: فارغ لعمل وطني، الجهة (رمز أو اسم) لعمل جهوي، الإقليم (RR.PPP أو اسم) لعمل محلي.",
     "Oriental"),
    ("lead_organisation", ("lead_organisation", "lead_organization", "organisation", "organisation_cheffe_de_file",
                           "chef_de_file", "cheffe_de_file", "organisation_lead", "lead", "porteur",
                           "الجهة الرائدة"), False,
     "Organisation cheffe de file (nom exact d'une organisation de la coalition).",
     "Lead organisation (exact name of a coalition member).",
     "المنظمة الرائدة (الاسم الدقيق لعضو في الائتلاف).", "Oxfam au Maroc"),
    ("partners", ("partners", "partenaires", "الشركاء"), False,
     "Organisations partenaires, séparées par « ; ».", "Partner organisations, separated by ';'.",
     "المنظمات الشريكة، مفصولة بـ « ; ».", ""),
    ("decision_makers", ("decision_makers", "décideurs", "decideurs", "cibles", "targets",
                         "decision_maker_refs", "refs_decideurs", "صناع القرار"), False,
     "Références des décideurs ciblés (DM-0001…), séparées par « ; ».",
     "References of the decision-makers targeted (DM-0001…), separated by ';'.",
     "مراجع صناع القرار المستهدفين (DM-0001…)، مفصولة بـ « ; ».", "DM-0015"),
    ("indicators", ("indicators", "indicateurs", "المؤشرات"), False,
     "Indicateurs qui fondent la demande (codes séparés par « ; »).",
     "Indicators behind the ask (codes separated by ';').",
     "المؤشرات التي يستند إليها المطلب (رموز مفصولة بـ « ; »).", "SAN-01"),
    ("action_type", ("action_type", "type", "type_action", "type d'action", "نوع العمل"), False,
     "Type d'action (réunion bilatérale, note de position, atelier…) ; obligatoire pour une nouvelle action.",
     "Action type (bilateral_meeting, position_paper, workshop…); required for a new action.",
     "نوع العمل (اجتماع ثنائي، ورقة موقف، ورشة…)؛ إلزامي لعمل جديد.", "réunion bilatérale"),
    ("status", ("status", "statut", "état", "etat", "الحالة"), False,
     "Statut : planifiée, en cours, réalisée, reportée ou annulée (planifiée par défaut).",
     "Status: planned, in_progress, done, postponed or cancelled (planned by default).",
     "الحالة: مبرمجة أو جارية أو منجزة أو مؤجلة أو ملغاة (مبرمجة افتراضيا).", "en cours"),
    ("policy_stage", ("policy_stage", "stage", "étape", "etape", "étape politique", "stade", "المرحلة"), False,
     "Étape visée du cycle politique : mise à l'agenda, formulation, adoption, mise en œuvre, suivi.",
     "Policy stage aimed at: agenda_setting, formulation, adoption, implementation, monitoring.",
     "مرحلة السياسة المستهدفة: الإدراج في الأجندة، الصياغة، الاعتماد، التنفيذ، التتبع.", "formulation"),
    ("start_date", ("start_date", "date_debut", "date de début", "début", "debut", "start", "تاريخ البدء"), False,
     "Date de début (AAAA-MM-JJ ou JJ/MM/AAAA).", "Start date (YYYY-MM-DD or DD/MM/YYYY).",
     "تاريخ البدء (YYYY-MM-DD أو DD/MM/YYYY).", "2026-01-15"),
    ("due_date", ("due_date", "échéance", "echeance", "date_echeance", "date limite", "deadline", "due",
                  "تاريخ الاستحقاق"), False,
     "Échéance.", "Due date.", "تاريخ الاستحقاق.", "2026-06-30"),
    ("done_date", ("done_date", "date_realisation", "date de réalisation", "réalisée le", "completed",
                   "تاريخ الإنجاز"), False,
     "Date de réalisation.", "Date done.", "تاريخ الإنجاز.", ""),
    ("next_step", ("next_step", "prochaine_etape", "prochaine étape", "الخطوة التالية"), False,
     "Prochaine étape.", "Next step.", "الخطوة التالية.", "Relancer la direction régionale"),
    ("evidence_url", ("evidence_url", "lien", "url", "preuve", "lien_preuve", "رابط"), False,
     "Lien vers une preuve ou un document.", "Link to evidence or a document.", "رابط إلى دليل أو وثيقة.", ""),
    ("is_sensitive", ("is_sensitive", "sensible", "sensitive", "confidentiel", "حساس"), False,
     "Action sensible ? oui/non (exclue des exports par défaut).",
     "Sensitive action? yes/no (left out of default exports).",
     "عمل حساس؟ نعم/لا (يُستثنى من التصدير الافتراضي).", "non"),
    ("archived", ("archived", "archivé", "archivee", "archive", "مؤرشف"), False,
     "Archivée ? oui/non.", "Archived? yes/no.", "مؤرشف؟ نعم/لا.", "non"),
)

DECISION_MAKER_COLUMNS = _cols(
    ("ref", ("ref", "référence", "reference", "code", "المرجع"), True,
     "Référence unique du décideur (ex. DM-0001) : une référence connue met la fiche à jour.",
     "Unique reference of the decision-maker (e.g. DM-0001): a known reference updates it.",
     "المرجع الفريد لصانع القرار (مثلا DM-0001): مرجع معروف يحدّث البطاقة.", "DM-0901"),
    ("name", ("name", "nom", "intitulé", "intitule", "fonction", "الاسم"), False,
     "Nom ou fonction (obligatoire pour un nouveau décideur).",
     "Name or position (required for a new decision-maker).", "الاسم أو الصفة (إلزامي لصانع قرار جديد).",
     "Direction régionale de la santé"),
    ("institution", ("institution", "المؤسسة"), False,
     "Institution (obligatoire pour un nouveau décideur).", "Institution (required for a new one).",
     "المؤسسة (إلزامي لصانع قرار جديد).", "Ministère de la Santé et de la Protection sociale"),
    ("target_type", ("target_type", "type", "type_cible", "type de cible", "نوع الهدف"), False,
     "Type de cible (ministère, parlement, conseil régional…) ; obligatoire pour un nouveau décideur.",
     "Target type (ministry, parliament, regional_council…); required for a new one.",
     "نوع الهدف (وزارة، برلمان، مجلس جهوي…)؛ إلزامي لصانع قرار جديد.", "service déconcentré"),
    ("level", ("level", "niveau", "المستوى"), False,
     "Niveau : national, régional ou local (obligatoire pour un nouveau décideur).",
     "Level: national, regional or local (required for a new one).",
     "المستوى: وطني أو جهوي أو محلي (إلزامي لصانع قرار جديد).", "régional"),
    ("area", ("area", "area_code", "zone", "région", "region", "province", "territoire", "المجال الترابي"), False,
     "Territoire : vide si national, région si régional, province si local.",
     "Area: empty when national, region when regional, province when local.",
     "المجال الترابي: فارغ إذا كان وطنيا، الجهة إذا كان جهويا، الإقليم إذا كان محليا.", "02"),
    ("sectors", ("sectors", "secteurs", "secteur", "sector", "القطاعات"), False,
     "Secteurs suivis, séparés par « ; ».", "Sectors covered, separated by ';'.",
     "القطاعات المعنية، مفصولة بـ « ; ».", "santé"),
    ("influence", ("influence", "التأثير"), False,
     "Influence de 1 à 5 (obligatoire pour un nouveau décideur).", "Influence 1 to 5 (required for a new one).",
     "درجة التأثير من 1 إلى 5 (إلزامي لصانع قرار جديد).", "4"),
    ("interest", ("interest", "intérêt", "interet", "الاهتمام"), False,
     "Intérêt de 1 à 5 (obligatoire pour un nouveau décideur).", "Interest 1 to 5 (required for a new one).",
     "درجة الاهتمام من 1 إلى 5 (إلزامي لصانع قرار جديد).", "3"),
    ("stance", ("stance", "position", "positionnement", "الموقف"), False,
     "Position (donnée personnelle) : champion, allié, indécis, opposant, inconnu.",
     "Stance (personal data): champion, ally, undecided, opponent, unknown.",
     "الموقف (معطى شخصي): مناصر قوي، حليف، متردد، معارض، غير معروف.", "indécis"),
    ("private_notes", ("private_notes", "notes", "notes_privees", "notes privées", "notes internes",
                       "ملاحظات خاصة"), False,
     "Notes internes (donnée personnelle, jamais exportée par défaut).",
     "Private notes (personal data, never in default exports).",
     "ملاحظات داخلية (معطى شخصي، لا يُصدَّر افتراضيا).", ""),
)

#: Columns of each kind (canonical name, accepted headers, documentation in fr/en/ar).
COLUMNS: dict[str, tuple[Column, ...]] = {
    "observations": OBSERVATION_COLUMNS,
    "actions": ACTION_COLUMNS,
    "decision_makers": DECISION_MAKER_COLUMNS,
}
#: Columns written by exports that an import reads past without a warning.
EXPORT_ONLY = {
    "observations": ("sector", "unit", "indicator_name", "region_name"),
    "actions": ("version", "updated_at", "updated_by", "region_name"),
    "decision_makers": ("version", "updated_at", "updated_by", "region_name"),
}


def _map_headers(headers: Sequence[str], kind: str, line: int = 1
                 ) -> tuple[dict[str, int], list[Problem], list[Problem]]:
    """Canonical column → position in the file; errors (missing/duplicate) and warnings."""
    aliases: dict[str, str] = {}
    for col in COLUMNS[kind]:
        for a in (col.name, *col.aliases):
            aliases.setdefault(squash(a), col.name)
    skip = {squash(a) for a in EXPORT_ONLY[kind]}
    found: dict[str, int] = {}
    errors: list[Problem] = []
    warnings: list[Problem] = []
    for pos, header in enumerate(headers):
        key = squash(_unneutralise(header))
        if not key:
            continue
        canon = aliases.get(key)
        if canon is None:
            if key not in skip:
                warnings.append(Problem(line, header, None, "unknown column: ignored", "ignored_column",
                                        {"column": header}))
            continue
        if canon in found:
            errors.append(Problem(line, header, None,
                                  f"column {canon!r} appears twice (also as {headers[found[canon]]!r})",
                                  "duplicate_column", {"column": canon}))
            continue
        found[canon] = pos
    for col in COLUMNS[kind]:
        if col.required and col.name not in found:
            names = ", ".join([col.name, *[a for a in col.aliases if a.isascii()][:2]])
            errors.append(Problem(line, col.name, None,
                                  f"required column {col.name!r} is missing (accepted headers: {names})",
                                  "missing_column", {"column": col.name}))
    return found, errors, warnings


def detect_kind(headers: Iterable[str]) -> str:
    """The kind a file's headers suggest (``observations`` when unsure)."""
    keys = {squash(h) for h in headers}

    def has(kind: str, name: str) -> bool:
        col = next(c for c in COLUMNS[kind] if c.name == name)
        return any(squash(a) in keys for a in (col.name, *col.aliases))

    if has("observations", "indicator") and has("observations", "value"):
        return "observations"
    if any(has("decision_makers", n) for n in ("institution", "influence", "interest", "stance")):
        return "decision_makers"
    if any(has("actions", n) for n in ("title", "action_type", "policy_stage", "lead_organisation")):
        return "actions"
    return "observations"


# ========================================================================= reading
def read_table(source: str | Path | bytes, filename: str | None = None) -> pd.DataFrame:
    """A file as a DataFrame of text cells (``""`` for blank), indexed by file line number.

    ``source`` is a path or the file's bytes (an upload); ``filename`` (or the path) tells
    the format by its extension, though an XLSX is recognised by its content too. The
    columns are the header cells as written; the index (``line``) holds the line of each
    row in the spreadsheet (header = line 1 when it is the first line). Blank rows are
    left out; an HXL hashtag row right under the header is left out too
    (``df.attrs["hxl"]`` is then true). Raises :class:`UnreadableFile` with a hint.
    """
    if isinstance(source, (str, Path)):
        path = Path(source)
        filename = filename or path.name
        try:
            if path.stat().st_size > MAX_BYTES:
                raise UnreadableFile(f"the file is larger than {MAX_BYTES // 2**20} MB", "too_large")
            data = path.read_bytes()
        except FileNotFoundError:
            raise UnreadableFile(f"no such file: {path}", "not_found") from None
        except IsADirectoryError:
            raise UnreadableFile(f"{path} is a folder, not a file", "not_found") from None
        except OSError as exc:
            raise UnreadableFile(f"cannot read {path}: {exc.strerror or exc}", "not_found") from None
    else:
        data = bytes(source)
    if len(data) > MAX_BYTES:
        raise UnreadableFile(f"the file is larger than {MAX_BYTES // 2**20} MB", "too_large")
    name = (filename or "").lower()
    if data[:4] == b"PK\x03\x04" or name.endswith((".xlsx", ".xlsm")):
        records = _xlsx_records(data)
    elif data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" or name.endswith((".xls", ".ods")):
        raise UnreadableFile("old Excel (.xls) and OpenDocument (.ods) files are not read: "
                             "save the sheet as .xlsx or as 'CSV UTF-8'", "old_format")
    else:
        records = _csv_records(_decode(data))
    return _frame(records)


_HEADER_SCAN = 10  # a header may sit under a few title lines


@functools.cache
def _known_headers() -> frozenset[str]:
    return frozenset(squash(a) for cols in COLUMNS.values() for c in cols for a in (c.name, *c.aliases))


def _frame(records: Iterable[tuple[int, list[str]]]) -> pd.DataFrame:
    nonblank = []
    for line, cells in records:
        cells = [c.strip() if isinstance(c, str) else "" for c in cells]
        if any(cells):
            nonblank.append((line, cells))
    if not nonblank:
        raise UnreadableFile("the file is empty: no header line", "empty")
    # the header: the first of the first lines that names at least two known columns
    # (title lines above it are skipped), else the first line
    known = _known_headers()
    start = next((i for i, (_, cells) in enumerate(nonblank[:_HEADER_SCAN])
                  if sum(1 for c in cells if squash(c.lstrip("\ufeff")) in known) >= 2), 0)
    cells = list(nonblank[start][1])
    while cells and not cells[-1]:
        cells.pop()
    header = [c.lstrip("\ufeff") for c in cells]
    lines: list[int] = []
    rows: list[list[str]] = []
    hxl = False
    extra = 0
    for line, cells in nonblank[start + 1:]:
        if not rows and not hxl and all(c.startswith("#") for c in cells if c):
            hxl = True
            continue
        if len(cells) > len(header):
            if any(cells[len(header):]):
                extra += 1
            cells = cells[:len(header)]
        elif len(cells) < len(header):
            cells = cells + [""] * (len(header) - len(cells))
        lines.append(line)
        rows.append(cells)
    df = pd.DataFrame(rows, columns=header, index=pd.Index(lines, name="line", dtype="int64"), dtype=object)
    df.attrs["hxl"] = hxl
    df.attrs["cells_beyond_header"] = extra
    df.attrs["header_line"] = nonblank[start][0]
    return df


def _decode(data: bytes) -> str:
    """Text of a CSV file: UTF-8 (BOM or not), UTF-16 with BOM, Windows 1252 or 1256."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return _check_text(data[3:].decode("utf-8"))
        except UnicodeDecodeError:
            raise UnreadableFile("the file starts like UTF-8 but is not valid UTF-8: save it again "
                                 "as 'CSV UTF-8'", "bad_encoding") from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return _check_text(data.decode("utf-16"))
        except UnicodeDecodeError:
            raise UnreadableFile("the file is not valid UTF-16: save it as 'CSV UTF-8'", "bad_encoding") from None
    if b"\x00" in data:
        raise UnreadableFile("this is not a text file (it holds binary data): give a .csv or .xlsx file",
                             "binary")
    try:
        return _check_text(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    encoding = _windows_code_page(data)
    if encoding is None:
        raise UnreadableFile(
            "the file's text encoding is not recognised (UTF-8, Windows-1252 or Windows-1256 expected). "
            "In Excel: File > Save as > 'CSV UTF-8 (comma delimited)', or save as .xlsx.", "bad_encoding")
    return _check_text(data.decode(encoding))


def _windows_code_page(data: bytes) -> str | None:
    """``cp1252`` (French) or ``cp1256`` (Arabic), or None when neither fits.

    charset-normalizer, limited to these two code pages, decides; a byte-level check backs
    it up: Arabic text in cp1256 is mostly high bytes that decode to Arabic letters next
    to other Arabic letters, while French in cp1252 has isolated accented letters (which
    cp1256 maps to the same letters for most lower-case accents).
    """
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data, cp_isolation=["cp1252", "cp1256"]).best()
        guess = best.encoding if best is not None else None
    except Exception:  # noqa: BLE001 - the detector is a helper, never a reason to crash
        guess = None
    try:
        text = data.decode("cp1256")
    except UnicodeDecodeError:
        text = None
    arabic = 0
    high = sum(1 for b in data if b >= 0x80)
    if text is not None and high:
        is_ar = [0x0600 <= ord(ch) <= 0x06FF for ch in text]
        for i, ch in enumerate(text):
            if ord(ch) >= 0x80 and is_ar[i] and ((i and is_ar[i - 1]) or (i + 1 < len(text) and is_ar[i + 1])):
                arabic += 1
    share = arabic / high if high else 0.0
    if guess is None:
        return None
    if share >= 0.6:
        return "cp1256"
    if share <= 0.2:
        try:
            data.decode("cp1252")
            return "cp1252"
        except UnicodeDecodeError:
            return "cp1256" if guess == "cp1256" else None
    return guess if guess in ("cp1252", "cp1256") else None


def _check_text(text: str) -> str:
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n")
    if controls > max(2, len(text) // 1000):
        raise UnreadableFile("this does not look like a text table (control characters): give a .csv or "
                             ".xlsx file", "binary")
    return text


def _csv_records(text: str) -> Iterable[tuple[int, list[str]]]:
    lines = text.splitlines()
    previous = 0
    hint = re.fullmatch(r'"?sep=(.)"?', lines[0].strip(), re.IGNORECASE) if lines else None
    if hint:  # Excel's "sep=;" first line
        sep = hint.group(1)
        text = text.split("\n", 1)[1] if "\n" in text else ""
        previous = 1
    else:
        sample = [ln for ln in lines[:_HEADER_SCAN] if ln.strip()]
        known = _known_headers()

        def score(line: str, sep: str) -> tuple[int, int]:
            parts = line.split(sep)
            return sum(1 for p in parts if squash(p.strip().strip('"').lstrip("\ufeff")) in known), len(parts) - 1

        # the separator that splits a line into known headers best, else the most frequent one
        sep = max((";", ",", "\t", "|"), key=lambda s: (max((score(ln, s) for ln in sample), default=(0, 0)),
                                                          s == ","))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, quotechar='"', strict=False)
    out = []
    try:
        for row in reader:
            out.append((previous + 1, row))
            previous = reader.line_num
    except csv.Error as exc:
        raise UnreadableFile(f"the CSV file is malformed near line {previous + 1}: {exc}", "malformed_csv",
                             line=previous + 1) from None
    return out


def _xlsx_records(data: bytes) -> list[tuple[int, list[str]]]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, IndexError) as exc:
        raise UnreadableFile(f"this is not a readable .xlsx file ({type(exc).__name__}): open it in Excel "
                             "and save it again as .xlsx, or as 'CSV UTF-8'", "bad_xlsx") from None
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on a damaged file
        raise UnreadableFile(f"this is not a readable .xlsx file ({type(exc).__name__})", "bad_xlsx") from None
    try:
        sheets = [ws for ws in wb.worksheets]
        if not sheets:
            raise UnreadableFile("the workbook has no sheet", "empty")
        wanted = {squash(k) for k in (*KINDS, "decision-makers", "donnees", "data", "décideurs", "actions")}
        ws = next((s for s in sheets if squash(s.title) in wanted), sheets[0])
        out = []
        for line, row in enumerate(ws.iter_rows(values_only=True), start=1):
            out.append((line, [_cell_text(v) for v in row]))
        return out
    except UnreadableFile:
        raise
    except Exception as exc:  # noqa: BLE001
        raise UnreadableFile(f"cannot read the sheet ({type(exc).__name__}): save the file again as .xlsx",
                             "bad_xlsx") from None
    finally:
        wb.close()


def _cell_text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return _num_text(v) if math.isfinite(v) else ""
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time(0) else v.isoformat(sep=" ")
    if isinstance(v, (dt.date, dt.time)):
        return v.isoformat()
    if isinstance(v, dt.timedelta):
        return str(v)
    return str(v)


def _num_text(v: float) -> str:
    """A float as the shortest text that reads back as the same float (``19.0`` → ``19``)."""
    if v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return repr(v)


# ====================================================================== cell parsers
class _Bad(ValueError):
    """A cell that does not parse: ``code`` and ``params`` describe why."""

    def __init__(self, reason: str, code: str, **params: Any):
        super().__init__(reason)
        self.code, self.params = code, params


_FORMULA_PREFIX = re.compile(r"'+[=+\-@\t\r]")


def _unneutralise(text: str) -> str:
    """Undo the ``'`` an export puts before text that would read as a formula."""
    return text[1:] if _FORMULA_PREFIX.match(text) else text


_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def parse_number(raw: str) -> float:
    """A number as field teams type it: ``12,5``, ``12.5``, ``1 234,5``, ``1.234,5``, ``45 %``."""
    s = _ascii_digits(str(raw)).strip().lstrip("'")
    for ch in ("\u00a0", "\u202f", "\u2009", " ", "٬"):
        s = s.replace(ch, "")
    s = s.replace("٫", ".").replace("−", "-")
    if s.endswith("%"):
        s = s[:-1]
    if "," in s and "." in s:
        s = s.replace(".", "").replace(",", ".") if s.rfind(",") > s.rfind(".") else s.replace(",", "")
    elif "," in s:
        s = s.replace(",", ".") if s.count(",") == 1 else s.replace(",", "")
    elif s.count(".") > 1:
        s = s.replace(".", "")
    if not _NUMBER.fullmatch(s):
        raise _Bad("not a number", "not_a_number")
    value = float(s)
    if not math.isfinite(value):
        raise _Bad("not a finite number", "not_a_number")
    return value


def _whole(raw: str, low: int | None = 0, high: int = 2_147_483_647) -> int:
    value = parse_number(raw)
    if not value.is_integer():
        raise _Bad("not a whole number", "not_whole")
    if (low is not None and value < low) or value > high:
        raise _Bad(f"must be between {low} and {high}", "out_of_range", min=low, max=high)
    return int(value)


_TRUE = {"1", "true", "vrai", "oui", "yes", "y", "o", "x", "نعم", "t"}
_FALSE = {"0", "false", "faux", "non", "no", "n", "لا", "f"}


def _bool(raw: str) -> bool:
    key = squash(raw)
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise _Bad("expected yes/no (oui/non, true/false, 1/0)", "bad_bool")


def _date(raw: str) -> dt.date:
    s = _ascii_digits(raw).strip()
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?", s)
    try:
        if m:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        m = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", s)
        if m:
            return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        m = re.fullmatch(r"(\d{4})/(\d{1,2})/(\d{1,2})", s)
        if m:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError as exc:
        raise _Bad(f"not a valid date ({exc})", "bad_date") from None
    raise _Bad("expected a date such as 2025-06-14 or 14/06/2025", "bad_date")


def _text(raw: str, limit: int | None = None) -> str:
    value = _unneutralise(raw.strip())
    if limit is not None and len(value) > limit:
        raise _Bad(f"longer than {limit} characters", "too_long", limit=limit)
    return value


def _split(raw: str) -> list[str]:
    """A ``;``-separated list (also new lines); blanks dropped, order kept, duplicates once."""
    parts = [p.strip() for p in re.split(r"[;\n]", raw)]
    return list(dict.fromkeys(p for p in parts if p))


# ----------------------------------------------------------------- code lists
_EXTRA_LABELS: dict[str, dict[str, tuple[str, ...]]] = {
    "group": {
        "migrants": ("migrant", "migrante", "migrantes", "migrant(e)s", "etrangers", "etranger", "étrangères",
                     "foreign", "foreigners", "foreign residents", "مهاجرون", "مهاجرين", "المهاجرين"),
        "refugees": ("refugee", "réfugié", "réfugiée", "réfugiées", "réfugié(e)s", "refugies", "لاجئون",
                     "لاجئين", "اللاجئين"),
        "host": ("hôte", "hote", "hôtes", "population hôte", "population d'accueil", "accueil", "nationaux",
                 "marocains", "marocain", "moroccans", "nationals", "host community", "communauté hôte",
                 "المغاربة", "مغاربة", "المضيفة", "الساكنة المضيفة", "السكان المضيفون"),
        "all": ("ensemble", "total", "tous", "toutes", "tout", "overall", "population totale", "الجميع",
                "المجموع", "الكل"),
    },
    "sex": {
        "all": ("ensemble", "total", "tous", "both", "les deux", "mixte", "t", "الجميع", "المجموع"),
        "female": ("f", "female", "females", "femme", "femmes", "women", "woman", "féminin", "fille", "filles",
                   "girls", "إناث", "أنثى", "نساء", "النساء"),
        "male": ("m", "h", "male", "males", "homme", "hommes", "men", "man", "masculin", "garçon", "garçons",
                 "boys", "ذكور", "ذكر", "رجال", "الرجال"),
    },
    "sector": {
        "health": ("santé", "sante"), "education": ("éducation", "enseignement", "scolarisation"),
        "justice": ("accès à la justice", "droit"), "housing": ("logement", "habitat"),
        "cross_cutting": ("transversal", "transversale", "cross cutting", "multisectoriel", "gouvernance", "contexte"),
    },
    "level": {"national": ("nationale", "وطني", "الوطني"), "regional": ("régionale", "regionale", "جهوي"),
              "local": ("locale", "provincial", "provinciale", "communal", "محلي")},
    "status": {
        "planned": ("prévue", "prevu", "planifiée", "planifié", "à venir", "a venir", "programmée"),
        "in_progress": ("en cours", "ongoing", "in progress"),
        "done": ("réalisée", "réalisé", "terminée", "terminé", "faite", "fait", "achevée", "completed"),
        "postponed": ("reportée", "reporté", "différée", "delayed"),
        "cancelled": ("annulée", "annulé", "canceled"),
    },
    "stage": {
        "agenda_setting": ("mise à l'agenda", "mise a l agenda", "agenda", "mise à l'ordre du jour"),
        "formulation": (), "adoption": (),
        "implementation": ("mise en œuvre", "mise en oeuvre", "exécution", "application"),
        "monitoring": ("suivi", "suivi-évaluation", "évaluation"),
    },
    "stance": {
        "champion": ("championne",), "ally": ("allié", "alliée", "allie"),
        "undecided": ("indécis", "indécise", "neutre"),
        "opponent": ("opposant", "opposante", "opposé"), "unknown": ("inconnu", "inconnue", "non connu", "inconnue(s)"),
    },
    "action_type": {
        "position_paper": ("note de position",), "policy_brief": ("note de politique", "policy brief"),
        "study": ("étude", "etude", "recherche"), "open_letter": ("lettre ouverte", "pétition", "petition"),
        "bilateral_meeting": ("réunion bilatérale", "rencontre bilatérale", "réunion", "rencontre"),
        "hearing": ("audition", "question parlementaire"), "consultation": ("concertation",),
        "field_visit": ("visite de terrain", "visite"), "workshop": ("atelier",),
        "training": ("formation",), "public_campaign": ("campagne", "campagne publique"),
        "media": ("médias", "presse"), "digital": ("numérique", "réseaux sociaux"),
        "litigation": ("contentieux", "contentieux stratégique", "plaidoyer judiciaire"),
    },
    "target_type": {
        "government": ("gouvernement",), "ministry": ("ministère", "ministere"), "parliament": ("parlement",),
        "human_rights_body": ("instance des droits de l'homme", "institution nationale des droits de l'homme",
                              "cndh", "crdh"),
        "regional_council": ("conseil régional",), "territorial_administration": ("administration territoriale",
                                                                                 "wilaya", "préfecture"),
        "communal_council": ("conseil communal", "commune"), "deconcentrated_service": ("service déconcentré",),
        "public_agency": ("agence publique", "établissement public"),
        "international_org": ("organisation internationale",),
        "media": ("médias",), "private_sector": ("secteur privé",), "civil_society": ("société civile",),
    },
}
_LISTS = {"group": C.POPULATION_GROUPS, "sex": C.SEXES, "sector": C.SECTORS, "level": C.LEVELS,
          "status": C.ACTION_STATUSES, "stage": C.POLICY_STAGES, "stance": C.STANCES,
          "action_type": C.ACTION_TYPES, "target_type": C.TARGET_TYPES}
_lookups: dict[str, dict[str, str]] = {}


def _lookup(name: str) -> dict[str, str]:
    """Folded code or label (fr/en/ar, from the i18n catalogue and the lists above) → code."""
    if name in _lookups:
        return _lookups[name]
    table: dict[str, str] = {}
    for code in _LISTS[name]:
        table[squash(code)] = code
    try:  # the interface's own labels, when the i18n catalogue is there
        from . import i18n

        for code in _LISTS[name]:
            for text in i18n.catalog().get(f"code.{name}.{code}", {}).values():
                table.setdefault(squash(text), code)
    except Exception:  # noqa: BLE001 - labels are a convenience; codes always work
        pass
    for code, labels in _EXTRA_LABELS.get(name, {}).items():
        for label in labels:
            table.setdefault(squash(label), code)
    _lookups[name] = table
    return table


def _code(name: str, raw: str) -> str:
    table = _lookup(name)
    key = squash(raw)
    if key and key in table:
        return table[key]
    hint = _suggest(key, table, lambda c: c)
    allowed = ", ".join(_LISTS[name])
    reason = f"unknown {name.replace('_', ' ')} (expected one of: {allowed})"
    if hint:
        reason += f"; did you mean {hint!r}?"
    raise _Bad(reason, f"unknown_{name}", allowed=list(_LISTS[name]), suggestion=hint)


def _age_group(raw: str) -> str:
    key = squash(raw)
    if key in ("", "all", "ensemble", "total", "tous", "toutes", "tout", "المجموع"):
        return "all"
    value = re.sub(r"\s*([-–—/])\s*", lambda m: "-" if m.group(1) in "-–—" else m.group(1), " ".join(raw.split()))
    if len(value) > 20:
        raise _Bad("age group longer than 20 characters", "too_long", limit=20)
    return value


# ======================================================================= reference
_AREA_PREFIXES = ("la region de l", "la region de la", "la region du", "la region de", "la region",
                  "region de l", "region de la", "region du", "region des", "region de", "region d", "region",
                  "province de l", "province de", "province d", "province", "prefecture de l", "prefecture de",
                  "prefecture d", "prefecture", "wilaya de", "l", "la", "le", "جهه", "اقليم", "عماله")
_NATIONAL = {"ma", "maroc", "morocco", "national", "nationale", "niveau national", "ensemble du maroc",
             "ensemble du pays", "tout le maroc", "المغرب", "وطني", "الوطني", "المستوى الوطني"}
_AREA_ALIASES = {
    "01": ("tanger tetouan", "tanger tetouan al hoceima", "tangier tetouan al hoceima", "tanger tetouan el hoceima",
           "tanger tetouan alhoceima"),
    "02": ("oriental", "l oriental", "orientale", "eastern", "الشرق", "الجهه الشرقيه", "جهه الشرق"),
    "05": ("beni mellal khenifra", "beni mellal khnifra"),
    "07": ("marrakech safi", "marrakesh safi"),
    "08": ("draa tafilalet", "draa tafilalt"),
    "11": ("laayoune sakia el hamra", "laayoune sakia al hamra", "layoune sakia el hamra"),
    "12": ("dakhla oued ed dahab", "dakhla oued eddahab", "dakhla oued dahab"),
}


def _area_key(raw: str) -> str:
    text = fold(raw)
    for prefix in _AREA_PREFIXES:
        if text.startswith(prefix + " ") and len(text) > len(prefix) + 1:
            text = text[len(prefix) + 1:]
            break
    return text.replace(" ", "")


@dataclass
class Reference:
    """What validation looks codes and names up in (read from the store once per file)."""

    indicators: dict[str, dict[str, Any]]
    indicator_keys: dict[str, str]
    areas: dict[str, str]              # code -> "name (code)"
    area_keys: dict[str, str]          # folded name -> code
    ambiguous_areas: set[str]
    organisations: dict[int, str]      # id -> name
    organisation_keys: dict[str, int]  # folded name -> id
    decision_makers: dict[str, int]    # ref -> id

    @classmethod
    def load(cls, conn: Connection) -> Reference:
        inds = {r["code"]: dict(r) for r in conn.execute(sa.select(Indicator.__table__)).mappings()}
        ind_keys: dict[str, str] = {}
        for code, row in inds.items():
            ind_keys[squash(code)] = code
            for col in ("name_fr", "name_en", "name_ar"):
                if row.get(col):
                    ind_keys.setdefault(squash(row[col]), code)
        areas: dict[str, str] = {"MA": "Maroc (MA)"}
        keys: dict[str, str] = {_area_key(k): "MA" for k in _NATIONAL}
        regions = list(conn.execute(sa.select(Region.code, Region.name_fr, Region.name_ar, Region.name_en)
                                    .order_by(Region.code)))
        for code, fr, ar, en in regions:
            areas[code] = f"{fr} ({code})"
            for name in (fr, ar, en):
                if name:
                    keys.setdefault(_area_key(name), code)
        for code, aliases in _AREA_ALIASES.items():
            if code in areas:
                for a in aliases:
                    keys.setdefault(_area_key(a), code)
        ambiguous: set[str] = set()
        province_keys: dict[str, str] = {}
        for code, fr, ar, en in conn.execute(sa.select(Province.code, Province.name_fr, Province.name_ar,
                                                       Province.name_en).order_by(Province.code)):
            areas[code] = f"{fr} ({code})"
            for name in {n for n in (fr, ar, en) if n}:
                k = _area_key(name)
                if k in keys:
                    continue
                if k in province_keys and province_keys[k] != code:
                    ambiguous.add(k)
                province_keys.setdefault(k, code)
        for k, code in province_keys.items():
            if k not in ambiguous:
                keys[k] = code
        orgs = {i: n for i, n in conn.execute(sa.select(Organisation.id, Organisation.name))}
        org_keys: dict[str, int] = {}
        for i, n in sorted(orgs.items()):
            org_keys.setdefault(squash(n), i)
        dms = {r: i for r, i in conn.execute(sa.select(DecisionMaker.ref, DecisionMaker.id))}
        return cls(inds, ind_keys, areas, keys, ambiguous, orgs, org_keys, dms)

    # ---------------------------------------------------------------- look-ups
    def indicator(self, raw: str) -> str:
        s = raw.strip()
        if s in self.indicators:
            return s
        key = squash(s)
        if key in self.indicator_keys:
            return self.indicator_keys[key]
        m = re.fullmatch(r"([a-z]+)0*(\d+)", key)
        if m:
            for code in self.indicators:
                cm = re.fullmatch(r"([a-z]+)0*(\d+)", squash(code))
                if cm and cm.group(1) == m.group(1) and int(cm.group(2)) == int(m.group(2)):
                    return code
        hint = _suggest(key, self.indicator_keys, lambda c: c)
        reason = "unknown indicator" + (f"; did you mean {hint!r}?" if hint else
                                        " (see the catalogue: python -m sna export --what indicators)")
        raise _Bad(reason, "unknown_indicator", suggestion=hint)

    def area(self, raw: str) -> str:
        s = _ascii_digits(raw).strip()
        if re.fullmatch(r"\d{1,2}(\.0+)?", s):
            code = f"{int(s.split('.')[0]):02d}"
        elif m := re.fullmatch(r"(?i)MA[- ]?(\d{1,2})", s):
            code = f"{int(m.group(1)):02d}"
        elif m := re.fullmatch(r"(\d{1,2})\.(\d{1,3})", s):
            code = f"{int(m.group(1)):02d}.{m.group(2).ljust(3, '0')}"
        else:
            key = _area_key(s)
            if key in self.area_keys:
                return self.area_keys[key]
            if key in self.ambiguous_areas:
                raise _Bad("this name fits several provinces: give the code (RR.PPP)", "ambiguous_area")
            hint = _suggest(key, self.area_keys, lambda c: self.areas.get(c, c))
            reason = "unknown region or province" + (f"; did you mean {hint}?" if hint else "")
            raise _Bad(reason, "unknown_area", suggestion=hint)
        if code not in self.areas:
            hint = None
            if len(code) == 6 and code[:2] in self.areas:
                hint = self.areas[code[:2]]
            reason = f"unknown area code {code}" + (f" (region {hint} exists)" if hint else "")
            raise _Bad(reason, "unknown_area", area_code=code, suggestion=hint)
        return code

    def organisation(self, raw: str) -> int:
        key = squash(_unneutralise(raw))
        if key in self.organisation_keys:
            return self.organisation_keys[key]
        hint = _suggest(key, self.organisation_keys, lambda i: self.organisations[i])
        reason = "unknown organisation (add it to the coalition first)" + (
            f"; did you mean {hint!r}?" if hint else "")
        raise _Bad(reason, "unknown_organisation", suggestion=hint)


# ====================================================================== validation
def validate(df: pd.DataFrame, kind: str | None, engine: Engine | None = None, *,
             file_name: str = "") -> ImportPlan:
    """Check every row of ``df`` (from :func:`read_table`) and compare it with the store.

    ``kind`` is ``observations``, ``actions``, ``decision_makers`` (or ``decision-makers``),
    or None to guess it from the headers. Never raises on bad content: problems go to
    ``plan.errors`` (blocking) and ``plan.warnings``.
    """
    kind = detect_kind(map(str, df.columns)) if kind in (None, "", "auto") else normalise_kind(kind)
    engine = engine or db.get_engine()
    headers = [str(c) for c in df.columns]
    plan = ImportPlan(kind=kind, file_name=file_name, n_lines=len(df))
    found, errors, warnings = _map_headers(headers, kind, int(df.attrs.get("header_line", 1)))
    plan.errors += errors
    plan.warnings += warnings
    plan.columns = {name: headers[pos] for name, pos in found.items()}
    if df.attrs.get("cells_beyond_header"):
        plan.warnings.append(Problem(None, None, None, f"{df.attrs['cells_beyond_header']} row(s) have cells "
                                     "beyond the last header: those cells were ignored", "extra_cells"))
    if not plan.errors and not len(df):
        plan.errors.append(Problem(None, None, None, "the file has no data rows under its header", "no_rows"))
    if plan.errors:
        return plan
    values = df.to_numpy(dtype=object) if len(df) else []
    records = [(int(line), {name: _cell(row[pos]) for name, pos in found.items()})
               for line, row in zip(df.index, values)]
    with db.read(engine) as conn:
        ref = Reference.load(conn)
        if kind == "observations":
            parsed = _parse_observations(records, ref, plan)
            existing = _existing_observations(conn, [p.key for p in parsed])
            plan.rows = _classify_observations(parsed, existing)
        elif kind == "actions":
            parsed = _parse_actions(records, ref, plan)
            existing = _existing_actions(conn, [p.key for p in parsed])
            plan.rows, problems = _classify_actions(parsed, existing)
            plan.errors += problems
        else:
            parsed = _parse_decision_makers(records, ref, plan)
            existing = _existing_decision_makers(conn, [p.key for p in parsed])
            plan.rows, problems = _classify_decision_makers(parsed, existing)
            plan.errors += problems
    plan.errors.sort(key=lambda p: (p.line or 0, p.column or ""))
    return plan


def validate_observations(df: pd.DataFrame, engine: Engine | None = None, *, file_name: str = "") -> ImportPlan:
    """:func:`validate` for observations."""
    return validate(df, "observations", engine, file_name=file_name)


def validate_actions(df: pd.DataFrame, engine: Engine | None = None, *, file_name: str = "") -> ImportPlan:
    """:func:`validate` for influence actions."""
    return validate(df, "actions", engine, file_name=file_name)


def validate_decision_makers(df: pd.DataFrame, engine: Engine | None = None, *, file_name: str = "") -> ImportPlan:
    """:func:`validate` for decision-makers."""
    return validate(df, "decision_makers", engine, file_name=file_name)


def _cell(v: Any) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    return str(v).strip()


def _row_errors(line: int, plan: ImportPlan, header_of: Mapping[str, str]):
    """A function that parses one cell, recording a Problem (and returning None) when it fails."""
    failed: list[bool] = [False]

    def cell(name: str, raw: str, parse: Callable[[str], Any]) -> Any:
        try:
            return parse(raw)
        except _Bad as exc:
            failed[0] = True
            plan.errors.append(Problem(line, header_of.get(name, name), raw, str(exc), exc.code,
                                       {"column": name, **exc.params}))
        except ValueError as exc:  # normalise_period and friends
            failed[0] = True
            plan.errors.append(Problem(line, header_of.get(name, name), raw, str(exc), f"bad_{name}",
                                       {"column": name}))
        return None

    def error(name: str | None, raw: str | None, reason: str, code: str, **params: Any) -> None:
        failed[0] = True
        plan.errors.append(Problem(line, header_of.get(name, name) if name else None, raw, reason, code,
                                   {"column": name, **params}))

    return cell, error, failed


def _guarded(parse_row):
    """Run a row parser; an unexpected exception becomes a Problem, never a crash."""
    def run(line, rec, ref, plan, *args):
        try:
            return parse_row(line, rec, ref, plan, *args)
        except Exception as exc:  # noqa: BLE001 - a bug must not crash an import; it is reported
            plan.errors.append(Problem(line, None, None, f"could not read this row ({type(exc).__name__}: {exc})",
                                       "unexpected"))
            return None
    return run


# ------------------------------------------------------------------ observations
OBS_KEY = ("indicator", "area_code", "period", "population_group", "sex", "age_group")
OBS_DATA = ("value", "numerator", "denominator", "sample_size", "source", "note", "is_illustrative")


def _parse_observations(records, ref: Reference, plan: ImportPlan) -> list[PlannedRow]:
    out: list[PlannedRow] = []
    seen: dict[tuple, int] = {}
    header_of = plan.columns
    skipped = 0

    @_guarded
    def one(line, rec, ref, plan):
        nonlocal skipped
        cell, error, failed = _row_errors(line, plan, header_of)
        if rec.get("suppressed", "").strip() in ("*", "x", "X") and not rec.get("value", "").strip():
            skipped += 1
            return None
        values: dict[str, Any] = {}
        for name in ("indicator", "region", "period", "group", "value"):
            if not rec.get(name, "").strip():
                error(name, "", f"{name} is missing", "missing_value")
        ind = cell("indicator", rec["indicator"], ref.indicator) if rec["indicator"] else None
        area = cell("region", rec["region"], ref.area) if rec["region"] else None
        period = cell("period", rec["period"], normalise_period) if rec["period"] else None
        group = cell("group", rec["group"], lambda s: _code("group", s)) if rec["group"] else None
        sex = cell("sex", rec["sex"], lambda s: _code("sex", s)) if rec.get("sex") else "all"
        age = cell("age_group", rec["age_group"], _age_group) if rec.get("age_group") else "all"
        value = cell("value", rec["value"], parse_number) if rec["value"] else None
        for name in ("numerator", "denominator"):
            if rec.get(name):
                v = cell(name, rec[name], parse_number)
                if v is not None and v < 0:
                    error(name, rec[name], f"{name} cannot be negative", "negative")
                elif v is not None:
                    values[name] = v
        if rec.get("sample_size"):
            v = cell("sample_size", rec["sample_size"], _whole)
            if v is not None:
                values["sample_size"] = v
        if rec.get("source"):
            values["source"] = cell("source", rec["source"], _text)
        if rec.get("note"):
            values["note"] = cell("note", rec["note"], _text)
        illustrative = cell("is_illustrative", rec["is_illustrative"], _bool) if rec.get("is_illustrative") else False
        values["is_illustrative"] = bool(illustrative)
        if ind is not None and value is not None:
            info = ref.indicators[ind]
            low, high = info["valid_min"], info["valid_max"]
            if low is not None and high is not None and not (low <= value <= high):
                error("value", rec["value"],
                      f"{_num_text(value)} is outside the valid range of {ind} "
                      f"[{_num_text(float(low))}, {_num_text(float(high))}]",
                      "out_of_range", min=low, max=high, indicator=ind)
        num, den = values.get("numerator"), values.get("denominator")
        if num is not None and den is not None and num > den:
            error("numerator", rec["numerator"],
                  f"numerator {_num_text(num)} is above denominator {_num_text(den)}",
                  "numerator_above_denominator", numerator=num, denominator=den)
        if failed[0]:
            return None
        values["value"] = value
        key = (ind, area, period, group, sex, age)
        if key in seen:
            error(None, None, f"duplicate row: same indicator, area, period, group, sex and age group as line "
                  f"{seen[key]}", "duplicate_key", first_line=seen[key])
            return None
        seen[key] = line
        return PlannedRow(line, key, values)

    for line, rec in records:
        for name in ("indicator", "region", "period", "group", "value"):
            rec.setdefault(name, "")
        row = one(line, rec, ref, plan)
        if row is not None:
            out.append(row)
    if skipped:
        plan.warnings.append(Problem(None, plan.columns.get("suppressed"), "*",
                                     f"{skipped} row(s) marked suppressed without a value were skipped",
                                     "suppressed_rows_skipped", {"n": skipped}))
    return out


def _existing_observations(conn: Connection, keys: Sequence[tuple]) -> dict[tuple, dict[str, Any]]:
    if not keys:
        return {}
    o = Observation.__table__
    wanted = set(keys)
    out: dict[tuple, dict[str, Any]] = {}
    indicators = sorted({k[0] for k in wanted})
    periods = sorted({k[2] for k in wanted})
    cols = [o.c.id, o.c.import_batch, *[o.c[c] for c in OBS_KEY], *[o.c[c] for c in OBS_DATA]]
    for start in range(0, len(indicators), 500):
        stmt = sa.select(*cols).where(o.c.indicator.in_(indicators[start:start + 500]))
        if len(periods) <= 500:
            stmt = stmt.where(o.c.period.in_(periods))
        for r in conn.execute(stmt).mappings():
            key = tuple(r[c] for c in OBS_KEY)
            if key in wanted:
                row = dict(r)
                row["is_illustrative"] = bool(row["is_illustrative"])
                out[key] = row
    return out


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) or isinstance(b, float):
        try:
            return float(a) == float(b)
        except (TypeError, ValueError):
            return False
    return a == b


def _classify_observations(rows: list[PlannedRow], existing: Mapping[tuple, dict]) -> list[PlannedRow]:
    out = []
    for row in rows:
        row = dataclasses.replace(row, changes={}, values=dict(row.given))
        old = existing.get(row.key)
        if old is None:
            row.status, row.existing_id, row.existing_batch = "new", None, None
        else:
            row.existing_id, row.existing_batch = old["id"], old["import_batch"]
            for f, v in row.values.items():
                if not _same(old[f], v):
                    row.changes[f] = (old[f], v)
            row.status = "changed" if row.changes else "unchanged"
        out.append(row)
    return out


# ----------------------------------------------------------------------- actions
ACTION_FIELDS = ("title", "description", "ask", "sector", "level", "area_code", "lead_organisation_id",
                 "action_type", "status", "policy_stage", "start_date", "due_date", "done_date", "next_step",
                 "evidence_url", "is_sensitive", "archived")
ACTION_LINKS = ("decision_makers", "partners", "indicators")
ACTION_REQUIRED_NEW = ("title", "sector", "level", "action_type")
ACTION_DEFAULTS = {"description": "", "ask": "", "status": "planned", "policy_stage": "agenda_setting",
                   "is_sensitive": False, "archived": False, "area_code": None, "lead_organisation_id": None,
                   "start_date": None, "due_date": None, "done_date": None, "next_step": None,
                   "evidence_url": None}


def _area_or_none(ref: Reference):
    national = {_area_key(k) for k in _NATIONAL}

    def parse(raw: str):
        if _area_key(raw) in national:
            return None
        return ref.area(raw)
    return parse


def _parse_by_ref(records, ref: Reference, plan: ImportPlan, parsers: Mapping[str, Callable[[str], Any]],
                  more: Callable[..., None]) -> list[PlannedRow]:
    """The rows of a file keyed by their ``ref`` column (actions, decision-makers): each
    non-empty cell read by its parser in ``parsers``, the area as for every file, then
    ``more(rec, ref, cell, error, values)`` for the columns that need more than a parser.
    A row with an error, or whose ref an earlier line already had, is left out (reported)."""
    out: list[PlannedRow] = []
    seen: dict[str, int] = {}
    header_of = plan.columns

    @_guarded
    def one(line, rec, ref, plan):
        cell, error, failed = _row_errors(line, plan, header_of)
        r = rec.get("ref", "")
        if not r:
            error("ref", "", "ref is missing", "missing_value")
            return None
        key = cell("ref", r, lambda s: _text(s, 20))
        v: dict[str, Any] = {}
        for name, parse in parsers.items():
            if rec.get(name):
                v[name] = cell(name, rec[name], parse)
        if rec.get("area"):
            v["area_code"] = cell("area", rec["area"], _area_or_none(ref))
        more(rec, ref, cell, error, v)
        if failed[0] or key is None:
            return None
        if key in seen:
            error("ref", r, f"duplicate ref: already on line {seen[key]}", "duplicate_key", first_line=seen[key])
            return None
        seen[key] = line
        return PlannedRow(line, key, v)

    for line, rec in records:
        row = one(line, rec, ref, plan)
        if row is not None:
            out.append(row)
    return out


_ACTION_PARSERS: dict[str, Callable[[str], Any]] = {
    "title": _text, "description": _text, "ask": _text, "next_step": _text, "evidence_url": _text,
    "sector": lambda s: _code("sector", s), "level": lambda s: _code("level", s),
    "action_type": lambda s: _code("action_type", s), "status": lambda s: _code("status", s),
    "policy_stage": lambda s: _code("stage", s), "start_date": _date, "due_date": _date,
    "done_date": _date, "is_sensitive": _bool, "archived": _bool,
}


def _action_links(rec, ref: Reference, cell, error, v: dict[str, Any]) -> None:
    """An action's lead and partner organisations, decision-makers and indicators."""
    if rec.get("lead_organisation"):
        v["lead_organisation_id"] = cell("lead_organisation", rec["lead_organisation"], ref.organisation)
    if rec.get("partners"):
        ids = [cell("partners", p, ref.organisation) for p in _split(rec["partners"])]
        v["partners"] = frozenset(i for i in ids if i is not None)
    if rec.get("decision_makers"):
        refs = []
        for p in re.split(r"[;,\s]+", rec["decision_makers"]):
            if p:
                if p in ref.decision_makers:
                    refs.append(p)
                else:
                    hint = _suggest(p, {k: k for k in ref.decision_makers}, lambda k: k)
                    error("decision_makers", p, "unknown decision-maker ref" +
                          (f"; did you mean {hint!r}?" if hint else ""), "unknown_decision_maker",
                          suggestion=hint)
        v["decision_makers"] = frozenset(refs)
    if rec.get("indicators"):
        codes = [cell("indicators", p, ref.indicator) for p in re.split(r"[;,\n]+", rec["indicators"]) if p.strip()]
        v["indicators"] = frozenset(c for c in codes if c is not None)


def _parse_actions(records, ref: Reference, plan: ImportPlan) -> list[PlannedRow]:
    return _parse_by_ref(records, ref, plan, _ACTION_PARSERS, _action_links)


def _rows_by_ref(conn: Connection, table: sa.Table, refs: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The rows of ``table`` whose ref is among ``refs``, by ref (read 500 refs at a time)."""
    out: dict[str, dict[str, Any]] = {}
    wanted = sorted(set(refs))
    for start in range(0, len(wanted), 500):
        for r in conn.execute(sa.select(table).where(table.c.ref.in_(wanted[start:start + 500]))).mappings():
            out[r["ref"]] = dict(r)
    return out


def _existing_actions(conn: Connection, refs: Sequence[str]) -> dict[str, dict[str, Any]]:
    out = _rows_by_ref(conn, InfluenceAction.__table__, refs) if refs else {}
    for row in out.values():
        for f in ("start_date", "due_date", "done_date"):
            row[f] = _as_date(row[f])
        for f in ("is_sensitive", "archived"):
            row[f] = bool(row[f])
        row["decision_makers"], row["partners"], row["indicators"] = frozenset(), frozenset(), frozenset()
    if not out:
        return out
    by_id = {row["id"]: row for row in out.values()}
    ids = sorted(by_id)
    dm = DecisionMaker.__table__
    adm, ap, ai = action_decision_maker, action_partner, action_indicator
    links: dict[int, dict[str, set]] = {i: {"decision_makers": set(), "partners": set(), "indicators": set()}
                                        for i in ids}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for aid, dref in conn.execute(sa.select(adm.c.action_id, dm.c.ref).select_from(
                adm.join(dm, dm.c.id == adm.c.decision_maker_id)).where(adm.c.action_id.in_(chunk))):
            links[aid]["decision_makers"].add(dref)
        for aid, oid in conn.execute(sa.select(ap.c.action_id, ap.c.organisation_id).where(ap.c.action_id.in_(chunk))):
            links[aid]["partners"].add(oid)
        for aid, code in conn.execute(sa.select(ai.c.action_id, ai.c.indicator).where(ai.c.action_id.in_(chunk))):
            links[aid]["indicators"].add(code)
    for aid, l in links.items():
        for k, s in l.items():
            by_id[aid][k] = frozenset(s)
    return out


def _as_date(v: Any) -> dt.date | None:
    if v is None:
        return None
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, str):
        return dt.date.fromisoformat(v[:10])
    return v


def _check_level_area(level: str | None, area: str | None) -> str | None:
    """Why ``area`` does not fit ``level``, or None."""
    if level == "national" and area is not None:
        return "a national action or decision-maker has no area (leave it empty or write MA)"
    if level == "regional" and (area is None or len(area) != 2):
        return "a regional one needs a region (code 01-12 or name)"
    if level == "local" and (area is None or len(area) != 6):
        return "a local one needs a province (code RR.PPP or name)"
    return None


def _classify_by_ref(rows: list[PlannedRow], existing: Mapping[str, dict], *, required: Sequence[str],
                     defaults: Mapping[str, Any], what: str) -> tuple[list[PlannedRow], list[Problem]]:
    """Each row of a file keyed by ref (actions, decision-makers) against the store: new
    (all ``required`` fields given, the rest from ``defaults``), changed or unchanged; a
    level and area that do not go together, or a new ``what`` missing a field, is a problem."""
    out, problems = [], []
    for row in rows:
        row = dataclasses.replace(row, changes={})
        old = existing.get(row.key)
        v = dict(row.given)
        if v.get("level") == "national" and "area_code" not in v:
            v["area_code"] = None
        if old is None:
            missing = [f for f in required if f not in v]
            if missing:
                problems.append(Problem(row.line, None, row.key, f"a new {what} needs: {', '.join(missing)}",
                                        "missing_for_new", {"fields": missing}))
                continue
            full = {**defaults, **v}
            why = _check_level_area(full["level"], full["area_code"])
            if why:
                problems.append(Problem(row.line, "area", full["area_code"] or "", why, "area_level_mismatch",
                                        {"level": full["level"]}))
                continue
            row.values, row.status, row.existing_id = full, "new", None
        else:
            level = v.get("level", old["level"])
            area = v.get("area_code", old["area_code"])
            why = _check_level_area(level, area)
            if why:
                problems.append(Problem(row.line, "area", area or "", why, "area_level_mismatch", {"level": level}))
                continue
            row.values, row.existing_id = v, old["id"]
            for f, new in v.items():
                if not _same(old[f], new):
                    row.changes[f] = (old[f], new)
            row.status = "changed" if row.changes else "unchanged"
        out.append(row)
    return out, problems


def _classify_actions(rows: list[PlannedRow], existing: Mapping[str, dict]) -> tuple[list[PlannedRow], list[Problem]]:
    return _classify_by_ref(rows, existing, required=ACTION_REQUIRED_NEW, defaults=ACTION_DEFAULTS, what="action")


# --------------------------------------------------------------- decision-makers
DM_FIELDS = ("name", "institution", "target_type", "level", "area_code", "influence", "interest", "stance",
             "private_notes")
DM_REQUIRED_NEW = ("name", "institution", "target_type", "level", "influence", "interest")
DM_DEFAULTS = {"area_code": None, "stance": "unknown", "private_notes": None, "sectors": frozenset()}


_DM_PARSERS: dict[str, Callable[[str], Any]] = {
    "name": lambda s: _text(s, 200), "institution": lambda s: _text(s, 200), "private_notes": _text,
    "target_type": lambda s: _code("target_type", s), "level": lambda s: _code("level", s),
    "stance": lambda s: _code("stance", s),
    "influence": lambda s: _whole(s, 1, 5), "interest": lambda s: _whole(s, 1, 5),
}


def _dm_sectors(rec, ref: Reference, cell, error, v: dict[str, Any]) -> None:
    """A decision-maker's sectors (several, separated by ; or ,)."""
    if rec.get("sectors"):
        secs = [cell("sectors", p, lambda s: _code("sector", s)) for p in re.split(r"[;,\n]+", rec["sectors"])
                if p.strip()]
        v["sectors"] = frozenset(s for s in secs if s is not None)


def _parse_decision_makers(records, ref: Reference, plan: ImportPlan) -> list[PlannedRow]:
    return _parse_by_ref(records, ref, plan, _DM_PARSERS, _dm_sectors)


def _existing_decision_makers(conn: Connection, refs: Sequence[str]) -> dict[str, dict[str, Any]]:
    out = _rows_by_ref(conn, DecisionMaker.__table__, refs) if refs else {}
    for row in out.values():
        row["sectors"] = frozenset()
    if out:
        by_id = {row["id"]: row for row in out.values()}
        ids = sorted(by_id)
        s = decision_maker_sector
        secs: dict[int, set] = {i: set() for i in ids}
        for start in range(0, len(ids), 500):
            for i, sec in conn.execute(sa.select(s.c.decision_maker_id, s.c.sector)
                                       .where(s.c.decision_maker_id.in_(ids[start:start + 500]))):
                secs[i].add(sec)
        for i, ss in secs.items():
            by_id[i]["sectors"] = frozenset(ss)
    return out


def _classify_decision_makers(rows: list[PlannedRow], existing: Mapping[str, dict]
                              ) -> tuple[list[PlannedRow], list[Problem]]:
    return _classify_by_ref(rows, existing, required=DM_REQUIRED_NEW, defaults=DM_DEFAULTS, what="decision-maker")


# ========================================================================= commit
def commit(plan: ImportPlan, engine: Engine | None = None, user: str = "system", file_name: str | None = None,
           progress: Progress | None = None) -> int | None:
    """Write a valid plan in one transaction; the new batch's id, or None if nothing changed.

    The rows are compared with the store again inside the transaction (another import
    may have run since validation); the plan's rows and counts are updated to what was
    written. ``progress(done, total)`` is called as rows are written. Raises
    :class:`CommitError` (nothing written) when the plan has errors or no longer fits.
    """
    if not plan.ok:
        raise CommitError(f"the file has {len(plan.errors)} error(s): nothing written", plan.errors)
    engine = engine or db.get_engine()
    user = (user or "system")[:80]
    name = file_name or plan.file_name or "(upload)"
    try:
        with db.write(engine) as conn:
            if plan.kind == "observations":
                existing = _existing_observations(conn, [r.key for r in plan.rows])
                rows = _classify_observations(plan.rows, existing)
            elif plan.kind == "actions":
                existing = _existing_actions(conn, [r.key for r in plan.rows])
                rows, problems = _classify_actions(plan.rows, existing)
                if problems:
                    raise CommitError("the store changed since the file was checked: check it again", problems)
            else:
                existing = _existing_decision_makers(conn, [r.key for r in plan.rows])
                rows, problems = _classify_decision_makers(plan.rows, existing)
                if problems:
                    raise CommitError("the store changed since the file was checked: check it again", problems)
            counts = {s: sum(1 for r in rows if r.status == s) for s in ("new", "changed", "unchanged")}
            if not counts["new"] and not counts["changed"]:
                plan.rows = rows
                raise _NothingToDo
            batch_id = store.record_batch_in(conn, file_name=name, kind=plan.kind, user=user, **counts)
            writer = {"observations": _write_observations, "actions": _write_actions,
                      "decision_makers": _write_decision_makers}[plan.kind]
            writer(conn, rows, batch_id, user, progress)
    except _NothingToDo:
        return None
    except sa.exc.IntegrityError as exc:
        raise CommitError(f"the store refused the rows (nothing written): {exc.orig}") from exc
    plan.rows = rows
    return batch_id


def _jsonable(v: Any) -> Any:
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    if isinstance(v, (set, frozenset)):
        return sorted(v)
    return v


def _tick(progress: Progress | None, done: int, total: int) -> None:
    if progress:
        progress(done, total)


def _write_observations(conn: Connection, rows: list[PlannedRow], batch_id: int, user: str,
                        progress: Progress | None) -> None:
    o = Observation.__table__
    new = [r for r in rows if r.status == "new"]
    changed = [r for r in rows if r.status == "changed"]
    total = len(new) + len(changed)
    records = []
    for r in new:
        rec = dict(zip(OBS_KEY, r.key))
        rec.update({"value": None, "numerator": None, "denominator": None, "sample_size": None, "source": "",
                    "note": None, "is_illustrative": False})
        rec.update(r.values)
        records.append(rec)
    store.insert_observations_in(conn, records, batch_id=batch_id,
                                 progress=(lambda d, t: _tick(progress, d, total)) if progress else None)
    at = store.now()
    logs = []
    for start in range(0, len(changed), store.CHUNK):
        chunk = changed[start:start + store.CHUNK]
        by_fields: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for r in chunk:
            fields = tuple(sorted(r.changes))
            params = {"_id": r.existing_id, "_batch": batch_id, **{f"_{f}": r.values[f] for f in fields}}
            by_fields.setdefault(fields, []).append(params)
            old = {f: _jsonable(r.changes[f][0]) for f in fields} | {"import_batch": r.existing_batch}
            new_v = {f: _jsonable(r.changes[f][1]) for f in fields}
            label = ",".join(fields)
            logs.append({"table_name": "observation", "row_id": str(r.existing_id),
                         "field": label if len(label) <= 60 else "several",
                         "old": json.dumps(old, ensure_ascii=False, sort_keys=True),
                         "new": json.dumps(new_v, ensure_ascii=False, sort_keys=True),
                         "user_name": user, "at": at, "batch_id": batch_id})
        for fields, params in by_fields.items():
            stmt = (sa.update(o).where(o.c.id == sa.bindparam("_id"))
                    .values(import_batch=sa.bindparam("_batch"), **{f: sa.bindparam(f"_{f}") for f in fields}))
            conn.execute(stmt, params)
        _tick(progress, len(new) + min(start + store.CHUNK, len(changed)), total)
    if logs:
        store.insert_many(conn, ChangeLog.__table__, logs)


def _log_fields(conn, table: str, ref: str, changes: Mapping[str, tuple[Any, Any]], user: str, batch_id: int,
                at: dt.datetime, show: Callable[[str, Any], Any]) -> None:
    for f, (old, new) in changes.items():
        store.log_change_in(conn, table, ref, f, show(f, old), show(f, new), user, batch_id=batch_id, at=at)


def _write_actions(conn: Connection, rows: list[PlannedRow], batch_id: int, user: str,
                   progress: Progress | None) -> None:
    a = InfluenceAction.__table__
    dm_ids = {r: i for r, i in conn.execute(sa.select(DecisionMaker.ref, DecisionMaker.id))}
    org_names = {i: n for i, n in conn.execute(sa.select(Organisation.id, Organisation.name))}
    at = store.now()
    today = config.today()
    todo = [r for r in rows if r.status != "unchanged"]

    def show(f: str, v: Any) -> Any:
        if f == "partners":
            return ";".join(sorted(org_names.get(i, str(i)) for i in v)) if v else None
        if f in ("decision_makers", "indicators"):
            return ";".join(sorted(v)) if v else None
        return v

    for done, r in enumerate(todo, start=1):
        v = r.values
        if r.status == "new":
            fields = {f: v[f] for f in ACTION_FIELDS}
            stages = [(v["policy_stage"], v["start_date"] or today, v["lead_organisation_id"])]
            store.add_action_in(conn, ref=r.key, **fields, version=1, updated_at=at, updated_by=user,
                                decision_makers=[dm_ids[x] for x in sorted(v.get("decision_makers", ()))],
                                partners=sorted(v.get("partners", ())), indicators=sorted(v.get("indicators", ())),
                                stages=stages)
            store.log_change_in(conn, "influence_action", r.key, "created", None, v["title"], user,
                                batch_id=batch_id, at=at)
        else:
            plain = {f: new for f, (_, new) in r.changes.items() if f in ACTION_FIELDS}
            row = conn.execute(sa.select(a.c.version, a.c.lead_organisation_id).where(a.c.id == r.existing_id)).one()
            conn.execute(sa.update(a).where(a.c.id == r.existing_id).values(
                **plain, version=row.version + 1, updated_at=at, updated_by=user))
            _relink(conn, r.existing_id, r.changes, dm_ids)
            if "policy_stage" in plain:
                conn.execute(sa.insert(StageChange.__table__).values(
                    action_id=r.existing_id, stage=plain["policy_stage"], date=today,
                    organisation_id=plain.get("lead_organisation_id", row.lead_organisation_id)))
            _log_fields(conn, "influence_action", r.key, r.changes, user, batch_id, at, show)
        if progress and (done % 200 == 0 or done == len(todo)):
            progress(done, len(todo))


def _relink(conn: Connection, action_id: int, changes: Mapping[str, tuple[Any, Any]], dm_ids: Mapping[str, int]
            ) -> None:
    for name, table, column, conv in (
            ("decision_makers", action_decision_maker, "decision_maker_id", lambda x: dm_ids[x]),
            ("partners", action_partner, "organisation_id", lambda x: x),
            ("indicators", action_indicator, "indicator", lambda x: x)):
        if name in changes:
            conn.execute(sa.delete(table).where(table.c.action_id == action_id))
            new = sorted(changes[name][1])
            if new:
                conn.execute(sa.insert(table), [{"action_id": action_id, column: conv(x)} for x in new])


def _write_decision_makers(conn: Connection, rows: list[PlannedRow], batch_id: int, user: str,
                           progress: Progress | None) -> None:
    d = DecisionMaker.__table__
    at = store.now()
    today = config.today()
    todo = [r for r in rows if r.status != "unchanged"]

    def show(f: str, v: Any) -> Any:
        if f == "sectors":
            return ";".join(sorted(v)) if v else None
        return v

    for done, r in enumerate(todo, start=1):
        v = r.values
        if r.status == "new":
            fields = {f: v[f] for f in DM_FIELDS}
            history = [(v["stance"], today)] if v["stance"] != "unknown" else []
            store.add_decision_maker_in(conn, ref=r.key, **fields, sectors=sorted(v["sectors"]),
                                        stance_history=history, by=user, updated_at=at, updated_by=user)
            store.log_change_in(conn, "decision_maker", r.key, "created", None, v["name"], user,
                                batch_id=batch_id, at=at)
        else:
            plain = {f: new for f, (_, new) in r.changes.items() if f in DM_FIELDS}
            version = conn.execute(sa.select(d.c.version).where(d.c.id == r.existing_id)).scalar_one()
            conn.execute(sa.update(d).where(d.c.id == r.existing_id).values(
                **plain, version=version + 1, updated_at=at, updated_by=user))
            if "sectors" in r.changes:
                s = decision_maker_sector
                conn.execute(sa.delete(s).where(s.c.decision_maker_id == r.existing_id))
                new = sorted(r.changes["sectors"][1])
                if new:
                    conn.execute(sa.insert(s), [{"decision_maker_id": r.existing_id, "sector": x} for x in new])
            if "stance" in plain:
                conn.execute(sa.insert(StanceChange.__table__).values(
                    decision_maker_id=r.existing_id, stance=plain["stance"], date=today, by=user))
            _log_fields(conn, "decision_maker", r.key, r.changes, user, batch_id, at, show)
        if progress and (done % 200 == 0 or done == len(todo)):
            progress(done, len(todo))


# ==================================================================== one call
def import_bytes(data: bytes, filename: str, kind: str | None = None, engine: Engine | None = None,
                 user: str = "system", dry_run: bool = False, progress: Progress | None = None) -> ImportResult:
    """Read, validate and (unless ``dry_run`` or invalid) commit an uploaded file."""
    return _import(data, filename, kind, engine, user, dry_run, progress)


def import_file(path: str | Path, kind: str | None = None, engine: Engine | None = None, user: str = "system",
                dry_run: bool = False, progress: Progress | None = None) -> ImportResult:
    """Read, validate and (unless ``dry_run`` or invalid) commit the file at ``path``.

    Never raises on a bad file: see :attr:`ImportResult.status` and ``exit_code``.
    ``kind`` None guesses it from the headers.
    """
    return _import(Path(path), Path(path).name, kind, engine, user, dry_run, progress)


def _import(source, filename: str, kind, engine, user, dry_run, progress) -> ImportResult:
    shown_kind = normalise_kind(kind) if kind not in (None, "", "auto") else "auto"
    try:
        df = read_table(source, filename)
    except UnreadableFile as exc:
        return ImportResult(shown_kind, filename, "unreadable",
                            problems=[Problem(None, None, None, str(exc), exc.code, exc.params)], dry_run=dry_run)
    plan = validate(df, None if shown_kind == "auto" else shown_kind, engine, file_name=filename)
    result = ImportResult(plan.kind, filename, "invalid", plan=plan, dry_run=dry_run)
    if not plan.ok:
        return result
    if dry_run:
        result.status = "valid"
        return result
    try:
        result.batch_id = commit(plan, engine, user, filename, progress)
    except CommitError as exc:
        plan.errors += exc.problems or [Problem(None, None, None, str(exc), "commit_refused")]
        return result
    result.status = "imported" if result.batch_id is not None else "unchanged"
    return result


# ========================================================================= revert
def revert_batch(batch_id: int, user: str = "system", engine: Engine | None = None) -> dict[str, int]:
    """Undo an import batch in one transaction: restore the rows it changed, delete the rows
    it created, set ``reverted_at`` and log it. Returns ``{"restored": n, "deleted": n}``.

    Refused (:class:`RevertError`, nothing written) for an unknown batch, a batch already
    reverted, a batch that is not a file import (demo, census, restore), or when a later
    import or edit changed some of the same rows (revert that one first).
    """
    engine = engine or db.get_engine()
    user = (user or "system")[:80]
    with db.write(engine) as conn:
        b = ImportBatch.__table__
        batch = conn.execute(sa.select(b).where(b.c.id == batch_id)).mappings().first()
        if batch is None:
            raise RevertError(f"no import batch {batch_id}")
        if batch["reverted_at"] is not None:
            raise RevertError(f"batch {batch_id} was already reverted on {batch['reverted_at']:%Y-%m-%d %H:%M}")
        if batch["kind"] not in KINDS:
            raise RevertError(f"batch {batch_id} is a {batch['kind']} load, not a file import: it cannot be reverted")
        cl = ChangeLog.__table__
        first = conn.execute(sa.select(sa.func.min(cl.c.id)).where(cl.c.batch_id == batch_id)).scalar_one() or 0
        entries = conn.execute(sa.select(cl).where(cl.c.batch_id == batch_id, cl.c.table_name != "import_batch")
                               .order_by(cl.c.id)).mappings().all()
        reverted = set(conn.execute(sa.select(b.c.id).where(b.c.reverted_at.is_not(None))).scalars())
        table = {"observations": "observation", "actions": "influence_action",
                 "decision_makers": "decision_maker"}[batch["kind"]]
        later = conn.execute(sa.select(cl.c.row_id, cl.c.batch_id, cl.c.old).where(
            cl.c.table_name == table, cl.c.id > first, sa.or_(cl.c.batch_id.is_(None), cl.c.batch_id != batch_id))
        ).all()
        later = [(row_id, bid, old) for row_id, bid, old in later if bid is None or bid not in reverted]
        if batch["kind"] == "observations":
            counts = _revert_observations(conn, batch_id, entries, later)
        else:
            counts = _revert_records(conn, batch["kind"], batch_id, entries, later, user)
        at = store.now()
        conn.execute(sa.update(b).where(b.c.id == batch_id).values(reverted_at=at))
        store.log_change_in(conn, "import_batch", str(batch_id), "reverted_at", None,
                            f"{batch['file_name']}: {counts['restored']} restored, {counts['deleted']} deleted",
                            user, batch_id=batch_id, at=at)
        return counts


def _conflict(n: int) -> RevertError:
    return RevertError(f"{n} row(s) of this batch were changed since by a later import or edit: "
                       "revert that one first")


def _revert_observations(conn: Connection, batch_id: int, entries, later) -> dict[str, int]:
    o = Observation.__table__
    changed = {int(e["row_id"]): json.loads(e["old"]) for e in entries if e["table_name"] == "observation"}
    created = set(conn.execute(sa.select(o.c.id).where(o.c.import_batch == batch_id)).scalars()) - set(changed)
    touched = {str(i) for i in changed} | {str(i) for i in created}
    clashes = sum(1 for row_id, _, old in later if row_id in touched or _old_batch(old) == batch_id)
    if clashes:
        raise _conflict(clashes)
    current = {}
    ids = sorted(changed)
    for start in range(0, len(ids), 500):
        for i, ib in conn.execute(sa.select(o.c.id, o.c.import_batch).where(o.c.id.in_(ids[start:start + 500]))):
            current[i] = ib
    moved = [i for i in ids if current.get(i) != batch_id]
    if moved:
        raise _conflict(len(moved))
    for i, old in changed.items():
        conn.execute(sa.update(o).where(o.c.id == i).values(**old))
    gone = sorted(created)
    for start in range(0, len(gone), 500):
        conn.execute(sa.delete(o).where(o.c.id.in_(gone[start:start + 500])))
    return {"restored": len(changed), "deleted": len(gone)}


def _old_batch(old: str | None) -> int | None:
    if not old or not old.startswith("{"):
        return None
    try:
        value = json.loads(old).get("import_batch")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, int) else None


_DATE_FIELDS = {"start_date", "due_date", "done_date"}
_BOOL_FIELDS = {"is_sensitive", "archived"}
_INT_FIELDS = {"lead_organisation_id", "influence", "interest"}


def _from_log(field_name: str, text: str | None) -> Any:
    if text is None:
        return None
    if field_name in _DATE_FIELDS:
        return dt.date.fromisoformat(text[:10])
    if field_name in _BOOL_FIELDS:
        return text in ("True", "true", "1")
    if field_name in _INT_FIELDS:
        return int(text)
    return text


def _revert_records(conn: Connection, kind: str, batch_id: int, entries, later, user: str) -> dict[str, int]:
    table = InfluenceAction.__table__ if kind == "actions" else DecisionMaker.__table__
    name = table.name
    mine = [e for e in entries if e["table_name"] == name]
    touched = {e["row_id"] for e in mine}
    clashes = sum(1 for row_id, _, _ in later if row_id in touched)
    if clashes:
        raise _conflict(clashes)
    created = sorted({e["row_id"] for e in mine if e["field"] == "created"})
    by_ref: dict[str, list] = {}
    for e in mine:
        if e["field"] != "created":
            by_ref.setdefault(e["row_id"], []).append(e)
    ids = {r: i for r, i in conn.execute(sa.select(table.c.ref, table.c.id).where(
        table.c.ref.in_(sorted(touched))))} if touched else {}
    if kind == "decision_makers" and created:
        adm = action_decision_maker
        used = conn.execute(sa.select(sa.func.count()).select_from(adm).where(
            adm.c.decision_maker_id.in_([ids[r] for r in created if r in ids]))).scalar_one()
        if used:
            raise RevertError(f"decision-makers created by batch {batch_id} are now targeted by {used} action "
                              "link(s): remove those links first")
    if kind == "actions" and created:
        oa = outcome_action
        used = conn.execute(sa.select(sa.func.count()).select_from(oa).where(
            oa.c.action_id.in_([ids[r] for r in created if r in ids]))).scalar_one()
        if used:
            raise RevertError(f"actions created by batch {batch_id} are now linked to {used} outcome(s): "
                              "unlink them first")
    at = store.now()
    dm_ids = {r: i for r, i in conn.execute(sa.select(DecisionMaker.ref, DecisionMaker.id))}
    org_ids = {n: i for i, n in conn.execute(sa.select(Organisation.id, Organisation.name))}
    plain_fields = ACTION_FIELDS if kind == "actions" else DM_FIELDS
    for ref_, es in by_ref.items():
        rid = ids.get(ref_)
        if rid is None:
            continue
        restore = {e["field"]: _from_log(e["field"], e["old"]) for e in es if e["field"] in plain_fields}
        version = conn.execute(sa.select(table.c.version).where(table.c.id == rid)).scalar_one()
        conn.execute(sa.update(table).where(table.c.id == rid).values(
            **restore, version=version + 1, updated_at=at, updated_by=user))
        links = {}
        for e in es:
            if e["field"] in ACTION_LINKS or e["field"] == "sectors":
                items = [x for x in (e["old"] or "").split(";") if x]
                links[e["field"]] = (None, frozenset(org_ids[x] for x in items if x in org_ids)
                                     if e["field"] == "partners" else frozenset(items))
        if kind == "actions":
            _relink(conn, rid, links, dm_ids)
            if "policy_stage" in restore:
                new_stage = next(e["new"] for e in es if e["field"] == "policy_stage")
                sc = StageChange.__table__
                last = conn.execute(sa.select(sa.func.max(sc.c.id)).where(
                    sc.c.action_id == rid, sc.c.stage == new_stage)).scalar_one()
                if last is not None:
                    conn.execute(sa.delete(sc).where(sc.c.id == last))
        else:
            if "sectors" in links:
                s = decision_maker_sector
                conn.execute(sa.delete(s).where(s.c.decision_maker_id == rid))
                if links["sectors"][1]:
                    conn.execute(sa.insert(s), [{"decision_maker_id": rid, "sector": x}
                                                for x in sorted(links["sectors"][1])])
            if "stance" in restore:
                new_stance = next(e["new"] for e in es if e["field"] == "stance")
                st_ = StanceChange.__table__
                last = conn.execute(sa.select(sa.func.max(st_.c.id)).where(
                    st_.c.decision_maker_id == rid, st_.c.stance == new_stance)).scalar_one()
                if last is not None:
                    conn.execute(sa.delete(st_).where(st_.c.id == last))
    gone = [ids[r] for r in created if r in ids]
    if gone:
        conn.execute(sa.delete(table).where(table.c.id.in_(gone)))
    return {"restored": len(by_ref), "deleted": len(gone)}


# ====================================================================== templates
TEMPLATE_FILES = {"observations": "observations", "actions": "actions", "decision_makers": "decision_makers"}
_DOC_HEADERS = ("colonne / column / العمود", "obligatoire / required / إلزامي", "français", "English", "العربية",
                "exemple / example / مثال")


def template_rows(kind: str) -> tuple[list[str], list[str]]:
    """Header and example row of the template of ``kind``."""
    kind = normalise_kind(kind)
    cols = [c for c in COLUMNS[kind] if c.name != "suppressed"]
    return [c.name for c in cols], [c.example for c in cols]


def write_templates(directory: str | Path) -> list[Path]:
    """Write ``<kind>.xlsx`` and ``<kind>.csv`` for every kind into ``directory``.

    The XLSX has the data sheet (header + one example row) and a sheet ``colonnes``
    explaining each column in French, English and Arabic. Files are byte-for-byte
    reproducible (fixed timestamps). Returns the paths written.
    """
    from .exporting import write_xlsx

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for kind, stem in TEMPLATE_FILES.items():
        header, example = template_rows(kind)
        docs = [[c.name, "oui / yes / نعم" if c.required else _required_note(kind, c), c.fr, c.en, c.ar, c.example]
                for c in COLUMNS[kind] if c.name != "suppressed"]
        typed = [_typed_example(name, text) for name, text in zip(header, example)]
        path = directory / f"{stem}.xlsx"
        path.write_bytes(write_xlsx([(kind, header, [typed]), ("colonnes", list(_DOC_HEADERS), docs)],
                                    widths={kind: 18, "colonnes": 40}))
        written.append(path)
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(header)
        w.writerow(example)
        path = directory / f"{stem}.csv"
        path.write_bytes(buf.getvalue().encode("utf-8-sig"))
        written.append(path)
    return written


def _typed_example(name: str, text: str) -> Any:
    """An example cell as a spreadsheet would hold it: numbers as numbers, codes as text."""
    if name in ("value", "numerator", "denominator", "sample_size", "influence", "interest") and text:
        return parse_number(text)
    if name.endswith("_date") and text:
        return _date(text)
    return text


def _required_note(kind: str, col: Column) -> str:
    need = {"actions": ACTION_REQUIRED_NEW, "decision_makers": DM_REQUIRED_NEW}.get(kind, ())
    if col.name in need:
        return "pour une nouvelle ligne / for a new row / لسطر جديد"
    return "non / no / لا"
