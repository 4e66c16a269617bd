"""The campaign's scoring grid: read by the staff, edited by the administrator until
the first review of the campaign is submitted."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from common.views import DomainFormMixin
from scoring.domain.grid import get_grid, grid_criteria, is_locked, update_grid
from scoring.forms import CriterionFormSet, GridScaleForm
from scoring.rules import can_edit_grid
from scoring.views.mixins import StaffCampaignMixin


def _criterion_initial(criteria):
    return [
        {
            "id": c.id,
            "position": c.position,
            "code": c.code,
            "label": c.label,
            "group": c.group,
            "weight": c.weight,
            "description": c.description,
        }
        for c in criteria
    ]


def _kept_forms(formset):
    """The criteria forms to save, in the order of their position."""
    kept = [
        (index, form)
        for index, form in enumerate(formset.forms)
        if form.cleaned_data
        and not form.cleaned_data.get("DELETE")
        and (form.has_changed() or form.cleaned_data.get("id"))
    ]
    kept.sort(
        key=lambda item: (
            item[1].cleaned_data.get("position") is None,
            item[1].cleaned_data.get("position") or 0,
            item[0],
        )
    )
    return [form for _index, form in kept]


class GridView(StaffCampaignMixin, DomainFormMixin, View):
    permission_required = "scoring.view_grid"
    conflicts_on_form = True

    def get(self, request, slug):
        scale_form = formset = None
        if self.editable():
            grid = self.grid()
            scale_form = GridScaleForm(
                initial={"scale_min": grid.scale_min, "scale_max": grid.scale_max}
            )
            formset = CriterionFormSet(
                initial=_criterion_initial(grid_criteria(grid)), prefix="criteres"
            )
        return self.render_page(scale_form, formset)

    def post(self, request, slug):
        if not can_edit_grid.test(request.user, self.campaign):
            raise PermissionDenied
        scale_form = GridScaleForm(request.POST)
        self.formset = formset = CriterionFormSet(request.POST, prefix="criteres")
        if is_locked(self.grid()):
            messages.error(
                request,
                _(
                    "La grille est verrouillée : une évaluation a déjà été soumise pour cette "
                    "campagne."
                ),
            )
            return redirect("scoring:grid", slug=self.campaign.slug)
        if not (scale_form.is_valid() and formset.is_valid()):
            return self.form_invalid(scale_form)
        self.kept = _kept_forms(formset)
        self.domain_form = scale_form
        update_grid(
            self.campaign,
            request.user,
            scale_min=scale_form.cleaned_data["scale_min"],
            scale_max=scale_form.cleaned_data["scale_max"],
            criteria=[
                {
                    key: form.cleaned_data.get(key)
                    for key in ("id", "code", "label", "group", "weight", "description")
                }
                for form in self.kept
            ],
        )
        messages.success(request, _("La grille d'évaluation est enregistrée."))
        return redirect("scoring:grid", slug=self.campaign.slug)

    def apply_domain_errors(self, scale_form, exc):
        """scale_min/scale_max on the scale form, criteria.N.field on the N-th kept row."""
        scale_form.add_error(None, exc.message)
        for path, errors in exc.errors.items():
            parts = path.split(".")
            if parts[0] in ("scale_min", "scale_max"):
                target, field = scale_form, parts[0]
            elif parts[0] == "criteria" and len(parts) > 2 and parts[1].isdigit():
                target = self.kept[int(parts[1])]
                field = parts[2] if parts[2] in target.fields else None
            else:
                target, field = scale_form, None
            for message in errors:
                target.add_error(field, message)

    def form_invalid(self, scale_form, status=400):
        return self.render_page(scale_form, self.formset, status=status)

    def grid(self):
        if not hasattr(self, "_grid"):
            self._grid = get_grid(self.campaign)
        return self._grid

    def editable(self):
        return can_edit_grid.test(self.request.user, self.campaign) and not is_locked(self.grid())

    def render_page(self, scale_form, formset, status=200):
        grid = self.grid()
        criteria = grid_criteria(grid)
        return render(
            self.request,
            "scoring/grid.html",
            {
                "title": _("Grille d'évaluation — %(campaign)s") % {"campaign": self.campaign.name},
                "campaign": self.campaign,
                "grid": grid,
                "criteria": criteria,
                "total_weight": sum((c.weight for c in criteria), start=0),
                "locked": is_locked(grid),
                "editable": self.editable(),
                "can_edit": can_edit_grid.test(self.request.user, self.campaign),
                "scale_form": scale_form,
                "formset": formset,
            },
            status=status,
        )
