"""The report document: one shape for the API, the snapshots and the exports (api.md
"Follow-up")."""

from common.money import money_str
from followup.domain import content as content_domain
from followup.domain import funding as funding_domain
from followup.domain.types import report_type
from followup.enums import ReportKind


def _iso(value):
    return value.isoformat() if value else None


def check_report(report):
    """[Problem]: what prevents remitting the report, every problem at once."""
    rtype = report_type(report.kind)
    found = content_domain.problems(rtype, report.content)
    if rtype.has_funding:
        found += funding_domain.funding_problems(report)
    return found


def report_document(report, *, attachments=True):
    rtype = report_type(report.kind)
    document = {
        "id": report.pk,
        "campaign": report.campaign.slug,
        "kind": report.kind,
        "filiere": report.filiere.slug if report.filiere_id else None,
        "region": report.region.name,
        "year": report.campaign.year,
        "state": report.state,
        "version": report.version,
        "submitted_at": _iso(report.submitted_at),
        "accepted_at": _iso(report.accepted_at),
        "deadline": _iso(report.deadline()),
        "return_message": report.return_message or None,
        "return_due_date": _iso(report.return_due_date),
    }
    body = content_domain.clean_content(rtype, report.content)
    if report.kind == ReportKind.FILIERE:
        document["indicators"] = body
        uses = list(funding_domain.uses_of(report))
        document["funding"] = [funding_domain.use_document(use) for use in uses]
        totals = funding_domain.funding_totals(report.funding.all())
        document["totals"] = {key: money_str(value) for key, value in totals.items()}
    else:
        document["answers"] = body
    if attachments:
        document["attachments"] = [
            {
                "id": a.pk,
                "section": a.section,
                "name": a.name,
                "size": a.size,
                "content_type": a.content_type,
                "sha256": a.sha256,
            }
            for a in report.attachments.filter(removed_at__isnull=True).order_by(
                "section", "uploaded_at", "pk"
            )
        ]
    return document
