"""Feeds under load and as files, measured in one run on a generated store.

The store: --units units in 20 groups, --plans published plans of --activities-per-plan
activities (one lead, two partners, now and then a group) and one or two deadlines each,
plus one plan of 500 one-day activities led by a unit of its own, whose feed is the one
put under load. Dates fall within the next year, inside the default feed window.

Measured, with the targets of the feeds-performance issue:
- requests/s for that 500-event feed under `wrk -t2 -c64 -d10s`, from our service
  (uvicorn, one worker, over the same store) and, as the exported file, from nginx on
  this machine: ours at least half of nginx's rate. Reference figures elsewhere: 12,400
  req/s for a plain uvicorn+Starlette route returning cached bytes, 25,000 for nginx.
- the 304 rate: the same wrk run with If-None-Match carrying the feed's ETag.
- exporting every feed (`reminders feeds export`): under 20 s for 1,000 units over
  50,000 activities; the re-export after one plan is edited: under 1 s.
Also printed: the rate of a bare uvicorn app sending the same bytes (what uvicorn alone
manages: the ceiling for ours), nginx's 304 rate, building the store, a cold export
over the existing folder, the export's peak memory.

nginx and wrk come from Debian (`apt-get install nginx-light wrk`); without them the load
part is skipped. Run: python bench/feeds.py [--quick] [--profile]
The service side is `make_app` below, started by uvicorn as `feeds:make_app --factory`.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import http.client
import json
import multiprocessing
import os
import pstats
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from random import Random
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
NOW = datetime(2026, 11, 24, 8, 0, tzinfo=timezone(timedelta(hours=7)))
IMPORTED = NOW - timedelta(days=7)  # when the plans were imported and published
EDITED = NOW + timedelta(minutes=1)  # the edit and the re-export; the service's clock
NOW_VAR = "BENCH_FEEDS_NOW"
FILE_VAR = "BENCH_FEEDS_FILE"
GROUPS = 20
HOT_UNIT = "don-vi-thu-tai"
HOT_EVENTS = 500
BASE_URL = "https://lich.example.gov.vn"

VERBS = ["Tổ chức", "Tuyên truyền", "Hội nghị", "Tọa đàm", "Kiểm tra", "Tập huấn", "Ra quân",
         "Giao lưu", "Tổng kết", "Phát động"]
TOPICS = ["kỷ niệm ngày thành lập", "phòng chống cháy nổ", "chuyển đổi số", "an toàn giao thông",
          "văn hóa công sở", "bảo vệ môi trường", "cải cách hành chính", "thể thao quần chúng",
          "xây dựng nông thôn mới", "phòng chống dịch bệnh", "khuyến học", "đền ơn đáp nghĩa"]
PLACES = ["Hội trường UBND", "Nhà văn hóa khu dân cư", "Trung tâm Văn hóa - Thể thao",
          "Sân vận động", "Trực tuyến", None]


# --- the service, as uvicorn starts it ----------------------------------------------------

def make_app() -> Any:
    """The ASGI app over the store of $REMINDERS_CONFIG, its clock standing at $BENCH_FEEDS_NOW."""
    from reminders.clock import FixedClock
    from reminders.config import load_settings
    from reminders.services import build
    from reminders.web.app import create_app

    settings = load_settings(None, os.environ)
    clock = FixedClock(datetime.fromisoformat(os.environ[NOW_VAR]))
    return create_app(build(settings, clock), run_scheduler=False, run_feed_loop=False)


def make_plain_app() -> Any:
    """A bare ASGI app answering every request with the bytes of $BENCH_FEEDS_FILE: what
    uvicorn alone manages with this body, the floor under our service's rate."""
    body = Path(os.environ[FILE_VAR]).read_bytes()
    start = {"type": "http.response.start", "status": 200, "headers": [
        (b"content-type", b"text/calendar; charset=utf-8"),
        (b"content-length", str(len(body)).encode())]}
    message = {"type": "http.response.body", "body": body}

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            await send(start)
            await send(message)

    return app


# --- the generated store ------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Shape:
    units: int
    plans: int
    activities: int  # per plan
    seed: int


def unit_id(n: int) -> str:
    return f"don-vi-{n:04d}"


def group_id(n: int) -> str:
    return f"khoi-{n:02d}"


