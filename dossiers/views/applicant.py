"""The filière lead's pages: create the dossier, write each part, check it, submit it.

Access, everywhere: an anonymous visitor is sent to the login page; a dossier
this user may not see is a 404 (dossiers.domain.access.get_visible_dossier);
editing pages answer 403 to people who may see the dossier but not edit it
(staff), and send editors to the read-only page once the dossier is no longer
editable. Every change goes through a domain function (dossiers.domain.editing,
dossiers.domain.transitions.transition, campaign.domain.filieres.invite_editor)."""

from collections import Counter

import rules
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, register_converter, reverse
from django.utils.translation import gettext as _
from django.views import View

from campaign.domain.deadline_display import deadline_passed, time_left
from campaign.domain.filieres import invite_editor
from campaign.models import Filiere
from common.errors import Conflict, Forbidden, InvalidInput, NotFound
from dossiers.domain.access import get_visible_dossier
from dossiers.domain.completeness import check_dossier
from dossiers.domain.editing import create_dossier, part_fingerprint, update_parts
from dossiers.domain.transitions import available_transitions, transition
from dossiers.enums import Section
from dossiers.forms import (
    OFFER_FIELDS,
    PART_FORMS,
    InviteForm,
    MemberFormSet,
    TransitionForm,
)
from dossiers.models import Dossier
from dossiers.rules import TRANSITION_PERMISSIONS, can_edit_dossier, is_dossier_editor
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


register_converter(PartConverter, "dossier_part")


def optional_url(name, *args):
    """URL of a page another part of the application may or may not provide yet."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def hub_url(dossier):
    return reverse("dossiers:edit", args=[dossier.pk])


def projects_url(dossier):
    return optional_url("dossiers:projects", dossier.pk)


def section_url(dossier, section):
    if section == Section.PROJECTS:
        return projects_url(dossier) or hub_url(dossier)
    return reverse("dossiers:section", args=[dossier.pk, section])


def dossier_title(label, dossier):
    """A page's <title>: what the page is, then which filière's dossier (several tabs)."""
    return f"{label} — {dossier.filiere.name}"


def forbidden(request, message, dossier=None):
    return render(
        request,
        "dossiers/forbidden.html",
        {"title": _("Accès refusé"), "message": message, "dossier": dossier},
        status=403,
    )


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
        url = optional_url("dossiers:project_edit", dossier.pk, problem.project_id)
        if url:
            anchor = _project_anchor(problem.field)
            return f"{url}#{anchor}" if anchor else url
    return projects_url(dossier) or hub_url(dossier)


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


class DossierMixin(LoginRequiredMixin):
    """Loads self.dossier: 404 when this user may not know it exists."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.dossier = get_visible_dossier(request.user, kwargs["pk"])
        if self.dossier is None:
            raise Http404(_("Dossier introuvable."))
        refusal = self.check_access(request)
        if refusal is not None:
            return refusal
        return super().dispatch(request, *args, **kwargs)

    def check_access(self, request):
        return None


class EditingMixin(DossierMixin):
    """Pages that write the dossier: its editors only, while it is editable.

    A POST on a dossier that stopped being editable goes on to the domain
    function, which refuses it with a Conflict shown above the kept input."""

    def check_access(self, request):
        user, dossier = request.user, self.dossier
        if not is_dossier_editor.test(user, dossier):
            return forbidden(
                request,
                _("Seuls les porteurs de la filière peuvent modifier ce dossier."),
                dossier,
            )
        if request.method != "POST" and not can_edit_dossier.test(user, dossier):
            messages.info(
                request,
                _("Le dossier est « %(state)s » : il n'est plus modifiable.")
                % {"state": dossier.get_state_display()},
            )
            return redirect("dossiers:detail", pk=dossier.pk)
        return None


