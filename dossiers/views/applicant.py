"""The filière lead's pages: create the dossier, write each part, check it, submit it.

Access, everywhere: an anonymous visitor is sent to the login page; a dossier
this user may not see is a 404 (dossiers.domain.access.get_visible_dossier);
editing pages answer 403 to people who may see the dossier but not edit it
(staff), and send editors to the read-only page once the dossier is no longer
editable. Every change goes through a domain function (dossiers.domain.editing,
dossiers.domain.transitions.transition, campaign.domain.invitations.invite_editor)."""

from collections import Counter

import rules
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views import View

from campaign.domain import invitations
from campaign.domain.deadline_display import deadline_passed, time_left
from campaign.queries import get_visible_campaign, open_invitations
from common.errors import Conflict
from common.once import once_redirect
from common.views import DomainFormMixin
from dossiers.domain.completeness import check_dossier
from dossiers.domain.editing import create_dossier, part_fingerprint, update_parts
from dossiers.domain.participation import participation
from dossiers.domain.receipts import recap
from dossiers.domain.transitions import available_transitions, blocked_reason, transition
from dossiers.enums import DIAGNOSTIC_ANALYSES, Section
from dossiers.forms import (
    OFFER_FIELDS,
    PART_FORMS,
    InviteForm,
    MemberFormSet,
    TransitionForm,
)
from dossiers.models import Dossier
from dossiers.rules import TRANSITION_PERMISSIONS, can_edit_dossier
from dossiers.views.attachments import attach_posted_file
from dossiers.views.mixins import DossierMixin, EditorMixin
from dossiers.workflow import DIRECT_TRANSITIONS, TRANSITIONS

# The four steps of the dossier, in the order of the stepper.
STEPS = [Section.IDENTITY, Section.DIAGNOSTIC, Section.SWOT, Section.PROJECTS]
PART_SECTIONS = [Section.IDENTITY, Section.DIAGNOSTIC, Section.SWOT]
MEMBERS_PREFIX = "members"


class PartConverter:
    """<dossier_part:section> in URLs: only the parts edited by a form."""

    regex = "identity|diagnostic|swot"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


def hub_url(dossier):
    return reverse("dossiers:edit", args=[dossier.pk])


def projects_url(dossier):
    return reverse("dossiers:projects", args=[dossier.pk])


def section_url(dossier, section):
    if section == Section.PROJECTS:
        return projects_url(dossier)
    return reverse("dossiers:section", args=[dossier.pk, section])


def dossier_title(label, dossier):
    """A page's <title>: what the page is, then which filière's dossier (several tabs)."""
    return f"{label} — {dossier.filiere.name}"


def _project_anchor(field):
    # projects.<id>.<field> or projects.<id>.lines.<line id>.<field>
    parts = field.split(".")
    if len(parts) >= 4 and parts[2] == "lines":
        return f"line-{parts[3]}"
    if len(parts) == 3 and parts[2] == "lines":
        return "lines"
    if len(parts) == 3:
        return f"id_{parts[2]}"
    return ""


def problem_link(dossier, problem):
    """Where to fix a completeness problem: the page and the anchor of its field."""
    if problem.section in PART_FORMS:
        anchor = PART_FORMS[problem.section].anchor_for(problem.field)
        if anchor is None and problem.field == "identity.members":
            anchor = MEMBERS_PREFIX
        url = section_url(dossier, problem.section)
        return f"{url}#{anchor}" if anchor else url
    if problem.project_id:
        url = reverse("dossiers:project_edit", args=[dossier.pk, problem.project_id])
        anchor = _project_anchor(problem.field)
        return f"{url}#{anchor}" if anchor else url
    return projects_url(dossier)


def grouped_problems(dossier, problems):
    """[{section, label, url, problems: [{message, url}]}] for the sections with problems."""
    groups = []
    for section in STEPS:
        items = [
            {"message": p.message, "url": problem_link(dossier, p)}
            for p in problems
            if p.section == section
        ]
        if items:
            groups.append(
                {
                    "section": section.value,
                    "label": section.label,
                    "url": section_url(dossier, section),
                    "problems": items,
                }
            )
    return groups


def deadline_context(dossier):
    deadline = dossier.campaign.deadline_for(dossier.filiere)
    return {
        "deadline": deadline,
        "deadline_passed": deadline_passed(deadline),
        "time_left": time_left(deadline),
    }


