"""A campaign's filières and their leads, set up by the ARS: one by one, or imported from a
spreadsheet with a preview (setup.domain.filieres_import); a filière's editors (leads and
co-editors) and the named leads' invitations."""

from django.contrib import messages
from django.core import signing
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from campaign.domain.setup import add_filiere, remove_filiere, update_filiere
from common.errors import InvalidInput, NotFound
from common.once import once_redirect
from common.views import DomainFormMixin
from setup.domain import filieres_import, leads
from setup.forms import FiliereForm, ImportForm, LeadForm
from setup.queries import filieres_of
from setup.views.mixins import SetUpCampaignMixin, breadcrumb

IMPORT_SALT = "setup.filieres-import"
# A preview is confirmed within the hour, or read again.
IMPORT_MAX_AGE = 3600


class FilieresView(SetUpCampaignMixin, DomainFormMixin, View):
    """The filières taking part, and the form to add one with its lead."""

    conflicts_on_form = True

    def get(self, request, slug):
        return self.render(FiliereForm(campaign=self.campaign))

    def post(self, request, slug):
        form = self.domain_form = FiliereForm(request.POST, campaign=self.campaign)
        if not form.is_valid():
            return self.form_invalid(form)
        data = form.cleaned_data
        if bool(data.get("lead_email")) != bool(data.get("lead_name")):
            field = "lead_name" if data.get("lead_email") else "lead_email"
            form.add_error(
                field, _("Indiquez le nom et l'adresse du porteur, ou ni l'un ni l'autre.")
            )
            return self.form_invalid(form)

        def add():
            with transaction.atomic():
                filiere, _created = add_filiere(
                    self.campaign,
                    request.user,
                    name=data["name"],
                    territories=list(data["territories"]),
                )
                if data.get("lead_email"):
                    leads.nominate_lead(
                        self.campaign,
                        filiere,
                        request.user,
                        email=data["lead_email"],
                        name=data["lead_name"],
                    )
            messages.success(request, _("Filière « %(name)s » ajoutée.") % {"name": filiere.name})
            return reverse("setup:filieres", args=[self.campaign.slug])

        return once_redirect(request, add, _("Cette filière était déjà ajoutée."), form=form)

    def form_invalid(self, form, status=400):
        return self.render(form, status=status)

    def render(self, form, status=200):
        return render(
            self.request,
            "setup/filieres.html",
            {
                "title": _("Filières et porteurs"),
                "campaign": self.campaign,
                "filieres": filieres_of(self.campaign),
                "form": form,
                **breadcrumb(self.campaign),
            },
            status=status,
        )


class FiliereMixin(SetUpCampaignMixin):
    def get_filiere(self):
        filiere = self.campaign.filieres.filter(pk=self.kwargs["pk"]).first()
        if filiere is None:
            raise NotFound(_("Filière introuvable."))
        return filiere


