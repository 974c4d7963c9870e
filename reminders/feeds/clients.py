"""Which calendar client fetched a feed, from its User-Agent."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache


class Client(StrEnum):
    GOOGLE = "google"
    OUTLOOK = "outlook"
    APPLE = "apple"
    THUNDERBIRD = "thunderbird"
    OTHER = "other"


LABELS = {
    Client.GOOGLE: "Google Lịch",
    Client.OUTLOOK: "Outlook",
    Client.APPLE: "Lịch Apple",
    Client.THUNDERBIRD: "Thunderbird",
    Client.OTHER: "Khác",
}

# Checked in order: Outlook on a Mac says "Macintosh", Thunderbird says "Mozilla".
_SIGNS: tuple[tuple[Client, tuple[str, ...]], ...] = (
    (Client.GOOGLE, ("google-calendar-importer", "google-calendar", "googlecalendar")),
    (Client.OUTLOOK, ("microsoft outlook", "microsoft office", "msoffice", "exchange",
                      "outlook", "microsoft.exchange")),
    (Client.THUNDERBIRD, ("thunderbird", "lightning/", "icedove", "betterbird")),
    (Client.APPLE, ("dataaccessd", "calendaragent", "ical/", "macos/", "ios/", "calendar/")),
)


@lru_cache(maxsize=512)  # a handful of User-Agents poll all day; each is classified once
def client_family(user_agent: str | None) -> Client:
    """Google-Calendar-Importer, Microsoft Outlook/Exchange, Apple dataaccessd/CalendarAgent,
    Thunderbird, or other."""
    agent = (user_agent or "").lower()
    for client, signs in _SIGNS:
        if any(sign in agent for sign in signs):
            return client
    return Client.OTHER
