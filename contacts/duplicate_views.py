"""The possible-duplicates queue and the merge flow (thin views over contacts.duplicates and
contacts.merge)."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from contacts.dedupe.clustering import RULE_FIELDS, Cluster, queue_clusters
from contacts.duplicates import RULES, active_model, check_contact, default_min_score, explain, profile_for_contact
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
    DuplicateModel,
    DuplicateScan,
    MergeRecord,
)
from contacts.normalize import format_phone
from contacts.selectors import search_contacts
from contacts.services import duplicate_dismiss

PAGE_SIZE = 20  # groups of records per page of the queue
PAIRS_PER_GROUP = 10  # a group's best pairs shown side by side (five records have ten)
GROUP_LIMIT = 20  # records merged in one go
BAR_CAP_BITS = 15  # the match-weight bars' scale: a longer bar is cut at this length
BULK_LIMIT = 200


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


def _reasons(pair: DuplicateCandidate) -> list[str]:
    return [label for rule, label in RULES.items() if getattr(pair, RULE_FIELDS[rule])]


def _bits(weight: float) -> str:
    """A weight as text with its sign, readable without the bar's colour: "+12.4", "−3.5"."""
    if abs(weight) < 0.05:
        return "0.0"
    return f"{weight:+.1f}".replace("-", "\u2212")


def _weight_row(field: str, finding: str, weight: float, *, kind: str = "") -> dict:
    side = "for" if weight >= 0.05 else "against" if weight <= -0.05 else "none"
    return {
        "field": field,
        "finding": finding,
        "bits": _bits(weight),
        "side": side,
        "width": min(BAR_CAP_BITS, round(abs(weight))),
        "capped": abs(weight) > BAR_CAP_BITS + 0.5,
        "kind": kind,
    }


def _percent(probability: float) -> str:
    if 0.995 <= probability < 1:
        return "over 99%"
    if 0 < probability < 0.005:
        return "under 1%"
    return f"{round(probability * 100)}%"


def _why(pair: DuplicateCandidate, profiles: dict, model) -> dict:
    """The pair's match weights, field by field, with the model's starting odds: the rows add
    up to the total weight, which gives the match probability."""
    scored = explain(profiles[pair.contact_a_id], profiles[pair.contact_b_id], model=model)
    rows = [_weight_row(item.field, item.finding, item.weight) for item in scored.evidence]
    one_in = round(1 / model.lam) if 0 < model.lam < 1 else 0
    rows.append(
        _weight_row(
            "Starting odds",
            f"before any evidence: 1 in {one_in:,} pairs is one person",
            model.prior,
            kind="prior",
        )
    )
    return {
        "rows": rows,
        "total": _bits(scored.weight),
        "probability": _percent(scored.probability),
        "score": scored.score,
        "model_version": model.version,
        # Scored by another model than the one whose weights are shown (retrained since), or
        # the contacts changed and the background refresh has not caught up yet.
        "rescored": scored.score != pair.score or (pair.model_version or "default") != model.version,
    }


def _live(contact) -> bool:
    return contact is not None and contact.merged_into_id is None and contact.archived_at is None


