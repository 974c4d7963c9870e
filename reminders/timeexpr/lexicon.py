"""Vietnamese words that qualify dates: deadlines, open starts, tentative and undetermined."""

from __future__ import annotations

import re

# "trước ngày D" is strict (ends the day before); "trước đây"/"trước đó" are not deadlines.
STRICT_BEFORE = re.compile(r"\btrước(?:\s+(?:ngày|thời điểm|hết))?\s*$")
# "trước 17h00 ngày D": before a time on D, so D is still in.
BEFORE_TIME = re.compile(r"\btrước\s+\d{1,2}h\d{0,2}\s*,?\s*(?:ngày\s*)?$")
# The limit is the period's own last day: "chậm nhất ngày D", "đến hết ngày D", "hạn ...".
END_ON = re.compile(
    r"(?:\bchậm nhất|\btrễ nhất|\bmuộn nhất|\bhạn chót|\bthời hạn|\bhạn|\bđến hết|\bhết"
    r"|\bđến|\btới)(?:\s+(?:là|vào|lúc|ngày|trong|\d{1,2}h\d{0,2}))*\s*[:,]?\s*$"
)
# "hoàn thành trong tháng 6", "xong trong Quý II": a deadline at the end of the period.
# ("kết thúc ngày 30/4" is when something ends, not a limit: not here.)
FINISH_IN = re.compile(
    r"\b(?:hoàn thành|hoàn tất|xong|báo cáo|gửi|nộp)(?:\s+(?!từ\b)\w+){0,3}?"
    r"\s+(?:trong|vào|trước|trong vòng)?(?:\s+(?:ngày|tháng|năm))?\s*$"
)
# "từ ngày D", and "từ 9 giờ, ngày D" / "bắt đầu từ 0h ngày D": a clock time opening it too.
OPEN_START = re.compile(r"(?:\bkể từ|\bbắt đầu từ|\báp dụng từ|\btừ)"
                        r"(?:\s+(?:lúc\s+)?\d{1,2}h\d{0,2}\s*,?)?"
                        r"(?:\s+(?:buổi\s+)?(?:sáng|trưa|chiều|tối|đêm))?(?:\s+ngày)?\s*$")
RANGE_JOIN = re.compile(r"^\s*(?:-|đến hết|đến|tới|cho đến|to)\s*(?:ngày\s*)?$")
LIST_JOIN = re.compile(r"^\s*(?:[,;]|và|,\s*và|;\s*và|&)\s*(?:ngày\s*)?$")
TENTATIVE = re.compile(r"\b(?:dự kiến|(?<!trong )khoảng|dự định|tạm định|dự trù)\b")
UNDETERMINED = re.compile(
    r"\b(?:theo tiến độ|khi cấp trên|khi có (?:chỉ đạo|yêu cầu|hướng dẫn|văn bản)"
    r"|theo (?:tình hình|chỉ đạo|kế hoạch|yêu cầu|hướng dẫn)|thường xuyên|liên tục"
    r"|báo cáo ngay|ngay sau khi|thời điểm thích hợp|khi có|sau khi|đột xuất"
    r"|chưa xác định|sẽ thông báo sau)\b"
)
# Rule 4: ";" separates clauses only when both sides carry date words of their own.
DATE_WORDS = re.compile(r"\b(?:ngày|tháng|năm|quý|tuần|mùng|rằm)\b|\b\d{1,2}h")
# A new "- " item starts a clause, unless the dash joins a range ("tháng 10 - tháng 12").
CLAUSE_BULLET = re.compile(
    r"(?:^|\s)[-+•]\s+(?!(?:ngày|tháng|năm|quý|tuần|đến|tới|mùng|rằm|thứ|chủ nhật)\b)(?=[^\W\d])"
)
# Weekdays and brackets between two dates of a range or a list are checks, not joins.
# So are clock times and parts of the day: "từ 19 giờ ngày 22.5 đến 3 giờ ngày 23.5",
# "từ ngày 23.5 đến sáng 24.5".
WEEKDAY_NOISE = re.compile(
    r"\([^()]{0,60}\)|\b(?:thứ\s+(?:[2-7]|hai|ba|tư|năm|sáu|bảy)|chủ\s+nhật)\b\s*,?"
    r"|(?<=đến |tới |hết )(?:lúc\s+)?(?:\d{1,2}h\d{0,2}\b\s*,?\s*|(?:buổi\s+)?"
    r"(?:sáng|trưa|chiều|tối|đêm)\b)"
)
# A period that is the subject of the work, not its time: "Báo cáo kết quả công tác quý
# I/2024 trước ngày 15/3/2024", "Sơ kết 6 tháng đầu năm vào ngày 10/7". Dropped when the
# same clause also gives a time of its own.
TOPIC = re.compile(
    r"\b(?:kết quả|tình hình|công tác|nhiệm vụ|hoạt động|số liệu|sơ kết|tổng kết|đánh giá"
    r"|kế hoạch|chương trình|năm học)"
    r"(?:\s+(?!(?:trong|vào|trước|đến|từ|tới|hết|chậm|hạn|ngày|là)\b)[^\d\s]+){0,3}\s*$"
)
# A stated length of one session or one day: an opening "từ 8h ngày D" is then that day.
ONE_SESSION = re.compile(r"\b(?:0?1|một)\s+(?:buổi|ngày)\b(?!\s+(?:đến|tới|-))")
# "từ 7h30 đến 11h30 ngày D": the hours of a day, not a limit ending it.
HOURS_OF_A_DAY = re.compile(
    r"\btừ\s+\d{1,2}h\d{0,2}\s*(?:-|đến|tới)\s*\d{1,2}h\d{0,2}\s*,?\s*(?:ngày\s*)?$")
# "(2026 trở đi)", "từ năm 2026 trở về sau": from then on, with no end.
ONWARDS = re.compile(r"^\s*(?:trở\s+đi|trở\s+về\s+sau|về\s+sau)\b")
