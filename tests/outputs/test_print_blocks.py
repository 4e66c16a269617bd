"""The printable dossier's blocks rendered in Python (print_blocks.block_html) show exactly
what the template they replaced showed: same text, same escaping of what the lead typed,
same line breaks, for every kind of block."""

import re
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils.html import format_html

from outputs.domain.dossier_print import Block, PrintSection, Table
from outputs.templatetags.print_blocks import block_html

# The template the tag replaced (outputs/_print_block.html until December 2026), verbatim.
TEMPLATE = """{# One block of the printable dossier (outputs.domain.dossier_print.Block). Context: block, part. #}
{% if block.title %}<h3 class="fr-h5">{{ block.title }}</h3>{% endif %}
{% if block.text %}<p>{{ block.text|linebreaksbr }}</p>{% endif %}
{% if block.fields %}
  <dl class="app-fields">
  {% for label, value in block.fields %}
    <div class="app-field"><dt>{{ label }}</dt><dd>{{ value|default:"—"|linebreaksbr }}</dd></div>
  {% endfor %}
  </dl>
{% endif %}
{% if block.items %}<ul>{% for item in block.items %}<li>{{ item }}</li>{% endfor %}</ul>{% endif %}
{% if block.table %}
  <div class="fr-table fr-table--no-caption fr-table--bordered app-table--cards">
    <table>
      <caption>{{ block.title|default:part.title }}</caption>
      <thead><tr>{% for header in block.table.headers %}<th scope="col">{{ header }}</th>{% endfor %}</tr></thead>
      <tbody>
      {% for row in block.table.rows %}
        <tr>{% for value in row %}<td{% if forloop.counter0 in block.table.numeric %} class="app-money"{% endif %}>{{ value|linebreaksbr }}</td>{% endfor %}</tr>
      {% endfor %}
      </tbody>
      {% if block.table.footer %}
      <tfoot>
      {% for row in block.table.footer %}
        <tr>{% for value in row %}<td{% if forloop.counter0 in block.table.numeric %} class="app-money"{% endif %}>{{ value|linebreaksbr }}</td>{% endfor %}</tr>
      {% endfor %}
      </tfoot>
      {% endif %}
    </table>
  </div>
{% endif %}
{% if not block.fields and not block.items and not block.table and not block.text and block.empty %}<p><em>{{ block.empty }}</em></p>{% endif %}
"""

HOSTILE = "<script>alert(\"x\")</script> & 'quotes'"
PART = PrintSection(title="Projet <territorial>", blocks=[])

BLOCKS = [
    Block(title="Identité " + HOSTILE, fields=[("Nom", HOSTILE), ("Vide", ""), ("Zéro", 0)]),
    Block(text="Ligne 1\r\nLigne 2\rLigne 3 " + HOSTILE),
    Block(items=[HOSTILE, "Deuxième", 3]),
    Block(
        title="",
        table=Table(
            headers=["Libellé", "Montant <€>"],
            rows=[[HOSTILE, "52 000,50 €"], ["Sur\ndeux lignes", None], [Decimal("0.60"), 2026]],
            numeric={1},
            footer=[["Total", "52 000,50 €"]],
        ),
    ),
    Block(title="Sans pied", table=Table(headers=["A"], rows=[["1"]], numeric=set())),
    Block(title="Rien", empty="Aucune fiche " + HOSTILE),
    Block(empty="Aucune pièce", items=["présente"]),
    Block(fields=[("Déjà sûr", format_html("<b>{}</b>", "gras"))]),
    Block(),
]


def normalized(html):
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", str(html))).strip()


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_python_blocks_equal_the_template(index):
    block = BLOCKS[index]
    expected = Template(TEMPLATE).render(Context({"block": block, "part": PART}))

    assert normalized(block_html(block, PART)) == normalized(expected)


def test_what_the_lead_typed_is_escaped():
    rendered = "".join(block_html(block, PART) for block in BLOCKS)

    assert "<script>" not in rendered
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;quotes&#x27;" in rendered
    assert "Ligne 1<br>Ligne 2" in rendered
    assert "<caption>Projet &lt;territorial&gt;</caption>" in rendered