def registry_text(shape: Shape) -> str:
    """Units don-vi-0000…, unit n in group n % 20; the hot unit in none."""
    lines = []
    for g in range(GROUPS):
        lines += ["[[group]]", f'id = "{group_id(g)}"', f'name = "Các đơn vị khối {g:02d}"', ""]
    for n in range(shape.units):
        lines += ["[[unit]]", f'id = "{unit_id(n)}"', f'name = "Đơn vị số {n:04d}"',
                  'kind = "department"', f'groups = ["{group_id(n % GROUPS)}"]',
                  f'emails = ["{unit_id(n)}@example.invalid"]', ""]
    lines += ["[[unit]]", f'id = "{HOT_UNIT}"', 'name = "Đơn vị thử tải"', 'kind = "centre"', ""]
    return "\n".join(lines)


def settings_text(work: Path) -> str:
    return "\n".join([
        "[service]", f"public_base_url = {json.dumps(BASE_URL)}",
        f"registry = {json.dumps(str(work / 'units.toml'))}",
        f"data_dir = {json.dumps(str(work))}",
        "[database]", f"url = {json.dumps('sqlite:///' + str(work / 'bench.sqlite3'))}",
        "[feeds]", "days_back = 30", "days_ahead = 400", "",
    ])


_PARSED: dict[str, Any] = {}


def _time(text: str) -> Any:
    from reminders.timeexpr import parse

    found = _PARSED.get(text)
    if found is None:
        found = _PARSED[text] = parse(text, year=NOW.year)
    return found


def _unit(n: int) -> Any:
    from reminders.ingest.model import UnitRef

    if n < 0:
        return UnitRef(name="Đơn vị thử tải", unit_id=HOT_UNIT)
    return UnitRef(name=f"Đơn vị số {n:04d}", unit_id=unit_id(n))


def _group(n: int) -> Any:
    from reminders.ingest.model import UnitRef

    return UnitRef(name=f"Các đơn vị khối {n:02d}", unit_id=group_id(n), is_group=True)


def _when(rng: Random, *, one_day: bool = False) -> str:
    day = NOW.date() + timedelta(days=rng.randrange(-20, 360))
    d, m, y = day.day, day.month, day.year
    if one_day:
        return rng.choice([f"{rng.choice([7, 8, 14])}h{rng.choice(['00', '30'])} ngày {d}/{m}/{y}",
                           f"ngày {d:02d}/{m:02d}/{y}"])
    choice = rng.randrange(10)
    if choice < 5:
        return f"{rng.choice([7, 8, 9, 14, 15])}h{rng.choice(['00', '30'])} ngày {d}/{m}/{y}"
    if choice < 7:
        return f"ngày {d:02d}/{m:02d}/{y}"
    if choice < 9:
        return f"tuần {min(4, (d - 1) // 7 + 1)} tháng {m}/{y}"
    return f"tháng {m}/{y}"


