"""common.form_renderer.FastWidgetRenderer renders the common widgets in Python: the
markup must be the one Django's own templates give, for every standard widget, value,
attribute and error state."""

import datetime as dt

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.test.html import parse_html
from django.utils.safestring import mark_safe

from budget.forms import AmountField, MonthField, MonthInput, ShortTextarea
from common.form_renderer import FastWidgetRenderer, render_widget
from common.forms import FixedChoices

CHOICES = [("", "— pas d'avis —"), ("a", "Favorable <b>"), ("b", 'Réservé "x"'), (3, "Trois")]
GROUPED = [("Groupe & co", [("x", "X"), ("y", "Y")]), ("z", "Z")]


class EveryWidget(forms.Form):
    text = forms.CharField(max_length=20, help_text="Aide")
    optional = forms.CharField(required=False, widget=forms.TextInput(attrs={"data-x": "1"}))
    number = forms.IntegerField(min_value=0)
    decimal = forms.DecimalField(max_digits=6, decimal_places=2, required=False)
    email = forms.EmailField(required=False)
    url = forms.URLField(required=False, assume_scheme="https")
    password = forms.CharField(widget=forms.PasswordInput(render_value=True), required=False)
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), required=False)
    time = forms.TimeField(widget=forms.TimeInput, required=False)
    datetime = forms.DateTimeField(widget=forms.DateTimeInput, required=False)
    search = forms.CharField(widget=forms.TextInput(attrs={"type": "search"}), required=False)
    choice = forms.ChoiceField(choices=CHOICES, required=False)
    required_choice = forms.ChoiceField(choices=CHOICES)
    month_input = forms.CharField(widget=MonthInput, required=False)
    radio = forms.ChoiceField(widget=forms.RadioSelect, choices=CHOICES, required=False)
    required_radio = forms.ChoiceField(widget=forms.RadioSelect, choices=CHOICES[1:])
    checkboxes = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple, choices=CHOICES, required=False
    )
    hinted = forms.CharField(help_text="Aide <b>", max_length=3)
    hinted_choice = forms.ChoiceField(choices=CHOICES, help_text="Aide")
    described = forms.CharField(
        widget=forms.TextInput(attrs={"aria-describedby": "ailleurs"}), help_text="Aide"
    )
    short_textarea = forms.CharField(widget=ShortTextarea, required=False)
    safe_attr = forms.CharField(
        widget=forms.TextInput(attrs={"title": mark_safe("a &amp; b")}), required=False
    )
    plain_attr = forms.CharField(
        widget=forms.TextInput(attrs={"title": "a &amp; b"}), required=False
    )
    fixed_choice = forms.ChoiceField(choices=FixedChoices(CHOICES), required=False)
    none_choice = forms.TypedChoiceField(choices=[(None, "Aucun"), (1, "Un")], required=False)
    grouped = forms.ChoiceField(choices=GROUPED)
    textarea = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    disabled = forms.CharField(disabled=True, required=False)
    amount = AmountField(required=False, nature="recurring")
    month = MonthField(required=False)


VALUES = [
    {},
    {
        "text": 'a "quoted" <b>value</b> & more',
        "optional": "é",
        "number": "-3",
        "decimal": "12,5",
        "email": "pas-un-courriel",
        "url": "x",
        "password": "<secret>",
        "hidden": "h&",
        "date": "2025-13-01",
        "time": "25:00",
        "datetime": "x",
        "search": "q",
        "choice": "b",
        "fixed_choice": "3",
        "month_input": "2027-01",
        "radio": "b",
        "checkboxes": ["a", "3"],
        "hinted": "trop long",
        "short_textarea": "<court>",
        "grouped": "y",
        "textarea": "ligne 1\nligne <2>",
        "disabled": "ignoré",
        "amount": "1 600 000,50",
        "month": "2025-07",
    },
    {"choice": "3", "grouped": "inconnu", "textarea": "", "amount": "abc"},
]


def render_all(form):
    return {name: str(form[name]) for name in form.fields}


