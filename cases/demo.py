"""Deterministic demo data: realistic contacts of a personal-injury / mass-tort firm.

Bulk inserts in chunks keep a million contacts within minutes and memory flat. About 3%
of contacts are planted duplicates (typos, nicknames, swapped names, another phone format
of the same number), so the duplicate tools have something to find.
"""

import datetime
import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from cases.models import (
    Appointment,
    Case,
    CaseContact,
    CaseRole,
    CaseStage,
    Message,
    MessageChannel,
    MessageDirection,
    PracticeArea,
    Task,
    TaskKind,
    TaskStatus,
)
from contacts.models import ChannelKind, Contact, ContactEmail, ContactMethod, ContactPhone, LineType, Note
from contacts.normalize import fold
from contacts.rich_text import sanitize_note_html
from contacts.roles import ADMIN, STAFF

FIRST_NAMES = [
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "Michael",
    "Jennifer",
    "William",
    "Elizabeth",
    "David",
    "Linda",
    "Richard",
    "Barbara",
    "Joseph",
    "Susan",
    "Thomas",
    "Jessica",
    "Christopher",
    "Sarah",
    "Daniel",
    "Karen",
    "José",
    "María",
    "Juan",
    "Guadalupe",
    "Luis",
    "Sofía",
    "Carlos",
    "Valentina",
    "Jesús",
    "Camila",
    "Nguyễn",
    "Minh",
    "Thảo",
    "Anh",
    "Wei",
    "Mei",
    "Jun",
    "Xiu",
    "Hiroshi",
    "Yuki",
    "Aarav",
    "Priya",
    "Rohan",
    "Ananya",
    "Mohammed",
    "Fatima",
    "Omar",
    "Aisha",
    "Chukwuemeka",
    "Ngozi",
    "Oluwaseun",
    "Amara",
    "Zoë",
    "Renée",
    "François",
    "Chloé",
    "Søren",
    "Björn",
    "Małgorzata",
    "Łukasz",
    "Siobhán",
    "Seán",
    "Dmitri",
    "Olga",
    "Giulia",
    "Matteo",
    "Kwame",
    "Abena",
    "Tomás",
    "Inés",
]
LAST_NAMES = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Miller",
    "Davis",
    "Wilson",
    "Anderson",
    "Taylor",
    "García",
    "Rodríguez",
    "Martínez",
    "Hernández",
    "López",
    "González",
    "Pérez",
    "Sánchez",
    "Ramírez",
    "Torres",
    "Nguyen",
    "Tran",
    "Le",
    "Pham",
    "Wang",
    "Li",
    "Zhang",
    "Chen",
    "Tanaka",
    "Sato",
    "Patel",
    "Shah",
    "Singh",
    "Kumar",
    "Khan",
    "Hassan",
    "Ali",
    "Okafor",
    "Adeyemi",
    "Mensah",
    "Müller",
    "Schröder",
    "Dubois",
    "Lefèvre",
    "Kowalski",
    "Nowak",
    "O'Brien",
    "Murphy",
    "Ivanov",
    "Rossi",
    "Washington",
    "Jefferson",
    "Brooks",
    "Coleman",
    "Price",
    "Bennett",
    "Wood",
    "Barnes",
    "Ross",
    "Henderson",
]
NICKNAMES = {
    "Robert": "Bob",
    "William": "Bill",
    "Elizabeth": "Liz",
    "Richard": "Rick",
    "Michael": "Mike",
    "James": "Jim",
    "Joseph": "Joe",
    "Thomas": "Tom",
    "Christopher": "Chris",
    "Daniel": "Dan",
    "Patricia": "Pat",
    "Jennifer": "Jen",
    "Susan": "Sue",
    "Jessica": "Jess",
    "David": "Dave",
}
# (city, state, ZIP prefix, area codes, IANA time zone)
PLACES = [
    ("New York", "NY", "100", ["212", "646", "718"], "America/New_York"),
    ("Miami", "FL", "331", ["305", "786"], "America/New_York"),
    ("Atlanta", "GA", "303", ["404", "678"], "America/New_York"),
    ("Chicago", "IL", "606", ["312", "773"], "America/Chicago"),
    ("Houston", "TX", "770", ["713", "832"], "America/Chicago"),
    ("New Orleans", "LA", "701", ["504"], "America/Chicago"),
    ("Denver", "CO", "802", ["303", "720"], "America/Denver"),
    ("Phoenix", "AZ", "850", ["602", "480"], "America/Phoenix"),
    ("Los Angeles", "CA", "900", ["213", "310", "323"], "America/Los_Angeles"),
    ("Seattle", "WA", "981", ["206", "425"], "America/Los_Angeles"),
    ("Anchorage", "AK", "995", ["907"], "America/Anchorage"),
    ("Honolulu", "HI", "968", ["808"], "Pacific/Honolulu"),
]
STREETS = [
    "Main St",
    "Oak Ave",
    "Maple Dr",
    "Cedar Ln",
    "Park Blvd",
    "Elm St",
    "Washington Ave",
    "Lake Rd",
    "Hillcrest Dr",
    "Sunset Blvd",
    "River Rd",
    "Church St",
    "Pine St",
    "Highland Ave",
    "Mill Rd",
]
EMAIL_DOMAINS = ["example.com", "example.net", "example.org", "mail.example.com"]
CASE_TITLES = [
    "Auto accident",
    "Slip and fall",
    "Hernia mesh",
    "Talc exposure",
    "Earplug hearing loss",
    "Camp Lejeune water",
    "Roundup exposure",
    "Workplace injury",
    "Dog bite",
    "Truck collision",
    "Medical malpractice",
    "Hair relaxer",
    "Wrongful termination",
    "Wage claim",
]
TASK_TITLES = [
    ("Sign retainer agreement", TaskKind.FORM),
    ("Upload photo ID", TaskKind.TASK),
    ("Medical history questionnaire", TaskKind.FORM),
    ("Send accident photos", TaskKind.TASK),
    ("Confirm treating physicians", TaskKind.FORM),
    ("HIPAA authorization", TaskKind.FORM),
    ("Schedule intake call", TaskKind.TASK),
]
INTAKE_FORM = [
    {"name": "full_name", "label": "Full legal name", "type": "text", "required": True},
    {"name": "incident_date", "label": "Date of the incident", "type": "date", "required": True},
    {"name": "treated", "label": "Did you see a doctor?", "type": "yesno", "required": True},
    {"name": "injury", "label": "Main injury", "type": "choice", "choices": ["Back", "Neck", "Head", "Other"]},
    {"name": "signature", "label": "Type your name to sign", "type": "signature", "required": True},
]
MESSAGES_IN = [
    "Thank you so much, you have been wonderful.",
    "When will I hear back about my case?",
    "I uploaded the photos you asked for.",
    "Nobody has called me back in weeks, this is frustrating.",
    "Can we move my appointment to Friday?",
    "Great news, thanks for the update!",
]
MESSAGES_OUT = [
    "We received your documents, thank you.",
    "Your case moved to the next stage.",
    "Please complete the questionnaire when you can.",
    "Reminder: your appointment is tomorrow.",
]
# fast_insert skips the model: the bodies pass the notes' sanitizer here, once.
NOTE_BODIES = [
    sanitize_note_html(body)
    for body in [
        "<p>Called client, <strong>left voicemail</strong>.</p>",
        "<p>Client prefers texts after 6pm.</p>",
        "<ul><li>Requested ER records</li><li>Waiting on police report</li></ul>",
        "<p>Spoke with spouse; client recovering from surgery.</p>",
    ]
]