def make_plan(shape: Shape, index: int, *, title_suffix: str = "") -> Any:
    """Plan `index` (deterministic from the seed); index -1 is the hot unit's plan."""
    from reminders.ingest.model import Activity, Deadline, ImportedPlan, PlanInfo, SourceFile

    rng = Random(f"{shape.seed}:{index}")
    hot = index < 0
    per_group = max(1, shape.units // GROUPS)
    standing = _unit(-1) if hot else _unit(index % GROUPS * per_group)  # 20 offices
    count = HOT_EVENTS if hot else shape.activities
    name = f"kh-{'thu-tai' if hot else index + 1}.docx"
    activities = []
    for a in range(count):
        if hot:
            lead, partners = (_unit(-1),), (_unit(rng.randrange(shape.units)),)
        else:
            lead = (_unit(rng.randrange(shape.units)),)
            second = (_group(rng.randrange(GROUPS)) if rng.random() < 0.05
                      else _unit(rng.randrange(shape.units)))
            partners = (_unit(rng.randrange(shape.units)), second)
        title = f"{rng.choice(VERBS)} {rng.choice(TOPICS)} đợt {a + 1}"
        if a == 0:
            title += title_suffix
        place = rng.choice(PLACES)
        activities.append(Activity(
            code=str(a + 1), section="I. Các hoạt động", title=title, lead=lead,
            partners=partners, location=place, time=_time(_when(rng, one_day=hot)),
            expected_result="100% đơn vị tham gia" if rng.random() < 0.3 else None,
            source=f"{name}:bảng 1 dòng {a + 10}"))
    deadlines = []
    if not hot:
        reporters = tuple(_unit(rng.randrange(shape.units)) for _ in range(3))
        deadlines.append(Deadline(
            title="Báo cáo tiến độ", time=_time("trước ngày 20 hằng tháng"), to_unit=standing,
            from_units=reporters, text="báo cáo tiến độ trước ngày 20 hằng tháng",
            source=f"{name}:80"))
        if rng.random() < 0.5:
            final = (NOW.date() + timedelta(days=rng.randrange(30, 360)))
            when = f"trước ngày {final.day}/{final.month}/{final.year}"
            deadlines.append(Deadline(
                title="Báo cáo kết quả thực hiện", time=_time(when), to_unit=standing,
                from_units=(_group(rng.randrange(GROUPS)),),
                text=f"báo cáo kết quả thực hiện {when}", source=f"{name}:82"))
    number = "99/KH-TT" if hot else f"{index + 1}/KH-UBND"
    info = PlanInfo(number=number, issued=IMPORTED.date() - timedelta(days=10), place="Hà Nội",
                    issuer=standing.name, issuer_unit_id=standing.unit_id,
                    title=f"Kế hoạch thử số {number}: {rng.choice(TOPICS)}",
                    standing_unit=standing, implements=(), year=NOW.year)
    digest = hashlib.sha256(f"{shape.seed}:{index}".encode()).hexdigest()
    return ImportedPlan(plan=info, activities=tuple(activities), assignments=(),
                        deadlines=tuple(deadlines), warnings=(),
                        sources=(SourceFile(name=name, sha256=digest, size=40_000),))


def build_store(config: Path, shape: Shape) -> dict[str, Any]:
    """Migrate, load the registry, save and publish every plan (run in a child process)."""
    from reminders.clock import FixedClock
    from reminders.config import load_settings
    from reminders.domain import PlanStatus
    from reminders.services import build
    from reminders.store.plan_import import save_imported_plan
    from reminders.store.plans import set_status

    start = time.perf_counter()
    services = build(load_settings(config, {}), FixedClock(IMPORTED))
    activities = deadlines = 0
    with services.engine.begin() as conn:
        for index in [-1, *range(shape.plans)]:
            plan = make_plan(shape, index)
            saved = save_imported_plan(conn, plan, now=IMPORTED)
            set_status(conn, saved.plan_id, PlanStatus.PUBLISHED, now=IMPORTED)
            activities += len(plan.activities)
            deadlines += len(plan.deadlines)
    services.engine.dispose()
    return {"seconds": time.perf_counter() - start, "activities": activities,
            "deadlines": deadlines}


# --- export -------------------------------------------------------------------------------

@dataclass(slots=True)
class ExportFigures:
    seconds: float = 0.0
    files: int = 0
    megabytes: float = 0.0
    rss_mb: float = 0.0
    again: float = 0.0  # re-export after one edit
    rewritten: int = 0
    touched: int = 0
    cold: float = 0.0
    cold_written: int = 0
    hot_path: Path | None = None
    hot_url: str = ""


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def export(config: Path, folder: Path, shape: Shape, *, profile: bool) -> ExportFigures:
    from reminders.config import load_settings
    from reminders.feeds.export import Exporter
    from reminders.feeds.model import FeedKey, FeedKind
    from reminders.services import open_store, prepare_store
    from reminders.store.plan_import import save_imported_plan
    from reminders.web.app import hub_for

    out = ExportFigures()
    settings = load_settings(config, {})
    with open_store(settings) as engine:
        prepare_store(engine)
        hub = hub_for(settings, engine)
        exporter = Exporter(hub, folder)
        profiler = cProfile.Profile() if profile else None
        start = time.perf_counter()
        if profiler:
            profiler.enable()
        report = exporter.sync(NOW)
        if profiler:
            profiler.disable()
        out.seconds = time.perf_counter() - start
        out.rss_mb = _rss_mb()
        out.files = report.written
        out.megabytes = sum(p.stat().st_size for p in report.paths) / 2**20
        key = FeedKey(FeedKind.ALL, HOT_UNIT)
        out.hot_path = exporter.path(key)
        out.hot_url = f"/lich/{hub.catalogue.token(key)}/{hub.catalogue.slug(key)}.ics"

        # One title of one plan edited, saved as a re-import would; the same exporter.
        edited = make_plan(shape, shape.plans // 2, title_suffix=" (sửa)")
        with engine.begin() as conn:
            saved = save_imported_plan(conn, edited, now=EDITED)
        assert saved.changes, "the edit changed nothing"
        start = time.perf_counter()
        report = exporter.sync(EDITED)
        out.again = time.perf_counter() - start
        out.rewritten = report.written
        out.touched = report.written + report.unchanged
        del exporter, hub

        start = time.perf_counter()
        report = Exporter(hub_for(settings, engine), folder).sync(EDITED)
        out.cold = time.perf_counter() - start
        out.cold_written = report.written
    if profiler:
        print("\nprofile of the first export (top 30 by cumulative time):")
        stats = pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative")
        stats.print_stats("reminders/|icalendar/", 30)
    return out


# --- serving ------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fetch(port: int, path: str, headers: dict[str, str] | None = None
          ) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def wait_ready(port: int, path: str, process: subprocess.Popen[bytes], limit: float) -> float:
    start = time.perf_counter()
    while time.perf_counter() - start < limit:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args!r} exited with {process.returncode}")
        try:
            if fetch(port, path)[0] == 200:
                return time.perf_counter() - start
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"no answer on port {port} after {limit:.0f} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def start_nginx(work: Path, folder: Path, port: int) -> subprocess.Popen[bytes]:
    prefix = work / "nginx"
    prefix.mkdir(exist_ok=True)
    conf = prefix / "nginx.conf"
    conf.write_text("\n".join([
        "user root;" if os.geteuid() == 0 else "",  # workers must read the 0700 temp dir
        "worker_processes auto;",
        f"pid {prefix / 'nginx.pid'};",
        f"error_log {prefix / 'error.log'} warn;",
        "events { worker_connections 1024; }",
        "http {",
        "  access_log off;",
        "  sendfile on;",
        "  tcp_nopush on;",
        "  types { text/calendar ics; }",
        "  default_type application/octet-stream;",
        "  charset utf-8;",
        "  charset_types text/calendar;",
        f"  server {{ listen 127.0.0.1:{port};",
        f"    location /lich/ {{ alias {folder}/; }} }}",
        "}", ""]))
    return subprocess.Popen(
        ["nginx", "-p", f"{prefix}/", "-c", str(conf), "-e", str(prefix / "error.log"),
         "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def start_service(port: int, factory: str, **env: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--app-dir", str(BENCH), "--factory", f"feeds:{factory}",
         "--host", "127.0.0.1", "--port", str(port), "--loop", "uvloop", "--http", "httptools",
         "--no-access-log", "--log-level", "warning"], cwd=ROOT, env={**os.environ, **env})


