"""Whether the page answers a failed submission: the <title> then starts with
« Erreur : » (RGAA 8.6, 11.10), in one place (templates/base.html) for every form."""

from django import template
from django.forms import BaseForm
from django.forms.formsets import BaseFormSet

register = template.Library()


def _has_errors(value, depth=0):
    if isinstance(value, BaseForm | BaseFormSet):
        if not value.is_bound:
            return False
        if isinstance(value, BaseFormSet):
            return bool(value.non_form_errors()) or any(form.errors for form in value.forms)
        return bool(value.errors)
    if depth == 0 and isinstance(value, list | tuple):
        return any(_has_errors(item, depth + 1) for item in value)
    return False


@register.simple_tag(takes_context=True)
def page_has_errors(context):
    """A bound form or formset with errors anywhere in the context, or a view's own error
    summary or conflict (dossiers/_error_summary.html)."""
    if context.get("error_summary") or context.get("conflict") or context.get("page_error"):
        return True
    return any(_has_errors(value) for layer in context.dicts for value in layer.values())
