"""A region's reference data, kept by its ARS: the agency's settings, the health
territories (one by one or from a spreadsheet) and the coordination cell (CAR'sp)."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from campaign.domain.regions import save_cell, update_region
from campaign.domain.territories import save_territory
from campaign.models import CoordinationCell
from common.errors import InvalidInput, NotFound
from common.views import DomainFormMixin
from setup.domain.territories_import import apply_territories, read_territories
from setup.forms import CellForm, RegionForm, TerritoriesImportForm, TerritoryForm
from setup.queries import setup_regions
from setup.views.mixins import breadcrumb

CONTACT_KEYS = ("name", "role", "email", "phone")


def contacts_text(contacts):
    return "\n".join(" ; ".join(c.get(key, "") for key in CONTACT_KEYS) for c in contacts or [])


def parse_contacts(text):
    contacts = []
    for line in (text or "").splitlines():
        parts = [part.strip() for part in line.split(";")]
        if any(parts):
            contacts.append(dict(zip(CONTACT_KEYS, parts + [""] * 4, strict=False)))
    return contacts


class RegionView(LoginRequiredMixin, DomainFormMixin, View):
    """/gestion/regions/<code>/: settings, territories, CAR'sp of a region the user sets up
    (another region: 404)."""

    conflicts_on_form = True

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.region = setup_regions(request.user).filter(code=kwargs["code"]).first()
            if self.region is None:
                raise NotFound(_("Région introuvable."))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, code):
        return self.render()

    def post(self, request, code):
        action = request.POST.get("action")
        forms = {}
        if action == "settings":
            form = self.domain_form = forms["region_form"] = RegionForm(request.POST)
            self.forms = forms
            if not form.is_valid():
                return self.form_invalid(form)
            update_region(self.region, request.user, **form.cleaned_data)
            messages.success(request, _("Les informations de la région sont enregistrées."))
        elif action == "territory":
            form = self.domain_form = forms["territory_form"] = TerritoryForm(request.POST)
            self.forms = forms
            if not form.is_valid():
                return self.form_invalid(form)
            territory, status = save_territory(self.region, request.user, **form.cleaned_data)
            messages.success(
                request,
                {
                    "created": _("Territoire %(code)s ajouté."),
                    "updated": _("Territoire %(code)s mis à jour."),
                    "unchanged": _("Territoire %(code)s inchangé."),
                }[status]
                % {"code": territory.code},
            )
        elif action == "cell":
            form = self.domain_form = forms["cell_form"] = CellForm(request.POST)
            self.forms = forms
            if not form.is_valid():
                return self.form_invalid(form)
            data = dict(form.cleaned_data)
            data["contacts"] = parse_contacts(request.POST.get("contacts", ""))
            save_cell(self.region, request.user, **data)
            messages.success(request, _("La fiche de la cellule régionale est enregistrée."))
        elif action == "import":
            form = forms["import_form"] = TerritoriesImportForm(request.POST, request.FILES)
            self.forms = forms
            if not form.is_valid():
                return self.form_invalid(form)
            try:
                with transaction.atomic():
                    counts = apply_territories(
                        self.region, request.user, read_territories(form.cleaned_data["file"])
                    )
            except InvalidInput as exc:
                form.add_error(None, exc.message)
                for problem in exc.errors.get("file", []):
                    form.add_error(None, problem)
                return self.form_invalid(form)
            messages.success(
                request,
                _("Territoires importés : %(created)d ajouté(s), %(updated)d mis à jour.") % counts,
            )
        return redirect("setup:region", code=self.region.code)

    def form_invalid(self, form, status=400):
        return self.render(status=status, **self.forms)

    def render(self, status=200, **forms):
        region = self.region
        cell = CoordinationCell.objects.filter(region=region).first()
        context = {
            "title": _("Région %(name)s") % {"name": region.name},
            "region": region,
            "cell": cell,
            "territories": region.territories.order_by("code"),
            "region_form": forms.get("region_form")
            or RegionForm(
                initial={
                    "agency_name": region.agency_name,
                    "appeal_court": region.appeal_court,
                    "notification_emails": ", ".join(region.notification_emails or []),
                }
            ),
            "territory_form": forms.get("territory_form") or TerritoryForm(),
            "cell_form": forms.get("cell_form")
            or CellForm(
                initial={
                    "acronym": cell.acronym,
                    "name": cell.name,
                    "carrier": cell.carrier,
                    "founded": cell.founded,
                    "description": cell.description,
                    "emails": ", ".join(cell.emails),
                    "phone": cell.phone,
                    "website": cell.website,
                }
                if cell
                else None
            ),
            "contacts": self.request.POST.get("contacts")
            if "cell_form" in forms
            else contacts_text(cell.contacts if cell else []),
            "import_form": forms.get("import_form") or TerritoriesImportForm(),
            **breadcrumb(),
        }
        return render(self.request, "setup/region.html", context, status=status)
