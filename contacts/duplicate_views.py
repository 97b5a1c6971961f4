"""The possible-duplicates queue and the merge flow (thin views over contacts.duplicates and
contacts.merge)."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from contacts.duplicates import RULES, check_contact, default_min_score
from contacts.merge import (
    FIELD_GROUPS,
    MERGE_PERMISSION,
    MergeError,
    contact_merge,
    default_choices,
    merge_preview,
    merge_undo,
)
from contacts.models import (
    Contact,
    ContactEmail,
    ContactPhone,
    DuplicateCandidate,
    DuplicateDismissal,
    DuplicateScan,
    MergeRecord,
)
from contacts.normalize import format_phone
from contacts.selectors import search_contacts

PAGE_SIZE = 20
BULK_LIMIT = 200
RULE_FIELDS = {"phone": "phone_match", "email": "email_match", "name": "name_match", "fuzzy": "fuzzy_match"}


# --- Queue ----------------------------------------------------------------------------------


def _int(raw, default, low, high):
    try:
        return max(low, min(high, int(raw)))
    except (TypeError, ValueError):
        return default


def _queue_queryset(*, rule: str = "", min_score: int = 0):
    phones = ContactPhone.objects.order_by("-is_primary", "id")
    emails = ContactEmail.objects.order_by("-is_primary", "id")
    # Pairs with a merged or archived contact are dropped by the refresh and by the merge;
    # the views skip any left in Python (`_live_pairs`): a `merged_into IS NULL` filter here
    # would lead SQLite to that index instead of the score order.
    queryset = (
        DuplicateCandidate.objects.filter(score__gte=min_score)
        .select_related("contact_a", "contact_b")
        .prefetch_related(
            Prefetch("contact_a__phones", queryset=phones),
            Prefetch("contact_a__emails", queryset=emails),
            Prefetch("contact_b__phones", queryset=phones),
            Prefetch("contact_b__emails", queryset=emails),
        )
        .order_by("-score", "contact_a_id", "contact_b_id")
    )
    if rule in RULE_FIELDS:
        queryset = queryset.filter(**{RULE_FIELDS[rule]: True})
    return queryset


def _live_pairs(pairs) -> list[DuplicateCandidate]:
    def live(contact):
        return contact.merged_into_id is None and contact.archived_at is None

    return [pair for pair in pairs if live(pair.contact_a) and live(pair.contact_b)]


def _values(contact: Contact) -> dict:
    address = ", ".join(
        part
        for part in (contact.address_line1, contact.address_line2, contact.city, contact.state, contact.postal_code)
        if part
    )
    return {
        "Name": contact.display_name,
        "Date of birth": contact.date_of_birth.strftime("%b %-d, %Y") if contact.date_of_birth else "",
        "Address": address,
        "Phones": ", ".join(format_phone(p.number) for p in contact.phones.all()),
        "Emails": ", ".join(e.email for e in contact.emails.all()),
        "External ID": contact.external_id,
    }


def _side_by_side(a: Contact, b: Contact) -> list[dict]:
    a_values, b_values = _values(a), _values(b)
    return [
        {"label": label, "a": a_values[label], "b": b_values[label], "differs": a_values[label] != b_values[label]}
        for label in a_values
    ]


def _clusters(pairs: list[DuplicateCandidate]) -> list[dict]:
    """Group the page's pairs that share a contact: three records of one person show together."""
    parent: dict[int, int] = {}

    def find(x):
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for pair in pairs:
        parent[find(pair.contact_a_id)] = find(pair.contact_b_id)
    groups: dict[int, dict] = {}
    for pair in pairs:
        root = find(pair.contact_a_id)
        group = groups.setdefault(root, {"pairs": [], "contacts": set()})
        group["pairs"].append(pair)
        group["contacts"].update((pair.contact_a_id, pair.contact_b_id))
    return [{"pairs": g["pairs"], "size": len(g["contacts"])} for g in groups.values()]


