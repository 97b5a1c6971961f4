"""Contacts of the firm: people and organizations, their phones, emails, notes,
portal logins, and the records that make merges reversible."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from contacts.login_source import LoginSource, derive_login_source
from contacts.normalize import fold, name_key
from contacts.rich_text import sanitize_note_html

DEFAULT_CALLING_WINDOW_START = datetime.time(8, 0)
DEFAULT_CALLING_WINDOW_END = datetime.time(21, 0)


class ContactKind(models.TextChoices):
    PERSON = "person", "Person"
    ORGANIZATION = "organization", "Organization"


class ContactMethod(models.TextChoices):
    ANY = "", "No preference"
    PHONE = "phone", "Phone call"
    SMS = "sms", "Text message"
    EMAIL = "email", "Email"
    PORTAL = "portal", "Portal"
    MAIL = "mail", "Postal mail"


class Sentiment(models.TextChoices):
    UNKNOWN = "", "Unknown"
    POSITIVE = "positive", "Positive"
    NEUTRAL = "neutral", "Neutral"
    NEGATIVE = "negative", "Negative"


class ContactQuerySet(models.QuerySet):
    def live(self):
        """Contacts staff work with: not merged away (tombstones) and not archived."""
        return self.filter(merged_into__isnull=True, archived_at__isnull=True)


class Contact(models.Model):
    kind = models.CharField(max_length=16, choices=ContactKind.choices, default=ContactKind.PERSON)
    first_name = models.CharField(max_length=100, blank=True)
    middle_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    preferred_name = models.CharField(max_length=100, blank=True)
    organization_name = models.CharField(max_length=200, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)

    address_line1 = models.CharField("address", max_length=200, blank=True)
    address_line2 = models.CharField("address line 2", max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=50, blank=True)
    postal_code = models.CharField(max_length=20, blank=True, db_index=True)
    country = models.CharField(max_length=2, default="US", blank=True)

    external_id = models.CharField(max_length=100, blank=True, db_index=True)
    source = models.CharField(max_length=100, blank=True, help_text="Where the contact came from.")
    language = models.CharField(max_length=10, blank=True, default="en")
    timezone = models.CharField("time zone", max_length=64, blank=True, help_text="IANA name, e.g. America/Chicago.")

    preferred_contact_method = models.CharField(max_length=10, choices=ContactMethod.choices, blank=True)
    do_not_call = models.BooleanField(default=False)
    do_not_text = models.BooleanField(default=False)
    do_not_email = models.BooleanField(default=False)
    calling_window_start = models.TimeField(default=DEFAULT_CALLING_WINDOW_START)
    calling_window_end = models.TimeField(default=DEFAULT_CALLING_WINDOW_END)

    sentiment_label = models.CharField(max_length=10, choices=Sentiment.choices, blank=True)
    sentiment_score = models.FloatField(null=True, blank=True)
    sentiment_at = models.DateTimeField(null=True, blank=True)
    sentiment_reason = models.CharField(max_length=300, blank=True)

    web_last_login_at = models.DateTimeField(null=True, blank=True)
    mobile_last_login_at = models.DateTimeField(null=True, blank=True)
    login_source = models.CharField(
        max_length=16, choices=LoginSource.choices, default=LoginSource.NOT_INSTALLED, editable=False
    )

    # Derived keys, kept by save(): accent-folded for search and sorting at scale.
    search_name = models.CharField(max_length=400, blank=True, editable=False)
    sort_name = models.CharField(max_length=300, blank=True, editable=False)

    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_contacts", editable=False
    )
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_activity_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering = ["sort_name", "id"]
        permissions = [
            ("merge_contact", "Can merge contacts"),
            ("import_contacts", "Can import contacts"),
            ("export_contacts", "Can export contacts"),
        ]
        indexes = [
            # The live-contact columns included (PostgreSQL): a deep page skips its rows in the index.
            models.Index(
                fields=["login_source", "sort_name", "id"],
                name="contact_login_source",
                include=["archived_at", "merged_into"],
            ),
            models.Index(fields=["sort_name", "id"], name="contact_sort_name", include=["archived_at", "merged_into"]),
            models.Index(fields=["created_at"], name="contact_created"),
            models.Index(fields=["last_activity_at"], name="contact_last_activity"),
            models.Index(fields=["login_source", "last_activity_at"], name="contact_login_activity"),
            models.Index(fields=["login_source", "created_at"], name="contact_login_created"),
            # Partial: a plain index would tempt SQLite to drive lists by "archived_at IS NULL".
            models.Index(fields=["archived_at"], name="contact_archived_only", condition=Q(archived_at__isnull=False)),
            models.Index(fields=["date_of_birth"], name="contact_dob"),
            # Do not call / text / email: a few percent of contacts each, so the list walked the
            # name index through ~25 contacts per match (its count ~25,000 rows at a million).
            *[
                models.Index(
                    fields=["sort_name", "id"],
                    name=f"contact_{flag}_by_name",
                    include=["archived_at", "merged_into"],
                    condition=Q(**{flag: True}),
                )
                for flag in ("do_not_call", "do_not_text", "do_not_email")
            ],
            # The zones contacts are in, read one probe per zone (selectors.time_zones_in_use).
            models.Index(fields=["timezone"], name="contact_timezone"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(login_source__in=LoginSource.values), name="contact_login_source_valid"),
            models.CheckConstraint(condition=~Q(merged_into=models.F("id")), name="contact_not_merged_into_self"),
        ]

    def __str__(self):
        return self.display_name

    def get_absolute_url(self):
        return reverse("contacts:detail", args=[self.pk])

    @property
    def display_name(self) -> str:
        if self.kind == ContactKind.ORGANIZATION and self.organization_name:
            return self.organization_name
        first = self.preferred_name or self.first_name
        name = " ".join(part for part in (first, self.last_name) if part)
        return name or self.organization_name or f"Contact #{self.pk}"

    @property
    def is_tombstone(self) -> bool:
        return self.merged_into_id is not None

    def refresh_derived_fields(self) -> None:
        self.login_source = derive_login_source(
            web_last_login_at=self.web_last_login_at, mobile_last_login_at=self.mobile_last_login_at
        )
        self.search_name = name_key(
            self.first_name, self.middle_name, self.last_name, self.preferred_name, self.organization_name
        )
        if self.kind == ContactKind.ORGANIZATION and self.organization_name:
            self.sort_name = fold(self.organization_name)[:300]
        else:
            self.sort_name = fold(f"{self.last_name} {self.first_name} {self.middle_name}")[:300]

    def save(self, *args, **kwargs):
        self.refresh_derived_fields()
        super().save(*args, **kwargs)


class ContactNameWord(models.Model):
    """One word of a contact's name with what the contacts list sorts and filters a name search by:
    PostgreSQL's name index (contacts/name_words.py). Only database triggers on the contacts table
    write it; on SQLite it stays empty (SQLite searches names with FTS5, contacts/search_index.py)."""

    pk = models.CompositePrimaryKey("contact_id", "word")
    contact = models.ForeignKey(
        Contact, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    word = models.CharField(max_length=400)
    sort_name = models.CharField(max_length=300)
    login_source = models.CharField(max_length=16)
    live = models.BooleanField()

    class Meta:
        indexes = [
            # A prefix of `word` is a range of this index (pattern ops: the same on any collation),
            # and the page's sort key and filters are read from it without touching the table.
            models.Index(
                fields=["word", "sort_name", "contact"],
                name="name_word_prefix",
                opclasses=["varchar_pattern_ops", "", ""],
                include=["login_source", "live"],
            )
        ]

    def __str__(self):
        return f"{self.word} #{self.contact_id}"


class ChannelKind(models.TextChoices):
    MOBILE = "mobile", "Mobile"
    HOME = "home", "Home"
    WORK = "work", "Work"
    OTHER = "other", "Other"


class LineType(models.TextChoices):
    UNKNOWN = "", "Unknown"
    MOBILE = "mobile", "Mobile"
    LANDLINE = "landline", "Landline"
    VOIP = "voip", "VoIP"


class ContactPhone(models.Model):
    # Indexed by unique_phone_per_contact, which starts with the contact.
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="phones", db_index=False)
    number = models.CharField("number (E.164)", max_length=20, db_index=True)
    kind = models.CharField(max_length=10, choices=ChannelKind.choices, default=ChannelKind.MOBILE)
    line_type = models.CharField(max_length=10, choices=LineType.choices, blank=True)
    is_primary = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_primary", "id"]
        constraints = [
            models.UniqueConstraint(fields=["contact"], condition=Q(is_primary=True), name="one_primary_phone"),
            models.UniqueConstraint(fields=["contact", "number"], name="unique_phone_per_contact"),
        ]

    def __str__(self):
        return self.number

    @property
    def kind_and_line_type(self) -> str:
        """ "Mobile", "Home, Landline", "Other, Mobile": the line type only when it adds something."""
        kind = self.get_kind_display()
        if not self.line_type or self.get_line_type_display() == kind:
            return kind
        return f"{kind}, {self.get_line_type_display()}"


class ContactEmail(models.Model):
    # Indexed by unique_email_per_contact, which starts with the contact.
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="emails", db_index=False)
    email = models.EmailField(max_length=254, db_index=True)
    kind = models.CharField(max_length=10, choices=ChannelKind.choices, default=ChannelKind.HOME)
    is_primary = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_primary", "id"]
        constraints = [
            models.UniqueConstraint(fields=["contact"], condition=Q(is_primary=True), name="one_primary_email"),
            models.UniqueConstraint(fields=["contact", "email"], name="unique_email_per_contact"),
        ]

    def __str__(self):
        return self.email


class LoginChannel(models.TextChoices):
    WEB = "web", "Web"
    MOBILE = "mobile", "Mobile"


class LoginEvent(models.Model):
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="login_events")
    channel = models.CharField(max_length=10, choices=LoginChannel.choices)
    occurred_at = models.DateTimeField()
    user_agent = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-occurred_at"]
        indexes = [models.Index(fields=["contact", "-occurred_at"], name="login_event_contact")]

    def __str__(self):
        return f"{self.get_channel_display()} login at {self.occurred_at:%Y-%m-%d %H:%M}"


class NoteQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """Bulk inserts skip save(): they get the same sanitizing (imports use this path)."""
        objs = list(objs)
        for note in objs:
            note.body_html = sanitize_note_html(note.body_html)
        return super().bulk_create(objs, *args, **kwargs)


class Note(models.Model):
    """A staff note. Its HTML is sanitized on every save and bulk insert (the admin, services,
    imports) and again when shown, so no write path can store or show a script."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body_html = models.TextField(help_text="Sanitized rich text.")
    is_pinned = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = NoteQuerySet.as_manager()

    class Meta:
        ordering = ["-is_pinned", "-created_at"]
        indexes = [models.Index(fields=["contact", "-created_at"], name="note_contact_recent")]

    def __str__(self):
        return f"Note #{self.pk} on {self.contact_id}"

    def clean(self):
        super().clean()
        self.body_html = sanitize_note_html(self.body_html)

    def save(self, *args, **kwargs):
        self.body_html = sanitize_note_html(self.body_html)
        super().save(*args, **kwargs)


