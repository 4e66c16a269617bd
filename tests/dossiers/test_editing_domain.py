import pytest

from common.errors import InvalidInput
from dossiers.domain.editing import clean_line


@pytest.mark.parametrize("etp", ["1000", "0.333", "-1", "abc"])
def test_etp_out_of_range_or_too_precise_is_refused(etp):
    with pytest.raises(InvalidInput) as exc:
        clean_line({"etp": etp})
    assert "etp" in exc.value.errors


def test_etp_within_range_is_kept():
    assert clean_line({"etp": "0.5"}, partial=True) == {"etp": "0.5"}