def _reasons(pair: DuplicateCandidate) -> list[str]:
    return [label for rule, label in RULES.items() if getattr(pair, RULE_FIELDS[rule])]


def duplicates_view(request):
    """The queue: pairs best first, filtered by rule and score, with the two records side by side."""
    rule = request.GET.get("rule", "")
    min_score = _int(request.GET.get("min_score"), default_min_score(), 0, 100)
    page = _int(request.GET.get("page"), 1, 1, 10_000)
    offset = (page - 1) * PAGE_SIZE
    rows = list(_queue_queryset(rule=rule, min_score=min_score)[offset : offset + PAGE_SIZE + 1])
    has_next = len(rows) > PAGE_SIZE
    rows = _live_pairs(rows[:PAGE_SIZE])
    for pair in rows:
        pair.reasons = _reasons(pair)
        pair.fields = _side_by_side(pair.contact_a, pair.contact_b)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "nav": "duplicates",
        "clusters": _clusters(rows),
        "rule": rule,
        "rules": [(key, RULES[key]) for key in RULE_FIELDS],
        "min_score": min_score,
        "page": page,
        "has_next": has_next,
        "query": query.urlencode(),
        "scan": DuplicateScan.objects.first(),
        "can_merge": request.user.has_perm(MERGE_PERMISSION),
    }
    template = "contacts/duplicates/partials/pairs.html" if request.htmx else "contacts/duplicates/queue.html"
    return render(request, template, context)


def scan_status_view(request):
    """The scan banner, polled by htmx while a scan runs."""
    return render(request, "contacts/duplicates/partials/scan.html", {"scan": DuplicateScan.objects.first()})


@require_POST
@permission_required(MERGE_PERMISSION, raise_exception=True)
def scan_view(request):
    """Start a full scan in the background (one at a time)."""
    from contacts.tasks import scan_duplicates_task

    running = DuplicateScan.objects.filter(status__in=[DuplicateScan.Status.PENDING, DuplicateScan.Status.RUNNING])
    if running.exists():
        messages.info(request, "A duplicate scan is already running.")
    else:
        scan = DuplicateScan.objects.create(requested_by=request.user)
        try:
            scan_duplicates_task.delay(scan.pk)
        except Exception:  # the broker is down: say so rather than fail the page
            scan.delete()
            messages.error(request, "The background worker cannot be reached; try the scan again in a minute.")
        else:
            messages.success(request, "Scanning all contacts for duplicates in the background.")
    return redirect("contacts:duplicates")


def _pair_from_post(request) -> tuple[Contact, Contact]:
    a_id = _int(request.POST.get("contact_a"), 0, 0, 2**62)
    b_id = _int(request.POST.get("contact_b"), 0, 0, 2**62)
    if not a_id or not b_id or a_id == b_id:
        raise Http404("No such pair.")
    a_id, b_id = sorted((a_id, b_id))
    return get_object_or_404(Contact, pk=a_id), get_object_or_404(Contact, pk=b_id)


@require_POST
def dismiss_view(request):
    """ "Not a duplicate": stored for the pair, never suggested again."""
    contact_a, contact_b = _pair_from_post(request)
    try:
        with transaction.atomic():
            DuplicateDismissal.objects.get_or_create(
                contact_a=contact_a, contact_b=contact_b, defaults={"dismissed_by": request.user}
            )
    except IntegrityError:
        pass  # dismissed by someone else at the same moment: the outcome is the same
    DuplicateCandidate.objects.filter(contact_a=contact_a, contact_b=contact_b).delete()
    if request.htmx:
        return render(request, "contacts/duplicates/partials/dismissed.html", {"a": contact_a, "b": contact_b})
    messages.success(request, f"{contact_a.display_name} and {contact_b.display_name} will not be suggested again.")
    return redirect(request.POST.get("next") or reverse("contacts:duplicates"))


def _bulk_pairs():
    exact = _queue_queryset(min_score=0).filter(phone_match=True, email_match=True, name_match=True)
    return _live_pairs(exact[:BULK_LIMIT])