_RATE = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
_TROUBLE = re.compile(r"^\s*(Non-2xx or 3xx responses: \d+|Socket errors: .*)$", re.MULTILINE)


def wrk(port: int, path: str, args: argparse.Namespace, header: str | None = None) -> float:
    command = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.seconds}s"]
    if header:
        command += ["-H", header]
    done = subprocess.run([*command, f"http://127.0.0.1:{port}{path}"], capture_output=True,
                          text=True, check=True, timeout=args.seconds + 120)
    for trouble in _TROUBLE.findall(done.stdout):
        print(f"  wrk on port {port}: {trouble}")
    found = _RATE.search(done.stdout)
    if found is None:
        raise RuntimeError(f"no Requests/sec in wrk's output:\n{done.stdout}")
    return float(found.group(1))


def load_test(work: Path, config: Path, folder: Path, figures: ExportFigures,
              args: argparse.Namespace) -> dict[str, float]:
    missing = [tool for tool in ("wrk", "nginx") if shutil.which(tool) is None]
    if "wrk" in missing:
        print("wrk: not installed (apt-get install wrk) — request rates skipped")
        return {}
    assert figures.hot_path is not None
    body = figures.hot_path.read_bytes()
    print(f"feed under load: {body.count(b'BEGIN:VEVENT')} events, {len(body) / 1024:.0f} KiB")
    rates: dict[str, float] = {}
    path = figures.hot_url
    port = free_port()
    service = start_service(port, "make_app", REMINDERS_CONFIG=str(config),
                            **{NOW_VAR: EDITED.isoformat()})
    try:
        print(f"service ready in {wait_ready(port, '/healthz', service, 900):.1f} s "
              "(its first refresh renders every feed)")
        status, headers, ours = fetch(port, path)
        if status != 200 or ours != body:
            raise RuntimeError(f"service: {status}, {len(ours)} bytes, not the exported file")
        tag = headers["etag"]
        if fetch(port, path, {"If-None-Match": tag})[0] != 304:
            raise RuntimeError("service: If-None-Match with the ETag did not answer 304")
        rates["ours"] = wrk(port, path, args)
        rates["ours 304"] = wrk(port, path, args, f"If-None-Match: {tag}")
    finally:
        stop(service)
    port = free_port()
    plain = start_service(port, "make_plain_app", **{FILE_VAR: str(figures.hot_path)})
    try:
        wait_ready(port, path, plain, 60)
        rates["plain"] = wrk(port, path, args)
    finally:
        stop(plain)
    if "nginx" in missing:
        print("nginx: not installed (apt-get install nginx-light) — nginx rates skipped")
        return rates
    port = free_port()
    nginx = start_nginx(work, folder, port)
    try:
        wait_ready(port, path, nginx, 30)
        status, headers, theirs = fetch(port, path)
        if theirs != body:
            raise RuntimeError(f"nginx: {status}, {len(theirs)} bytes, not the exported file")
        tag = headers["etag"]
        if fetch(port, path, {"If-None-Match": tag})[0] != 304:
            raise RuntimeError("nginx: If-None-Match with the ETag did not answer 304")
        rates["nginx"] = wrk(port, path, args)
        rates["nginx 304"] = wrk(port, path, args, f"If-None-Match: {tag}")
    finally:
        stop(nginx)
    return rates


