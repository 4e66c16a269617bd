"""Forms of the budget pages: French amounts in, domain calls out.

The forms only parse what was typed (French amounts, months, dates); every
rule lives in budget.domain, whose errors are put back on the fields
(see apply_domain_errors) so the page shows them next to what was typed."""

import datetime as dt
import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIteratorValue
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from budget.domain.decisions import default_start_month
from budget.models import DelegationInstrument
from common.forms import DomainErrorsMixin, FieldCopies, FixedChoices
from common.money import format_eur, parse_amount
from common.once import OnceOnlyFormMixin
from dossiers.enums import LineNature, Opinion, Outcome

OPINION_CHOICES = [("", gettext_lazy("— pas d'avis —")), *Opinion.choices]


def amount_input(value):
    """Decimal → what an amount input shows: "52 000,00" (or "")."""
    if value is None:
        return ""
    return format_eur(value).replace("\u00a0€", "")


class BudgetForm(DomainErrorsMixin, forms.Form):
    """A budget form: `domain_key_map()` says which field shows each domain path."""

    def domain_key_map(self):
        return {}

    def domain_field(self, path):
        return self.domain_key_map().get(path)


class AmountField(forms.CharField):
    """An amount typed the French way: "1 600 000,50", "1600000.5", "52 000 €".

    Its input's attributes come from widget_attrs, not from a widget instance that
    Django would deep-copy for each field (the decision form builds ~100 of them)."""

    widget = forms.TextInput

    def __init__(self, *, nature=None, **kwargs):
        self.nature = nature
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = {"inputmode": "decimal", "autocomplete": "off", "maxlength": "40"}
        if self.nature:
            attrs["data-budget-nature"] = self.nature
        attrs.update(super().widget_attrs(widget))
        return attrs

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return amount_input(value)
        return value

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            return parse_amount(value, french=True)
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None


_MONTH_PATTERNS = (
    re.compile(r"(?P<year>\d{4})-(?P<month>\d{1,2})(-01)?"),
    re.compile(r"(?P<month>\d{1,2})/(?P<year>\d{4})"),
    re.compile(r"01/(?P<month>\d{1,2})/(?P<year>\d{4})"),
)


class MonthInput(forms.TextInput):
    input_type = "month"

    def __init__(self, attrs=None):
        super().__init__({"placeholder": "AAAA-MM", "autocomplete": "off", **(attrs or {})})


class MonthField(forms.CharField):
    """A month, "2025-07" or "07/2025": the first day of that month."""

    widget = MonthInput  # a class: Django instantiates it instead of deep-copying one

    def prepare_value(self, value):
        if isinstance(value, dt.date):
            return f"{value.year:04d}-{value.month:02d}"
        return value

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        for pattern in _MONTH_PATTERNS:
            match = pattern.fullmatch(value.strip())
            if match:
                year, month = int(match["year"]), int(match["month"])
                if 1 <= month <= 12:
                    return dt.date(year, month, 1)
        raise ValidationError(_("Mois invalide : écrivez-le AAAA-MM (exemple : 2025-07)."))


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


