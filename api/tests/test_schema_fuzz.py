"""schemathesis against the API's own schema: every operation, valid and invalid input, a
bounded and deterministic number of examples, a token with every scope. No answer may be a
5xx or break the schema (statuses, error shape, fields). In-process (WSGI): nothing leaves
the machine."""

import time
from collections import Counter

import hypothesis
import hypothesis.errors
import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.throttling import TokenRateThrottle
from cases.tests.factories import CaseContactFactory
from contacts.tests.factories import ContactEmailFactory, ContactPhoneFactory

EXAMPLES = 12  # per operation and generation mode
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def wsgi_app(monkeypatch):
    """The project's WSGI app, in the test's transaction: as Django's test client does, the
    request signals leave the connection alone."""
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"token": "1000000/min"})
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def test_the_api_answers_every_generated_request_within_its_schema(api_client, wsgi_app, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    contact = ContactPhoneFactory(number="+13125550101").contact
    ContactEmailFactory(contact=contact, email="fuzz@example.com")
    link = CaseContactFactory(contact=contact)
    known = {"id": contact.pk, "case_id": link.case_id, "contact_id": contact.pk}
    headers = {"Authorization": f"Bearer {api_client.token_text}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)
    started = time.monotonic()
    failures = []
    statuses = Counter()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    for operation in operations:
        path_names = {parameter.name for parameter in operation.path_parameters}
        variants = [
            (schemathesis.GenerationMode.POSITIVE, None),
            (schemathesis.GenerationMode.NEGATIVE, None),
        ]
        if path_names:  # real objects too, so more than the 404 path is exercised
            variants.append(
                (schemathesis.GenerationMode.POSITIVE, {name: known[name] for name in path_names if name in known})
            )
        for mode, path_parameters in variants:
            strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)

            @hypothesis.given(case=strategy)
            @hypothesis.settings(
                max_examples=EXAMPLES,
                derandomize=True,
                deadline=None,
                database=None,
                suppress_health_check=list(hypothesis.HealthCheck),
                phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
            )
            def call(case):
                response = case.call(headers=headers)
                statuses[response.status_code] += 1
                case.validate_response(response, checks=CHECKS, headers=headers)

            try:
                call()
            except hypothesis.errors.Unsatisfiable:
                continue  # nothing to make invalid (no parameters or body)
            except BaseException as error:  # an ExceptionGroup of findings: collect each operation's, then report
                if isinstance(error, (KeyboardInterrupt, SystemExit)):
                    raise
                failures.append(f"{operation.label} [{mode.value}]: {str(error)[:1500]}")
    elapsed = time.monotonic() - started
    print(f"schemathesis: {len(operations)} operations, {statuses.total()} requests in {elapsed:.1f} s: {statuses}")  # noqa: T201
    assert not failures, "\n\n".join(failures)
    assert statuses[200] + statuses[201] + statuses[202] + statuses[204] > 50  # not only refusals
