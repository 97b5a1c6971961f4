"""Cases and what hangs on them: the contacts' roles, tasks and forms, appointments, messages."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from contacts.models import Contact


class CaseStage(models.TextChoices):
    INTAKE = "intake", "Intake"
    INVESTIGATION = "investigation", "Investigation"
    TREATMENT = "treatment", "Medical treatment"
    DEMAND = "demand", "Demand sent"
    NEGOTIATION = "negotiation", "Negotiation"
    LITIGATION = "litigation", "Litigation"
    SETTLEMENT = "settlement", "Settlement"
    CLOSED = "closed", "Closed"


class PracticeArea(models.TextChoices):
    PERSONAL_INJURY = "personal_injury", "Personal injury"
    MASS_TORT = "mass_tort", "Mass tort"
    EMPLOYMENT = "employment", "Employment"
    FAMILY = "family", "Family"
    IMMIGRATION = "immigration", "Immigration"
    ESTATE = "estate", "Estate planning"
    CRIMINAL = "criminal", "Criminal defense"


class Case(models.Model):
    number = models.CharField(max_length=40, unique=True)
    title = models.CharField(max_length=200)
    practice_area = models.CharField(max_length=32, choices=PracticeArea.choices, db_index=True)
    stage = models.CharField(max_length=32, choices=CaseStage.choices, default=CaseStage.INTAKE)
    description = models.TextField(blank=True)
    opened_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    contacts = models.ManyToManyField(Contact, through="CaseContact", related_name="cases")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-opened_on", "-id"]

    def __str__(self):
        return f"{self.number} — {self.title}"

    def get_absolute_url(self):
        return reverse("cases:detail", args=[self.pk])


class CaseRole(models.TextChoices):
    CLIENT = "client", "Client"
    CLAIMANT = "claimant", "Claimant"
    FAMILY = "family", "Family member"
    WITNESS = "witness", "Witness"
    GUARDIAN = "guardian", "Guardian"
    OPPOSING_PARTY = "opposing_party", "Opposing party"
    OTHER = "other", "Other"


# Stronger roles win when a merge puts one contact on a case twice.
ROLE_STRENGTH = [
    CaseRole.CLIENT,
    CaseRole.CLAIMANT,
    CaseRole.GUARDIAN,
    CaseRole.FAMILY,
    CaseRole.WITNESS,
    CaseRole.OPPOSING_PARTY,
    CaseRole.OTHER,
]


class CaseContact(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="case_contacts")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="case_links")
    role = models.CharField(max_length=20, choices=CaseRole.choices, default=CaseRole.CLIENT)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "contact"], name="unique_case_contact")]
        indexes = [models.Index(fields=["contact", "case"], name="case_contact_by_contact")]

    def __str__(self):
        return f"{self.contact_id} as {self.role} on {self.case_id}"


class FormTemplate(models.Model):
    """A reusable form: a list of fields {name, label, type, required, choices}."""

    name = models.CharField(max_length=200, unique=True)
    fields = models.JSONField(default=list)

    def __str__(self):
        return self.name


class TaskKind(models.TextChoices):
    TASK = "task", "Task"
    FORM = "form", "Form"


class TaskStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    SUBMITTED = "submitted", "Submitted"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class Task(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="tasks")
    kind = models.CharField(max_length=10, choices=TaskKind.choices, default=TaskKind.TASK)
    title = models.CharField(max_length=200)
    instructions = models.TextField(blank=True)
    form_template = models.ForeignKey(FormTemplate, null=True, blank=True, on_delete=models.SET_NULL)
    form_fields = models.JSONField(default=list, blank=True)
    response = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=20, choices=TaskStatus.choices, default=TaskStatus.OPEN, db_index=True)
    due_on = models.DateField(null=True, blank=True, db_index=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["contact", "status"], name="task_contact_status")]

    def __str__(self):
        return self.title


class Appointment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="appointments")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="appointments")
    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    location = models.CharField(max_length=300, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["contact", "starts_at"], name="appointment_contact")]

    def __str__(self):
        return f"{self.title} at {self.starts_at:%Y-%m-%d %H:%M}"


class MessageDirection(models.TextChoices):
    INBOUND = "inbound", "From contact"
    OUTBOUND = "outbound", "To contact"


class MessageChannel(models.TextChoices):
    PORTAL = "portal", "Portal"
    SMS = "sms", "SMS"
    EMAIL = "email", "Email"


class Message(models.Model):
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.CASCADE, related_name="messages")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=10, choices=MessageDirection.choices)
    channel = models.CharField(max_length=10, choices=MessageChannel.choices, default=MessageChannel.PORTAL)
    body = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["sent_at", "id"]
        indexes = [models.Index(fields=["contact", "-sent_at"], name="message_contact_recent")]

    def __str__(self):
        return f"{self.get_direction_display()} {self.sent_at:%Y-%m-%d}"
