"""What every dashboard request goes through: the session, CSRF and origin checks, rendering.

Handlers are written against a `Visit` (who, when, the CSRF token, the flash message):
`Dashboard.page` makes one for a GET or sends the visitor to the login page, and
`Dashboard.action` makes one for a POST only when the origin, the session, the CSRF token
and the role all allow it, and otherwise answers 403 without calling the handler.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import parse_qsl, quote, urlsplit

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from reminders.clock import local
from reminders.config.schema import OfficeUser
from reminders.feeds.hub import FeedHub
from reminders.services import Services
from reminders.store.meta import secret
from reminders.web.auth import LoginLimiter, can_act, find_user
from reminders.web.sessions import SESSION_SECRET, SESSION_TTL, Flash, Session, Signer
from reminders.web.templating import render

PREFIX = "/quan-ly"
LOGIN = f"{PREFIX}/dang-nhap"
SESSION_COOKIE = "ql_phien"
LOGIN_COOKIE = "ql_dang_nhap"
FLASH_COOKIE = "ql_thong_bao"
MAX_FORM_BYTES = 64 * 1024
CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; "
       "base-uri 'none'; frame-ancestors 'none'")
HEADERS = {
    "content-security-policy": CSP,
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
}
T = TypeVar("T")
Form = dict[str, str]


@dataclass(frozen=True, slots=True, kw_only=True)
class Visit:
    """One request of a logged-in user, with the moment it is handled at."""

    request: Request
    now: datetime
    user: OfficeUser
    session: Session
    csrf: str
    flash: Flash | None

    @property
    def can_act(self) -> bool:
        return can_act(self.user)


class Dashboard:
    """The dashboard's shared state: services, the feeds' hub, the signer and the limiter."""

    def __init__(self, services: Services, hub: FeedHub,
                 limiter: LoginLimiter | None = None) -> None:
        self.services = services
        self.settings = services.settings
        self.hub = hub
        self.limiter = limiter or LoginLimiter()
        self.secure = self.settings.service.public_base_url.lower().startswith("https://")
        self._origin = _origin(self.settings.service.public_base_url)
        self._signer: Signer | None = None

    # --- plumbing ---------------------------------------------------------------------

    async def db(self, work: Callable[..., T], *args: Any) -> T:
        """Run store work in a worker thread, as the rest of the app does."""
        return await anyio.to_thread.run_sync(work, *args)

    async def signer(self, now: datetime) -> Signer:
        if self._signer is None:  # the secret never changes once made: read it once
            def read() -> bytes:
                with self.services.engine.begin() as conn:
                    return secret(conn, SESSION_SECRET, now)
            self._signer = Signer(await self.db(read))
        return self._signer

    def visit(self, request: Request, now: datetime, signer: Signer) -> Visit | None:
        """The logged-in user of a request, if the session is valid and the user still is."""
        session = signer.read_session(request.cookies.get(SESSION_COOKIE), now)
        if session is None:
            return None
        user = find_user(self.settings.office.users, session.username)
        if user is None or not signer.matches(session, user):
            return None
        return Visit(request=request, now=now, user=user, session=session,
                     csrf=signer.csrf(session.sid),
                     flash=signer.read_flash(request.cookies.get(FLASH_COOKIE), now))

    def origin_ok(self, request: Request) -> bool:
        """No Origin header (old browsers, same-origin GET-like posts), or our own origin."""
        origin = request.headers.get("origin")
        if origin is None:
            return True
        own = {self._origin, _origin(f"{request.url.scheme}://{request.url.netloc}")}
        return _origin(origin) in own

    # --- handlers ---------------------------------------------------------------------

    def page(self, handler: Callable[[Visit], Awaitable[Response]]
             ) -> Callable[[Request], Awaitable[Response]]:
        """A GET page for logged-in users; others are sent to the login page."""
        async def endpoint(request: Request) -> Response:
            now = self.services.clock.now()
            visit = self.visit(request, now, await self.signer(now))
            if visit is None:
                return self.to_login(request)
            return await handler(visit)
        return endpoint

    def action(self, handler: Callable[[Visit, Form], Awaitable[Response]]
               ) -> Callable[[Request], Awaitable[Response]]:
        """A POST that changes something: checked origin, session, CSRF token and role."""
        async def endpoint(request: Request) -> Response:
            now = self.services.clock.now()
            if not self.origin_ok(request):
                return self.refuse(request, "Yêu cầu đến từ một trang khác nên bị từ chối.")
            form = await read_form(request)
            visit = self.visit(request, now, await self.signer(now))
            if visit is None:
                return self.refuse(request, "Phiên đăng nhập không hợp lệ hoặc đã hết hạn. "
                                            "Hãy đăng nhập lại.", login=True)
            if not Signer.same(form.get("csrf"), visit.csrf):
                return self.refuse(request, "Biểu mẫu không hợp lệ hoặc đã cũ. Hãy tải lại "
                                            "trang rồi làm lại.")
            if not visit.can_act:
                return self.refuse(request, "Tài khoản lãnh đạo chỉ được xem, không được "
                                            "thay đổi dữ liệu.")
            return await handler(visit, form)
        return endpoint

    # --- responses --------------------------------------------------------------------

    def render(self, visit: Visit | None, template: str, *, code: int = 200,
               **context: Any) -> Response:
        """A dashboard page with the security headers; shows (and clears) the flash."""
        path = visit.request.url.path if visit else ""
        nav = "outbox" if path.startswith(f"{PREFIX}/hop-thu-di") else "plans"
        html = render(f"web/dashboard/{template}", visit=visit, office=self.office_name(),
                      flash=visit.flash if visit else None, prefix=PREFIX, nav=nav, **context)
        response = HTMLResponse(html, status_code=code, headers=HEADERS)
        if visit is not None and visit.flash is not None:
            self.clear(response, FLASH_COOKIE)
        return response

    def refuse(self, request: Request, message: str, *, status: int = 403,
               login: bool = False) -> Response:
        return self.render(None, "error.html", code=status, message=message, login=login,
                           title="Không được phép" if status == 403 else "Lỗi")

    def not_found(self, visit: Visit, message: str) -> Response:
        return self.render(visit, "error.html", code=404, message=message, login=False,
                           title="Không tìm thấy")

    def redirect(self, url: str) -> Response:
        return RedirectResponse(url, status_code=303, headers=HEADERS)

    async def done(self, visit: Visit, url: str, text: str, *, error: bool = False) -> Response:
        """Back to a page after an action, with a message to show there once."""
        response = self.redirect(url)
        signer = await self.signer(visit.now)
        self.set_cookie(response, FLASH_COOKIE, signer.flash(Flash(text=text, error=error),
                                                             visit.now), max_age=300)
        return response

    def to_login(self, request: Request) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        response = self.redirect(f"{LOGIN}?tiep={quote(target, safe='')}")
        if SESSION_COOKIE in request.cookies:
            self.clear(response, SESSION_COOKIE)
        return response

    def set_cookie(self, response: Response, name: str, value: str, *,
                   max_age: int | None = None) -> None:
        response.set_cookie(name, value, max_age=max_age, path=PREFIX, secure=self.secure,
                            httponly=True, samesite="lax")

    def set_session(self, response: Response, value: str) -> None:
        self.set_cookie(response, SESSION_COOKIE, value,
                        max_age=int(SESSION_TTL.total_seconds()))

    def clear(self, response: Response, name: str) -> None:
        response.delete_cookie(name, path=PREFIX, secure=self.secure, httponly=True,
                               samesite="lax")

    def office_name(self) -> str:
        """The standing office of most published plans, as the top bar names it."""
        catalogue = self.hub.catalogue
        counts: dict[str, int] = {}
        for entry in catalogue.entries.values():
            unit = catalogue.units.get(entry.plan.standing_unit_id or "")
            if unit is not None:
                counts[unit.name] = counts.get(unit.name, 0) + 1
        if not counts:
            return "Văn phòng thường trực"
        return min(counts, key=lambda name: (-counts[name], name))


async def read_form(request: Request) -> Form:
    """An url-encoded form body (first value of each field); anything else reads as empty."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        return {}
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            return {}
    form: Form = {}
    for key, value in parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True):
        form.setdefault(key, value)
    return form


def safe_next(target: str | None) -> str:
    """Where to go after logging in: a dashboard path only (never another site)."""
    if target and target.startswith(f"{PREFIX}/") and "//" not in target and "\\" not in target:
        return target
    return f"{PREFIX}/"


def when(at: datetime | None) -> str:
    """An instant as read in Việt Nam: "08:15 24/11/2026"."""
    return "" if at is None else local(at).strftime("%H:%M %d/%m/%Y")


def _origin(url: str) -> str:
    parts = urlsplit(url.strip().lower())
    host = parts.hostname or ""
    try:
        port = parts.port
    except ValueError:  # "http://x:99999": no origin of ours
        return "invalid"
    default = {"http": 80, "https": 443}.get(parts.scheme)
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != default:
        netloc += f":{port}"
    return f"{parts.scheme}://{netloc}"