def _page_clusters(groups: list[Cluster], model) -> list[dict]:
    """The page's groups with their pairs' rows, contacts (phones and emails prefetched) and
    match weights: a fixed number of queries, whatever the page holds."""
    shown = [pair for group in groups for pair in group.pairs[:PAIRS_PER_GROUP]]
    rows = DuplicateCandidate.objects.in_bulk([pair_id for _a, _b, _score, pair_id in shown])
    contact_ids = {contact for a, b, _score, _pk in shown for contact in (a, b)}
    contact_ids.update(contact for group in groups if group.size <= GROUP_LIMIT for contact in group.contact_ids)
    contacts = Contact.objects.prefetch_related(
        Prefetch("phones", queryset=ContactPhone.objects.order_by("-is_primary", "id")),
        Prefetch("emails", queryset=ContactEmail.objects.order_by("-is_primary", "id")),
    ).in_bulk(contact_ids)
    profiles = {pk: profile_for_contact(contact) for pk, contact in contacts.items() if _live(contact)}
    page = []
    for group in groups:
        pairs = []
        for a, b, _score, pair_id in group.pairs[:PAIRS_PER_GROUP]:
            pair = rows.get(pair_id)
            if pair is None or a not in profiles or b not in profiles:
                continue  # dismissed, merged or archived since the groups were read
            pair.contact_a, pair.contact_b = contacts[a], contacts[b]
            pair.reasons = _reasons(pair)
            pair.fields = _side_by_side(pair.contact_a, pair.contact_b)
            pair.why = _why(pair, profiles, model)
            pairs.append(pair)
        if not pairs:
            continue
        # A group small enough to merge had all its contacts loaded: count the live ones only.
        live_ids = [pk for pk in group.contact_ids if pk in profiles] if group.size <= GROUP_LIMIT else []
        size = len(live_ids) if group.size <= GROUP_LIMIT else group.size
        page.append(
            {
                "pairs": pairs,
                "size": size,
                "more_pairs": max(0, len(group.pairs) - PAIRS_PER_GROUP),
                "merge_ids": ",".join(map(str, live_ids)) if len(live_ids) > 2 else "",
            }
        )
    return page


