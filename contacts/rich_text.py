"""The one rule for the HTML a note may hold. The Note model applies it on every save and
bulk insert, and templates apply it again when they show a note (`|sanitized_html`), so a
row written some other way (an old row, a raw SQL fix) is never shown as it was stored."""

import nh3

NOTE_TAGS = {"p", "br", "div", "strong", "b", "em", "i", "u", "s", "h2", "h3", "h4", "ul", "ol", "li", "blockquote"}
NOTE_TAGS |= {"a"}
NOTE_ATTRIBUTES = {"a": {"href", "title"}}
NOTE_URL_SCHEMES = {"http", "https", "mailto", "tel"}


def sanitize_note_html(html: str) -> str:
    """The only HTML a note may hold: formatting, lists, headings, quotes and plain links."""
    return nh3.clean(
        html or "",
        tags=NOTE_TAGS,
        attributes=NOTE_ATTRIBUTES,
        url_schemes=NOTE_URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()


def has_text(html: str) -> bool:
    """Whether the HTML says anything once its tags are gone."""
    return bool(nh3.clean(html or "", tags=set()).strip())