class ProposalForm(BudgetForm):
    """Proposed amount and opinion for each line, opinion for each project sheet."""

    def __init__(self, *args, sheets, editable=True, version=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The proposal version the page was built from: a 409 when another instructor
        # saved the proposal in between (budget.domain.proposals.propose).
        self.fields["version"] = forms.IntegerField(
            widget=forms.HiddenInput, required=False, initial=version
        )
        self.sheets = sheets  # [(project, [lines])]: budget.queries.sheets_with_lines
        self.projects = [project for project, _lines in sheets]
        self.lines = [line for _project, lines in sheets for line in lines]
        # Translated once for the form's ~150 selects (a lazy label is translated again
        # each time a select is rendered: a quarter of the page's time), and normalized once.
        choices = FixedChoices(OPINION_CHOICES)
        project_label = _("Avis sur la fiche « %(title)s »")
        proposed_label = _("Montant proposé — « %(label)s »")
        opinion_label = _("Avis — « %(label)s »")
        copies = FieldCopies()
        disabled = not editable
        for project, lines in sheets:
            self.fields[f"project_opinion_{project.pk}"] = copies(
                forms.ChoiceField,
                label=project_label % {"title": project.title},
                initial=project.proposal_opinion,
                choices=choices,
                required=False,
                disabled=disabled,
            )
            for line in lines:
                self.fields[f"proposed_{line.pk}"] = copies(
                    AmountField,
                    label=proposed_label % {"label": line.label},
                    initial=line.proposed,
                    nature=line.nature,
                    required=False,
                    disabled=disabled,
                )
                self.fields[f"opinion_{line.pk}"] = copies(
                    forms.ChoiceField,
                    label=opinion_label % {"label": line.label},
                    initial=line.proposal_opinion,
                    choices=choices,
                    required=False,
                    disabled=disabled,
                )

    def rows(self):
        """[(project, opinion field, [(line, proposed field, opinion field)])] for the template."""
        return [
            (
                project,
                self[f"project_opinion_{project.pk}"],
                [(line, self[f"proposed_{line.pk}"], self[f"opinion_{line.pk}"]) for line in lines],
            )
            for project, lines in self.sheets
        ]

    def domain_lines(self):
        return [
            {
                "line": line.pk,
                "proposed": self.cleaned_data.get(f"proposed_{line.pk}"),
                "opinion": self.cleaned_data.get(f"opinion_{line.pk}") or "",
            }
            for line in self.lines
        ]

    def domain_projects(self):
        return [
            {"project": p.pk, "opinion": self.cleaned_data.get(f"project_opinion_{p.pk}") or ""}
            for p in self.projects
        ]

    def domain_key_map(self):
        keys = {}
        for index, line in enumerate(self.lines):
            keys[f"lines.{index}.proposed"] = f"proposed_{line.pk}"
            keys[f"lines.{index}.opinion"] = f"opinion_{line.pk}"
        for index, project in enumerate(self.projects):
            keys[f"projects.{index}.opinion"] = f"project_opinion_{project.pk}"
        return keys


class ShortTextarea(forms.Textarea):
    """A two-row textarea, given to fields as a class (instantiated, not deep-copied)."""

    def __init__(self, attrs=None):
        super().__init__({"rows": 2, **(attrs or {})})


class DecisionForm(BudgetForm):
    """Granted amount, start month and justification per line; outcome and motivation."""

    outcome = forms.ChoiceField(
        label=gettext_lazy("Issue de la décision"),
        choices=Outcome.choices,
        widget=forms.RadioSelect,
    )
    recognised = forms.TypedChoiceField(
        label=gettext_lazy("Reconnaissance de la filière"),
        help_text=gettext_lazy(
            "Pour les territoires de santé du dossier, à compter de la date de décision ; "
            "possible sans nouveau financement, jamais avec un rejet."
        ),
        choices=[
            ("", gettext_lazy("Selon l'issue : reconnue, sauf si le dossier est rejeté")),
            ("yes", gettext_lazy("La filière est reconnue")),
            ("no", gettext_lazy("La filière n'est pas reconnue")),
        ],
        coerce=lambda value: {"yes": True, "no": False}.get(value),
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=gettext_lazy("Motivation de la décision"),
        help_text=gettext_lazy("Communiquée au porteur avec la décision."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, sheets, default_start=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.sheets = sheets  # [(project, [lines])]: budget.queries.sheets_with_lines
        self.projects = [project for project, _lines in sheets]
        self.lines = [line for _project, lines in sheets for line in lines]
        granted_label = _("Montant accordé — « %(label)s »")
        start_label = _("Mois de démarrage")
        recurring_help = _("Obligatoire pour une ligne reconductible accordée.")
        one_off_help = _("Facultatif : année d'imputation du crédit ponctuel.")
        justification_label = _("Justification (si accordé > demandé)")
        copies = FieldCopies()
        for line in self.lines:
            nature = line.nature
            start = line.start_month
            if start is None and nature == LineNature.RECURRING:
                # What the decision takes when left empty (api.md), else the planned
                # first delegation.
                start = default_start_month(line) or default_start
            self.fields[f"granted_{line.pk}"] = copies(
                AmountField,
                label=granted_label % {"label": line.label},
                initial=line.granted if line.granted is not None else line.proposed,
                nature=nature,
            )
            self.fields[f"start_month_{line.pk}"] = copies(
                MonthField,
                label=start_label,
                initial=start,
                required=False,
                help_text=recurring_help if nature == LineNature.RECURRING else one_off_help,
            )
            self.fields[f"justification_{line.pk}"] = copies(
                forms.CharField,
                label=justification_label,
                initial=line.grant_justification,
                required=False,
                widget=ShortTextarea,
            )

    def rows(self):
        return [
            (
                project,
                [
                    (
                        line,
                        self[f"granted_{line.pk}"],
                        self[f"start_month_{line.pk}"],
                        self[f"justification_{line.pk}"],
                    )
                    for line in lines
                ],
            )
            for project, lines in self.sheets
        ]

    def domain_lines(self):
        return [
            {
                "line": line.pk,
                "granted": self.cleaned_data.get(f"granted_{line.pk}"),
                "start_month": self.cleaned_data.get(f"start_month_{line.pk}"),
                "justification": self.cleaned_data.get(f"justification_{line.pk}") or "",
            }
            for line in self.lines
        ]

    def domain_key_map(self):
        keys = {"outcome": "outcome", "comment": "comment", "recognised": "recognised"}
        for index, line in enumerate(self.lines):
            for field in ("granted", "start_month", "justification"):
                keys[f"lines.{index}.{field}"] = f"{field}_{line.pk}"
        return keys


class AmendmentForm(BudgetForm, OnceOnlyFormMixin):
    new_amount = AmountField(label=gettext_lazy("Nouveau montant (€)"))
    date = forms.DateField(
        label=gettext_lazy("Date d'effet"),
        widget=DateInput(),
        input_formats=DATE_FORMATS,
    )
    reason = forms.CharField(
        label=gettext_lazy("Motif"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy(
            "Par exemple : arrêté de délégation, moyens de la stratégie décennale."
        ),
    )

    def domain_key_map(self):
        return {"new_amount": "new_amount", "date": "date", "reason": "reason"}


def line_choice_label(filiere, priority, label, nature_label, granted, delegated):
    """What the delegation form's select shows of a granted line."""
    return _(
        "%(filiere)s — fiche %(priority)s — %(label)s (%(nature)s ; accordé %(granted)s ; "
        "délégué %(delegated)s)"
    ) % {
        "filiere": filiere,
        "priority": priority or "?",
        "label": label,
        "nature": nature_label.lower(),
        "granted": format_eur(granted),
        "delegated": format_eur(delegated),
    }


class LineChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, line):
        return line_choice_label(
            line.project.dossier.filiere.name,
            line.project.priority,
            line.label,
            line.get_nature_display(),
            line.granted,
            line.delegated,
        )


class LineSelect(forms.Select):
    """Options carry the line's beneficiary FINESS, prefilled by static/js/budget.js."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-finess"] = instance.beneficiary_finess
        return option


class DelegationForm(BudgetForm, OnceOnlyFormMixin):
    line = LineChoiceField(
        label=gettext_lazy("Ligne de financement accordée"),
        queryset=None,
        widget=LineSelect(attrs={"data-budget-line": ""}),
        empty_label=gettext_lazy("— choisir une ligne —"),
    )
    amount = AmountField(label=gettext_lazy("Montant délégué (€)"))
    date = forms.DateField(
        label=gettext_lazy("Date de délégation"), widget=DateInput(), input_formats=DATE_FORMATS
    )
    instrument = forms.ChoiceField(
        label=gettext_lazy("Support juridique"), choices=DelegationInstrument.choices
    )
    beneficiary_finess = forms.CharField(
        label=gettext_lazy("FINESS du bénéficiaire"),
        max_length=9,
        help_text=gettext_lazy("9 caractères ; proposé d'après la ligne choisie."),
        widget=forms.TextInput(attrs={"data-budget-finess": "", "autocomplete": "off"}),
    )

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line"].queryset = lines

    def limit_choices(self, lines):
        """Offer only `lines` (the page shown: budget.queries.DelegableLine rows) in the
        select, plus the line already chosen; any delegable line is still accepted on
        submission (the queryset is unchanged)."""
        field = self.fields["line"]
        natures = dict(LineNature.choices)
        choices = [
            (
                ModelChoiceIteratorValue(line.pk, line),
                line_choice_label(
                    line.filiere_name,
                    line.priority,
                    line.label,
                    str(natures.get(line.nature, line.nature)),
                    line.granted,
                    line.delegated,
                ),
            )
            for line in lines
        ]
        chosen = self.data.get("line") if self.is_bound else self.initial.get("line")
        chosen = int(chosen) if re.fullmatch(r"[0-9]{1,18}", str(chosen or "")) else None
        if chosen is not None and chosen not in {line.pk for line in lines}:
            choices[:0] = [
                (ModelChoiceIteratorValue(line.pk, line), field.label_from_instance(line))
                for line in field.queryset.filter(pk=chosen)
            ]
        field.widget.choices = [("", field.empty_label)] + choices

    def domain_key_map(self):
        return {name: name for name in self.fields}
