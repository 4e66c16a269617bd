"""The printable dossier's blocks (outputs.domain.dossier_print.Block) as HTML.

A large dossier prints about ninety blocks, some of them tables of a hundred cells: as
template nodes (outputs/_print_block.html until December 2026) they were nine tenths of
the page's nodes. They are rendered here as plain strings with the output of that
template: every value escaped as Django escapes it, line breaks as linebreaksbr makes
them (tests/outputs/test_print_blocks.py renders both and compares them)."""

import html

from django import template
from django.utils.formats import localize
from django.utils.safestring import mark_safe

from common.escaping import escape as _escape

register = template.Library()


def _shown(value):
    """{{ value }}: localized, escaped."""
    return _escape(localize(value))


def _breaks(value):
    """{{ value|linebreaksbr }}: the value as a string, escaped unless already safe, its
    line breaks as <br>."""
    # django.utils.text.normalize_newlines, without its lazy-text wrapper.
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    if not hasattr(value, "__html__"):
        text = html.escape(text)
    return text.replace("\n", "<br>")


def _rows(rows, numeric):
    out = []
    for row in rows:
        cells = "".join(
            f'<td class="app-money">{_breaks(value)}</td>'
            if index in numeric
            else f"<td>{_breaks(value)}</td>"
            for index, value in enumerate(row)
        )
        out.append(f"<tr>{cells}</tr>")
    return "".join(out)


def block_html(block, part):
    """The HTML of one block of the printable dossier (`part`: its section)."""
    out = []
    if block.title:
        out.append(f'<h3 class="fr-h5">{_shown(block.title)}</h3>')
    if block.text:
        out.append(f"<p>{_breaks(block.text)}</p>")
    if block.fields:
        fields = "".join(
            f'<div class="app-field"><dt>{_shown(label)}</dt><dd>{_breaks(value or "—")}</dd></div>'
            for label, value in block.fields
        )
        out.append(f'<dl class="app-fields">{fields}</dl>')
    if block.items:
        items = "".join(f"<li>{_shown(item)}</li>" for item in block.items)
        out.append(f"<ul>{items}</ul>")
    table = block.table
    if table:
        headers = "".join(f'<th scope="col">{_shown(header)}</th>' for header in table.headers)
        footer = ""
        if table.footer:
            footer = f"<tfoot>{_rows(table.footer, table.numeric)}</tfoot>"
        out.append(
            '<div class="fr-table fr-table--no-caption fr-table--bordered app-table--cards">'
            f"<table><caption>{_shown(block.title or part.title)}</caption>"
            f"<thead><tr>{headers}</tr></thead>"
            f"<tbody>{_rows(table.rows, table.numeric)}</tbody>{footer}</table></div>"
        )
    if not (block.fields or block.items or table or block.text) and block.empty:
        out.append(f"<p><em>{_shown(block.empty)}</em></p>")
    return "".join(out)


@register.simple_tag
def print_block(block, part):
    """{% print_block block part %}: one block of the printable dossier."""
    return mark_safe(block_html(block, part))  # noqa: S308 - every value escaped above