def duplicates_view(request):
    """The queue: groups of records that may be one person, best first, filtered by rule and
    score, each pair side by side with its match weights."""
    rule = request.GET.get("rule", "")
    min_score = _int(request.GET.get("min_score"), default_min_score(), 0, 100)
    page = _int(request.GET.get("page"), 1, 1, 10_000)
    groups = queue_clusters(min_score=min_score, rule=rule)
    pages = max(1, -(-len(groups) // PAGE_SIZE))
    page = min(page, pages)
    offset = (page - 1) * PAGE_SIZE
    page_groups = groups[offset : offset + PAGE_SIZE]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "nav": "duplicates",
        "clusters": _page_clusters(page_groups, active_model()) if page_groups else [],
        "groups": len(groups),
        "rule": rule,
        "rules": [(key, RULES[key]) for key in RULE_FIELDS],
        "min_score": min_score,
        "page": page,
        "pages": pages,
        "has_next": page < pages,
        "query": query.urlencode(),
        "can_merge": request.user.has_perm(MERGE_PERMISSION),
    }
    if request.htmx:
        return render(request, "contacts/duplicates/partials/pairs.html", context)
    context["scan"] = DuplicateScan.objects.first()
    context["duplicate_model"] = DuplicateModel.objects.defer("parameters").first()
    return render(request, "contacts/duplicates/queue.html", context)


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
    duplicate_dismiss(contact_a=contact_a, contact_b=contact_b, user=request.user)
    if request.htmx:
        return render(request, "contacts/duplicates/partials/dismissed.html", {"a": contact_a, "b": contact_b})
    messages.success(request, f"{contact_a.display_name} and {contact_b.display_name} will not be suggested again.")
    target = request.POST.get("next", "")
    on_this_site = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return redirect(target if on_this_site else reverse("contacts:duplicates"))


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


def _group_from_ids(raw: str) -> list[Contact]:
    """The records of `?ids=1,2,3`, in id order, with phones and emails. Ids that are not
    numbers or not contacts are a 404; a group that cannot be merged raises MergeError with a
    plain message (too few, too many, a record archived or already merged)."""
    try:
        ids = sorted({int(part) for part in raw.split(",") if part.strip()})
    except ValueError:
        raise Http404("No such contacts.") from None
    if any(not 0 < pk < 2**62 for pk in ids):
        raise Http404("No such contacts.")
    if len(ids) < 2:
        raise MergeError("Choose at least two records to merge.")
    if len(ids) > GROUP_LIMIT:
        raise MergeError(f"At most {GROUP_LIMIT} records can be merged at once; this group has {len(ids)}.")
    contacts = Contact.objects.prefetch_related(
        Prefetch("phones", queryset=ContactPhone.objects.order_by("-is_primary", "id")),
        Prefetch("emails", queryset=ContactEmail.objects.order_by("-is_primary", "id")),
    ).in_bulk(ids)
    if len(contacts) != len(ids):
        raise Http404("No such contacts.")
    group = [contacts[pk] for pk in ids]
    for contact in group:
        if contact.merged_into_id:
            raise MergeError(f"{contact.display_name} (#{contact.pk}) has already been merged into another contact.")
        if contact.archived_at:
            raise MergeError(f"{contact.display_name} (#{contact.pk}) is archived; archived contacts cannot be merged.")
    return group


@permission_required(MERGE_PERMISSION, raise_exception=True)
def group_merge_view(request):
    """Merge a group of records of one person in one go: choose the record to keep (the oldest
    by default), confirm, and every other record is merged into it in id order, each its own
    merge that can be undone."""
    raw = request.POST.get("ids", "") if request.method == "POST" else request.GET.get("ids", "")
    try:
        group = _group_from_ids(raw)
    except MergeError as error:
        context = {"nav": "duplicates", "error": str(error)}
        return render(request, "contacts/duplicates/group_merge.html", context, status=400)
    ids = ",".join(str(contact.pk) for contact in group)
    if request.method == "POST":
        keep = _int(request.POST.get("keep"), 0, 0, 2**62)
        survivor = next((contact for contact in group if contact.pk == keep), None)
        if survivor is None:
            context = {"nav": "duplicates", "error": "Choose the record to keep.", "ids": ids}
            return render(request, "contacts/duplicates/group_merge.html", context, status=400)
        done = []
        for contact in group:
            if contact.pk == survivor.pk:
                continue
            try:
                done.append(contact_merge(survivor=survivor, merged=contact, user=request.user).pk)
            except MergeError as error:
                # The merges before it stand (each can be undone); the rest are not tried.
                messages.error(request, f"{error} The remaining records were not merged.")
                break
        if not done:
            return redirect(f"{reverse('contacts:duplicates_group')}?ids={ids}")
        messages.success(
            request, f"Merged {len(done)} record{'s' if len(done) != 1 else ''} into {survivor.display_name}."
        )
        return redirect(f"{reverse('contacts:duplicates_group_done')}?merges={','.join(map(str, done))}")
    context = {
        "nav": "duplicates",
        "records": [
            {"contact": contact, "values": {k: v for k, v in _values(contact).items() if k != "Name"}}
            for contact in group
        ],
        "keep": group[0].pk,
        "ids": ids,
    }
    return render(request, "contacts/duplicates/group_merge.html", context)


def _merged_name(record: MergeRecord) -> str:
    """The merged record's name as it was before the merge (it is a tombstone now)."""
    merged = record.snapshot.get("merged", {})
    return " ".join(part for part in (merged.get("first_name"), merged.get("last_name")) if part) or (
        merged.get("organization_name") or f"Contact #{record.merged_contact_id}"
    )


@permission_required(MERGE_PERMISSION, raise_exception=True)
def group_merge_done_view(request):
    """The merges of a group, each with the link to its page (where it can be undone)."""
    try:
        ids = [int(part) for part in request.GET.get("merges", "").split(",") if part.strip()][:GROUP_LIMIT]
    except ValueError:
        raise Http404("No such merges.") from None
    records = list(MergeRecord.objects.select_related("survivor").filter(pk__in=ids).order_by("merged_contact_id"))
    if not records:
        raise Http404("No such merges.")
    for record in records:
        record.merged_name = _merged_name(record)
    survivors = {record.survivor for record in records}
    context = {"nav": "duplicates", "records": records, "survivor": survivors.pop() if len(survivors) == 1 else None}
    return render(request, "contacts/duplicates/group_done.html", context)


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
    context = {
        "nav": "contacts",
        "record": record,
        "merged_name": _merged_name(record),
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
