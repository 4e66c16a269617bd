"""The follow-up export (api.md `campaigns/{slug}/exports/followup.{xlsx,csv}`): one row
per recognised filière, every indicator and its change since the previous year (or since
the dossier), the use of funds; typed numbers (integers, ETP decimals, amounts in euros)
written by the decisions export's writers (outputs.domain.exports), so that the file
reads the same way: French headers, formulas neutralised, CSV for French Excel."""

import pandas as pd
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import NotFound
from dossiers.enums import Mission, MissionStatus
from followup.domain.consolidation import consolidate
from followup.domain.content import get_path
from followup.domain.display import shown
from followup.domain.types import FILIERE_REPORT, Field, report_type
from outputs.domain.exports import FORMATS, write_csv_frame, write_xlsx

MISSION_LABELS = Mission.choices
MISSION_STATUS_LABELS = MissionStatus.choices
EXPORT_FORMATS = {"xlsx": FORMATS["xlsx"], "csv": FORMATS["csv"]}
SHEET = "Suivi des filières"
COUNT_FIELD = Field(key="", label="", kind="count")
MISSION_STATUSES = [("covered", "couvertes"), ("partial", "partielles"), ("missing", "absentes")]


def _scalar_fields():
    return [f for f in FILIERE_REPORT.fields if f.kind in ("count", "decimal", "bool", "text")]


def _number(value, kind):
    if value in (None, ""):
        return None
    return float(value) if kind == "decimal" else int(value)


def followup_frame(campaign, now=None):
    """(DataFrame, {column: kind}) of the campaign's reports."""
    result = consolidate(campaign, now=now)
    formats = {_("Remis le"): "date"}
    records = []
    actor_choices = FILIERE_REPORT.field("actors").choices
    for row in result.rows:
        report = row.report
        content = report.content or {}
        record = {
            _("Filière"): row.filiere.name,
            _("Identifiant"): row.filiere.slug,
            _("État"): str(report.get_state_display()),
            _("En retard"): _("oui") if row.late else _("non"),
            _("Remis le"): timezone.localtime(report.submitted_at).date()
            if report.submitted_at
            else None,
            _("Référence de l'évolution"): {
                "previous": _("rapport de l'année précédente"),
                "dossier": _("dossier de candidature"),
            }.get(row.baseline_source, ""),
        }
        for f in _scalar_fields():
            value = get_path(content, f.key)
            label = str(f.label)
            if f.kind == "bool":
                record[label] = "" if value is None else (_("oui") if value else _("non"))
            elif f.kind == "text":
                record[label] = value or ""
            else:
                record[label] = _number(value, f.kind)
                formats[label] = "decimal" if f.kind == "decimal" else "integer"
                if f.total:
                    change_label = _("%(label)s : évolution") % {"label": label}
                    change = row.changes.get(f.key)
                    record[change_label] = _number(change, f.kind)
                    formats[change_label] = formats[label]
        actors = content.get("actors") or {}
        for value, label in actor_choices:
            column = _("Membres : %(type)s") % {"type": label}
            record[column] = _number(actors.get(value), "count")
            formats[column] = "integer"
        missions = content.get("missions") or []
        for status, label in MISSION_STATUSES:
            column = _("Missions %(status)s") % {"status": label}
            record[column] = sum(1 for m in missions if m.get("status") == status)
            formats[column] = "integer"
        column = _("Organisations à diffuser")
        record[column] = len(content.get("organisations") or [])
        formats[column] = "integer"
        record[_("Accordé reconductible (€)")] = row.granted_recurring
        record[_("Accordé ponctuel (€)")] = row.granted_one_off
        record[_("Dépensé (€)")] = row.spent
        record[_("Crédits non utilisés (€)")] = row.unused
        records.append(record)
    frame = pd.DataFrame.from_records(records)
    for column, kind in formats.items():
        if kind == "integer" and column in frame:
            frame[column] = pd.array(frame[column].tolist(), dtype="Int64")
    return frame, formats


