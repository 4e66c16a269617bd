"""serialize.readable_json writes what json.dumps(indent=2, ensure_ascii=False,
sort_keys=True) writes (the deposit page's raw content), character for character: on a
deposit's content, hostile and odd values, any JSON document (hypothesis), and what
json.loads never makes (handed to json.dumps itself)."""

import json
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dossiers.domain.serialize import dossier_document, readable_json
from tests.factories import dossier_in_state


def dumps(value):
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)


ODD = {
    "texte": "<script>alert(\"x\")</script> & 'quotes' \\ / \n\r\t \x00\x1f \u2028 é 🙂 \ud83d",
    "nombres": [0, -1, 2**70, 1.5, -0.0, 1e20, 1e-7, 3.0, True, False, None],
    "vides": {"liste": [], "objet": {}, "texte": ""},
    "imbriqués": [[[]], [{}], [{"b": 1, "a": [1, {"z": None, "é": "", "Z": 2, "10": 1, "9": 2}]}]],
    "": "clé vide",
}


@pytest.mark.parametrize(
    "value",
    [ODD, [], {}, "seul", 12, None, [ODD, [ODD]], {"a": float("nan"), "b": float("inf")}],
)
def test_same_text_as_json_dumps(value):
    assert readable_json(value) == dumps(value)


@pytest.mark.parametrize(
    "value",
    [{1: "clé entière", "a": 2}, {"t": (1, 2)}, {"d": Decimal("1.5")}, {"b": bytearray(b"x")}],
)
def test_what_json_loads_never_makes_goes_to_json_dumps(value):
    try:
        expected = dumps(value)
    except TypeError:
        with pytest.raises(TypeError):
            readable_json(value)
    else:
        assert readable_json(value) == expected


def test_a_deposits_content(complete):
    dossier = dossier_in_state("submitted", dossier=complete)
    content = dossier_document(dossier, show_proposal=True, show_grant=True)

    assert readable_json(content) == dumps(content)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=40,
)


@settings(max_examples=300, deadline=None)
@given(JSON)
def test_any_json_document(value):
    assert readable_json(value) == dumps(value)
