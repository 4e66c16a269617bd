"""The ARS's pages of a follow-up campaign: the consolidation (who remitted, who is
late, the totals of the remitted reports and their change since last year, unused
funds, the main indicators over the years as an SVG chart with its table), the export,
the CAR'sp survey; and the list of the reports a person may see."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from accounts.rules import is_ars, is_internal_staff
from campaign.enums import CampaignKind
from campaign.queries import get_visible_campaign, visible_campaigns
from common.errors import NotFound
from common.once import once_redirect
from common.views import file_download
from followup.domain import exports
from followup.domain.access import visible_reports
from followup.domain.consolidation import HEADLINE, consolidate, partnerships_total, yearly_series
from followup.domain.opening import create_survey
from followup.enums import ReportKind
from followup.models import Report

CHART_SERIES = [
    ("governance_meetings", gettext_lazy("Réunions de gouvernance"), "#000091"),
    ("partnerships", gettext_lazy("Partenariats formalisés"), "#8585f6"),
    ("offer.lisp_beds", gettext_lazy("Lits LISP"), "#18753c"),
    ("offer.usp_beds", gettext_lazy("Lits USP"), "#b34000"),
]


# The per-filière table of changes (the export has every indicator).
CHANGE_COLUMNS = (
    "governance_meetings",
    "offer.lisp_beds",
    "offer.usp_beds",
    "offer.emsp_count",
    "vacancies.medical_etp",
    "vacancies.paramedical_etp",
)


def staff_campaign(user, slug):
    """The follow-up campaign, for its region's staff (404 for anyone else)."""
    try:
        campaign = get_visible_campaign(user, slug)
    except NotFound:
        raise Http404(_("Campagne introuvable.")) from None
    if campaign.kind != CampaignKind.FOLLOWUP or not is_internal_staff.test(user, campaign):
        raise Http404(_("Campagne de suivi introuvable."))
    return campaign


def chart(series):
    """Grouped bars per year (inline SVG, no script): numbers only."""
    width, height, top, legend = 640, 260, 16, 24
    baseline = height - legend
    values = []
    for _year, totals in series:
        row = []
        for key, _label, _colour in CHART_SERIES:
            value = partnerships_total(totals) if key == "partnerships" else totals.get(key) or 0
            row.append(int(value))
        values.append(row)
    peak = max([v for row in values for v in row] + [1])
    group = width / max(len(series), 1)
    bar = min(28, (group - 16) / len(CHART_SERIES))
    bars, years = [], []
    for index, ((year, _totals), row) in enumerate(zip(series, values, strict=True)):
        start = index * group + (group - bar * len(CHART_SERIES)) / 2
        for position, ((_key, label, colour), value) in enumerate(
            zip(CHART_SERIES, row, strict=True)
        ):
            h = (baseline - top) * value / peak
            bars.append(
                {
                    "x": round(start + position * bar, 1),
                    "y": round(baseline - h, 1),
                    "width": round(bar - 2, 1),
                    "height": round(h, 1),
                    "colour": colour,
                    "label": f"{year} — {label} : {value}",
                }
            )
        years.append({"x": round(index * group + group / 2, 1), "year": year})
    return {
        "width": width,
        "height": height,
        "baseline": baseline,
        "legend_y": height - 6,
        "bars": bars,
        "years": years,
        "series": [{"label": label, "colour": colour} for _k, label, colour in CHART_SERIES],
        "table": [
            {"year": year, "values": row}
            for (year, _totals), row in zip(series, values, strict=True)
        ],
    }


class HomeView(LoginRequiredMixin, View):
    """The reports this person may see, and for the staff the follow-up campaigns of
    their regions."""

    def get(self, request):
        user = request.user
        reports = visible_reports(
            user, Report.objects.select_related("campaign", "filiere", "region")
        ).order_by("-campaign__year", "kind", "filiere__name")
        campaigns = []
        if user.is_internal_staff:
            campaigns = [
                c
                for c in visible_campaigns(user)
                .filter(kind=CampaignKind.FOLLOWUP)
                .exclude(state="draft")
                .order_by("-year")
                if is_internal_staff.test(user, c)
            ]
        now = timezone.now()
        rows = [{"report": r, "late": r.is_late(now)} for r in reports[:500]]
        return render(
            request,
            "followup/home.html",
            {"title": _("Suivi annuel"), "rows": rows, "campaigns": campaigns},
        )


class CampaignView(LoginRequiredMixin, View):
    def get(self, request, slug):
        campaign = staff_campaign(request.user, slug)
        result = consolidate(campaign)
        headline = []
        for field in HEADLINE:
            now_total = result.totals.get(field.key)
            before = (result.previous_totals or {}).get(field.key)
            headline.append(
                {
                    "label": field.label,
                    "kind": field.kind,
                    "value": now_total,
                    "before": before,
                    "change": None if before is None else now_total - before,
                }
            )
        changes_columns = [f for f in HEADLINE if f.key in CHANGE_COLUMNS]
        changes = [
            {
                "row": row,
                "cells": [
                    {"value": row.values.get(f.key), "change": row.changes.get(f.key)}
                    for f in changes_columns
                ],
            }
            for row in result.rows
        ]
        survey = Report.objects.filter(campaign=campaign, kind=ReportKind.CARSP).first()
        return render(
            request,
            "followup/campaign.html",
            {
                "title": campaign.name,
                "campaign": campaign,
                "result": result,
                "headline": headline,
                "partnerships": partnerships_total(result.totals),
                "chart": chart(yearly_series(campaign)),
                "survey": survey,
                "changes_columns": changes_columns,
                "changes": changes,
                "can_start_survey": survey is None and is_ars.test(request.user, campaign),
            },
        )


class ExportView(LoginRequiredMixin, View):
    def get(self, request, slug, fmt):
        campaign = staff_campaign(request.user, slug)
        if fmt not in exports.EXPORT_FORMATS:
            raise Http404(_("Format d'export inconnu."))
        filename, content_type, data = exports.export_followup(campaign, fmt)
        return file_download(data, filename, content_type)


class StartSurveyView(LoginRequiredMixin, View):
    """The ARS opens the region's CAR'sp survey in this follow-up campaign."""

    def post(self, request, slug):
        campaign = staff_campaign(request.user, slug)
        if not is_ars.test(request.user, campaign):
            raise PermissionDenied(_("Seule l'ARS ouvre l'enquête CAR'sp."))

        def open_survey():
            survey = create_survey(campaign)
            messages.success(request, _("L'enquête d'activité de la CAR'sp est ouverte."))
            return reverse("followup:report", args=[survey.pk])

        return once_redirect(request, open_survey, _("L'enquête était déjà ouverte : la voici."))
