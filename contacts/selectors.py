"""Reading contacts: the querysets every view, export and command uses."""

from django.db.models import Prefetch, Q, QuerySet

from contacts.models import Contact, ContactEmail, ContactPhone
from contacts.normalize import fold, normalize_email, phone_or_none


def search_contacts(queryset: QuerySet, text: str) -> QuerySet:
    """Name (any order, accents folded, prefix of each word), phone in any format, email, external id."""
    text = (text or "").strip()
    if not text:
        return queryset
    if "@" in text:
        email = normalize_email(text)
        return queryset.filter(pk__in=ContactEmail.objects.filter(email=email).values("contact_id"))
    phone = phone_or_none(text) if sum(ch.isdigit() for ch in text) >= 7 else None
    if phone:
        return queryset.filter(
            Q(pk__in=ContactPhone.objects.filter(number=phone).values("contact_id")) | Q(external_id=text)
        )
    tokens = fold(text).split()
    condition = Q()
    for token in tokens:
        # search_name holds sorted folded tokens: each typed word must start one of them.
        condition &= Q(search_name__startswith=token) | Q(search_name__contains=f" {token}")
    return queryset.filter(condition | Q(external_id=text))


def contact_list(*, filterset_queryset: QuerySet | None = None) -> QuerySet:
    """Live contacts with what a list row shows, in two extra queries whatever the page size."""
    queryset = filterset_queryset if filterset_queryset is not None else Contact.objects.all()
    return queryset.live().prefetch_related(
        Prefetch("phones", queryset=ContactPhone.objects.filter(is_primary=True), to_attr="primary_phones"),
        Prefetch("emails", queryset=ContactEmail.objects.filter(is_primary=True), to_attr="primary_emails"),
    )


def contact_detail(*, contact_id: int) -> Contact:
    return Contact.objects.prefetch_related("phones", "emails").get(pk=contact_id)