class CreateDossierView(LoginRequiredMixin, View):
    """POST: create the filière's draft, then go and write it."""

    http_method_names = ["post"]

    def post(self, request, slug, filiere_pk):
        campaign = get_visible_campaign(request.user, slug)
        filiere = campaign.filieres.filter(pk=filiere_pk, pk__in=request.user.filiere_ids).first()
        if filiere is None:
            raise Http404(_("Filière introuvable."))
        existing = Dossier.objects.filter(campaign=campaign, filiere=filiere).first()
        if existing is not None:
            messages.info(request, _("Cette filière a déjà un dossier pour cette campagne."))
            if existing.is_editable:
                return redirect("dossiers:edit", pk=existing.pk)
            return redirect("dossiers:detail", pk=existing.pk)

        def create():
            dossier = create_dossier(request.user, campaign, filiere)
            messages.success(
                request, _("Le dossier est créé : vous pouvez commencer sa rédaction.")
            )
            return reverse("dossiers:edit", args=[dossier.pk])

        return once_redirect(request, create, _("Ce dossier était déjà créé : le voici."))


class HubView(EditorMixin, View):
    """The dossier's overview while it is written: state of each part, actions, editors."""

    def get(self, request, pk):
        dossier, user = self.dossier, request.user
        problems = check_dossier(dossier)
        counts = Counter(p.section for p in problems)
        steps = []
        for number, section in enumerate(STEPS, start=1):
            url = section_url(dossier, section)
            steps.append(
                {
                    "number": number,
                    "section": section.value,
                    "label": section.label,
                    "url": url,
                    "problems": counts.get(section, 0),
                }
            )
        actions = [
            {
                "name": name,
                "label": label,
                "url": reverse("dossiers:transition", args=[dossier.pk, name]),
            }
            for name, label in available_transitions(dossier, user)
        ]
        editors = dossier.filiere.editors.order_by("last_name", "first_name", "username")
        return render(
            request,
            "dossiers/edit.html",
            {
                "title": dossier_title(_("Rédaction du dossier"), dossier),
                "dossier": dossier,
                "steps": steps,
                "problem_count": len(problems),
                "actions": actions,
                "primary_action": next(
                    (a for a in actions if a["name"] in {"submit", "resubmit"}), None
                ),
                "other_actions": [a for a in actions if a["name"] not in {"submit", "resubmit"}],
                "editors": editors,
                "can_invite": rules.has_perm("campaign.invite_editor", user, dossier.filiere),
                "check_url": reverse("dossiers:check", args=[dossier.pk]),
                "invite_url": reverse("dossiers:invite", args=[dossier.pk]),
                "completion_overdue": dossier.completion_overdue(),
                **deadline_context(dossier),
            },
        )


