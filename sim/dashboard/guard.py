"""Who may use the dashboard: its user only, on this machine.

A local web server is reachable by every web page the user's browser opens: a page of
another origin can open the app's websocket and drive it (websockets are not covered by
the browser's same-origin policy), and a DNS-rebinding page can read it under a foreign
host name. :class:`LocalOnly` wraps Solara's Starlette app (an ASGI middleware, so it
sees every HTTP request and every websocket handshake before Solara does) and refuses
with HTTP 403 unless

* the ``Host`` header names a loopback address with the server's port (no DNS
  rebinding),
* an ``Origin`` header, when sent, is the dashboard's own origin (browsers send it with
  every websocket handshake and cross-origin request; its absence means a top-level
  navigation or a non-browser client, which the token still gates),
* a request another site's page makes (``Sec-Fetch-Site: cross-site`` or ``same-site``,
  which a page on another local port is) is a top-level navigation, not a script's
  request or a frame: browsers send the token cookie with those but no ``Origin``, and
  a framed dashboard could be clicked through by the page around it, and
* the request carries the per-launch secret: ``?token=`` in the URL printed at start
  (as Jupyter does) or the cookie set from it, so only whoever can read the terminal
  gets in.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

#: Environment variable handing the token from ``python -m sim.dashboard`` to the server.
TOKEN_ENV = "SIM_DASHBOARD_TOKEN"
#: Host names that are loopback whatever the resolver says.
LOOPBACK_NAMES = ("localhost",)
REFUSED_TEXT = (b"403 Forbidden: this dashboard serves only the browser of its user. Open "
                b"the full URL printed by 'make dashboard' (it holds a per-launch token).\n")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def new_token() -> str:
    """A fresh random secret for one launch (32 bytes, URL-safe)."""
    return secrets.token_urlsafe(32)


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an address, IPv6 with or without brackets) is loopback.

    >>> is_loopback("127.0.0.1"), is_loopback("[::1]"), is_loopback("0.0.0.0")
    (True, True, False)
    """
    name = host.strip().lower().strip("[]")
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def cookie_name(port: int) -> str:
    """The token cookie's name, with the port: cookies ignore ports, two dashboards don't."""
    return f"sim_dashboard_token_{port}"


def allowed_hosts(bind_host: str, port: int) -> frozenset[str]:
    """``Host`` header values naming this server: loopback names with its port."""
    names = {"127.0.0.1", "localhost", "[::1]"}
    bind = bind_host.strip().lower()
    if is_loopback(bind):
        names.add(f"[{bind.strip('[]')}]" if ":" in bind else bind)
    return frozenset(f"{name}:{port}" for name in names)


class LocalOnly:
    """ASGI middleware refusing every request that is not from the dashboard's user.

    Parameters
    ----------
    app : ASGI application
        Solara's Starlette app.
    token : str
        The per-launch secret (:func:`new_token`).
    port : int
        The port the server listens on (part of every allowed ``Host`` and ``Origin``).
    bind_host : str
        The address it listens on (a loopback address).
    """

    def __init__(self, app: ASGIApp, token: str, port: int, bind_host: str = "127.0.0.1"):
        if not token:
            raise ValueError("the dashboard needs a token")
        self.app = app
        self.token = token
        self.port = port
        self.cookie = cookie_name(port)
        self.hosts = allowed_hosts(bind_host, port)
        self.origins = frozenset(f"http://{host}" for host in self.hosts)

    def problem(self, scope: Scope) -> str:
        """Why the request of ``scope`` is refused ('' when it is allowed)."""
        headers: dict[str, str] = {}
        for key, value in scope.get("headers") or ():
            # A repeated Host or Origin header is ambiguous: refuse rather than pick one.
            name = key.decode("latin-1").lower()
            if name in ("host", "origin") and name in headers:
                return f"repeated {name} header"
            headers[name] = value.decode("latin-1")
        if headers.get("host", "").lower() not in self.hosts:
            return "foreign Host header"
        origin = headers.get("origin")
        if origin is not None and origin.lower() not in self.origins:
            return "foreign Origin header"
        if headers.get("sec-fetch-site") in ("cross-site", "same-site") and not (
                headers.get("sec-fetch-mode") == "navigate"
                and headers.get("sec-fetch-dest") == "document"):
            return "request made by another site's page"
        if not self._has_token(scope, headers):
            return "no valid token"
        return ""

    def _matches(self, candidate: str | None) -> bool:
        return bool(candidate) and hmac.compare_digest(candidate.encode(), self.token.encode())

    def _query_token(self, scope: Scope) -> str | None:
        query = parse_qs((scope.get("query_string") or b"").decode("latin-1"))
        values = query.get("token") or [None]
        return values[0]

    def _has_token(self, scope: Scope, headers: dict[str, str]) -> bool:
        if self._matches(self._query_token(scope)):
            return True
        cookies = SimpleCookie()
        try:
            cookies.load(headers.get("cookie", ""))
        except Exception:  # a malformed Cookie header carries no token  # noqa: BLE001
            return False
        morsel = cookies.get(self.cookie)
        return self._matches(morsel.value if morsel else None)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass allowed requests on to the app, refuse the others with 403."""
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)  # lifespan events
            return
        if self.problem(scope):
            await self._refuse(scope, send)
            return
        if scope["type"] == "http":
            # First visit with ?token=: remember it in a cookie so the page's own
            # requests (assets, websocket) pass without the token in their URL.
            cookie = self._matches(self._query_token(scope))
            await self.app(scope, receive, self._with_headers(send, cookie))
            return
        await self.app(scope, receive, send)

    def _with_headers(self, send: Send, cookie: bool) -> Send:
        """``send`` adding the token cookie (if ``cookie``) and a no-framing policy."""
        extra = [(b"content-security-policy", b"frame-ancestors 'self'"),
                 (b"x-frame-options", b"SAMEORIGIN")]
        if cookie:
            extra.append((b"set-cookie", f"{self.cookie}={self.token}; Path=/; HttpOnly; "
                                         "SameSite=Strict".encode("latin-1")))

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = dict(message)
                message["headers"] = [*message.get("headers", ()), *extra]
            await send(message)

        return wrapped

    async def _refuse(self, scope: Scope, send: Send) -> None:
        if scope["type"] == "websocket":
            # Closing before accepting makes the server answer the handshake with 403.
            await send({"type": "websocket.close", "code": 1008})
            return
        await send({"type": "http.response.start", "status": 403,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                (b"content-length", str(len(REFUSED_TEXT)).encode())]})
        await send({"type": "http.response.body", "body": REFUSED_TEXT})
