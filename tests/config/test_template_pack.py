"""Every form renders DSFR markup through the crispy template pack, with an error summary."""

from django import forms
from django.template import Context, Template


class SampleForm(forms.Form):
    name = forms.CharField(label="Nom de la filière", help_text="Tel qu'il figure à la convention")
    status = forms.ChoiceField(
        label="Statut", choices=[("public", "Public"), ("association", "Association")]
    )
    signed = forms.BooleanField(label="Convention signée", required=False)


def render(form):
    return Template("{% load crispy_forms_tags %}{{ form|crispy }}").render(Context({"form": form}))


def test_valid_form_uses_dsfr_classes():
    html = render(SampleForm())
    assert 'class="fr-input"' in html
    assert 'class="fr-select"' in html
    assert "fr-checkbox-group" in html
    assert '<label class="fr-label" for="id_name">' in html


def test_errors_are_summarised_and_linked_to_fields():
    form = SampleForm(data={"name": "", "status": "inconnu"})
    assert not form.is_valid()
    html = render(form)
    assert 'role="alert"' in html
    assert '<a href="#id_name">Nom de la filière : Ce champ est obligatoire.</a>' in html
    assert 'aria-describedby="id_name-desc-error"' in html
    assert "fr-input-group--error" in html and "fr-select-group--error" in html


def test_user_input_is_kept_and_escaped_on_error():
    form = SampleForm(data={"name": "<script>alert(1)</script>", "status": "inconnu"})
    form.is_valid()
    html = render(form)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html