class SectionView(EditorMixin, DomainFormMixin, View):
    conflicts_on_form = True

    """One part of the dossier (identity, diagnostic or SWOT): a form, saved as a draft."""

    templates = {
        Section.IDENTITY: "dossiers/section_identity.html",
        Section.DIAGNOSTIC: "dossiers/section_diagnostic.html",
        Section.SWOT: "dossiers/section_swot.html",
    }

    def build(self, data=None):
        section = self.kwargs["section"]
        stored = getattr(self.dossier, section)
        form_class = PART_FORMS[section]
        initial = form_class.initial_from(stored)
        initial["fingerprint"] = part_fingerprint(stored)
        form = form_class(data=data, initial=initial)
        formset = None
        if section == Section.IDENTITY:
            members = [
                {
                    key: (member.get(key) or "")
                    for key in ("type", "name", "finess", "siret", "role")
                }
                for member in (stored or {}).get("members") or []
                if isinstance(member, dict)
            ]
            formset = MemberFormSet(data=data, initial=members, prefix=MEMBERS_PREFIX)
        return form, formset

    def get(self, request, pk, section):
        form, formset = self.build()
        return self.render_page(form, formset)

    def post(self, request, pk, section):
        if section == Section.IDENTITY and "add_member" in request.POST:
            # Without JavaScript: show the same form with one more empty structure row.
            data = request.POST.copy()
            key = f"{MEMBERS_PREFIX}-TOTAL_FORMS"
            try:
                data[key] = str(min(int(data.get(key, "0")) + 1, 200))
            except ValueError:
                pass
            form, formset = self.build(data)
            return self.render_page(form, formset, validate=False)
        form, formset = self.build(request.POST)
        self.formset, self.kept = formset, []
        valid = form.is_valid()
        if formset is not None:
            valid = formset.is_valid() and valid
        if not valid:
            return self.form_invalid(form)
        if section == Section.IDENTITY:
            self.kept = formset.kept_forms()
            part = form.to_part([f.to_member() for f in self.kept], stored=self.dossier.identity)
        else:
            part = form.to_part()
        self.domain_form = form
        update_parts(
            self.dossier,
            request.user,
            {section: part},
            fingerprints={section: form.cleaned_data.get("fingerprint") or ""},
        )
        messages.success(request, _("Brouillon enregistré."))
        if "upload_attachment" in request.POST:
            # Without JavaScript, the file came with the part's form: saved first, above.
            attach_posted_file(request, self.dossier, section)
            return redirect(f"{section_url(self.dossier, section)}#pieces-jointes-{section}")
        if "continue" in request.POST:
            index = STEPS.index(section)
            return redirect(section_url(self.dossier, STEPS[index + 1]))
        return redirect(section_url(self.dossier, section))

    def form_invalid(self, form, status=400):
        return self.render_page(
            form, self.formset, conflict=getattr(self, "conflict", None), status=status
        )

    def apply_domain_errors(self, form, exc):
        """A concurrent edit is said above the kept input; bad input goes onto the part's
        fields and the member rows (identity.members.N.field)."""
        if isinstance(exc, Conflict):
            self.conflict = exc.message
            return
        kept_members = self.kept
        left = form.apply_errors(exc.errors)
        for error_path, messages_ in list(left.items()):
            parts = error_path.split(".")
            if (
                parts[:2] == ["identity", "members"]
                and len(parts) == 4
                and parts[2].isdigit()
                and int(parts[2]) < len(kept_members)
                and parts[3] in kept_members[int(parts[2])].fields
            ):
                for message in messages_:
                    kept_members[int(parts[2])].add_error(parts[3], message)
                del left[error_path]
        for messages_ in left.values():
            for message in messages_:
                form.add_error(None, message)

    def error_summary(self, form, formset):
        summary = []
        for message in form.non_field_errors():
            summary.append({"anchor": None, "text": message})
        labels = getattr(form, "summary_labels", {})
        for field in form:
            for message in field.errors:
                label = labels.get(field.name, field.label)
                summary.append({"anchor": field.auto_id, "text": f"{label} : {message}"})
        if formset is not None:
            for message in formset.non_form_errors():
                summary.append({"anchor": MEMBERS_PREFIX, "text": message})
            for index, member in enumerate(formset.forms, start=1):
                for message in member.non_field_errors():
                    summary.append({"anchor": f"member-{index}", "text": message})
                for field in member:
                    for message in field.errors:
                        label = _("Structure membre n° %(n)d — %(field)s") % {
                            "n": index,
                            "field": field.label,
                        }
                        summary.append({"anchor": field.auto_id, "text": f"{label} : {message}"})
        return summary

    def render_page(self, form, formset, *, conflict=None, validate=True, status=200):
        dossier, section = self.dossier, self.kwargs["section"]
        number = STEPS.index(section) + 1
        next_step = STEPS[number] if number < len(STEPS) else None
        section_problems = [p for p in check_dossier(dossier) if p.section == section]
        context = {
            "title": dossier_title(Section(section).label, dossier),
            "dossier": dossier,
            "section": section,
            "section_label": Section(section).label,
            "form": form,
            "formset": formset,
            "conflict": conflict,
            "error_summary": self.error_summary(form, formset) if validate else [],
            "step_number": number,
            "step_count": len(STEPS),
            "next_step_label": next_step.label if next_step else None,
            "hub_url": hub_url(dossier),
            "check_url": reverse("dossiers:check", args=[dossier.pk]),
            "section_problems": [
                {"message": p.message, "url": problem_link(dossier, p)} for p in section_problems
            ],
        }
        if section == Section.IDENTITY:
            context["territories"] = dossier.filiere.territories.order_by("code")
            context["actors"] = participation(dossier.identity)
        elif section == Section.DIAGNOSTIC:
            context["offer_fields"] = [form[key] for key in OFFER_FIELDS]
            context["analysis_fields"] = [form[key] for key, _label in DIAGNOSTIC_ANALYSES]
        return render(self.request, self.templates[section], context, status=status)


class CheckView(EditorMixin, View):
    """Every completeness problem at once, each linking to where it is fixed."""

    def get(self, request, pk):
        dossier = self.dossier
        problems = check_dossier(dossier)
        actors = participation(dossier.identity)
        actions = {name for name, _label in available_transitions(dossier, request.user)}
        submit_name = next((n for n in ("submit", "resubmit") if n in actions), None)
        return render(
            request,
            "dossiers/check.html",
            {
                "title": dossier_title(_("Vérification du dossier"), dossier),
                "dossier": dossier,
                "groups": grouped_problems(dossier, problems),
                "problem_count": len(problems),
                "submit_url": reverse("dossiers:transition", args=[dossier.pk, submit_name])
                if submit_name
                else None,
                "submit_label": TRANSITIONS[submit_name].label if submit_name else None,
                "hub_url": hub_url(dossier),
                "actors": actors,
                "actors_url": section_url(dossier, Section.IDENTITY) + "#actors",
                **deadline_context(dossier),
            },
        )


