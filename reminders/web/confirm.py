"""HTTP for signed one-click links: GET /xac-nhan/<token> shows a confirm page, POST records.

A GET never changes anything (mail scanners and link previews open every link). A POST
must carry the form's anti-CSRF field, an HMAC of the token under a key derived from the
installation secret, and is refused when the browser says it comes from another site.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from functools import partial
from urllib.parse import parse_qsl, urlsplit

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from reminders.clock import local
from reminders.links import Action, LinkError, LinkProblem, LinkSigner
from reminders.services import Services
from reminders.store.meta import LINK_SECRET, secret
from reminders.web.confirm_flow import (
    MAX_NOTE,
    MAX_NUMBER,
    ActivityLink,
    Missing,
    ReportFields,
    Target,
    load_target,
    read_fields,
    record_click,
)
from reminders.web.confirm_text import details, state_lines, texts
from reminders.web.templating import render

CSRF_FIELD = "csrf"
FORM_FIELDS = ("so_van_ban", "ngay_van_ban", "ghi_chu")
MAX_FORM_BYTES = 16_384
_CSRF_CONTEXT = b"reminders/confirm-form/v1\x00"  # the form key is not the link key
_HEADERS = {
    "cache-control": "private, no-store",
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
    # A one-click page must not be framed by another site (clickjacking); a <meta> CSP
    # cannot say this, so it goes in the headers.
    "content-security-policy": "frame-ancestors 'none'",
    "x-frame-options": "DENY",
}
_LINK_STATUS = {LinkProblem.MALFORMED: 400, LinkProblem.TAMPERED: 400, LinkProblem.EXPIRED: 410}
_LINK_ADVICE = {
    LinkProblem.MALFORMED: "Hãy mở lại đường dẫn từ tin nhắc, chép đủ cả dòng.",
    LinkProblem.TAMPERED: "Hãy mở lại đường dẫn từ tin nhắc, chép đủ cả dòng, không sửa ký tự "
                          "nào.",
    LinkProblem.EXPIRED: "Nếu đơn vị vẫn cần xác nhận, xin báo cho nơi nhận báo cáo hoặc dùng "
                         "đường dẫn trong tin nhắc mới hơn.",
}


class ConfirmPages:
    """The confirm page's routes over ready services."""

    def __init__(self, services: Services) -> None:
        self._services = services
        self._keys: tuple[LinkSigner, bytes] | None = None

    def routes(self) -> list[Route]:
        return [Route("/xac-nhan/{token}", self.endpoint, methods=["GET", "POST"])]

    async def endpoint(self, request: Request) -> Response:
        token: str = request.path_params["token"]
        if request.method != "POST":
            return await anyio.to_thread.run_sync(self.show, token)
        if cross_site(request, self._services.settings.service.public_base_url):
            return problem(403, "Không thể xác nhận từ trang khác",
                           "Yêu cầu này không đến từ trang xác nhận của hệ thống.",
                           "Hãy mở đường dẫn trong tin nhắc rồi bấm nút xác nhận trên trang đó.")
        form = await read_form(request)
        if form is None:
            return problem(413, "Nội dung gửi quá dài",
                           "Nội dung gửi lên vượt quá giới hạn cho phép.")
        return await anyio.to_thread.run_sync(partial(self.post, token, form))

    def show(self, token: str) -> Response:
        """The confirm page of a link (or why there is none); changes nothing."""
        now = self._services.clock.now()
        signer, _ = self._link_keys()
        try:
            claim = signer.verify(token, now=now)
        except LinkError as exc:
            return link_problem(exc)
        with self._services.engine.connect() as conn:
            target = load_target(conn, self._services.settings, claim, now=now)
        if not isinstance(target, Target):
            return not_target(target)
        return self._form(target, self._csrf(token), {}, {}, now=now, status=200)

    def post(self, token: str, form: dict[str, str]) -> Response:
        """Record what the link confirms, once; answer with a thank-you page."""
        services = self._services
        now = services.clock.now()
        signer, _ = self._link_keys()
        try:
            claim = signer.verify(token, now=now)
        except LinkError as exc:
            return link_problem(exc)
        if not hmac.compare_digest(form.get(CSRF_FIELD, "").encode(),
                                   self._csrf(token).encode()):
            return problem(403, "Biểu mẫu không hợp lệ",
                           "Biểu mẫu xác nhận không hợp lệ hoặc đã cũ; chưa ghi nhận gì.",
                           "Hãy mở lại đường dẫn trong tin nhắc rồi bấm nút xác nhận.")
        fields, errors = (read_fields(form, today=local(now).date())
                          if claim.action is Action.SUBMITTED else (ReportFields(), {}))
        with services.engine.begin() as conn:
            target = load_target(conn, services.settings, claim, now=now)
            if not isinstance(target, Target):
                return not_target(target)
            if errors and not target.done:
                return self._form(target, self._csrf(token), form, errors, now=now,
                                  status=422)
            recorded = False if target.done else record_click(conn, claim, fields, now=now)
            if isinstance(recorded, Missing):
                return not_target(recorded)
            after = target if target.done else load_target(conn, services.settings, claim,
                                                           now=now)
        if not isinstance(after, Target):
            return not_target(after)
        words = texts(after)
        return page(200, "web/confirm_done.html", heading=words.done_heading,
                    recorded=recorded,
                    message=words.thanks if recorded else words.already,
                    details=details(after), state_lines=state_lines(after.cell, now=now))

    def _form(self, target: Target, csrf: str, values: dict[str, str],
              errors: dict[str, str], *, now: datetime, status: int) -> Response:
        words = texts(target)
        return page(status, "web/confirm.html", action_label=words.action,
                    deadline_title=target.occurrence.title, details=details(target),
                    state_lines=state_lines(target.cell, now=now), done=target.done,
                    receiver=target.occurrence.receiver or "nơi nhận báo cáo",
                    explanation=words.explanation,
                    submitted=target.claim.action is Action.SUBMITTED, csrf=csrf,
                    values={k: values.get(k, "") for k in FORM_FIELDS},
                    errors={k: errors.get(k, "") for k in FORM_FIELDS},
                    max_number=MAX_NUMBER, max_note=MAX_NOTE)

    def _link_keys(self) -> tuple[LinkSigner, bytes]:
        # The secret is made once per installation and never changes: read it once.
        if self._keys is None:
            with self._services.engine.begin() as conn:
                key = secret(conn, LINK_SECRET, self._services.clock.now())
            self._keys = (LinkSigner(key), hmac.new(key, _CSRF_CONTEXT, hashlib.sha256).digest())
        return self._keys

    def _csrf(self, token: str) -> str:
        _, form_key = self._link_keys()
        return hmac.new(form_key, token.encode(), hashlib.sha256).hexdigest()