class MergeRecord(models.Model):
    """Everything needed to undo a merge: the merged record and every row that moved."""

    survivor = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="merge_records")
    merged_contact_id = models.BigIntegerField(db_index=True)
    snapshot = models.JSONField(help_text="The merged and surviving records before the merge, and each moved row.")
    field_choices = models.JSONField(default=dict)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    merged_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-merged_at"]

    def __str__(self):
        return f"#{self.merged_contact_id} merged into #{self.survivor_id}"


class DuplicateDismissal(models.Model):
    """Staff said this pair is not a duplicate: never suggest it again. Stored low id first."""

    contact_a = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    contact_b = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    dismissed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    dismissed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contact_a", "contact_b"], name="unique_dismissal_pair"),
            models.CheckConstraint(condition=Q(contact_a__lt=models.F("contact_b")), name="dismissal_pair_ordered"),
        ]

    def __str__(self):
        return f"#{self.contact_a_id} ≠ #{self.contact_b_id}"


class DuplicateRule(models.TextChoices):
    SKIP = "skip", "Skip: don't import the row"
    UPDATE = "update", "Update: overwrite the existing contact with the file's non-empty values"
    CREATE = "create", "Create: add a new contact anyway"
    MERGE = "merge", "Merge: fill empty fields, add phones and emails, keep the stricter do-not-contact"