@pytest.mark.parametrize("data", VALUES)
def test_same_markup_as_djangos_templates(data):
    initial = {"date": dt.date(2025, 7, 1), "choice": "a", "month": dt.date(2025, 9, 1)}
    for bound in (True, False):
        kwargs = {"data": data} if bound else {"initial": initial}
        fast = EveryWidget(renderer=FastWidgetRenderer(), **kwargs)
        slow = EveryWidget(renderer=DjangoTemplates(), **kwargs)
        if bound:
            fast.is_valid(), slow.is_valid()
        fast_html, slow_html = render_all(fast), render_all(slow)
        for name in EveryWidget.base_fields:
            assert parse_html(fast_html[name]) == parse_html(slow_html[name]), name
            # Byte for byte, apart from whitespace between tags.
            assert " ".join(fast_html[name].split()) == " ".join(slow_html[name].split()), name


@pytest.mark.parametrize("data", VALUES)
def test_choice_tags_are_the_same(data):
    """Each radio button or checkbox as crispy renders it (`choice.tag`, `{{ choice }}`)."""
    initial = {"radio": "a", "checkboxes": ["a", 3]}
    for bound in (True, False):
        kwargs = {"data": data} if bound else {"initial": initial}
        fast = EveryWidget(renderer=FastWidgetRenderer(), **kwargs)
        slow = EveryWidget(renderer=DjangoTemplates(), **kwargs)
        compared = 0
        for name, field in EveryWidget.base_fields.items():
            if not isinstance(field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                continue
            for fast_choice, slow_choice in zip(fast[name], slow[name], strict=True):
                assert fast_choice.tag() == slow_choice.tag(), name
                assert str(fast_choice) == str(slow_choice), name
                compared += 1
        assert compared >= 8


def test_the_fast_paths_are_taken():
    renderer = FastWidgetRenderer()
    assert {
        "django/forms/widgets/text.html",
        "django/forms/widgets/select.html",
        "django/forms/widgets/textarea.html",
    } <= set(renderer.fast)
    assert "django/forms/widgets/radio_option.html" in renderer.fast
    # Whole radio and checkbox lists (django-dsfr overrides their templates) and
    # anything else go through the template engine.
    assert "django/forms/widgets/radio.html" not in renderer.fast
    assert "django/forms/widgets/checkbox.html" not in renderer.fast


def test_the_project_uses_it(settings):
    assert settings.FORM_RENDERER == "common.form_renderer.FastWidgetRenderer"
    assert isinstance(EveryWidget().renderer, FastWidgetRenderer)


def test_safe_values_stay_unescaped_like_in_templates():
    form = EveryWidget(renderer=FastWidgetRenderer(), initial={"text": mark_safe("<i>")})
    slow = EveryWidget(renderer=DjangoTemplates(), initial={"text": mark_safe("<i>")})
    assert str(form["text"]) == str(slow["text"])


@pytest.mark.parametrize("data", VALUES)
@pytest.mark.parametrize(
    "attrs",
    [{}, {"class": "fr-input"}, {"class": "fr-select", "aria-describedby": "id-hint"}],
)
def test_render_widget_is_as_widget(data, attrs):
    """render_widget (the dsfr_field path for inputs, textareas and selects) gives what
    BoundField.as_widget gives, character for character, bound or not."""
    initial = {"choice": "a", "text": "<initial> & co", "none_choice": None, "textarea": "x"}
    for bound in (True, False):
        kwargs = {"data": data} if bound else {"initial": initial}
        form = EveryWidget(**kwargs)
        if bound:
            form.is_valid()
        for name in EveryWidget.base_fields:
            expected = form[name].as_widget(attrs=dict(attrs))
            assert render_widget(form[name], dict(attrs)) == expected, (name, bound)


def test_fixed_choices_validate_like_a_list():
    listed = forms.ChoiceField(choices=CHOICES, required=False)
    fixed = forms.ChoiceField(choices=FixedChoices(CHOICES), required=False)
    for value in ("", "a", "3", 3, "z", "Favorable <b>"):
        assert fixed.valid_value(value) == listed.valid_value(value), value
    assert list(fixed.choices) == [(value, str(label)) for value, label in CHOICES]
