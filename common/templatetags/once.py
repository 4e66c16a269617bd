"""`{% once_field %}`: the once-only key of a form without a Django form class (a lone
« Créer… » button), read by its view with common.once.posted_key (decision 0052)."""

from django import template
from django.utils.html import format_html

from common.once import FIELD, new_key

register = template.Library()


@register.simple_tag
def once_field():
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, new_key())
