"""Import speed: the five seed plans in-process, and a generated 300-page plan (3,000 rows).

Targets (issue 4): the seeds in under 1 s; 3,000 table rows in under 10 s.
Run: python bench/import.py
"""

from __future__ import annotations

import time
import tracemalloc
from datetime import date
from pathlib import Path

from reminders.ingest.build import import_plan
from reminders.ingest.read import InputFile, load
from reminders.units import Resolver, load_registry

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "examples" / "plans"
TODAY = date(2026, 11, 24)

WARDS = ["Phương Liệt", "Nhân Chính", "Kim Giang", "Khương Trung", "Thượng Đình", "Hạ Đình",
         "Thanh Xuân Nam", "Thanh Xuân Bắc", "Khương Mai", "Khương Đình", "Thanh Xuân Trung"]
LEADS = ["Hội CCB phường", "UBND phường", "Đoàn TNCS HCM phường", "Hội LHPN phường",
         "Phòng Văn hóa và Thông tin quận", "Trung tâm VH-TT&TT quận"]
TIMES = ["Dự kiến tháng {m}/2024", "07h30 ngày {d}/{m}/2024", "Tuần 2 tháng {m}/2024",
         "Quý {q}/2024", "Trước ngày {d}/{m}/2024", "Từ ngày {d}/{m} đến {e}/{m}/2024"]
HEADER = "TT\tNội dung hoạt động\tĐơn vị chủ trì\tĐơn vị phối hợp\tĐịa điểm tổ chức\tThời gian"


def generated_plan(rows: int) -> bytes:
    """A plan the size of 300 pages: header every 10 rows (a page), ward sections."""
    lines = ["Số: 12/KH-UBND", "", "Thanh Xuân, ngày 05 tháng 01 năm 2024", "", "KẾ HOẠCH",
             "Tổ chức các hoạt động năm 2024", "", "BIỂU TỔNG HỢP", "", HEADER, "A\tCấp phường"]
    for n in range(rows):
        if n % 10 == 0 and n:
            lines += ["", str(n // 10), "", HEADER]  # a page break repeats the header
        if n % 25 == 0:
            lines.append(f"{_roman(n // 25 + 1)}\tPhường {WARDS[(n // 25) % len(WARDS)]}")
        month, day = n % 12 + 1, n % 27 + 1
        when = TIMES[n % len(TIMES)].format(m=month, d=day, e=day + 1, q=n % 4 + 1)
        lines.append("\t".join([f"{n + 1}.", f"Hoạt động số {n + 1} chào mừng các ngày lễ lớn",
                                LEADS[n % len(LEADS)], "Các đơn vị liên quan và UBND 11 phường",
                                "Hội trường UBND phường", when]))
    return "\n".join(lines).encode()


def _roman(number: int) -> str:
    values = [(100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"),
              (4, "IV"), (1, "I")]
    out = ""
    for value, letters in values:
        while number >= value:
            out, number = out + letters, number - value
    return out


def main() -> None:
    registry = load_registry(ROOT / "config" / "units.toml")
    groups = [["000"], ["001", "002"], ["003"], ["004"]]
    files = [[load(next(SEEDS.glob(f"{g}_*.txt"))) for g in group] for group in groups]
    resolver = Resolver(registry)  # a fresh resolver: nothing cached
    start = time.perf_counter()
    count = sum(len(import_plan(f, resolver=resolver, today=TODAY).activities) for f in files)
    print(f"five seeds: {time.perf_counter() - start:.3f} s ({count} activities), target < 1 s")

    data = generated_plan(3000)
    tracemalloc.start()
    start = time.perf_counter()
    plan = import_plan([InputFile("lon.txt", data)], resolver=Resolver(registry), today=TODAY)
    elapsed = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    print(f"3,000-row plan ({len(data) / 2**20:.1f} MB): {elapsed:.2f} s, "
          f"{len(plan.activities)} activities, {len(plan.warnings)} warnings, "
          f"peak {peak:.0f} MB traced, target < 10 s")


if __name__ == "__main__":
    main()
