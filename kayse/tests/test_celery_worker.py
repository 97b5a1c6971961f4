"""Round trips through a real Celery worker process: filesystem broker and Redis."""

import pytest
from celery import Celery

from conftest import wait_for
from contacts.tests.factories import UserFactory
from kayse.celery import ping


def test_worker_on_filesystem_broker_runs_a_task_against_the_test_database(celery_worker):
    UserFactory()
    worker = celery_worker()
    result = ping.delay()
    try:
        answer = wait_for(result)
    except AssertionError:
        pytest.fail(worker.output())
    assert answer["pong"] is True
    assert answer["users"] == 1


@pytest.mark.redis
def test_worker_on_redis_runs_a_task(celery_worker, redis_url):
    UserFactory()
    UserFactory()
    worker = celery_worker(broker_url=redis_url, result_backend=redis_url)
    # Not the current app: shared tasks sent later in this process must keep using the
    # project's app and broker, not this Redis sender.
    sender = Celery("kayse-test-sender", broker=redis_url, backend=redis_url, set_as_current=False)
    result = sender.send_task("kayse.ping")
    try:
        answer = wait_for(result)
    except AssertionError:
        pytest.fail(worker.output())
    assert answer["users"] == 2


def test_every_bulk_route_names_a_real_task_and_a_worker_consumes_both_queues():
    from django.conf import settings

    from kayse.celery import app

    app.loader.import_default_modules()
    assert set(settings.CELERY_TASK_ROUTES) <= set(app.tasks), "a route names a task that does not exist"
    assert app.amqp.router.route({}, "contacts.run_import")["queue"].name == "bulk"
    assert app.amqp.router.route({}, "portal.deliver_link")["queue"].name == "celery"
    # A worker started without -Q (make run, the Procfile's worker) consumes every configured queue.
    assert {queue.name for queue in app.amqp.queues.values()} == {"celery", "bulk"}