DESCRIPTIONS = {
    "submit": _(
        "Le dossier sera déposé auprès de l'ARS. Son contenu sera conservé tel quel et ne "
        "sera plus modifiable, sauf si l'ARS vous demande des compléments. Les porteurs de "
        "la filière et l'ARS seront prévenus par courriel."
    ),
    "resubmit": _(
        "Le dossier complété sera redéposé et reprendra son instruction à l'étape où il se "
        "trouvait. Le contenu redéposé sera conservé tel quel, à côté du dépôt précédent."
    ),
    "withdraw": _(
        "Le dossier sera retiré de l'appel à candidatures : il ne sera plus instruit et ne "
        "pourra plus être modifié ni redéposé. Cette action est définitive."
    ),
    "start_caresp_review": _(
        "Le dossier passera en revue CARESP : les relecteurs de la CARESP en seront prévenus."
    ),
    "start_ars_analysis": _("Le dossier passera en analyse par l'ARS."),
    "return_for_completion": _(
        "Le dossier sera renvoyé au porteur pour être complété : il pourra de nouveau le "
        "modifier puis le redéposer. Il recevra votre message et la date limite de réponse "
        "par courriel."
    ),
}
SUCCESS = {
    "submit": _("Le dossier est déposé. Un courriel de confirmation a été envoyé."),
    "resubmit": _("Le dossier complété est redéposé : son instruction reprend."),
    "withdraw": _("Le dossier est retiré."),
    "start_caresp_review": _("Le dossier est passé en revue CARESP."),
    "start_ars_analysis": _("Le dossier est passé en analyse ARS."),
    "return_for_completion": _("La demande de compléments a été envoyée au porteur."),
}


class TransitionView(DossierMixin, DomainFormMixin, View):
    """Confirmation page and POST of any direct workflow action, for every role."""

    conflicts_on_form = True

    def dispatch(self, request, *args, **kwargs):
        if kwargs["name"] not in DIRECT_TRANSITIONS:
            raise Http404(_("Action inconnue."))
        self.spec = TRANSITIONS[kwargs["name"]]
        self.blocked, self.problems = None, []
        return super().dispatch(request, *args, **kwargs)

    def check_permission(self):
        if not TRANSITION_PERMISSIONS[self.spec.name].test(self.request.user, self.dossier):
            raise PermissionDenied(_("Vous n'avez pas le droit d'effectuer cette action."))

    def get(self, request, pk, name):
        self.check_permission()
        form = TransitionForm(spec=self.spec, initial={"version": self.dossier.version})
        blocked = blocked_reason(self.dossier, name)
        problems = []
        if blocked is None and name in {"submit", "resubmit"}:
            problems = check_dossier(self.dossier)
        return self.render_page(form, blocked=blocked, problems=problems)

    def post(self, request, pk, name):
        self.check_permission()
        form = self.domain_form = TransitionForm(request.POST, spec=self.spec)
        if not form.is_valid():
            return self.form_invalid(form)
        transition(
            self.dossier,
            name,
            request.user,
            comment=form.cleaned_data.get("comment") or "",
            due_date=form.cleaned_data.get("due_date"),
            version=form.cleaned_data.get("version"),
        )
        messages.success(request, SUCCESS.get(name, _("C'est fait.")))
        if name in {"submit", "resubmit"}:
            # The receipt of what was just submitted (issue 11).
            number = self.dossier.snapshots.order_by("-number").values_list("number", flat=True)
            return redirect("dossiers:receipt", pk=self.dossier.pk, number=number.first())
        return redirect("dossiers:detail", pk=self.dossier.pk)

    def apply_domain_errors(self, form, exc):
        """A refusal of the state or the deadline is said above the form; the problems of
        an incomplete dossier are listed with their links; other errors on the fields."""
        if isinstance(exc, Conflict):
            self.blocked = exc.message
            return
        errors = dict(exc.errors)
        raw_problems = errors.pop("problems", None)
        if raw_problems is not None:
            self.problems = check_dossier(self.dossier)
        for messages_ in form.apply_errors(errors).values():
            for message in messages_:
                form.add_error(None, message)
        if raw_problems is None and not errors:
            form.add_error(None, exc.message)

    def form_invalid(self, form, status=400):
        self.dossier.refresh_from_db()
        return self.render_page(
            form, blocked=self.blocked, problems=self.problems, posted=True, status=status
        )

    def render_page(self, form, *, blocked, problems, posted=False, status=200):
        dossier = self.dossier
        context = {
            "title": dossier_title(self.spec.label, dossier),
            "dossier": dossier,
            "spec": self.spec,
            "form": form,
            "blocked": blocked,
            "description": DESCRIPTIONS.get(self.spec.name, ""),
            "groups": grouped_problems(dossier, problems) if problems else [],
            "problem_count": len(problems),
            "posted": posted,
            "cancel_url": hub_url(dossier)
            if can_edit_dossier.test(self.request.user, dossier)
            else reverse("dossiers:detail", args=[dossier.pk]),
            "check_url": reverse("dossiers:check", args=[dossier.pk])
            if can_edit_dossier.test(self.request.user, dossier)
            else None,
        }
        if self.spec.name == "submit":
            context.update(deadline_context(dossier))
        if self.spec.name in {"submit", "resubmit"} and not blocked and not problems:
            context["recap"] = recap(dossier)
        return render(self.request, "dossiers/transition.html", context, status=status)


