from django import template

from common.money import format_eur

register = template.Library()


@register.filter
def eur(amount):
    """{{ amount|eur }} → 1 600 000,00 €"""
    return format_eur(amount)


@register.filter
def eur_round(amount):
    return format_eur(amount, cents=False)
