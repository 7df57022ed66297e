"""Who is on the other end of a connection: forwarded headers count only from our proxies.

Throttling needs the client's address. Behind a reverse proxy every connection comes from
the proxy, which names the real client in ``X-Forwarded-For``; but any client can send that
header itself, so it is believed only when the connection comes from an address listed in
``TRACKTWO_TRUSTED_PROXIES``, and then read from the right: each trusted proxy appends the
address it received from, so the right-most address that is not one of ours is the first one
no proxy of ours vouches for. With no trusted proxies (the default) the header is ignored.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from tracktwo.kernel.parsing import IPNetwork

__all__ = ["client_address"]

MAX_FORWARDED_HOPS = 32


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [2001:db8::1]:443
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # 203.0.113.7:51000
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address, proxies: Sequence[IPNetwork]
) -> bool:
    return any(address.version == net.version and address in net for net in proxies)


def client_address(
    peer: str | None, forwarded_for: Sequence[str], proxies: Sequence[IPNetwork]
) -> str:
    """The client's address as text ("unknown" when there is none to give).

    ``peer`` is the address the connection came from; ``forwarded_for`` the values of every
    ``X-Forwarded-For`` header, in the order received.
    """
    current = _address(peer) if peer else None
    if current is None:
        return "unknown"
    if not proxies or not _trusted(current, proxies):
        return str(current)
    hops = [hop for value in forwarded_for for hop in value.split(",")][-MAX_FORWARDED_HOPS:]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:  # a garbled entry: nothing to its left can be trusted either
            return str(current)
        current = address
        if not _trusted(address, proxies):
            return str(address)
    return str(current)