class FiliereView(FiliereMixin, DomainFormMixin, View):
    """One filière: its name and territories, its editors, its named leads."""

    conflicts_on_form = True

    def get(self, request, slug, pk):
        filiere = self.get_filiere()
        form = FiliereForm(
            campaign=self.campaign,
            with_lead=False,
            initial={"name": filiere.name, "territories": list(filiere.territories.all())},
        )
        return self.render(filiere, form, LeadForm())

    def post(self, request, slug, pk):
        filiere = self.get_filiere()
        action = request.POST.get("action", "save")
        if action == "lead":
            lead_form = self.domain_form = LeadForm(request.POST)
            self.page = (filiere, None, lead_form)
            if not lead_form.is_valid():
                return self.form_invalid(lead_form)

            def nominate():
                leads.nominate_lead(
                    self.campaign,
                    filiere,
                    request.user,
                    email=lead_form.cleaned_data["email"],
                    name=lead_form.cleaned_data["name"],
                )
                messages.success(request, _("Porteur désigné."))
                return reverse("setup:filiere", args=[self.campaign.slug, filiere.pk])

            return once_redirect(
                request, nominate, _("Ce porteur était déjà désigné."), form=lead_form
            )
        elif action == "resend":
            leads.resend_lead_invitation(
                self.campaign, _int(request.POST.get("nomination")), request.user
            )
            messages.success(request, _("Invitation renvoyée."))
        elif action == "cancel":
            leads.cancel_nomination(
                self.campaign, _int(request.POST.get("nomination")), request.user
            )
            messages.success(request, _("Porteur retiré ; son invitation ne vaut plus."))
        elif action == "remove_editor":
            editor = leads.remove_editor(
                self.campaign, filiere, _int(request.POST.get("editor")), request.user
            )
            messages.success(
                request, _("%(name)s ne rédige plus pour cette filière.") % {"name": editor}
            )
        elif action == "remove":
            remove_filiere(self.campaign, filiere, request.user)
            messages.success(
                request,
                _("« %(name)s » ne participe plus à l'appel.") % {"name": filiere.name},
            )
            return redirect("setup:filieres", slug=self.campaign.slug)
        else:
            form = self.domain_form = FiliereForm(
                request.POST, campaign=self.campaign, with_lead=False
            )
            self.page = (filiere, form, None)
            if not form.is_valid():
                return self.form_invalid(form)
            update_filiere(
                self.campaign,
                filiere,
                request.user,
                name=form.cleaned_data["name"],
                territories=list(form.cleaned_data["territories"]),
            )
            messages.success(request, _("Filière enregistrée."))
        return redirect("setup:filiere", slug=self.campaign.slug, pk=filiere.pk)

    def form_invalid(self, form, status=400):
        filiere, filiere_form, lead_form = self.page
        if filiere_form is None:
            filiere_form = FiliereForm(
                campaign=self.campaign,
                with_lead=False,
                initial={"name": filiere.name, "territories": list(filiere.territories.all())},
            )
        return self.render(filiere, filiere_form, lead_form or LeadForm(), status=status)

    def render(self, filiere, form, lead_form, status=200):
        nominations = (
            self.campaign.lead_nominations.filter(filiere=filiere)
            .select_related("invitation")
            .order_by("created_at")
        )
        return render(
            self.request,
            "setup/filiere.html",
            {
                "title": filiere.name,
                "campaign": self.campaign,
                "filiere": filiere,
                "form": form,
                "lead_form": lead_form,
                "editors": filiere.editors.order_by("last_name", "first_name", "username"),
                "nominations": nominations,
                "has_dossier": self.campaign.dossiers.filter(filiere=filiere).exists(),
                **breadcrumb(self.campaign),
            },
            status=status,
        )


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


class ImportView(SetUpCampaignMixin, View):
    """Step 1: upload and preview (every row checked); step 2: confirm, all or nothing."""

    def get(self, request, slug):
        return self.render(ImportForm())

    def post(self, request, slug):
        if "payload" in request.POST:
            return self.confirm(request)
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render(form, status=400)
        upload = form.cleaned_data["file"]
        try:
            preview = filieres_import.read_rows(self.campaign, upload)
        except InvalidInput as exc:
            form.add_error("file", exc.message)
            return self.render(form, status=400)
        payload = signing.dumps(
            {"rows": preview.payload(), "file": upload.name[:200]}, salt=IMPORT_SALT, compress=True
        )
        return self.render(
            ImportForm(),
            preview=preview,
            problems=filieres_import.row_problems(preview),
            payload=payload if preview.ok else None,
            filename=upload.name,
            status=200 if preview.ok else 400,
        )

    def confirm(self, request):
        try:
            data = signing.loads(request.POST["payload"], salt=IMPORT_SALT, max_age=IMPORT_MAX_AGE)
        except signing.BadSignature:
            messages.error(request, _("L'aperçu a expiré : déposez le fichier à nouveau."))
            return redirect("setup:filieres_import", slug=self.campaign.slug)

        def apply():
            rows = filieres_import.apply_rows(
                self.campaign, request.user, data["rows"], filename=data.get("file", "")
            )
            messages.success(
                request,
                _("%(n)d filière(s) importée(s) avec leurs porteurs.") % {"n": len(rows)},
            )
            return reverse("setup:filieres", args=[self.campaign.slug])

        try:
            return once_redirect(request, apply, _("Ce tableau était déjà importé."))
        except InvalidInput as exc:
            return self.render(
                ImportForm(), problems=exc.errors.get("file", [exc.message]), status=400
            )

    def render(self, form, *, preview=None, problems=None, payload=None, filename="", status=200):
        return render(
            self.request,
            "setup/import.html",
            {
                "title": _("Importer des filières"),
                "campaign": self.campaign,
                "form": form,
                "preview": preview,
                "problems": problems or [],
                "payload": payload,
                "filename": filename,
                "territories": self.campaign.territories.order_by("code"),
                **breadcrumb(self.campaign),
            },
            status=status,
        )
