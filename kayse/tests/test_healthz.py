def test_healthz_reports_database_and_broker_without_login(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["broker"] == {"ok": True, "transport": "filesystem"}


def test_healthz_reports_a_broken_broker(client, db, settings, monkeypatch):
    from kayse.celery import app

    monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:1/0")
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"]["ok"] is False


def test_a_failures_details_go_to_the_log_not_to_the_visitor(client, db, settings, monkeypatch, caplog):
    from kayse.celery import app

    monkeypatch.setattr(app.conf, "broker_url", "redis://kayse:secret@127.0.0.1:1/0")
    settings.CELERY_BROKER_URL = "redis://kayse:secret@127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == {"ok": False, "transport": "redis"}
    assert "127.0.0.1" not in response.text and "secret" not in response.text
    assert "broker cannot be reached" in caplog.text
