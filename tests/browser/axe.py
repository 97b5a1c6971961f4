"""axe-core (vendored, MPL-2.0) for the portal's browser tests."""

from pathlib import Path

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
RULES = ["wcag2a", "wcag2aa", "wcag21aa", "best-practice"]


def axe_violations(page, selector: str = "document") -> list:
    """(rule, help, first targets) of every violation axe-core finds in the page or a part of it."""
    page.evaluate(AXE)
    context = "document" if selector == "document" else repr(selector)
    result = page.evaluate(f"() => axe.run({context}, {{runOnly: {{type: 'tag', values: {RULES!r}}}}})")
    return [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