class CreateDossierView(LoginRequiredMixin, View):
    """POST: create the filière's draft, then go and write it."""

    http_method_names = ["post"]

    def post(self, request, filiere_pk):
        filiere = (
            Filiere.objects.select_related("campaign")
            .filter(pk=filiere_pk, pk__in=request.user.filiere_ids)
            .first()
        )
        if filiere is None:
            raise Http404(_("Filière introuvable."))
        try:
            dossier = create_dossier(request.user, filiere)
        except Forbidden as exc:
            return forbidden(request, exc.message)
        except Conflict as exc:
            existing = Dossier.objects.filter(
                campaign_id=filiere.campaign_id, filiere=filiere
            ).first()
            messages.info(request, exc.message)
            if existing is None:
                return redirect("home")
            if existing.is_editable:
                return redirect("dossiers:edit", pk=existing.pk)
            return redirect("dossiers:detail", pk=existing.pk)
        messages.success(request, _("Le dossier est créé : vous pouvez commencer sa rédaction."))
        return redirect("dossiers:edit", pk=dossier.pk)


class HubView(EditingMixin, View):
    """The dossier's overview while it is written: state of each part, actions, editors."""

    def get(self, request, pk):
        dossier, user = self.dossier, request.user
        problems = check_dossier(dossier)
        counts = Counter(p.section for p in problems)
        steps = []
        for number, section in enumerate(STEPS, start=1):
            url = section_url(dossier, section)
            if section == Section.PROJECTS and projects_url(dossier) is None:
                url = None
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
                **deadline_context(dossier),
            },
        )


class SectionView(EditingMixin, View):
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
        conflict = None
        valid = form.is_valid()
        if formset is not None:
            valid = formset.is_valid() and valid
        if valid:
            if section == Section.IDENTITY:
                kept = formset.kept_forms()
                part = form.to_part([f.to_member() for f in kept], stored=self.dossier.identity)
            else:
                kept = []
                part = form.to_part()
            try:
                update_parts(
                    self.dossier,
                    request.user,
                    {section: part},
                    fingerprints={section: form.cleaned_data.get("fingerprint") or ""},
                )
            except InvalidInput as exc:
                self.apply_errors(form, kept, exc)
            except Conflict as exc:
                conflict = exc.message
            except Forbidden as exc:
                return forbidden(request, exc.message, self.dossier)
            else:
                messages.success(request, _("Brouillon enregistré."))
                if "continue" in request.POST:
                    index = STEPS.index(section)
                    return redirect(section_url(self.dossier, STEPS[index + 1]))
                return redirect(section_url(self.dossier, section))
        return self.render_page(form, formset, conflict=conflict)

    def apply_errors(self, form, kept_members, exc):
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

    def render_page(self, form, formset, *, conflict=None, validate=True):
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
        elif section == Section.DIAGNOSTIC:
            context["offer_fields"] = [form[key] for key in OFFER_FIELDS]
        return render(self.request, self.templates[section], context)


class CheckView(EditingMixin, View):
    """Every completeness problem at once, each linking to where it is fixed."""

    def get(self, request, pk):
        dossier = self.dossier
        problems = check_dossier(dossier)
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


def blocked_reason(dossier, name):
    """Why this action cannot be fired now (same wording as dossiers.workflow), or None."""
    spec = TRANSITIONS[name]
    if not getattr(dossier, name)._django_fsm.has_transition(dossier.state):
        return _("Action « %(label)s » impossible : le dossier est « %(state)s ».") % {
            "label": spec.label,
            "state": dossier.get_state_display(),
        }
    if name == "submit" and not dossier.campaign.is_open_for(dossier.filiere):
        return _("La date limite de dépôt est dépassée : le dossier ne peut plus être déposé.")
    return None