class ImportErrorMode(models.TextChoices):
    VALID_ROWS = "valid_rows", "Import the valid rows and report the rest"
    ALL_OR_NOTHING = "all_or_nothing", "All or nothing: import only if every row is valid"


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", "Uploaded"
    PREVIEWING = "previewing", "Checking the file"
    PREVIEWED = "previewed", "Checked"
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Importing"
    DONE = "done", "Finished"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"
    UNDONE = "undone", "Undone"


class ImportMapping(models.Model):
    """A saved column mapping ({header: field}) staff can reuse for files from the same system."""

    name = models.CharField(max_length=100, unique=True)
    columns = models.JSONField(default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class ImportBatch(models.Model):
    """One uploaded file and everything its import did, so it can be resumed, reported and undone."""

    original_name = models.CharField(max_length=255)
    stored_name = models.CharField(max_length=255, help_text="Path under the private storage root.")
    size = models.BigIntegerField(default=0)
    file_format = models.CharField(max_length=8, default="csv")
    encoding = models.CharField(max_length=32, blank=True)
    delimiter = models.CharField(max_length=4, blank=True)
    sheet = models.CharField(max_length=100, blank=True)
    headers = models.JSONField(default=list)
    mapping = models.JSONField(default=list, help_text="Our field for each column, '' to ignore it.")
    duplicate_rule = models.CharField(max_length=10, choices=DuplicateRule.choices, default=DuplicateRule.SKIP)
    error_mode = models.CharField(max_length=16, choices=ImportErrorMode.choices, default=ImportErrorMode.VALID_ROWS)
    check_dnc = models.BooleanField(
        "check Do-Not-Call lists", default=False, help_text="Check each imported contact's numbers as rows are written."
    )
    status = models.CharField(max_length=12, choices=ImportStatus.choices, default=ImportStatus.UPLOADED)
    rows_total = models.IntegerField(null=True, blank=True)
    rows_done = models.IntegerField(default=0)
    preview = models.JSONField(default=dict, blank=True, help_text="Counts of the dry run.")
    new_count = models.IntegerField(default=0)
    updated_count = models.IntegerField(default=0)
    skipped_count = models.IntegerField(default=0)
    merged_count = models.IntegerField(default=0)
    error_count = models.IntegerField(default=0)
    message = models.CharField(max_length=500, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    cancel_requested = models.BooleanField(default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "import batches"

    def __str__(self):
        return f"Import #{self.pk} ({self.original_name})"


class ImportAction(models.TextChoices):
    CREATED = "created", "Created"
    UPDATED = "updated", "Updated"
    MERGED = "merged", "Merged"


class ImportedContact(models.Model):
    """A contact an import created or changed; `before` holds what an update replaced, for undo."""

    # Indexed by imported_contact_batch, which starts with the batch.
    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="imported_contacts", db_index=False)
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="import_links")
    action = models.CharField(max_length=10, choices=ImportAction.choices)
    line = models.IntegerField()
    before = models.JSONField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["batch", "contact"], name="imported_contact_batch")]

    def __str__(self):
        return f"{self.action} #{self.contact_id} in import #{self.batch_id}"


