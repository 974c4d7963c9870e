"""Shared helpers for the dashboard tests: users, the seeded app, logging in, reading pages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import partial
from html.parser import HTMLParser
from typing import Any

import httpx
from anyio.from_thread import start_blocking_portal
from sqlalchemy import Engine
from starlette.types import ASGIApp

from reminders.clock import FixedClock
from reminders.config import Settings
from reminders.config.schema import OfficeSettings, OfficeUser, Role, ServiceSettings
from reminders.replan import replan
from reminders.reports import reports_view
from reminders.services import Services
from reminders.units import load_registry
from reminders.web.app import create_app
from reminders.web.passwords import hash_password
from tests.feed_support import store_seeds
from tests.ingest_support import ROOT

BASE = "https://lich.example.gov.vn"
# Thursday 1 December 2022, 10:00 in Việt Nam: plan 249's report (due Monday 26 December,
# "trước ngày 27/12/2022") is still open for its 25 units.
NOW = datetime(2022, 12, 1, 3, 0, tzinfo=UTC)
PLAN_249 = 1
PASSWORD = "mat-khau-dung-1"
# Small scrypt parameters keep the tests quick; production hashes use n = 2**15.
FAST_N = 2**10
USERS = (
    OfficeUser(username="vanphong", full_name="Văn phòng thường trực", role=Role.OFFICE,
               password_hash=hash_password(PASSWORD, n=FAST_N)),
    OfficeUser(username="lanhdao", full_name="Lãnh đạo phòng", role=Role.LEADER,
               password_hash=hash_password(PASSWORD, n=FAST_N)),
    OfficeUser(username="quantri", full_name="Quản trị", role=Role.ADMIN,
               password_hash=hash_password(PASSWORD, n=FAST_N)),
)
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def settings_with(users: tuple[OfficeUser, ...] = USERS, base_url: str = BASE) -> Settings:
    return Settings(service=ServiceSettings(public_base_url=base_url),
                    office=OfficeSettings(users=users))


def services(engine: Engine, settings: Settings, at: datetime = NOW) -> Services:
    return Services(settings=settings, clock=FixedClock(at), engine=engine,
                    registry=load_registry(ROOT / "config" / "units.toml"))


def seed(engine: Engine, at: datetime = NOW) -> None:
    """The seed plans published, with their expected reports filled."""
    store_seeds(engine)
    with engine.begin() as conn:
        replan(conn, Settings(), now=at)


def occurrence_ids(engine: Engine, plan_id: int, at: datetime = NOW) -> list[int]:
    with engine.connect() as conn:
        view = reports_view(conn, Settings(), now=at, plan_ids=[plan_id])
    found = view.plan(plan_id)
    assert found is not None
    return [o.occurrence.id for o in found.reports.occurrences]


class Client:
    """A blocking client of the whole app in process (httpx's ASGI transport on an event
    loop in a thread), keeping cookies and never following redirects (the tests look at
    each 303). starlette's TestClient would warn about httpx, and warnings are errors."""

    def __init__(self, app: ASGIApp, stack: ExitStack) -> None:
        self._portal = stack.enter_context(start_blocking_portal())
        self._client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                         base_url=BASE, follow_redirects=False)
        stack.callback(self._portal.call, self._client.aclose)

    @property
    def cookies(self) -> httpx.Cookies:
        return self._client.cookies

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return self._portal.call(partial(self._client.request, method, url, **kwargs))

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)


@dataclass
class Site:
    client: Client
    services: Services
    app: Any

    @property
    def clock(self) -> FixedClock:
        clock = self.services.clock
        assert isinstance(clock, FixedClock)
        return clock

    def set_cookie(self, name: str, value: str) -> None:
        self.client.cookies.set(name, value, domain="lich.example.gov.vn", path="/quan-ly")

    def login(self, username: str = "vanphong", password: str = PASSWORD) -> None:
        response = self.try_login(username, password)
        assert response.status_code == 303, response.text
        assert self.client.cookies.get("ql_phien")

    def try_login(self, username: str, password: str, **extra: str) -> httpx.Response:
        token = csrf_of(self.client.get("/quan-ly/dang-nhap").text)
        return self.client.post("/quan-ly/dang-nhap", data={
            "csrf": token, "ten_dang_nhap": username, "mat_khau": password, **extra})

    def csrf(self, path: str = "/quan-ly/") -> str:
        return csrf_of(self.client.get(path).text)

    def post(self, path: str, data: dict[str, str], *, page: str | None = None,
             headers: dict[str, str] | None = None) -> httpx.Response:
        """POST a form with the session's CSRF token, read from `page` (default: `path`'s
        page, i.e. the path without its last part)."""
        token = self.csrf(page or path.rsplit("/", 1)[0])
        return self.client.post(path, data={"csrf": token, **data}, headers=headers)


@contextmanager
def site(engine: Engine, settings: Settings | None = None, at: datetime = NOW,
         ) -> Iterator[Site]:
    """The whole app over `engine`, its feeds refreshed as the lifespan would."""
    built = services(engine, settings or settings_with(), at)
    app = create_app(built, run_scheduler=False, run_feed_loop=False)
    app.state.feeds.refresh(at)
    with ExitStack() as stack:
        yield Site(client=Client(app, stack), services=built, app=app)


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found is not None, "no CSRF token on the page"
    return found.group(1)


def without(users: tuple[OfficeUser, ...], username: str) -> tuple[OfficeUser, ...]:
    return tuple(u for u in users if u.username != username)


def with_role(users: tuple[OfficeUser, ...], username: str, role: Role) -> tuple[OfficeUser, ...]:
    return tuple(replace(u, role=role) if u.username == username else u for u in users)


@dataclass
class Tag:
    name: str
    attrs: dict[str, str]
    text: str = ""


class Doc(HTMLParser):
    """Every start tag with its attributes and the text inside it (nested text included)."""

    VOID = frozenset({"meta", "input", "br", "img", "link", "hr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[Tag] = []
        self.texts: list[str] = []
        self._open: list[Tag] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Tag(tag, {key: value or "" for key, value in attrs})
        self.tags.append(node)
        if tag not in self.VOID:
            self._open.append(node)

    def handle_endtag(self, tag: str) -> None:
        names = [t.name for t in self._open]
        if tag in names:
            del self._open[len(names) - 1 - names[::-1].index(tag):]

    def handle_data(self, data: str) -> None:
        self.texts.append(data)
        for node in self._open:
            node.text += data

    def find(self, tag: str, /, **attrs: str) -> list[Tag]:
        return [t for t in self.tags if t.name == tag
                and all(t.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items())]

    def having(self, attr: str) -> list[Tag]:
        return [t for t in self.tags if attr in t.attrs]

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.texts).split())


def parse(html: str) -> Doc:
    (doc := Doc()).feed(html)
    doc.close()
    return doc


def classes(tag: Tag) -> set[str]:
    return set(tag.attrs.get("class", "").split())
