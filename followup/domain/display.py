"""A report as the pages show it: each section's answers in French, and for a filière's
report what changed since the previous year's report (or since the dossier)."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from common.money import format_eur
from dossiers.enums import Mission, MissionStatus
from followup.domain.consolidation import baseline_values
from followup.domain.content import get_path
from followup.domain.opening import previous_report
from followup.domain.types import Field, report_type
from followup.enums import ReportKind

COUNT = Field(key="", label="", kind="count")


def shown(field, value):
    """A value in French for a person to read."""
    if value in (None, "", []):
        return "—"
    kind = field.kind
    if kind == "bool":
        return _("Oui") if value else _("Non")
    if kind == "decimal":
        return str(value).replace(".", ",")
    if kind == "choice":
        return str(field.choice_label(value))
    if kind == "multi":
        return ", ".join(str(field.choice_label(v)) for v in value)
    if kind == "month":
        year, _sep, month = str(value).partition("-")
        return f"{month}/{year}"
    return str(value)


@dataclass
class Line:
    label: str
    value: str
    before: str = ""
    change: str = ""
    long: bool = False


@dataclass
class Block:
    key: str
    label: str
    lines: list
    rows: list  # [(field, [[(label, value)]])] for the lists
    missions: list


def _change(field, now, before):
    if field.kind not in ("count", "decimal") or now in (None, "") or before in (None, ""):
        return ""
    delta = Decimal(str(now)) - Decimal(str(before))
    if delta == 0:
        return "="
    text = str(delta).replace(".", ",")
    return f"+{text}" if delta > 0 else text


def report_blocks(report, *, with_changes=False):
    """[Block] of every section, and the label of what the changes compare to."""
    rtype = report_type(report.kind)
    content = report.content or {}
    baseline, source = None, ""
    if with_changes and report.kind == ReportKind.FILIERE:
        previous = previous_report(report.filiere, report.campaign)
        previous_map = {report.filiere_id: previous} if previous else {}
        baseline, source = baseline_values(report, previous_map)
        if previous is not None:
            baseline = {f.key: get_path(previous.content, f.key) for f in rtype.fields}
    blocks = []
    for section in rtype.sections:
        lines, rows, missions = [], [], []
        for field in section.fields:
            value = get_path(content, field.key)
            if field.kind == "counts_by":
                before_counts = (baseline or {}).get(field.key) or {}
                for choice, label in field.choices:
                    count = (value or {}).get(choice)
                    before = before_counts.get(choice) if isinstance(before_counts, dict) else None
                    if count is None and before is None:
                        continue
                    lines.append(
                        Line(
                            f"{field.label} : {label}",
                            "—" if count is None else str(count),
                            "" if before is None else str(before),
                            _change(COUNT, count, before),
                        )
                    )
            elif field.kind == "missions":
                labels = dict(Mission.choices)
                statuses = dict(MissionStatus.choices)
                for mission in value or []:
                    missions.append(
                        (
                            labels.get(mission.get("code"), mission.get("code")),
                            statuses.get(mission.get("status"), "—"),
                            mission.get("comment") or "",
                        )
                    )
            elif field.kind == "rows":
                items = [
                    [(sub.label, shown(sub, row.get(sub.key))) for sub in field.fields]
                    for row in value or []
                ]
                rows.append((field, items))
            else:
                before = (baseline or {}).get(field.key) if baseline else None
                lines.append(
                    Line(
                        str(field.label),
                        shown(field, value),
                        shown(field, before) if baseline and before is not None else "",
                        _change(field, value, before),
                        long=field.kind == "text",
                    )
                )
        blocks.append(Block(section.key, section.label, lines, rows, missions))
    source_label = {
        "previous": _("rapport de l'année précédente"),
        "dossier": _("dossier de candidature"),
    }.get(source, "")
    return blocks, source_label


def funding_lines(uses):
    """[(use, unused)] with the amounts shown in euros."""
    result = []
    for use in uses:
        granted = use.line.granted
        unused = granted - use.spent if granted is not None and use.spent is not None else None
        result.append(
            {
                "use": use,
                "granted": format_eur(granted),
                "spent": format_eur(use.spent) if use.spent is not None else "—",
                "unused": format_eur(unused) if unused is not None else "—",
                "etp": str(use.line.etp).replace(".", ",") if use.line.etp is not None else "—",
                "etp_filled": str(use.etp_filled).replace(".", ",")
                if use.etp_filled is not None
                else "—",
            }
        )
    return result