class ImportNoteKind(models.TextChoices):
    ERROR = "error", "Error"
    DUPLICATE = "duplicate", "Duplicate"
    CONFLICT = "conflict", "Conflict"


class ImportRowNote(models.Model):
    """A row's error, the duplicate it matched or a merge conflict, from the dry run or the run."""

    # Indexed by import_note_batch, which starts with the batch.
    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="notes", db_index=False)
    dry_run = models.BooleanField(default=False)
    line = models.IntegerField()
    kind = models.CharField(max_length=10, choices=ImportNoteKind.choices)
    reason = models.CharField(max_length=500)
    contact_id = models.BigIntegerField(null=True, blank=True)
    values = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["line", "id"]
        indexes = [models.Index(fields=["batch", "dry_run", "kind", "line"], name="import_note_batch")]

    def __str__(self):
        return f"Line {self.line}: {self.reason}"


class ExportPreference(models.Model):
    """The fields and format a user last exported with: the picker starts from them."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    fields = models.JSONField(default=list)
    file_format = models.CharField(max_length=8, default="csv")

    def __str__(self):
        return f"Export fields of {self.user_id}"


class ListPreference(models.Model):
    """A staff member's columns and sort for one list (the contacts list, a profile's Tasks tab)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="list_preferences")
    list_name = models.CharField(max_length=40)
    columns = models.JSONField(default=list, blank=True)
    sort = models.CharField(max_length=40, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "list_name"], name="unique_list_preference")]

    def __str__(self):
        return f"{self.list_name} preference of {self.user_id}"


class DuplicateCandidate(models.Model):
    """A pair the duplicate engine scored as possibly one person, kept for the queue.

    Derived data: the background scan and the per-contact refresh rewrite it; low id first."""

    contact_a = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    contact_b = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField()
    phone_match = models.BooleanField(default=False)
    email_match = models.BooleanField(default=False)
    name_match = models.BooleanField(default=False)
    fuzzy_match = models.BooleanField(default=False)
    model_version = models.CharField(max_length=40, blank=True, help_text="The duplicate model that scored the pair.")
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-score", "contact_a_id", "contact_b_id"]
        constraints = [
            models.UniqueConstraint(fields=["contact_a", "contact_b"], name="unique_duplicate_candidate"),
            models.CheckConstraint(condition=Q(contact_a__lt=models.F("contact_b")), name="duplicate_pair_ordered"),
        ]
        indexes = [models.Index(fields=["-score", "contact_a", "contact_b"], name="duplicate_by_score")]

    def __str__(self):
        return f"#{self.contact_a_id} ~ #{self.contact_b_id} ({self.score})"


class DuplicateModel(models.Model):
    """One trained version of the duplicate model (contacts/dedupe/model.py); the newest is used."""

    version = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    contacts = models.PositiveIntegerField(default=0, help_text="Contacts it was trained on.")
    compared_pairs = models.PositiveBigIntegerField(default=0)
    seconds = models.FloatField(default=0)
    parameters = models.JSONField(help_text="m and u per level, the prior, term frequencies.")

    class Meta:
        ordering = ["-id"]

    def __str__(self):
        return f"Duplicate model {self.version} ({self.contacts:,} contacts)"


class DuplicateScan(models.Model):
    """One full scan of the contacts for the duplicates queue, run by Celery."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    contacts = models.PositiveIntegerField(default=0)
    pairs = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Duplicate scan #{self.pk} ({self.get_status_display()})"