DEMO_PASSWORD = "kayse-demo-2026"
CHUNK = 5000


@dataclass
class SeedReport:
    contacts: int = 0
    duplicates: int = 0
    cases: int = 0
    tasks: int = 0
    seconds: float = 0.0


def ensure_demo_users() -> None:
    User = get_user_model()
    for username, first, last, group, is_superuser in [
        ("admin", "Ada", "Admin", ADMIN, True),
        ("paralegal", "Pat", "Paralegal", STAFF, False),
    ]:
        if User.objects.filter(username=username).exists():
            continue
        user = User.objects.create_user(
            username=username,
            password=DEMO_PASSWORD,
            first_name=first,
            last_name=last,
            email=f"{username}@example.com",
            is_staff=is_superuser,
            is_superuser=is_superuser,
        )
        user.groups.add(Group.objects.get_or_create(name=group)[0])


class DemoGenerator:
    def __init__(self, seed: int):
        self.random = random.Random(seed)
        self.now = timezone.now()
        self.phone_serial = 0

    def _phone(self, area_codes) -> str:
        self.phone_serial += 1
        area = self.random.choice(area_codes)
        exchange = 200 + (self.phone_serial // 10000) % 700
        if exchange % 100 == 11:  # N11 exchanges are not valid numbers
            exchange += 1
        return f"+1{area}{exchange:03d}{self.phone_serial % 10000:04d}"

    def _login_times(self):
        roll = self.random.random()
        past = self.now - datetime.timedelta(days=self.random.randint(0, 400), minutes=self.random.randint(0, 1440))
        if roll < 0.45:
            return None, None
        if roll < 0.65:
            return past, None
        if roll < 0.85:
            return None, past
        return past, past - datetime.timedelta(days=self.random.randint(1, 30))

    def contact(self, index: int) -> tuple[Contact, list[ContactPhone], list[ContactEmail]]:
        rnd = self.random
        first, last = rnd.choice(FIRST_NAMES), rnd.choice(LAST_NAMES)
        city, state, zip_prefix, area_codes, tz = rnd.choice(PLACES)
        web, mobile = self._login_times()
        contact = Contact(
            first_name=first,
            middle_name=rnd.choice(["", "", "", "A.", "J.", "Marie", "Lee"]),
            last_name=last,
            date_of_birth=datetime.date(1940, 1, 1) + datetime.timedelta(days=rnd.randint(0, 365 * 65)),
            address_line1=f"{rnd.randint(1, 9999)} {rnd.choice(STREETS)}",
            city=city,
            state=state,
            postal_code=f"{zip_prefix}{rnd.randint(0, 99):02d}",
            country="US",
            external_id=f"LEG-{index:07d}",
            source=rnd.choice(["Referral", "TV ad", "Web form", "Co-counsel", "Clio import"]),
            language=rnd.choice(["en"] * 4 + ["es"]),
            timezone=tz,
            preferred_contact_method=rnd.choice([m for m, _ in ContactMethod.choices]),
            do_not_call=rnd.random() < 0.04,
            do_not_text=rnd.random() < 0.05,
            do_not_email=rnd.random() < 0.02,
            web_last_login_at=web,
            mobile_last_login_at=mobile,
            sentiment_label=rnd.choice(["", "", "positive", "neutral", "negative"]),
        )
        if contact.sentiment_label:
            contact.sentiment_score = {"positive": 0.6, "neutral": 0.0, "negative": -0.55}[contact.sentiment_label]
            contact.sentiment_at = self.now - datetime.timedelta(days=rnd.randint(0, 60))
        contact.last_activity_at = self.now - datetime.timedelta(hours=rnd.randint(0, 24 * 200))
        phones = [
            ContactPhone(
                number=self._phone(area_codes), kind=ChannelKind.MOBILE, line_type=LineType.MOBILE, is_primary=True
            )
        ]
        if rnd.random() < 0.25:
            phones.append(
                ContactPhone(number=self._phone(area_codes), kind=ChannelKind.HOME, line_type=LineType.LANDLINE)
            )
        emails = []
        if rnd.random() < 0.9:
            local = f"{_ascii(first)}.{_ascii(last)}{index}"
            emails.append(ContactEmail(email=f"{local}@{rnd.choice(EMAIL_DOMAINS)}", is_primary=True))
        return contact, phones, emails

    def duplicate_of(self, original: Contact, phones, emails, index: int):
        """A realistic second record of the same person."""
        rnd = self.random
        twin = Contact(
            **{f.attname: getattr(original, f.attname) for f in Contact._meta.concrete_fields if f.attname != "id"}
        )
        twin.external_id = f"DUP-{index:07d}"
        twin.web_last_login_at = twin.mobile_last_login_at = None
        change = rnd.choice(["typo", "nickname", "swap", "case", "missing"])
        if change == "typo" and len(twin.last_name) > 3:
            i = rnd.randint(1, len(twin.last_name) - 2)
            twin.last_name = twin.last_name[:i] + twin.last_name[i + 1] + twin.last_name[i] + twin.last_name[i + 2 :]
        elif change == "nickname":
            twin.first_name = NICKNAMES.get(twin.first_name, twin.first_name[:3])
        elif change == "swap":
            twin.first_name, twin.last_name = twin.last_name, twin.first_name
        elif change == "case":
            twin.first_name, twin.last_name = twin.first_name.upper(), twin.last_name.lower()
        else:
            twin.date_of_birth = None
            twin.address_line1 = ""
        twin_phones = [
            ContactPhone(number=p.number, kind=p.kind, line_type=p.line_type, is_primary=p.is_primary)
            for p in phones[:1]
        ]
        twin_emails = [ContactEmail(email=e.email, is_primary=True) for e in emails[:1]] if rnd.random() < 0.5 else []
        return twin, twin_phones, twin_emails


def _column_adapters(model):
    """(column, attname, adapt) for every concrete field, adapting values as the ORM would."""
    ops = connection.ops
    adapters = []
    for field in model._meta.concrete_fields:
        kind = field.get_internal_type()
        if kind == "DateTimeField":
            adapt = ops.adapt_datetimefield_value
        elif kind == "DateField":
            adapt = ops.adapt_datefield_value
        elif kind == "TimeField":
            adapt = ops.adapt_timefield_value
        elif isinstance(field, models.JSONField):
            adapt = lambda value, field=field: field.get_db_prep_value(value, connection)  # noqa: E731
        else:
            adapt = None
        adapters.append((field.column, field.attname, adapt))
    return adapters


def fast_insert(model, objects, *, with_ids: bool = False) -> None:
    """executemany() straight into the table: the ORM's per-value preparation dominates
    bulk_create's time at a million rows. Fields' defaults must already be set on the objects."""
    if not objects:
        return
    adapters = [a for a in _column_adapters(model) if with_ids or a[1] != "id"]
    now = timezone.now()
    for obj in objects:
        for field in model._meta.concrete_fields:
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                setattr(obj, field.attname, getattr(obj, field.attname) or now)
    columns = ", ".join(connection.ops.quote_name(column) for column, _, _ in adapters)
    placeholders = ", ".join(["%s"] * len(adapters))
    sql = f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608 (names come from model meta)
    rows = [
        tuple(
            adapt(getattr(obj, attname)) if adapt and getattr(obj, attname) is not None else getattr(obj, attname)
            for _, attname, adapt in adapters
        )
        for obj in objects
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _next_id(model) -> int:
    return (model.objects.aggregate(top=models.Max("id"))["top"] or 0) + 1


def _reset_sequences(*model_classes) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), list(model_classes))
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _ascii(text: str) -> str:
    return fold(text).replace(" ", "").replace("'", "") or "contact"