def cross_site(request: Request, base_url: str) -> bool:
    """Whether the browser says a POST comes from elsewhere (Sec-Fetch-Site, Origin).

    A form on a page with `no-referrer` sends `Origin: null`; that proves nothing either
    way, so only a real, different origin refuses (the CSRF field still has to match).
    """
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return True
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return False
    public = urlsplit(base_url)
    own = {f"{public.scheme}://{public.netloc}".lower(),
           f"{request.url.scheme}://{request.headers.get('host', '')}".lower()}
    return origin.lower() not in own


async def read_form(request: Request) -> dict[str, str] | None:
    """The url-encoded fields of a POST (first value of each), or None if too large."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            return None
    pairs = parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True)
    form: dict[str, str] = {}
    for name, value in pairs:
        form.setdefault(name, value)
    return form


def page(status: int, template: str, **context: object) -> HTMLResponse:
    return HTMLResponse(render(template, **context), status_code=status, headers=_HEADERS)


def problem(status: int, heading: str, message: str, *advice: str,
            notice: bool = False) -> HTMLResponse:
    return page(status, "web/confirm_problem.html", heading=heading, message=message,
                advice=advice, notice=notice)


def link_problem(error: LinkError) -> HTMLResponse:
    heading = ("Đường dẫn đã hết hạn" if error.reason is LinkProblem.EXPIRED
               else "Đường dẫn không hợp lệ")
    return problem(_LINK_STATUS[error.reason], heading, f"{error.message}.",
                   _LINK_ADVICE[error.reason])


def not_target(found: Missing | ActivityLink) -> HTMLResponse:
    if isinstance(found, ActivityLink):
        return problem(200, "Không cần xác nhận", f"Đường dẫn này thuộc hoạt động «{found.title}»."
                       " Hệ thống chỉ theo dõi xác nhận cho các hạn báo cáo, nên đơn vị không cần "
                       "làm gì thêm.", notice=True)
    return problem(404, "Không tìm thấy hạn báo cáo", found.message)
