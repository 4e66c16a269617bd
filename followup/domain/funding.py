"""The use of funds: for each funding line granted to the filière, the amount spent in
the year (never above the amount granted) and the ETP actually filled (api.md
"Follow-up"). Unused funds — granted minus spent — are what the ARS may recover."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import DecimalField, F, Q, Sum, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils.translation import gettext as _

from common.errors import InvalidInput
from common.money import format_eur, money_str, parse_amount
from common.text import clean_text
from dossiers.domain.completeness import Problem
from dossiers.enums import DossierState, LineNature
from dossiers.models import FundingLine
from followup.domain.content import _Cleaner
from followup.models import FundingUse

ZERO = Decimal("0.00")
COMMENT_MAX = 2000


def granted_lines(filiere):
    """The funding lines granted to the filière: every line with a granted amount of its
    decided dossiers, in the order of the dossiers and their priorities."""
    return (
        FundingLine.objects.filter(
            project__dossier__filiere=filiere,
            project__dossier__state=DossierState.DECIDED,
            granted__gt=0,
        )
        .select_related("project", "project__dossier")
        .order_by("project__dossier__decided_at", "project__priority", "project_id", "id")
    )


def ensure_uses(report):
    """One FundingUse per line granted to the filière (lines granted since are added)."""
    if report.filiere_id is None:
        return
    known = set(report.funding.values_list("line_id", flat=True))
    FundingUse.objects.bulk_create(
        [
            FundingUse(report=report, line=line)
            for line in granted_lines(report.filiere)
            if line.pk not in known
        ]
    )


def uses_of(report):
    return report.funding.select_related("line", "line__project").order_by(
        "line__project__priority", "line__project_id", "line_id"
    )


def use_document(use):
    line = use.line
    return {
        "line": line.pk,
        "project_title": line.project.title,
        "label": line.label,
        "nature": line.nature,
        "granted": money_str(line.granted),
        "spent": money_str(use.spent),
        "etp": str(line.etp) if line.etp is not None else None,
        "etp_filled": str(use.etp_filled) if use.etp_filled is not None else None,
        "comment": use.comment,
    }


def clean_funding(report, rows, *, french=False, prefix="funding"):
    """{line id: (spent, etp_filled, comment)} of the rows sent; InvalidInput with every
    problem. Rows name their line; read-only fields are ignored."""
    if not isinstance(rows, list):
        raise InvalidInput(
            _("Certaines informations sont invalides."), {prefix: [_("Liste attendue.")]}
        )
    uses = {use.line_id: use for use in uses_of(report)}
    c = _Cleaner()
    cleaned = {}
    for index, row in enumerate(rows[: len(uses) + 1]):
        path = f"{prefix}.{index}"
        if not isinstance(row, dict):
            c.add(path, _("Objet attendu."))
            continue
        line_id = row.get("line")
        if (
            isinstance(line_id, str)
            and line_id.isascii()
            and line_id.isdigit()
            and len(line_id) < 12
        ):
            line_id = int(line_id)
        if isinstance(line_id, bool) or line_id not in uses:
            c.add(f"{path}.line", _("Cette ligne n'est pas accordée à la filière."))
            continue
        use = uses[line_id]
        spent = None
        if row.get("spent") not in (None, ""):
            try:
                spent = parse_amount(row["spent"], french=french)
            except ValidationError as exc:
                for message in exc.messages:
                    c.add(f"{path}.spent", message)
            else:
                if use.line.granted is not None and spent > use.line.granted:
                    c.add(
                        f"{path}.spent",
                        _(
                            "Ligne « %(line)s » : le montant dépensé (%(spent)s) dépasse le "
                            "montant accordé (%(granted)s)."
                        )
                        % {
                            "line": use.line.label or _("sans libellé"),
                            "spent": format_eur(spent),
                            "granted": format_eur(use.line.granted),
                        },
                    )
        etp = c.etp(row.get("etp_filled"), f"{path}.etp_filled")
        comment = row.get("comment")
        if comment is not None and not isinstance(comment, str):
            c.add(f"{path}.comment", _("Texte attendu."))
            comment = ""
        comment = clean_text(comment or "").strip()
        if len(comment) > COMMENT_MAX:
            c.add(f"{path}.comment", _("Ce texte dépasse %(n)d caractères.") % {"n": COMMENT_MAX})
        cleaned[line_id] = (spent, Decimal(etp) if etp is not None else None, comment)
    if len(rows) > len(uses) + 1:
        c.add(prefix, _("Au plus une entrée par ligne accordée."))
    c.raise_if_any()
    return cleaned


def save_funding(report, cleaned):
    uses = {use.line_id: use for use in report.funding.all()}
    changed = []
    for line_id, (spent, etp, comment) in cleaned.items():
        use = uses[line_id]
        use.spent, use.etp_filled, use.comment = spent, etp, comment
        changed.append(use)
    FundingUse.objects.bulk_update(changed, ["spent", "etp_filled", "comment"])


def funding_problems(report):
    found = []
    for use in uses_of(report):
        if use.spent is None:
            found.append(
                Problem(
                    f"funding.{use.line_id}.spent",
                    _(
                        "Utilisation des crédits : indiquez le montant dépensé de la ligne « %(line)s »."
                    )
                    % {"line": use.line.label or _("sans libellé")},
                    "funding",
                )
            )
    return found


def _sum(expression, condition=None):
    return Coalesce(
        Sum(expression, filter=condition),
        Value(ZERO),
        output_field=DecimalField(max_digits=16, decimal_places=2),
    )


def total_expressions():
    """The sums of FundingUse rows: granted (recurring, one-off), spent, and unused —
    granted minus spent, line by line, for the lines whose spending is given."""
    return {
        "granted_recurring": _sum("line__granted", Q(line__nature=LineNature.RECURRING)),
        "granted_one_off": _sum("line__granted", Q(line__nature=LineNature.ONE_OFF)),
        "spent": _sum("spent"),
        "unused": _sum(
            Greatest(F("line__granted") - F("spent"), Value(ZERO)),
            Q(spent__isnull=False),
        ),
    }


def funding_totals(queryset):
    """{granted_recurring, granted_one_off, spent, unused} of these FundingUse rows,
    summed by the database."""
    # Aliased: an aggregate may not bear the name of a field it sums.
    sums = queryset.aggregate(**{f"{k}_sum": v for k, v in total_expressions().items()})
    return {key.removesuffix("_sum"): value for key, value in sums.items()}