def seed(*, contacts: int, seed: int = 1, progress=None) -> SeedReport:
    """Insert `contacts` demo contacts (and their cases, tasks, messages…) in bulk."""
    started = timezone.now()
    generator = DemoGenerator(seed)
    rnd = generator.random
    report = SeedReport()
    ensure_demo_users()
    author = get_user_model().objects.filter(username="paralegal").first()
    case_serial = Case.objects.count()
    index = 0
    while index < contacts:
        size = min(CHUNK, contacts - index)
        rows = []
        for _ in range(size):
            index += 1
            if rows and rnd.random() < 0.03:
                rows.append(generator.duplicate_of(*rnd.choice(rows), index))
                report.duplicates += 1
            else:
                rows.append(generator.contact(index))
        with transaction.atomic():
            next_id = _next_id(Contact)
            for offset, (contact, _, _) in enumerate(rows):
                contact.pk = next_id + offset
                contact.refresh_derived_fields()
            created = [row[0] for row in rows]
            fast_insert(Contact, created, with_ids=True)
            phones, emails = [], []
            for contact, contact_phones, contact_emails in rows:
                for phone in contact_phones:
                    phone.contact_id = contact.pk
                    phones.append(phone)
                for email in contact_emails:
                    email.contact_id = contact.pk
                    emails.append(email)
            fast_insert(ContactPhone, phones)
            fast_insert(ContactEmail, emails)
            case_serial = _seed_cases(rnd, generator.now, created, case_serial, report, author)
        report.contacts += size
        if progress:
            progress(report.contacts)
    _reset_sequences(Contact, Case)
    report.seconds = (timezone.now() - started).total_seconds()
    return report


