"""The HTTP side of a delivery: which addresses may be called, the signature, and one bounded POST.

Standard library only (``http.client``): it never follows a redirect. The host is resolved once and every
address checked (no private, loopback, link-local, multicast or reserved address: a webhook must not reach
into the host's own network); the connection then goes to the checked address, so a DNS answer that changes
between the check and the connection cannot redirect it. ``WEBHOOKS_ALLOW_INSECURE`` (default: ``DEBUG``;
the tests set it) also allows ``http://`` and loopback addresses, for a receiver on the same machine.
"""

import hashlib
import hmac
import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

#: Seconds for connecting and for each read.
TIMEOUT_SECONDS = 10
#: At most this much of a response body is read (it is only kept, shortened, as an error).
MAX_RESPONSE_BYTES = 4096


def allow_insecure() -> bool:
    return bool(getattr(settings, "WEBHOOKS_ALLOW_INSECURE", settings.DEBUG))


#: IPv6 prefixes that carry an IPv4 address in their last 32 bits (NAT64, RFC 6052 and RFC 8215).
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


def _embedded_ipv4(ip) -> list:
    """The IPv4 addresses an IPv6 address leads to: IPv4-mapped, IPv4-compatible (::a.b.c.d), 6to4, Teredo
    and NAT64. Python's ``is_global`` calls some of these global although they reach a private IPv4 host."""
    if ip.version != 6:
        return []
    found = []
    if ip.ipv4_mapped:
        found.append(ip.ipv4_mapped)
    if ip.sixtofour:
        found.append(ip.sixtofour)
    if ip.teredo:
        found.extend(ip.teredo)
    if int(ip) >> 32 == 0 and int(ip) > 1:  # ::a.b.c.d (not :: or ::1)
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    if any(ip in network for network in _NAT64):
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return found


def _address_allowed(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    embedded = _embedded_ipv4(ip)
    if getattr(ip, "ipv4_mapped", None):
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return allow_insecure()
    if any(not (inner.is_global and not inner.is_multicast) for inner in embedded if inner != ip):
        return False
    return ip.is_global and not ip.is_multicast


def failure_text(exc: Exception) -> str:
    """A failed POST in Swedish for the delivery log (the technical reason after a colon)."""
    if isinstance(exc, ConnectionRefusedError):
        reason = _("Mottagaren tog inte emot anslutningen")
    elif isinstance(exc, TimeoutError):
        reason = _("Mottagaren svarade inte i tid (%(s)s s)") % {"s": TIMEOUT_SECONDS}
    elif isinstance(exc, ssl.SSLError):
        reason = _("TLS-förbindelsen misslyckades (certifikatet?)")
    elif isinstance(exc, http.client.HTTPException):
        reason = _("Mottagarens svar kunde inte läsas")
    else:
        reason = _("Anslutningen misslyckades")
    return f"{reason}: {type(exc).__name__}: {exc}"


def url_check(url: str) -> None:
    """Refuse (``ValidationError``, Swedish) an address a webhook may not have; no name is resolved here."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ValidationError(_("Adressen är inte en giltig URL.")) from None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValidationError(_("Adressen måste börja med https:// och ha ett värdnamn."))
    if parts.username or parts.password:
        raise ValidationError(_("Adressen får inte innehålla användarnamn eller lösenord."))
    if port == 0:
        raise ValidationError(_("Adressen är inte en giltig URL."))
    host = parts.hostname
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    loopback = host == "localhost" or (literal is not None and literal.is_loopback)
    if parts.scheme == "http" and not (allow_insecure() and loopback):
        raise ValidationError(_("Adressen måste börja med https://."))
    if loopback and not allow_insecure():
        raise ValidationError(_("Adressen får inte peka på den här datorn."))
    if literal is not None and not _address_allowed(host):
        raise ValidationError(_("Adressen får inte peka på ett internt nät."))


def resolve_checked(host: str, port: int) -> str:
    """The first address of ``host``, after checking every address it resolves to."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise ValidationError(_("Värdnamnet kunde inte slås upp: %(error)s") % {"error": exc}) from exc
    addresses = [info[4][0] for info in infos]
    if not addresses:
        raise ValidationError(_("Värdnamnet kunde inte slås upp."))
    refused = [a for a in addresses if not _address_allowed(a)]
    if refused:
        raise ValidationError(
            _("Adressen pekar på ett internt nät (%(address)s) och anropas inte.") % {"address": refused[0]}
        )
    return addresses[0]


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """``t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the endpoint's secret>``."""
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode("ascii") + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host, port, *, address, **kwargs):
        super().__init__(host, port, **kwargs)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host, port, *, address, **kwargs):
        super().__init__(host, port, **kwargs)
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes


def post(url: str, body: bytes, headers: dict[str, str]) -> Response:
    """POST ``body`` to ``url`` (checked again here, then resolved and pinned); raises ``ValidationError`` for
    an address that is not allowed and ``OSError`` (timeouts included) or ``http.client.HTTPException`` for a
    failed conversation. Redirects are answers like any other (not followed)."""
    url_check(url)
    parts = urlsplit(url)
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    address = resolve_checked(parts.hostname, port)
    if https:
        connection = _PinnedHTTPSConnection(
            parts.hostname,
            port,
            address=address,
            timeout=TIMEOUT_SECONDS,
            context=ssl.create_default_context(),
        )
    else:
        connection = _PinnedHTTPConnection(parts.hostname, port, address=address, timeout=TIMEOUT_SECONDS)
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        return Response(status=response.status, body=response.read(MAX_RESPONSE_BYTES))
    finally:
        connection.close()