# --- the run ------------------------------------------------------------------------------

def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--plans", type=int, default=1000)
    parser.add_argument("--activities-per-plan", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--seconds", type=int, default=10, help="each wrk run (-d)")
    parser.add_argument("--threads", type=int, default=2, help="wrk -t")
    parser.add_argument("--connections", type=int, default=64, help="wrk -c")
    parser.add_argument("--quick", action="store_true",
                        help="100 units, 100 plans of 50 activities, 3 s wrk runs")
    parser.add_argument("--no-load", action="store_true", help="the export figures only")
    parser.add_argument("--profile", action="store_true",
                        help="print a cProfile of the first export (it runs slower)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args()
    if args.quick:
        args.units, args.plans, args.activities_per_plan, args.seconds = 100, 100, 50, 3
    return args


def row(name: str, value: str, target: str = "", met: bool | None = None) -> None:
    verdict = "" if met is None else ("ok" if met else "MISSED")
    print(f"{name:<34} {value:>10}  {target:<8} {verdict}")


def main() -> None:
    args = options()
    shape = Shape(args.units, args.plans, args.activities_per_plan, args.seed)
    work = Path(tempfile.mkdtemp(prefix="bench-feeds-"))
    try:
        config = work / "reminders.toml"
        (work / "units.toml").write_text(registry_text(shape), encoding="utf-8")
        config.write_text(settings_text(work), encoding="utf-8")
        # A child process builds the store, so the peak memory below is the export's own.
        with multiprocessing.get_context("spawn").Pool(1) as pool:
            built = pool.apply(build_store, (config, shape))
        print(f"store: {shape.units + 1} units, {shape.plans + 1} plans, "
              f"{built['activities']:,} activities, {built['deadlines']:,} deadlines; "
              f"built in {built['seconds']:.1f} s")
        folder = work / "lich"
        figures = export(config, folder, shape, profile=args.profile)
        print(f"export: {figures.files:,} files, {figures.megabytes:.0f} MiB; "
              f"re-export rendered {figures.touched} feeds, wrote {figures.rewritten}; "
              f"cold export over the folder {figures.cold:.1f} s "
              f"({figures.cold_written} files written)")
        rates = {} if args.no_load else load_test(work, config, folder, figures, args)
    finally:
        if args.keep:
            print(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    activities = f"{built['activities']:,} activities"
    print()
    row("measure", "figure", "target")
    if "nginx" in rates:
        row("nginx, 500-event feed (req/s)", f"{rates['nginx']:,.0f}")
    if "ours" in rates:
        row("ours, 500-event feed (req/s)", f"{rates['ours']:,.0f}")
    if "ours" in rates and "nginx" in rates:
        ratio = rates["ours"] / rates["nginx"]
        row("ours / nginx", f"{ratio:.2f}", ">= 0.5", ratio >= 0.5)
    if "plain" in rates:
        row("bare uvicorn app, same bytes", f"{rates['plain']:,.0f}")
    if "ours 304" in rates:
        row("ours, 304 (req/s)", f"{rates['ours 304']:,.0f}")
    if "nginx 304" in rates:
        row("nginx, 304 (req/s)", f"{rates['nginx 304']:,.0f}")
    row(f"export, {shape.units + 1:,} units (s)", f"{figures.seconds:.2f}", "< 20 s",
        figures.seconds < 20)
    row(f"  over {activities}", "")
    row("re-export after one edit (s)", f"{figures.again:.3f}", "< 1 s", figures.again < 1)
    row("  files rewritten", f"{figures.rewritten}")
    row("export peak memory (MiB, maxrss)", f"{figures.rss_mb:.0f}")


if __name__ == "__main__":
    main()
