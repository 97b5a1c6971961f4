"""HTML fragments rendered once per process for each thing they depend on.

A page's filter form, say, shows nothing but the request's filters, the language and a list
that changes rarely; rendering it on every request cost a tenth of the request. The caller's
key must hold everything the fragment shows (it is never invalidated, only forgotten): the
first element names the fragment, so two callers' keys never meet.
"""

# A few hundred distinct keys are in use at once; past the bound the cache starts again.
BOUND = 1024
_FRAGMENTS: dict = {}


def cached_fragment(key: tuple, render):
    """`render()`, or what it returned the first time for `key` in this process."""
    html = _FRAGMENTS.get(key)
    if html is None:
        if len(_FRAGMENTS) >= BOUND:
            _FRAGMENTS.clear()
        html = _FRAGMENTS[key] = render()
    return html


def forget_fragments() -> None:
    _FRAGMENTS.clear()
