"""Forms of the review pages. They only shape input: every rule is in scoring.domain."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from common.forms import DomainErrorsMixin
from common.once import OnceOnlyFormMixin
from dossiers.enums import Opinion
from scoring.domain.assignments import REVIEWER_ROLES
from scoring.models import CriterionGroup

OPINION_CHOICES = [("", _("— Pas d'avis pour l'instant —")), *Opinion.choices]


def reviewer_label(user):
    name = user.get_full_name() or user.username
    return f"{name} ({user.username})"


class AssignReviewerForm(DomainErrorsMixin, OnceOnlyFormMixin):
    reviewer = forms.ModelChoiceField(
        label=_("Relecteur à désigner"),
        queryset=User.objects.none(),
        empty_label=_("— Choisir un relecteur —"),
        help_text=_("Relecteurs CARESP et instructeurs ARS sans conflit d'intérêts déclaré."),
    )

    def __init__(self, *args, eligible=(), eligible_choices=None, **kwargs):
        """`eligible`: the users offered; or `eligible_choices`, their (id, label) pairs
        (scoring.domain.assignments.eligible_reviewer_choices)."""
        super().__init__(*args, **kwargs)
        field = self.fields["reviewer"]
        # Any reviewer validates (the domain explains a conflict); only eligible ones are offered.
        field.queryset = (
            User.objects.filter(is_active=True, role_grants__role__in=REVIEWER_ROLES)
            .distinct()
            .order_by("last_name", "first_name", "username")
        )
        field.label_from_instance = reviewer_label
        if eligible_choices is None:
            eligible_choices = [(user.pk, reviewer_label(user)) for user in eligible]
        field.widget.choices = [("", field.empty_label), *eligible_choices]

    def domain_field(self, path):
        return "reviewer"


class ConflictForm(DomainErrorsMixin, OnceOnlyFormMixin):
    reason = forms.CharField(
        label=_("Motif du conflit d'intérêts"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        help_text=_(
            "Par exemple : salarié(e) d'une structure membre de la filière. La déclaration est "
            "définitive : vous ne pourrez plus évaluer ce dossier."
        ),
    )

    def domain_field(self, path):
        return "reason"


class InternalCommentForm(DomainErrorsMixin, OnceOnlyFormMixin):
    text = forms.CharField(
        label=_("Nouveau commentaire interne"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=10000,
    )
    ars_only = forms.BooleanField(
        label=_("Réservé à l'ARS (invisible pour les relecteurs CARESP)"), required=False
    )

    def __init__(self, *args, can_restrict=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_restrict:
            del self.fields["ars_only"]

    def domain_field(self, path):
        return "text"


class ReviewForm(DomainErrorsMixin, forms.Form):
    """One review: a score and a comment per criterion, an overall opinion and comment,
    an opinion and a comment per project sheet."""

    def __init__(self, data=None, *, grid, criteria, projects, review=None, **kwargs):
        self.grid, self.criteria, self.projects = grid, criteria, projects
        if review is not None and data is None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(review)
        super().__init__(data, **kwargs)
        scale = [("", "—")] + [
            (str(value), str(value)) for value in range(grid.scale_min, grid.scale_max + 1)
        ]
        for criterion in criteria:
            self.fields[f"score_{criterion.code}"] = forms.TypedChoiceField(
                label=_("Note (de %(min)d à %(max)d)")
                % {"min": grid.scale_min, "max": grid.scale_max},
                choices=scale,
                coerce=int,
                empty_value=None,
                required=False,
            )
            self.fields[f"comment_{criterion.code}"] = forms.CharField(
                label=_("Commentaire sur ce critère"),
                widget=forms.Textarea(attrs={"rows": 2}),
                required=False,
            )
        self.fields["opinion"] = forms.ChoiceField(
            label=_("Avis global sur le dossier"), choices=OPINION_CHOICES, required=False
        )
        self.fields["comment"] = forms.CharField(
            label=_("Commentaire général"),
            widget=forms.Textarea(attrs={"rows": 4}),
            required=False,
        )
        for project in projects:
            self.fields[f"project_{project.id}_opinion"] = forms.ChoiceField(
                label=_("Avis sur cette fiche projet"), choices=OPINION_CHOICES, required=False
            )
            self.fields[f"project_{project.id}_comment"] = forms.CharField(
                label=_("Commentaire sur cette fiche projet"),
                widget=forms.Textarea(attrs={"rows": 2}),
                required=False,
            )
        self.fields["confirm_submit"] = forms.BooleanField(
            label=_(
                "Je soumets mon évaluation : elle ne sera plus modifiable et je verrai celles "
                "des autres relecteurs."
            ),
            required=False,
        )

    @staticmethod
    def initial_from(review):
        initial = {"opinion": review.opinion, "comment": review.comment}
        for score in review.scores.all():
            code = score.criterion.code
            initial[f"score_{code}"] = "" if score.score is None else str(score.score)
            initial[f"comment_{code}"] = score.comment
        for item in review.project_opinions.all():
            if item.project_id:
                initial[f"project_{item.project_id}_opinion"] = item.opinion
                initial[f"project_{item.project_id}_comment"] = item.comment
        return initial

    def criterion_rows(self):
        return [(c, self[f"score_{c.code}"], self[f"comment_{c.code}"]) for c in self.criteria]

    def criterion_groups(self):
        groups = []
        for value, label in CriterionGroup.choices:
            rows = [row for row in self.criterion_rows() if row[0].group == value]
            if rows:
                groups.append((label, rows))
        return groups

    def project_rows(self):
        return [
            (p, self[f"project_{p.id}_opinion"], self[f"project_{p.id}_comment"])
            for p in self.projects
        ]

    def error_items(self):
        """[(field id or None, text)] for the error summary at the top of the form, each
        field named with its criterion or project sheet (their labels repeat)."""
        owners = {}
        for criterion in self.criteria:
            owners[f"score_{criterion.code}"] = owners[f"comment_{criterion.code}"] = (
                criterion.label
            )
        for project in self.projects:
            title = project.title or _("Fiche projet sans titre")
            owners[f"project_{project.id}_opinion"] = title
            owners[f"project_{project.id}_comment"] = title
        items = [(None, str(error)) for error in self.non_field_errors()]
        for field in self:
            for error in field.errors:
                owner = owners.get(field.name)
                label = f"{owner} — {field.label}" if owner else field.label
                items.append((field.auto_id, f"{label} : {error}"))
        return items

    def review_data(self):
        data = self.cleaned_data
        return {
            "scores": {c.code: data.get(f"score_{c.code}") for c in self.criteria},
            "criterion_comments": {
                c.code: data.get(f"comment_{c.code}", "") for c in self.criteria
            },
            "opinion": data.get("opinion", ""),
            "comment": data.get("comment", ""),
            "projects": [
                {
                    "project": p.id,
                    "opinion": data.get(f"project_{p.id}_opinion", ""),
                    "comment": data.get(f"project_{p.id}_comment", ""),
                }
                for p in self.projects
            ],
        }

    def domain_field(self, path):
        """Where a domain path of the review ({scores: {code}}, projects.N.opinion…) shows."""
        parts = path.split(".")
        name = None
        if parts[0] == "scores" and len(parts) > 1:
            name = f"score_{parts[1]}"
        elif parts[0] == "criterion_comments" and len(parts) > 1:
            name = f"comment_{parts[1]}"
        elif parts[0] in ("opinion", "comment"):
            name = parts[0]
        elif parts[0] == "projects" and len(parts) > 2 and parts[1].isdigit():
            index = int(parts[1])
            if index < len(self.projects):
                name = f"project_{self.projects[index].id}_{parts[2]}"
        return name if name in self.fields else None


class GridScaleForm(forms.Form):
    scale_min = forms.IntegerField(label=_("Note minimale"), min_value=0, max_value=100)
    scale_max = forms.IntegerField(label=_("Note maximale"), min_value=1, max_value=100)


class CriterionForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    position = forms.IntegerField(label=_("Ordre"), min_value=0, required=False)
    code = forms.CharField(
        label=_("Code"),
        max_length=64,
        help_text=_("En minuscules et « _ », par exemple « diagnostic_quality »."),
    )
    label = forms.CharField(label=_("Libellé"), max_length=300)
    # The initial value keeps the blank extra form "unchanged" when left untouched.
    group = forms.ChoiceField(
        label=_("Famille"), choices=CriterionGroup.choices, initial=CriterionGroup.ANALYSIS_BASIS
    )
    weight = forms.DecimalField(
        label=_("Coefficient"), max_digits=5, decimal_places=2, min_value=0, localize=True
    )
    description = forms.CharField(
        label=_("Description (aide pour les relecteurs)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )


CriterionFormSet = forms.formset_factory(CriterionForm, extra=1, can_delete=True)