class TransitionView(DossierMixin, View):
    """Confirmation page and POST of any direct workflow action, for every role."""

    def check_access(self, request):
        name = self.kwargs["name"]
        if name not in DIRECT_TRANSITIONS:
            raise Http404(_("Action inconnue."))
        self.spec = TRANSITIONS[name]
        if not TRANSITION_PERMISSIONS[name].test(request.user, self.dossier):
            return forbidden(
                request, _("Vous n'avez pas le droit d'effectuer cette action."), self.dossier
            )
        return None

    def get(self, request, pk, name):
        form = TransitionForm(spec=self.spec, initial={"version": self.dossier.version})
        blocked = blocked_reason(self.dossier, name)
        problems = []
        if blocked is None and name in {"submit", "resubmit"}:
            problems = check_dossier(self.dossier)
        return self.render_page(form, blocked=blocked, problems=problems)

    def post(self, request, pk, name):
        form = TransitionForm(request.POST, spec=self.spec)
        blocked, problems = None, []
        if form.is_valid():
            try:
                transition(
                    self.dossier,
                    name,
                    request.user,
                    comment=form.cleaned_data.get("comment") or "",
                    due_date=form.cleaned_data.get("due_date"),
                    version=form.cleaned_data.get("version"),
                )
            except Forbidden as exc:
                return forbidden(request, exc.message, self.dossier)
            except NotFound as exc:
                raise Http404(exc.message) from None
            except Conflict as exc:
                blocked = exc.message
            except InvalidInput as exc:
                errors = dict(exc.errors)
                raw_problems = errors.pop("problems", None)
                if raw_problems is not None:
                    problems = check_dossier(self.dossier)
                for messages_ in form.apply_errors(errors).values():
                    for message in messages_:
                        form.add_error(None, message)
                if raw_problems is None and not errors:
                    form.add_error(None, exc.message)
            else:
                messages.success(request, SUCCESS.get(name, _("C'est fait.")))
                return redirect("dossiers:detail", pk=self.dossier.pk)
        self.dossier.refresh_from_db()
        return self.render_page(form, blocked=blocked, problems=problems, posted=True)

    def render_page(self, form, *, blocked, problems, posted=False):
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
        return render(self.request, "dossiers/transition.html", context)


class InviteView(DossierMixin, View):
    """A lead invites a co-editor of its filière (existing account or new one)."""

    def check_access(self, request):
        if not rules.has_perm("campaign.invite_editor", request.user, self.dossier.filiere):
            return forbidden(
                request,
                _("Seuls les porteurs de la filière peuvent inviter des co-rédacteurs."),
                self.dossier,
            )
        return None

    def get(self, request, pk):
        return self.render_page(InviteForm())

    def post(self, request, pk):
        form = InviteForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                invitation = invite_editor(
                    self.dossier.filiere,
                    request.user,
                    data["email"],
                    data["first_name"],
                    data["last_name"],
                )
            except Forbidden as exc:
                return forbidden(request, exc.message, self.dossier)
            except (InvalidInput, Conflict) as exc:
                left = form.apply_errors(exc.errors)
                if left or not exc.errors:
                    form.add_error(None, exc.message)
            else:
                if invitation.created:
                    message = _(
                        "Un compte a été créé pour %(email)s : un courriel lui a été envoyé pour choisir son mot de passe."
                    ) % {"email": invitation.user.email}
                else:
                    message = _(
                        "%(name)s peut désormais rédiger le dossier de la filière ; un courriel l'en a informé(e)."
                    ) % {"name": invitation.user}
                messages.success(request, message)
                return redirect("dossiers:invite", pk=self.dossier.pk)
        return self.render_page(form)

    def render_page(self, form):
        dossier = self.dossier
        return render(
            self.request,
            "dossiers/invite.html",
            {
                "title": dossier_title(_("Inviter un co-rédacteur"), dossier),
                "dossier": dossier,
                "form": form,
                "editors": dossier.filiere.editors.order_by("last_name", "first_name", "username"),
                "back_url": hub_url(dossier)
                if can_edit_dossier.test(self.request.user, dossier)
                else reverse("dossiers:detail", args=[dossier.pk]),
            },
        )


urlpatterns = [
    path("nouveau/<int:filiere_pk>/", CreateDossierView.as_view(), name="create"),
    path("<int:pk>/rediger/", HubView.as_view(), name="edit"),
    path("<int:pk>/rediger/<dossier_part:section>/", SectionView.as_view(), name="section"),
    path("<int:pk>/verification/", CheckView.as_view(), name="check"),
    path("<int:pk>/action/<str:name>/", TransitionView.as_view(), name="transition"),
    path("<int:pk>/co-redacteurs/inviter/", InviteView.as_view(), name="invite"),
]
