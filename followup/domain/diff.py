"""What changed between two remittances of a report (its snapshots): every field of the
report type, shown in French, old and new; and the use of funds line by line."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from common.money import format_eur
from dossiers.enums import Mission, MissionStatus
from followup.domain.content import get_path
from followup.domain.display import shown
from followup.domain.types import report_type


@dataclass(frozen=True)
class Change:
    section: str
    label: str
    old: str
    new: str


def flatten(rtype, content):
    """[(section label, question, shown answer)] of a document, in the form's order."""
    items = []
    content = content or {}
    for section in rtype.sections:
        for field in section.fields:
            value = get_path(content, field.key)
            if field.kind == "counts_by":
                for choice, label in field.choices:
                    count = (value or {}).get(choice)
                    items.append(
                        (
                            section.label,
                            f"{field.label} : {label}",
                            "—" if count is None else str(count),
                        )
                    )
            elif field.kind == "missions":
                labels, statuses = dict(Mission.choices), dict(MissionStatus.choices)
                for mission in value or []:
                    text = str(statuses.get(mission.get("status"), "—"))
                    if mission.get("comment"):
                        text += f" ({mission['comment']})"
                    items.append((section.label, str(labels.get(mission.get("code"), "")), text))
            elif field.kind == "rows":
                for index, row in enumerate(value or [], start=1):
                    text = " ; ".join(
                        f"{sub.label} : {shown(sub, row.get(sub.key))}" for sub in field.fields
                    )
                    items.append((section.label, f"{field.label} n° {index}", text))
            else:
                items.append((section.label, str(field.label), shown(field, value)))
    return items


def diff_documents(kind, old, new):
    """[Change] between two report documents (snapshot contents)."""
    rtype = report_type(kind)
    name = rtype.content_name
    before = {(s, q): a for s, q, a in flatten(rtype, (old or {}).get(name))}
    after = {(s, q): a for s, q, a in flatten(rtype, (new or {}).get(name))}
    changes = []
    for key in list(after) + [k for k in before if k not in after]:
        if before.get(key, "—") != after.get(key, "—"):
            changes.append(Change(str(key[0]), key[1], before.get(key, "—"), after.get(key, "—")))
    old_funding = {row["line"]: row for row in (old or {}).get("funding") or []}
    for row in (new or {}).get("funding") or []:
        previous = old_funding.get(row["line"], {})
        for key, label in (("spent", _("dépensé")), ("etp_filled", _("ETP pourvus"))):
            if previous.get(key) != row.get(key):
                show = format_eur if key == "spent" else (lambda v: v)
                changes.append(
                    Change(
                        _("Utilisation des crédits"),
                        f"{row.get('label') or _('Ligne')} : {label}",
                        show(previous.get(key)) if previous.get(key) is not None else "—",
                        show(row.get(key)) if row.get(key) is not None else "—",
                    )
                )
    return changes
