"""Rate limits on /p/<token>/: unknown links counted per client address (behind proxies
too), each real link and its second factor counted per link."""

import pytest

from portal import ratelimit
from portal.models import PortalSession
from portal.tests.factories import contact_on_case, issued_link

pytestmark = pytest.mark.django_db

JUNK_ADDRESS = "203.0.113.66"
CONTACT_ADDRESS = "198.51.100.7"


def from_address(address: str) -> dict:
    """What a request carries after one reverse proxy: the client's address appended."""
    return {"HTTP_X_FORWARDED_FOR": address, "REMOTE_ADDR": "10.0.0.2"}


def wrong_and_right_answers(contact) -> tuple[str, str]:
    right = contact.phones.get().number[-4:]
    return ("0000" if right != "0000" else "1111"), right


def test_junk_from_one_address_behind_the_proxy_does_not_stop_another_addresss_link(client, settings):
    settings.TRUSTED_PROXY_HOPS = 1
    contact, case = contact_on_case(first_name="Rosa")
    _link, token = issued_link(contact, case=case)

    statuses = [client.get(f"/p/junk-token-{n}/", **from_address(JUNK_ADDRESS)).status_code for n in range(1000)]

    assert statuses[:30] == [404] * 30 and set(statuses[30:]) == {429}
    page = client.get(f"/p/{token}/", **from_address(CONTACT_ADDRESS))
    assert page.status_code == 200 and "Hello Rosa" in page.content.decode()
    entered = client.post(f"/p/{token}/", **from_address(CONTACT_ADDRESS))
    assert entered.status_code == 302 and PortalSession.objects.count() == 1


def test_the_junk_address_gets_a_plain_words_page_and_a_retry_time(client, settings):
    settings.TRUSTED_PROXY_HOPS = 1
    for n in range(30):
        client.get(f"/p/junk-token-{n}/", **from_address(JUNK_ADDRESS))
    response = client.get("/p/junk-token-x/", **from_address(JUNK_ADDRESS))
    page = response.content.decode()
    assert response.status_code == 429 and response["Retry-After"] == "600"
    assert "too many tries" in page and "wait 10 minutes" in page
    assert "no-store" in response["Cache-Control"]


def test_the_blocked_address_cannot_open_a_real_link_either(client, settings):
    """Otherwise 429 for junk and 200 for a real token would tell a guesser when it hit."""
    settings.TRUSTED_PROXY_HOPS = 1
    contact, case = contact_on_case()
    _link, token = issued_link(contact, case=case)
    for n in range(30):
        client.get(f"/p/junk-token-{n}/", **from_address(JUNK_ADDRESS))
    assert client.get(f"/p/{token}/", **from_address(JUNK_ADDRESS)).status_code == 429


def test_without_a_trusted_proxy_a_made_up_forwarded_header_escapes_nothing(client, settings):
    settings.TRUSTED_PROXY_HOPS = 0
    for n in range(30):
        client.get(f"/p/junk-token-{n}/", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    assert client.get("/p/junk-token-x/", HTTP_X_FORWARDED_FOR="192.0.2.200").status_code == 429


def test_an_ipv6_client_is_counted_by_its_64_network(client, settings):
    settings.TRUSTED_PROXY_HOPS = 1
    for n in range(30):
        client.get(f"/p/junk-token-{n}/", **from_address(f"2001:db8:0:1::{n + 1:x}"))
    assert client.get("/p/junk-token-x/", **from_address("2001:db8:0:1::ffff")).status_code == 429
    assert client.get("/p/junk-token-x/", **from_address("2001:db8:0:2::1")).status_code == 404


def test_guessing_the_second_factor_from_many_addresses_still_locks_the_link(client, settings):
    settings.TRUSTED_PROXY_HOPS = 1
    contact, case = contact_on_case()
    _link, token = issued_link(contact, case=case, second_factor="phone_last4")
    wrong, right = wrong_and_right_answers(contact)
    for n in range(5):
        client.post(f"/p/{token}/", {"answer": wrong}, **from_address(f"192.0.2.{n + 1}"))
    locked = client.post(f"/p/{token}/", {"answer": right}, **from_address(CONTACT_ADDRESS))
    assert locked.status_code == 429 and "wait 15 minutes" in locked.content.decode()
    assert not PortalSession.objects.exists()


def test_a_link_whose_second_factor_was_guessed_all_day_stays_locked_for_the_day(client):
    contact, case = contact_on_case()
    link, token = issued_link(contact, case=case, second_factor="phone_last4")
    wrong, right = wrong_and_right_answers(contact)
    for _window in range(3):
        for _ in range(5):
            client.post(f"/p/{token}/", {"answer": wrong})
        ratelimit.reset("factor", f"link:{link.token_hash}")  # as if 15 minutes went by
    locked = client.post(f"/p/{token}/", {"answer": right})
    assert locked.status_code == 429 and "locked for a day" in locked.content.decode()
    assert not PortalSession.objects.exists()


def test_one_link_opened_too_often_is_paused_from_anywhere(client, settings):
    settings.TRUSTED_PROXY_HOPS = 1
    contact, case = contact_on_case()
    _link, token = issued_link(contact, case=case)
    for n in range(60):
        assert client.get(f"/p/{token}/", **from_address(f"192.0.2.{n + 1}")).status_code == 200
    response = client.get(f"/p/{token}/", **from_address(CONTACT_ADDRESS))
    assert response.status_code == 429 and "wait 10 minutes" in response.content.decode()
