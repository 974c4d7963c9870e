"""Logging in and out of the dashboard: GET/POST /quan-ly/dang-nhap, POST /quan-ly/dang-xuat.

The login form's CSRF token is bound to a random nonce in a pre-session cookie, so another
site cannot log a browser in under the attacker's account. Failed logins are counted per
name and per client address; the sixth within the window is answered 429.
"""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import Response

from reminders.web.auth import authenticate, minutes
from reminders.web.dashboard.http import (
    FLASH_COOKIE,
    LOGIN,
    LOGIN_COOKIE,
    SESSION_COOKIE,
    Dashboard,
    read_form,
    safe_next,
)
from reminders.web.sessions import Signer

_NONCE = re.compile(r"[A-Za-z0-9_-]{24}")
_MAX_NAME = 200
_MAX_PASSWORD = 1024  # scrypt hashes any length; a megabyte "password" is an attack


class LoginPages:
    """The login and logout endpoints."""

    def __init__(self, dash: Dashboard) -> None:
        self.dash = dash

    async def login(self, request: Request) -> Response:
        if request.method == "POST":
            return await self._submit(request)
        now = self.dash.services.clock.now()
        signer = await self.dash.signer(now)
        target = safe_next(request.query_params.get("tiep"))
        if self.dash.visit(request, now, signer) is not None:
            return self.dash.redirect(target)
        notice = "Bạn đã đăng xuất." if "da-dang-xuat" in request.query_params else None
        return self._form(request, signer, target=target, notice=notice)

    async def logout(self, request: Request) -> Response:
        dash = self.dash
        now = dash.services.clock.now()
        if not dash.origin_ok(request):
            return dash.refuse(request, "Yêu cầu đến từ một trang khác nên bị từ chối.")
        form = await read_form(request)
        visit = dash.visit(request, now, await dash.signer(now))
        if visit is not None and not Signer.same(form.get("csrf"), visit.csrf):
            return dash.refuse(request, "Biểu mẫu không hợp lệ hoặc đã cũ. Hãy tải lại trang "
                                        "rồi làm lại.")
        response = dash.redirect(f"{LOGIN}?da-dang-xuat=1")
        dash.clear(response, SESSION_COOKIE)
        dash.clear(response, FLASH_COOKIE)
        return response

    async def _submit(self, request: Request) -> Response:
        dash = self.dash
        now = dash.services.clock.now()
        if not dash.origin_ok(request):
            return dash.refuse(request, "Yêu cầu đến từ một trang khác nên bị từ chối.")
        form = await read_form(request)
        signer = await dash.signer(now)
        nonce = request.cookies.get(LOGIN_COOKIE, "")
        if not _NONCE.fullmatch(nonce) or not Signer.same(form.get("csrf"),
                                                          signer.login_csrf(nonce)):
            return dash.refuse(request, "Biểu mẫu đăng nhập không hợp lệ hoặc đã cũ. Hãy mở "
                                        "lại trang đăng nhập.", login=True)
        username = form.get("ten_dang_nhap", "").strip()[:_MAX_NAME]
        password = form.get("mat_khau", "")[:_MAX_PASSWORD]
        target = safe_next(form.get("tiep"))
        address = request.client.host if request.client else None
        wait = dash.limiter.wait(username, address, now)
        if wait is not None:
            return self._form(request, signer, target=target, username=username, status=429,
                              error=f"Đăng nhập sai quá nhiều lần, thử lại sau "
                                    f"{minutes(wait)} phút.")
        users = dash.settings.office.users
        user = await dash.db(authenticate, users, username, password) if username else None
        if user is None:
            dash.limiter.failed(username, address, now)
            return self._form(request, signer, target=target, username=username, status=400,
                              error="Tên đăng nhập hoặc mật khẩu không đúng.")
        dash.limiter.succeeded(username)
        value, _session = signer.new_session(user, now)
        response = dash.redirect(target)
        dash.set_session(response, value)
        dash.clear(response, LOGIN_COOKIE)
        dash.clear(response, FLASH_COOKIE)
        return response

    def _form(self, request: Request, signer: Signer, *, target: str, username: str = "",
              error: str | None = None, notice: str | None = None,
              status: int = 200) -> Response:
        nonce = request.cookies.get(LOGIN_COOKIE, "")
        fresh = not _NONCE.fullmatch(nonce)
        if fresh:
            nonce = Signer.new_nonce()
        response = self.dash.render(
            None, "login.html", code=status, csrf=signer.login_csrf(nonce), target=target,
            username=username, error=error, notice=notice,
            users_configured=bool(self.dash.settings.office.users))
        if fresh:
            self.dash.set_cookie(response, LOGIN_COOKIE, nonce)
        return response
