"""The JSON API under /api/v1 over the seeds, on SQLite and PostgreSQL: bearer tokens,
what office and unit tokens may see and record, figures as status.py counts them, and
every answer checked against the OpenAPI document."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator
from sqlalchemy import Engine
from starlette.routing import Route

from reminders.cli import main
from reminders.clock import FixedClock
from reminders.reports import reports_view
from reminders.services import Services
from reminders.store import make_engine, upgrade
from reminders.store.api_tokens import create_token, list_tokens, revoke_token
from reminders.web.api import JsonApi
from reminders.web.openapi import OPENAPI
from tests.ingest_support import ROOT
from tests.report_web_support import (
    NOT_EXPECTED,
    NOW,
    OTHER_UNIT,
    PLAN_249,
    UNIT,
    UNIT_NAME,
    AppClient,
    client,
    occurrence_id,
    seeded,
    submission_rows,
)

PLAN_324 = 4  # seed 004: so-noi-vu-ha-noi reports there; UNIT does not
AFTER_DUE = datetime(2023, 1, 5, 3, 0, tzinfo=UTC)  # Thursday 5 January 2023, 10:00


def _schema_for(path: str, method: str, status: int) -> dict[str, Any]:
    """The documented schema of an answer to a concrete URL."""
    for template, item in OPENAPI["paths"].items():
        if re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", template), path):
            response = item[method.lower()]["responses"][str(status)]
            if "$ref" in response:
                response = OPENAPI["components"]["responses"][response["$ref"].rsplit("/")[-1]]
            schema: dict[str, Any] = response["content"]["application/json"]["schema"]
            return schema
    raise AssertionError(f"{path} is not in the OpenAPI document")


def checked(response: httpx.Response) -> httpx.Response:
    """`response`, after checking its body against the OpenAPI document."""
    assert response.headers["content-type"] == "application/json"
    schema = _schema_for(response.request.url.path, response.request.method,
                         response.status_code)
    # The document is the root, so the schema's #/components/... references resolve.
    Draft202012Validator({**OPENAPI, **schema},
                         format_checker=Draft202012Validator.FORMAT_CHECKER
                         ).validate(response.json())
    return response


@dataclass
class Api:
    services: Services
    client: AppClient
    office: str
    unit: str
    other: str

    @property
    def engine(self) -> Engine:
        return self.services.engine

    @property
    def clock(self) -> FixedClock:
        clock = self.services.clock
        assert isinstance(clock, FixedClock)
        return clock

    def get(self, path: str, token: str | None = None, **params: str) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token or self.office}"}
        return checked(self.client.get(path, headers=headers, params=params))

    def post(self, path: str, body: object, token: str | None = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token or self.office}"}
        return checked(self.client.post(path, headers=headers, json=body))


@pytest.fixture
def api(engine: Engine) -> Iterator[Api]:
    services = seeded(engine)
    with engine.begin() as conn:
        office = create_token(conn, unit_id=None, label="Văn phòng", now=NOW)[1]
        unit = create_token(conn, unit_id=UNIT, label="QLVB phường", now=NOW)[1]
        other = create_token(conn, unit_id=OTHER_UNIT, label=None, now=NOW)[1]
    with client(services) as app_client:
        yield Api(services, app_client, office, unit, other)


def figures_now(api: Api, plan_id: int) -> dict[str, object]:
    with api.engine.connect() as conn:
        view = reports_view(conn, api.services.settings, now=api.clock.now())
    found = view.plan(plan_id)
    assert found is not None
    return found.reports.figures.to_json()


# --- tokens --------------------------------------------------------------------------------

@pytest.mark.parametrize("header", [None, "Bearer", "Basic dXNlcjpwYXNz", "Bearer sai-ma"],
                         ids=["missing", "empty", "basic", "wrong"])
def test_requests_without_a_good_token_get_401_json(api: Api, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    for response in (api.client.get("/api/v1/plans", headers=headers),
                     api.client.post("/api/v1/submissions", headers=headers, json={})):
        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert response.json()["error"].startswith(("Cần mã API", "Mã API không đúng"))
        checked(response)
    assert submission_rows(api.engine) == []


def test_a_revoked_token_stops_working_at_once(api: Api) -> None:
    assert api.get("/api/v1/plans", api.unit).status_code == 200
    with api.engine.begin() as conn:
        [token] = [t for t in list_tokens(conn) if t.unit_id == UNIT]
        revoke_token(conn, token.id, now=NOW)
    refused = api.get("/api/v1/plans", api.unit)
    assert refused.status_code == 401
    assert refused.json() == {"error": "Mã API đã bị thu hồi."}


def test_last_used_is_written_at_most_once_a_minute(api: Api) -> None:
    def last_used() -> datetime | None:
        with api.engine.connect() as conn:
            return next(t.last_used_at for t in list_tokens(conn) if t.unit_id is None)

    assert last_used() is None
    api.get("/api/v1/plans")
    assert last_used() == NOW
    api.clock.advance(timedelta(seconds=59))
    api.get("/api/v1/plans")
    assert last_used() == NOW
    later = api.clock.advance(timedelta(seconds=1))
    api.get("/api/v1/plans")
    assert last_used() == later


# --- reading -------------------------------------------------------------------------------

def test_office_sees_every_published_plan_with_status_figures(api: Api) -> None:
    plans = api.get("/api/v1/plans").json()["plans"]
    assert [p["id"] for p in plans] == [4, 3, 2, 1]
    for plan in plans:
        assert plan["figures"] == figures_now(api, plan["id"])
    plan_249 = next(p for p in plans if p["id"] == PLAN_249)
    assert plan_249["label"] == "Kế hoạch số 249/KH-UBND ngày 20/09/2022 của UBND quận Thanh Xuân"
    assert plan_249["figures"] == {
        "expected": 25, "submitted": 0, "on_time": 0, "late": 0, "open": 25, "overdue": 0,
        "exempt": 0, "seen_only": 0, "due": 0, "reporting_rate": None, "on_time_rate": None}


def test_figures_follow_submissions_on_time_late_and_overdue(api: Api) -> None:
    occ = occurrence_id(api.engine)
    assert api.post("/api/v1/submissions", {"occurrence_id": occ, "unit_id": UNIT,
                                            "kind": "submitted"}, api.unit).status_code == 201
    api.clock.set(AFTER_DUE)
    late = api.post("/api/v1/submissions", {
        "occurrence_id": occ, "unit_id": OTHER_UNIT, "kind": "submitted",
        "at": "2022-12-28T09:00:00+07:00", "document_number": "88/BC-TP"})
    assert late.status_code == 201
    cell = late.json()["cell"]
    assert (cell["state"], cell["working_days_late"], cell["via"]) == ("late", 2, "api")
    assert cell["submitted_at"] == "2022-12-28T09:00:00+07:00"
    plan = next(p for p in api.get("/api/v1/plans").json()["plans"] if p["id"] == PLAN_249)
    assert plan["figures"] == figures_now(api, PLAN_249) == {
        "expected": 25, "submitted": 2, "on_time": 1, "late": 1, "open": 0, "overdue": 23,
        "exempt": 0, "seen_only": 0, "due": 25, "reporting_rate": 0.08, "on_time_rate": 0.04}


def test_a_unit_token_sees_only_its_plans_and_its_own_figures(api: Api) -> None:
    plans = api.get("/api/v1/plans", api.unit).json()["plans"]
    assert [p["id"] for p in plans] == [2, 1]  # 324/KH-UBND does not ask this unit
    plan_249 = next(p for p in plans if p["id"] == PLAN_249)
    assert plan_249["figures"]["expected"] == 1
    assert api.get(f"/api/v1/plans/{PLAN_324}", api.unit).status_code == 403
    assert api.get(f"/api/v1/plans/{PLAN_324}/status", api.unit).status_code == 403
    status = api.get(f"/api/v1/plans/{PLAN_249}/status", api.unit).json()
    [occ] = status["occurrences"]
    assert [c["unit_id"] for c in occ["cells"]] == [UNIT]
    assert occ["figures"]["expected"] == 1
    office = api.get(f"/api/v1/plans/{PLAN_249}/status").json()["occurrences"][0]
    assert len(office["cells"]) == 25 and office["figures"]["expected"] == 25


def test_plan_detail_and_unknown_plans(api: Api) -> None:
    detail = api.get("/api/v1/plans/2").json()
    assert len(detail["occurrences"]) == 12
    assert [o["due_date"][5:7] for o in detail["occurrences"]] == [
        f"{m:02d}" for m in range(1, 13)]
    missing = api.get("/api/v1/plans/999")
    assert missing.status_code == 404
    assert missing.json()["error"] == "Không có kế hoạch số 999 trong các kế hoạch đã công bố."


def test_deadlines_filter_by_unit_and_state(api: Api) -> None:
    every = api.get("/api/v1/deadlines").json()["deadlines"]
    assert len(every) == 1 + 12 + 2
    assert all(d["cell"] is None for d in every)
    assert [d["due"] for d in every] == sorted(d["due"] for d in every)
    mine = api.get("/api/v1/deadlines", api.unit).json()["deadlines"]
    assert len(mine) == 13 and {d["cell"]["unit_id"] for d in mine} == {UNIT}
    assert all(d["figures"]["expected"] == 1 for d in mine)
    assert api.get("/api/v1/deadlines", unit=UNIT).json()["deadlines"][0]["figures"][
        "expected"] == 25  # the office filtering by unit still sees the whole occurrence
    api.clock.set(AFTER_DUE)
    overdue = api.get("/api/v1/deadlines", state="overdue").json()["deadlines"]
    assert [d["title"] for d in overdue] == ["Báo cáo kết quả"]
    assert api.get("/api/v1/deadlines", unit=NOT_EXPECTED,
                   state="overdue").json()["deadlines"] == []
    bad = api.get("/api/v1/deadlines", state="tre")
    assert bad.status_code == 422 and bad.json()["field"] == "state"
    assert api.get("/api/v1/deadlines", api.unit, unit=OTHER_UNIT).status_code == 403
    assert api.get("/api/v1/deadlines", unit="khong-co").status_code == 404


def test_unit_reports_only_for_the_unit_itself(api: Api) -> None:
    own = api.get(f"/api/v1/units/{UNIT}/reports", api.unit).json()
    assert own["unit"] == {"id": UNIT, "name": UNIT_NAME}
    assert len(own["reports"]) == 13
    assert {r["cell"]["unit_id"] for r in own["reports"]} == {UNIT}
    refused = api.get(f"/api/v1/units/{OTHER_UNIT}/reports", api.unit)
    assert refused.status_code == 403
    assert api.get(f"/api/v1/units/{OTHER_UNIT}/reports").status_code == 200
    assert api.get("/api/v1/units/khong-co/reports").status_code == 404


# --- writing -------------------------------------------------------------------------------

def test_a_unit_records_for_itself_once(api: Api) -> None:
    occ = occurrence_id(api.engine)
    body = {"occurrence_id": occ, "unit_id": UNIT, "kind": "submitted",
            "document_number": " 125/BC-UBND ", "document_date": "2022-11-30",
            "note": "Đã gửi qua trục liên thông"}
    created = api.post("/api/v1/submissions", body, api.unit)
    assert created.status_code == 201
    record = created.json()["submission"]
    assert (record["unit_id"], record["kind"], record["via"], record["document_number"]) == (
        UNIT, "submitted", "api", "125/BC-UBND")
    assert record["by_user"].endswith("(QLVB phường)")
    assert record["at"] == "2022-12-01T10:00:00+07:00"
    assert created.json()["cell"]["state"] == "on_time"
    again = api.post("/api/v1/submissions", body, api.unit)
    assert again.status_code == 409
    assert again.json()["submission_id"] == record["id"]
    seen = api.post("/api/v1/submissions", {**body, "kind": "seen"}, api.unit)
    assert seen.status_code == 409  # "Đã nhận" after the report adds nothing
    assert len(submission_rows(api.engine)) == 1


def test_a_unit_token_cannot_record_for_another_unit_or_elsewhere(api: Api) -> None:
    occ = occurrence_id(api.engine)
    for body in ({"occurrence_id": occ, "unit_id": OTHER_UNIT, "kind": "submitted"},
                 {"occurrence_id": occ, "unit_id": UNIT, "kind": "submitted",
                  "at": "2022-11-30T08:00:00+07:00"},
                 {"occurrence_id": occurrence_id(api.engine, PLAN_324,
                                                 due=date(2024, 11, 14)),
                  "unit_id": UNIT, "kind": "submitted"}):
        refused = api.post("/api/v1/submissions", body, api.unit)
        assert refused.status_code == 403, body
    assert submission_rows(api.engine) == []


@pytest.mark.parametrize(("body", "field"), [
    ({"unit_id": UNIT, "kind": "submitted"}, "occurrence_id"),
    ({"occurrence_id": "1", "unit_id": UNIT, "kind": "submitted"}, "occurrence_id"),
    ({"occurrence_id": 1, "kind": "submitted"}, "unit_id"),
    ({"occurrence_id": 1, "unit_id": UNIT, "kind": "done"}, "kind"),
    ({"occurrence_id": 1, "unit_id": UNIT, "kind": "seen", "document_date": "30/11/2022"},
     "document_date"),
    ({"occurrence_id": 1, "unit_id": UNIT, "kind": "seen", "at": "2022-11-30T08:00"}, "at"),
    ({"occurrence_id": 1, "unit_id": UNIT, "kind": "seen", "at": "2099-01-01T08:00+07:00"},
     "at"),
    ({"occurrence_id": 1, "unit_id": UNIT, "kind": "seen", "document_number": "x" * 101},
     "document_number"),
    ({"occurrence_id": 1, "unit_id": UNIT, "kind": "seen", "via": "link"}, "via"),
    ({"occurrence_id": 99999, "unit_id": UNIT, "kind": "seen"}, "occurrence_id"),
    ({"occurrence_id": 1, "unit_id": "khong-co", "kind": "seen"}, "unit_id"),
    ({"occurrence_id": 1, "unit_id": NOT_EXPECTED, "kind": "seen"}, "unit_id"),
], ids=["no-occurrence", "string-id", "no-unit", "bad-kind", "bad-date", "naive-at",
        "future-at", "long-number", "unknown-field", "unknown-occurrence", "unknown-unit",
        "not-expected"])
def test_invalid_submissions_get_422_naming_the_field(api: Api, body: dict[str, object],
                                                      field: str) -> None:
    refused = api.post("/api/v1/submissions", body)
    assert refused.status_code == 422
    assert refused.json()["field"] == field
    assert refused.json()["error"]  # a Vietnamese sentence
    assert submission_rows(api.engine) == []


def test_a_body_that_is_not_a_json_object_gets_422(api: Api) -> None:
    headers = {"Authorization": f"Bearer {api.office}", "Content-Type": "application/json"}
    for content in (b"{", b"[1]", "\xff".encode("latin-1")):
        refused = checked(api.client.post("/api/v1/submissions", headers=headers,
                                          content=content))
        assert refused.status_code == 422


def test_the_office_withdraws_and_the_unit_records_again(api: Api) -> None:
    occ = occurrence_id(api.engine)
    body = {"occurrence_id": occ, "unit_id": UNIT, "kind": "submitted"}
    first = api.post("/api/v1/submissions", body, api.unit).json()["submission"]["id"]
    path = f"/api/v1/submissions/{first}/withdraw"
    assert api.post(path, {"reason": "Nhầm kỳ báo cáo"}, api.unit).status_code == 403
    assert api.post(path, {}).status_code == 422
    done = api.post(path, {"reason": "Nhầm kỳ báo cáo"})
    assert done.status_code == 200
    record = done.json()["submission"]
    assert record["withdrawn_reason"] == "Nhầm kỳ báo cáo"
    assert record["withdrawn_by"] == "API #1 (Văn phòng)"
    assert api.post(path, {"reason": "lần nữa"}).status_code == 409
    assert api.post("/api/v1/submissions/99999/withdraw", {"reason": "x"}).status_code == 404
    assert api.post("/api/v1/submissions", body, api.unit).status_code == 201
    assert [r["withdrawn_at"] is None for r in submission_rows(api.engine)] == [False, True]


# --- the document --------------------------------------------------------------------------

def test_openapi_describes_every_route_and_nothing_else(api: Api) -> None:
    served = api.client.get("/api/openapi.json")
    assert served.status_code == 200 and served.json() == OPENAPI
    assert OPENAPI["openapi"].startswith("3.1")
    routes = {(re.sub(r":\w+\}", "}", r.path), method.lower())
              for r in JsonApi(api.services).routes() if isinstance(r, Route)
              for method in r.methods or () if method != "HEAD"}
    documented = {(path, method) for path, item in OPENAPI["paths"].items()
                  for method in item}
    assert routes == documented
    assert OPENAPI["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_every_schema_is_valid_json_schema() -> None:
    for name, schema in OPENAPI["components"]["schemas"].items():
        try:
            Draft202012Validator.check_schema(schema)
        except Exception as exc:  # name the schema at fault
            raise AssertionError(name) from exc


# --- the command line ----------------------------------------------------------------------

@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """Commands run on a SQLite file holding the seeds; yields an engine on the same file."""
    monkeypatch.chdir(tmp_path)
    for name in [n for n in os.environ if n.startswith("REMINDERS_")]:
        monkeypatch.delenv(name)
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    monkeypatch.setenv("REMINDERS_DATABASE_URL", url)
    monkeypatch.setenv("REMINDERS_SERVICE_REGISTRY", str(ROOT / "config" / "units.toml"))
    engine = make_engine(url)
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_makes_lists_and_revokes_tokens_that_the_api_accepts(
        workdir: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    services = seeded(workdir)
    code, out, _ = run(capsys, "api", "token-create", "--office", "--label", "Văn phòng",
                       "--json")
    assert code == 0
    made = json.loads(out)
    assert (made["id"], made["office"], made["unit_id"], made["label"]) == (
        1, True, None, "Văn phòng")
    office = made["token"]
    code, out, err = run(capsys, "api", "token-create", "--unit", UNIT)
    assert code == 0
    unit = out.splitlines()[1]
    assert out.startswith(f"Đã tạo mã API #2  đơn vị {UNIT}")
    assert "chỉ hiện một lần" in err
    with client(services) as app_client:
        def status(token: str, path: str = "/api/v1/plans") -> int:
            return app_client.get(path, headers={"Authorization": f"Bearer {token}"}
                                  ).status_code

        assert status(office) == 200 and status(unit) == 200
        assert status(unit, f"/api/v1/units/{OTHER_UNIT}/reports") == 403

        code, out, _ = run(capsys, "api", "token-list", "--json")
        listed = json.loads(out)
        assert [(t["id"], t["unit_id"]) for t in listed] == [(1, None), (2, UNIT)]
        assert office not in out and unit not in out
        assert all(t["last_used_at"] is not None for t in listed)

        assert run(capsys, "api", "token-revoke", "2")[0] == 0
        assert status(unit) == 401 and status(office) == 200
        code, _, err = run(capsys, "api", "token-revoke", "2")
        assert code == 2 and "đã bị thu hồi" in err
        code, out, _ = run(capsys, "api", "token-list")
        assert "#2" in out and "thu hồi" in out


@pytest.mark.parametrize("args", [(), ("--office", "--unit", UNIT)], ids=["none", "both"])
def test_cli_token_create_needs_exactly_one_owner(
        workdir: Engine, capsys: pytest.CaptureFixture[str], args: tuple[str, ...]) -> None:
    code, _, err = run(capsys, "api", "token-create", *args)
    assert code == 2 and "--unit UNIT_ID hoặc --office" in err


def test_cli_token_create_refuses_an_unknown_unit(
        workdir: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    seeded(workdir)
    code, out, err = run(capsys, "api", "token-create", "--unit", "khong-co")
    assert code == 2 and "Không có đơn vị 'khong-co'" in err and out == ""
    with workdir.connect() as conn:
        assert list_tokens(conn) == ()
