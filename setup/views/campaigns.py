"""The set-up of a call by its region's ARS: list, creation, settings, territories, grid,
publication, closing and results (docs/decisions/0040)."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from budget.domain.envelopes import set_envelope
from budget.enums import KINDS
from campaign.domain.setup import create_campaign, record, set_territories, update_campaign
from campaign.enums import CampaignAction, CampaignState
from common.errors import Forbidden
from common.once import once_redirect
from common.views import DomainFormMixin
from scoring.domain.grid import copy_grid, get_grid, grid_criteria, is_locked
from setup.domain import lifecycle
from setup.forms import (
    CampaignSettingsForm,
    CopyGridForm,
    CreateCampaignForm,
    FollowupCampaignForm,
    TerritoriesForm,
)
from setup.queries import (
    envelopes_of,
    filieres_of,
    history_of,
    results_of,
    setup_campaigns,
    setup_regions,
)
from setup.views.mixins import SetUpCampaignMixin, breadcrumb


def _refuse_without_regions(user):
    if not setup_regions(user).exists():
        raise Forbidden(_("Seuls les administrateurs d'une région paramètrent ses campagnes."))


class CampaignListView(LoginRequiredMixin, View):
    def get(self, request):
        _refuse_without_regions(request.user)
        return render(
            request,
            "setup/campaigns.html",
            {
                "title": _("Paramétrage des appels"),
                "campaigns": setup_campaigns(request.user),
                "regions": setup_regions(request.user).select_related("coordination_cell"),
            },
        )


def _save_envelopes(campaign, user, data, reason):
    for kind in KINDS:
        amount = data.get(kind)
        if amount is None:
            continue
        set_envelope(campaign, user, kind, amount, reason=reason)


class CampaignCreateView(LoginRequiredMixin, DomainFormMixin, View):
    def get(self, request):
        _refuse_without_regions(request.user)
        regions = setup_regions(request.user).order_by("name")
        initial = {}
        region = regions.filter(code=request.GET.get("region", "")).first()
        if region is not None:
            initial = {"region": region, "appeal_court": region.appeal_court}
        elif regions.count() == 1:
            initial = {"appeal_court": regions.first().appeal_court}
        return self.render(CreateCampaignForm(regions=regions, initial=initial))

    def post(self, request):
        _refuse_without_regions(request.user)
        form = self.domain_form = CreateCampaignForm(
            request.POST, regions=setup_regions(request.user).order_by("name")
        )
        if not form.is_valid():
            return self.form_invalid(form)
        data = form.cleaned_data

        def create():
            with transaction.atomic():
                campaign = create_campaign(
                    request.user, data["region"], slug=data.get("slug") or None, **form.settings()
                )
                _save_envelopes(campaign, request.user, data, "")
            messages.success(
                request,
                _(
                    "L'appel « %(name)s » est créé, en préparation : choisissez ses "
                    "territoires, puis ses filières."
                )
                % {"name": campaign.name},
            )
            return reverse("setup:territories", args=[campaign.slug])

        return once_redirect(request, create, _("Cet appel était déjà créé : le voici."), form=form)

    def form_invalid(self, form, status=400):
        return self.render(form, status=status)

    def render(self, form, status=200):
        return render(
            self.request,
            "setup/campaign_form.html",
            {
                "title": _("Nouvel appel à candidatures"),
                "form": form,
                "creating": True,
                **breadcrumb(),
            },
            status=status,
        )


class FollowupCreateView(LoginRequiredMixin, DomainFormMixin, View):
    """A yearly follow-up campaign of a region: published, it opens one report per
    recognised filière (followup.domain.opening)."""

    def get(self, request):
        _refuse_without_regions(request.user)
        regions = setup_regions(request.user).order_by("name")
        initial = {}
        region = regions.filter(code=request.GET.get("region", "")).first()
        if region is not None:
            initial["region"] = region
        return self.render(FollowupCampaignForm(regions=regions, initial=initial))

    def post(self, request):
        _refuse_without_regions(request.user)
        form = self.domain_form = FollowupCampaignForm(
            request.POST, regions=setup_regions(request.user).order_by("name")
        )
        if not form.is_valid():
            return self.form_invalid(form)
        data = form.cleaned_data

        def create():
            campaign = create_campaign(
                request.user, data["region"], slug=data.get("slug") or None, **form.settings()
            )
            messages.success(
                request,
                _(
                    "La campagne de suivi « %(name)s » est créée, en préparation : publiez-la "
                    "pour ouvrir le rapport de chaque filière reconnue."
                )
                % {"name": campaign.name},
            )
            return reverse("setup:campaign", args=[campaign.slug])

        return once_redirect(
            request, create, _("Cette campagne de suivi était déjà créée : la voici."), form=form
        )

    def form_invalid(self, form, status=400):
        return self.render(form, status=status)

    def render(self, form, status=200):
        return render(
            self.request,
            "setup/followup_form.html",
            {"title": _("Nouvelle campagne de suivi annuel"), "form": form, **breadcrumb()},
            status=status,
        )


class CampaignView(SetUpCampaignMixin, View):
    """The campaign's set-up at a glance: each step, what publishing still needs, its
    envelopes and amendments, its history."""

    def get(self, request, slug):
        campaign = self.campaign
        grid = get_grid(campaign)
        filieres = list(filieres_of(campaign))
        context = {
            "title": campaign.name,
            "campaign": campaign,
            "envelopes": envelopes_of(campaign),
            "territories": campaign.territories.order_by("code"),
            "documents": campaign.documents.all(),
            "filieres": filieres,
            "lead_count": sum(len(f.nominations) for f in filieres),
            "grid": grid,
            "criteria": grid_criteria(grid),
            "grid_locked": is_locked(grid),
            "copy_form": CopyGridForm(campaign=campaign),
            "history": history_of(campaign),
            "problems": lifecycle.publication_problems(campaign)
            if campaign.state == CampaignState.DRAFT
            else [],
            "warnings": lifecycle.publication_warnings(campaign)
            if campaign.state == CampaignState.DRAFT
            else [],
            **breadcrumb(),
        }
        if campaign.is_followup:
            return render(request, "setup/followup_campaign.html", context)
        return render(request, "setup/campaign.html", context)


class CampaignEditView(SetUpCampaignMixin, DomainFormMixin, View):
    def get(self, request, slug):
        return self.render(
            CampaignSettingsForm(
                campaign=self.campaign,
                envelopes={k: e.amount for k, e in envelopes_of(self.campaign).items()},
            )
        )

    def post(self, request, slug):
        form = self.domain_form = CampaignSettingsForm(request.POST, campaign=self.campaign)
        if not form.is_valid():
            return self.form_invalid(form)
        reason = form.cleaned_data.get("reason", "")
        with transaction.atomic():
            update_campaign(self.campaign, request.user, form.settings(), reason=reason)
            _save_envelopes(self.campaign, request.user, form.cleaned_data, reason)
        messages.success(request, _("Les paramètres de l'appel sont enregistrés."))
        return redirect("setup:campaign", slug=self.campaign.slug)

    def form_invalid(self, form, status=400):
        return self.render(form, status=status)

    def render(self, form, status=200):
        return render(
            self.request,
            "setup/campaign_form.html",
            {
                "title": _("Paramètres de l'appel"),
                "campaign": self.campaign,
                "form": form,
                **breadcrumb(self.campaign),
            },
            status=status,
        )


class TerritoriesView(SetUpCampaignMixin, DomainFormMixin, View):
    conflicts_on_form = True

    def get(self, request, slug):
        return self.render(TerritoriesForm(campaign=self.campaign))

    def post(self, request, slug):
        form = self.domain_form = TerritoriesForm(request.POST, campaign=self.campaign)
        if not form.is_valid():
            return self.form_invalid(form)
        set_territories(
            self.campaign,
            request.user,
            list(form.cleaned_data["territories"]),
            reason=form.cleaned_data.get("reason", ""),
        )
        messages.success(request, _("Les territoires de l'appel sont enregistrés."))
        if self.campaign.is_draft and not self.campaign.filieres.exists():
            return redirect("setup:filieres", slug=self.campaign.slug)
        return redirect("setup:campaign", slug=self.campaign.slug)

    def form_invalid(self, form, status=400):
        return self.render(form, status=status)

    def render(self, form, status=200):
        return render(
            self.request,
            "setup/territories.html",
            {
                "title": _("Territoires de l'appel"),
                "campaign": self.campaign,
                "form": form,
                "region": self.campaign.region,
                **breadcrumb(self.campaign),
            },
            status=status,
        )


class CopyGridView(SetUpCampaignMixin, DomainFormMixin, View):
    http_method_names = ["post"]

    def post(self, request, slug):
        form = CopyGridForm(request.POST, campaign=self.campaign)
        if not form.is_valid():
            messages.error(request, _("Choisissez la campagne dont reprendre la grille."))
            return redirect("setup:campaign", slug=self.campaign.slug)
        source = form.cleaned_data["source"]
        copy_grid(self.campaign, request.user, source)
        record(self.campaign, CampaignAction.GRID, request.user, {"copied_from": source.slug})
        messages.success(
            request,
            _("La grille de « %(source)s » est reprise : vous pouvez l'ajuster.")
            % {"source": source.name},
        )
        return redirect("scoring:grid", slug=self.campaign.slug)


class LifecycleView(SetUpCampaignMixin, View):
    """A confirmation page, then the action (publish, close, results)."""

    action = None
    template_name = "setup/confirm.html"

    def context(self):
        campaign = self.campaign
        if self.action == "publish" and campaign.is_followup:
            return {
                "title": _("Publier la campagne de suivi"),
                "button": _("Publier la campagne de suivi"),
                "problems": lifecycle.publication_problems(campaign),
                "warnings": [],
                "explanation": _(
                    "À la publication, un rapport annuel prérempli est ouvert pour chaque filière "
                    "reconnue de la région ; ses porteurs le voient dès l'ouverture et peuvent le "
                    "remettre jusqu'à la date limite (ou leur prolongation)."
                ),
                "possible": campaign.state == CampaignState.DRAFT,
            }
        if self.action == "publish":
            return {
                "title": _("Publier l'appel"),
                "button": _("Publier l'appel"),
                "problems": lifecycle.publication_problems(campaign),
                "warnings": lifecycle.publication_warnings(campaign),
                "explanation": _(
                    "Une fois publié, l'appel figure sur sa page publique, les porteurs désignés "
                    "reçoivent leur invitation et les filières peuvent déposer à partir de "
                    "l'ouverture. Ensuite, le calendrier et les enveloppes ne changent plus "
                    "qu'avec un motif, conservé dans l'historique."
                ),
                "possible": campaign.state == CampaignState.DRAFT,
            }
        if self.action == "close":
            return {
                "title": _("Clore l'appel"),
                "button": _("Clore les candidatures"),
                "problems": [],
                "warnings": [],
                "latest": lifecycle.latest_deadline(campaign),
                "explanation": _(
                    "Les candidatures sont closes : plus de nouveau dossier, de premier dépôt ni "
                    "de prolongation. L'instruction, les compléments et les décisions continuent."
                ),
                "possible": campaign.state == CampaignState.PUBLISHED,
            }
        return {}

    def get(self, request, slug):
        return self.render()

    def post(self, request, slug):
        if self.action == "publish":
            lifecycle.publish(self.campaign, request.user)
            messages.success(
                request,
                _("La campagne de suivi est publiée : les rapports sont ouverts.")
                if self.campaign.is_followup
                else _("L'appel est publié."),
            )
        elif self.action == "close":
            lifecycle.close(self.campaign, request.user)
            messages.success(request, _("Les candidatures sont closes."))
        return redirect("setup:campaign", slug=self.campaign.slug)

    def render(self, status=200):
        return render(
            self.request,
            self.template_name,
            {"campaign": self.campaign, **self.context(), **breadcrumb(self.campaign)},
            status=status,
        )


class ResultsView(SetUpCampaignMixin, View):
    """The results the public page will show, and their publication."""

    def get(self, request, slug):
        return render(
            request,
            "setup/results.html",
            {
                "title": _("Résultats de l'appel"),
                "campaign": self.campaign,
                "results": results_of(self.campaign),
                **breadcrumb(self.campaign),
            },
        )

    def post(self, request, slug):
        if request.POST.get("action") == "withdraw":
            lifecycle.withdraw_results(self.campaign, request.user)
            messages.success(request, _("Les résultats ne sont plus publiés."))
        else:
            lifecycle.publish_results(self.campaign, request.user)
            messages.success(request, _("Les résultats sont publiés sur la page de l'appel."))
        return redirect("setup:results", slug=self.campaign.slug)
