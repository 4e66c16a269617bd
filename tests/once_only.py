"""Checks of the once-only create forms (common.once, decision 0052): the page carries a
key; the same form posted twice with it creates one row, and the repeat is sent where
the first one led."""

import re

from common.once import new_key


def key_on(response, name="once"):
    """The once-only key a page's form carries (field `name`, e.g. `recurring-once`)."""
    html = response.content.decode()
    found = re.search(rf'name="{re.escape(name)}" value="([^"]+)"', html) or re.search(
        rf'value="([^"]+)" name="{re.escape(name)}"', html
    )
    assert found, f"no once-only field {name!r} on the page"
    return found.group(1)


def posted_twice(client, url, data, count, *, key=None, field="once", created=1):
    """POST `data` (a dict, or a function returning a fresh dict: files are read once)
    twice with the same key; assert both redirect to the same address and `count()`
    grew by `created` (one row). Returns the two responses."""
    key = key or new_key()
    before = count()
    responses = []
    for _ in range(2):
        payload = data() if callable(data) else dict(data)
        payload[field] = key
        responses.append(client.post(url, payload))
    first, second = responses
    assert first.status_code == 302, (first.status_code, first.content[:3000])
    assert second.status_code == 302, (second.status_code, second.content[:3000])
    assert second.url == first.url
    assert count() == before + created
    return first, second