def _seed_cases(rnd, now, contacts, case_serial, report, author) -> int:
    """About one case for every four contacts, with one to three contacts each."""
    cases, groups = [], []
    position = 0
    while position < len(contacts):
        take = rnd.choice([1, 1, 1, 2, 3, 4, 4, 5])
        group = contacts[position : position + take]
        position += take
        case_serial += 1
        title = rnd.choice(CASE_TITLES)
        cases.append(
            Case(
                number=f"PI-{case_serial:07d}",
                title=f"{group[0].last_name or group[0].first_name} — {title}",
                practice_area=rnd.choice(
                    [PracticeArea.PERSONAL_INJURY] * 3 + [PracticeArea.MASS_TORT] * 3 + list(PracticeArea.values)
                ),
                stage=rnd.choice(CaseStage.values),
                opened_on=(now - datetime.timedelta(days=rnd.randint(0, 900))).date(),
            )
        )
        groups.append(group)
    next_id = _next_id(Case)
    for offset, case in enumerate(cases):
        case.pk = next_id + offset
    fast_insert(Case, cases, with_ids=True)
    links, tasks, appointments, messages, notes = [], [], [], [], []
    for case, group in zip(cases, groups, strict=True):
        for position, contact in enumerate(group):
            role = (
                CaseRole.CLIENT if position == 0 else rnd.choice([CaseRole.CLAIMANT, CaseRole.FAMILY, CaseRole.WITNESS])
            )
            links.append(CaseContact(case_id=case.pk, contact_id=contact.pk, role=role))
        client = group[0]
        for title, kind in rnd.sample(TASK_TITLES, rnd.randint(1, 3)):
            status = rnd.choice([TaskStatus.OPEN, TaskStatus.OPEN, TaskStatus.SUBMITTED, TaskStatus.DONE])
            tasks.append(
                Task(
                    case_id=case.pk,
                    contact_id=client.pk,
                    kind=kind,
                    title=title,
                    form_fields=INTAKE_FORM if kind == TaskKind.FORM else [],
                    status=status,
                    due_on=(now + datetime.timedelta(days=rnd.randint(-20, 40))).date(),
                    completed_at=now if status == TaskStatus.DONE else None,
                )
            )
        if rnd.random() < 0.4:
            starts = now + datetime.timedelta(days=rnd.randint(-30, 30), hours=rnd.randint(0, 8))
            appointments.append(
                Appointment(
                    case_id=case.pk,
                    contact_id=client.pk,
                    title=rnd.choice(["Intake call", "Deposition prep", "Medical exam", "Case review"]),
                    starts_at=starts,
                    ends_at=starts + datetime.timedelta(hours=1),
                    location=rnd.choice(["Office", "Phone", "Video call"]),
                )
            )
        for _ in range(rnd.choice([0, 0, 1, 2, 3])):
            inbound = rnd.random() < 0.5
            messages.append(
                Message(
                    case_id=case.pk,
                    contact_id=client.pk,
                    direction=MessageDirection.INBOUND if inbound else MessageDirection.OUTBOUND,
                    channel=rnd.choice(MessageChannel.values),
                    body=rnd.choice(MESSAGES_IN if inbound else MESSAGES_OUT),
                    sent_at=now - datetime.timedelta(hours=rnd.randint(1, 2000)),
                )
            )
        if rnd.random() < 0.3:
            notes.append(Note(contact_id=client.pk, author=author, body_html=rnd.choice(NOTE_BODIES)))
    fast_insert(CaseContact, links)
    fast_insert(Task, tasks)
    fast_insert(Appointment, appointments)
    fast_insert(Message, messages)
    fast_insert(Note, notes)
    report.cases += len(cases)
    report.tasks += len(tasks)
    return case_serial