def _current(contact_id: int) -> Contact:
    """The live record a contact now lives in (itself, or where it was merged)."""
    contact = Contact.objects.get(pk=contact_id)
    for _hop in range(20):
        if not contact.merged_into_id:
            break
        contact = Contact.objects.get(pk=contact.merged_into_id)
    return contact


@permission_required(MERGE_PERMISSION, raise_exception=True)
def bulk_merge_view(request):
    """Admins merge the exact phone + email + name matches after a preview (older record kept)."""
    if request.method == "POST":
        chosen = set(request.POST.getlist("pair"))
        merged, failed = 0, []
        for pair in _bulk_pairs():
            if f"{pair.contact_a_id}-{pair.contact_b_id}" not in chosen:
                continue
            # Pairs of one cluster chain (a-b, b-c): follow earlier merges of this batch.
            survivor, other = _current(pair.contact_a_id), _current(pair.contact_b_id)
            if survivor.pk == other.pk:
                continue
            survivor, other = sorted((survivor, other), key=lambda contact: contact.pk)
            try:
                contact_merge(survivor=survivor, merged=other, user=request.user)
                merged += 1
            except MergeError as error:
                failed.append(str(error))
        if merged:
            messages.success(request, f"Merged {merged} pair{'s' if merged != 1 else ''}. Each can be undone.")
        for error in failed:
            messages.error(request, error)
        if not merged and not failed:
            messages.info(request, "No pairs were selected.")
        return redirect("contacts:duplicates")
    pairs = _bulk_pairs()
    for pair in pairs:
        pair.fields = _side_by_side(pair.contact_a, pair.contact_b)
    return render(
        request, "contacts/duplicates/bulk_merge.html", {"nav": "duplicates", "pairs": pairs, "limit": BULK_LIMIT}
    )


# --- Merge flow -------------------------------------------------------------------------------


def _live_or_404(pk) -> Contact:
    contact = get_object_or_404(Contact, pk=pk)
    if contact.archived_at:
        raise Http404("Archived contacts cannot be merged.")
    return contact


def _choice_rows(survivor: Contact, merged: Contact, choices: dict) -> list[dict]:
    rows = []
    for key, label, fields in FIELD_GROUPS:

        def show(contact, fields=fields):
            values = []
            for name in fields:
                value = getattr(contact, name)
                display = getattr(contact, f"get_{name}_display", None)
                if name == "country" and len(fields) > 1:
                    continue
                if value in (None, ""):
                    values.append("")
                elif isinstance(value, datetime.date):
                    values.append(value.strftime("%b %-d, %Y"))
                else:
                    values.append(str(display() if display else value))
            return ", ".join(v for v in values if v)

        a, b = show(survivor), show(merged)
        if not a and not b:
            continue
        rows.append({"key": key, "label": label, "a": a, "b": b, "differs": a != b, "choice": choices.get(key)})
    return rows


def _channel_options(survivor, merged, model, attribute, formatter=str):
    seen, options = set(), []
    for contact in (survivor, merged):
        for obj in model.objects.filter(contact=contact).order_by("-is_primary", "id"):
            value = getattr(obj, attribute)
            if value.lower() in seen:
                continue
            seen.add(value.lower())
            options.append({"value": value, "label": formatter(value), "from": contact})
    return options


