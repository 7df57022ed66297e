"""The client's address: X-Forwarded-For believed only from configured proxies."""

from __future__ import annotations

import pytest

from tracktwo.kernel.parsing import parse_networks
from tracktwo.web.client_address import client_address

PROXIES = parse_networks(["10.0.0.0/8", "::1", " ", "192.0.2.1"])


def test_with_no_trusted_proxy_the_header_is_ignored() -> None:
    # The outside test bypassed the limit by spoofing this from loopback.
    assert client_address("127.0.0.1", ["6.6.6.6"], ()) == "127.0.0.1"
    assert client_address("203.0.113.9", ["6.6.6.6"], PROXIES) == "203.0.113.9"


def test_from_a_trusted_proxy_the_right_most_untrusted_hop_is_the_client() -> None:
    # The client claims to be 6.6.6.6; our proxy appended what it really saw.
    assert client_address("10.1.2.3", ["6.6.6.6, 203.0.113.9"], PROXIES) == "203.0.113.9"
    assert client_address("10.1.2.3", ["6.6.6.6", "203.0.113.9, 10.9.9.9"], PROXIES) == (
        "203.0.113.9"
    )


def test_ports_brackets_and_mapped_addresses_are_understood() -> None:
    assert client_address("::1", ["[2001:db8::7]:443"], PROXIES) == "2001:db8::7"
    assert client_address("10.0.0.1", ["203.0.113.9:51000"], PROXIES) == "203.0.113.9"
    assert client_address("::ffff:203.0.113.9", [], PROXIES) == "203.0.113.9"


@pytest.mark.parametrize("header", [["garbage"], ["1.2.3.4, not-an-ip"], [""]])
def test_a_garbled_header_falls_back_to_the_last_trusted_hop(header: list[str]) -> None:
    assert client_address("10.0.0.1", header, PROXIES) == "10.0.0.1"


def test_only_proxies_all_the_way_gives_the_left_most() -> None:
    assert client_address("10.0.0.1", ["10.0.0.2, 10.0.0.3"], PROXIES) == "10.0.0.2"


def test_no_peer_is_unknown_and_bad_settings_are_named() -> None:
    assert client_address(None, ["1.2.3.4"], PROXIES) == "unknown"
    assert client_address("testclient", [], PROXIES) == "unknown"
    with pytest.raises(ValueError, match=r"'10.0.0.300' is not an IP address"):
        parse_networks(["10.0.0.300"])