def export_followup(campaign, fmt, now=None):
    """(filename, content type, bytes)."""
    if fmt not in EXPORT_FORMATS:
        raise NotFound(_("Format d'export inconnu : « %(fmt)s » (xlsx ou csv).") % {"fmt": fmt})
    frame, formats = followup_frame(campaign, now=now)
    if fmt == "xlsx":
        data = write_xlsx({SHEET: frame}, formats)
    else:
        data = write_csv_frame(frame, formats)
    today = timezone.localdate()
    return f"suivi-{campaign.slug}-{today.isoformat()}.{fmt}", EXPORT_FORMATS[fmt], data


REPORT_SHEET = "Réponses"


def answer_rows(report):
    """[{Partie, Question, Réponse}] of one report, every field of its type in order
    (lists one line per item), the numbers typed when the answer is a number."""
    rtype = report_type(report.kind)
    content = report.content or {}
    rows = []

    def add(section, question, value, field=None):
        if field is not None and field.kind in ("count", "decimal") and value not in (None, ""):
            answer = float(value) if field.kind == "decimal" else int(value)
        elif field is not None:
            answer = shown(field, value) if value not in (None, "", []) else ""
        else:
            answer = value
        rows.append(
            {_("Partie"): str(section.label), _("Question"): str(question), _("Réponse"): answer}
        )

    for section in rtype.sections:
        for field in section.fields:
            value = get_path(content, field.key)
            if field.kind == "counts_by":
                for choice, label in field.choices:
                    add(section, f"{field.label} : {label}", (value or {}).get(choice), COUNT_FIELD)
            elif field.kind == "missions":
                labels = dict(MISSION_LABELS)
                for mission in value or []:
                    status = dict(MISSION_STATUS_LABELS).get(mission.get("status"), "")
                    comment = mission.get("comment") or ""
                    add(
                        section,
                        labels.get(mission.get("code"), mission.get("code")),
                        f"{status} {comment}".strip(),
                    )
            elif field.kind == "rows":
                for index, item in enumerate(value or [], start=1):
                    for sub in field.fields:
                        add(
                            section,
                            f"{field.label} n° {index} : {sub.label}",
                            item.get(sub.key),
                            sub,
                        )
            else:
                add(section, field.label, value, field)
    if report.filiere_id:
        for use in report.funding.select_related("line", "line__project"):
            label = use.line.label or _("ligne sans libellé")
            rows.append(
                {
                    _("Partie"): _("Utilisation des crédits"),
                    _("Question"): _("%(line)s : accordé (€)") % {"line": label},
                    _("Réponse"): float(use.line.granted or 0),
                }
            )
            rows.append(
                {
                    _("Partie"): _("Utilisation des crédits"),
                    _("Question"): _("%(line)s : dépensé (€)") % {"line": label},
                    _("Réponse"): float(use.spent) if use.spent is not None else "",
                }
            )
    for attachment in report.attachments.filter(removed_at__isnull=True):
        rows.append(
            {
                _("Partie"): _("Pièces jointes"),
                _("Question"): attachment.section,
                _("Réponse"): attachment.name,
            }
        )
    return rows


def export_report(report, fmt):
    """(filename, content type, bytes) of one report's answers (the CAR'sp survey for
    the DGOS, or a filière's report): one row per question."""
    if fmt not in EXPORT_FORMATS:
        raise NotFound(_("Format d'export inconnu : « %(fmt)s » (xlsx ou csv).") % {"fmt": fmt})
    frame = pd.DataFrame.from_records(
        answer_rows(report), columns=[_("Partie"), _("Question"), _("Réponse")]
    )
    frame[_("Réponse")] = frame[_("Réponse")].astype(object)
    data = write_xlsx({REPORT_SHEET: frame}) if fmt == "xlsx" else write_csv_frame(frame)
    name = report.filiere.slug if report.filiere_id else f"carsp-{report.region.slug}"
    return f"{report.kind}-{name}-{report.campaign.slug}.{fmt}", EXPORT_FORMATS[fmt], data