@permission_required(MERGE_PERMISSION, raise_exception=True)
def merge_view(request, pk):
    """Merge another record into this one: find it, pick the values, preview, confirm."""
    survivor = _live_or_404(pk)
    if survivor.merged_into_id:
        return redirect("contacts:merge", pk=survivor.merged_into_id)
    other_id = request.POST.get("other") or request.GET.get("other")
    if not other_id:
        return _merge_search(request, survivor)
    merged = _live_or_404(_int(other_id, 0, 0, 2**62))
    if merged.pk == survivor.pk:
        messages.error(request, "A contact cannot be merged into itself. Pick the other record.")
        return redirect("contacts:merge", pk=survivor.pk)
    if merged.merged_into_id:
        messages.error(request, f"{merged.display_name} has already been merged into another contact.")
        return redirect("contacts:merge", pk=survivor.pk)
    defaults = default_choices(survivor=survivor, merged=merged)
    if request.method == "POST":
        choices = {key: request.POST.get(key, defaults[key]) for key, _label, _fields in FIELD_GROUPS}
        choices = {key: value if value in ("survivor", "merged") else defaults[key] for key, value in choices.items()}
        choices["primary_phone"] = request.POST.get("primary_phone", defaults["primary_phone"])
        choices["primary_email"] = request.POST.get("primary_email", defaults["primary_email"])
        try:
            record = contact_merge(survivor=survivor, merged=merged, choices=choices, user=request.user)
        except MergeError as error:
            messages.error(request, str(error))
            return redirect("contacts:merge", pk=survivor.pk)
        messages.success(request, f"Merged {merged.display_name} into {survivor.display_name}.")
        return redirect("contacts:merge_done", record_id=record.pk)
    context = {
        "nav": "contacts",
        "survivor": survivor,
        "merged": merged,
        "rows": _choice_rows(survivor, merged, defaults),
        "phones": _channel_options(survivor, merged, ContactPhone, "number", format_phone),
        "emails": _channel_options(survivor, merged, ContactEmail, "email"),
        "primary_phone": defaults["primary_phone"],
        "primary_email": defaults["primary_email"],
        "preview": merge_preview(merged=merged),
    }
    return render(request, "contacts/merge/compare.html", context)


def _merge_search(request, survivor):
    text = (request.GET.get("q") or "").strip()
    results = []
    if text:
        results = list(
            search_contacts(Contact.objects.live(), text)
            .exclude(pk=survivor.pk)
            .prefetch_related("phones", "emails")
            .order_by("sort_name", "id")[:15]
        )
    context = {"nav": "contacts", "survivor": survivor, "q": text, "results": results}
    if request.htmx:
        return render(request, "contacts/merge/partials/results.html", context)
    suggested_ids = list(
        DuplicateCandidate.objects.filter(Q(contact_a=survivor) | Q(contact_b=survivor))
        .order_by("-score")
        .values_list("contact_a", "contact_b", "score")[:5]
    )
    suggestions = [(b if a == survivor.pk else a, score) for a, b, score in suggested_ids]
    if not suggestions:
        suggestions = [(match.contact_id, match.score) for match in check_contact(survivor)[:5]]
    contacts = Contact.objects.live().prefetch_related("phones", "emails").in_bulk([pk for pk, _s in suggestions])
    context["suggestions"] = [(contacts[pk], score) for pk, score in suggestions if pk in contacts]
    return render(request, "contacts/merge/search.html", context)


def merge_done_view(request, record_id):
    record = get_object_or_404(MergeRecord.objects.select_related("survivor", "user"), pk=record_id)
    merged_name = record.snapshot.get("merged", {})
    name = " ".join(p for p in (merged_name.get("first_name"), merged_name.get("last_name")) if p) or (
        merged_name.get("organization_name") or f"Contact #{record.merged_contact_id}"
    )
    context = {
        "nav": "contacts",
        "record": record,
        "merged_name": name,
        "moved": [row for row in record.snapshot.get("rows", []) if row["action"] in ("moved", "deleted")],
        "can_merge": request.user.has_perm(MERGE_PERMISSION),
    }
    return render(request, "contacts/merge/done.html", context)


@require_POST
@permission_required(MERGE_PERMISSION, raise_exception=True)
def merge_undo_view(request, record_id):
    record = get_object_or_404(MergeRecord, pk=record_id)
    try:
        restored = merge_undo(record=record, user=request.user)
    except MergeError as error:
        messages.error(request, str(error))
        return redirect("contacts:merge_done", record_id=record.pk)
    messages.success(request, f"Merge undone: {restored.display_name} is a separate contact again.")
    return redirect(restored)