class InviteView(DossierMixin, DomainFormMixin, View):
    """A lead invites a co-editor of its filière: a pending invitation the invitee
    accepts (campaign.domain.invitations). The page says the same whatever the address
    (an account or not, staff or not) and lists the invitations not yet accepted."""

    conflicts_on_form = True

    def check_permission(self):
        if not rules.has_perm("campaign.invite_editor", self.request.user, self.dossier.filiere):
            raise PermissionDenied(
                _("Seuls les porteurs de la filière peuvent inviter des co-rédacteurs.")
            )

    def get(self, request, pk):
        self.check_permission()
        return self.render_page(InviteForm())

    def post(self, request, pk):
        self.check_permission()
        form = self.domain_form = InviteForm(request.POST)
        if not form.is_valid():
            return self.form_invalid(form)

        def invite():
            invitation = invitations.invite_editor(
                self.dossier.filiere, request.user, form.cleaned_data["email"]
            )
            messages.success(request, invitation_sent_message(invitation))
            return reverse("dossiers:invite", args=[self.dossier.pk])

        return once_redirect(request, invite, _("Cette invitation était déjà envoyée."), form=form)

    def apply_domain_errors(self, form, exc):
        left = form.apply_errors(exc.errors)
        if left or not exc.errors:
            form.add_error(None, exc.message)

    def form_invalid(self, form, status=400):
        return self.render_page(form, status)

    def render_page(self, form, status=200):
        dossier = self.dossier
        return render(
            self.request,
            "dossiers/invite.html",
            {
                "title": dossier_title(_("Inviter un co-rédacteur"), dossier),
                "dossier": dossier,
                "form": form,
                "editors": dossier.filiere.editors.order_by("last_name", "first_name", "username"),
                "invitations": open_invitations(dossier.filiere),
                "invitation_days": invitations.invitation_days(),
                "back_url": hub_url(dossier)
                if can_edit_dossier.test(self.request.user, dossier)
                else reverse("dossiers:detail", args=[dossier.pk]),
            },
            status=status,
        )


def invitation_sent_message(invitation):
    return _(
        "Invitation envoyée à %(email)s, valable jusqu'au %(date)s : la personne rejoindra "
        "les rédacteurs de la filière en l'acceptant."
    ) % {
        "email": invitation.email,
        "date": date_format(timezone.localtime(invitation.expires_at), "j F Y"),
    }


class InvitationActionView(DossierMixin, View):
    """Re-send or cancel one of the filière's invitations (POST only)."""

    http_method_names = ["post"]
    action = None

    def post(self, request, pk, invitation_pk):
        if not rules.has_perm("campaign.invite_editor", request.user, self.dossier.filiere):
            raise PermissionDenied(
                _("Seuls les porteurs de la filière peuvent gérer les invitations.")
            )
        filiere = self.dossier.filiere
        if self.action == "resend":
            invitation = invitations.resend_invitation(invitation_pk, request.user, filiere=filiere)
            messages.success(request, invitation_sent_message(invitation))
        else:
            invitation = invitations.cancel_invitation(invitation_pk, request.user, filiere=filiere)
            messages.success(
                request,
                _("L'invitation de %(email)s est annulée : son lien ne fonctionne plus.")
                % {"email": invitation.email},
            )
        return redirect("dossiers:invite", pk=self.dossier.pk)
