"""Who may use the office dashboard: users from the settings, passwords, login rate limits.

Users live in the settings ([[office.users]]), not in the database, so the list is read
again on every request: a user removed from the file, or given another role, is refused
at the next request after the service restarts with the new file.
"""

from __future__ import annotations

import hmac
import math
from collections import deque
from collections.abc import Sequence
from datetime import datetime, timedelta

from reminders.config.schema import OfficeUser, Role
from reminders.web.passwords import spend_like, verify_password

ACTING_ROLES = frozenset({Role.ADMIN, Role.OFFICE})


def can_act(user: OfficeUser) -> bool:
    """Office and admin users change things; leaders only look."""
    return user.role in ACTING_ROLES


def find_user(users: Sequence[OfficeUser], username: str) -> OfficeUser | None:
    """The user of that name (compared without case, as `config check` does), or None.

    Every configured name is compared, in constant time, so the time taken does not
    depend on where (or whether) the name is in the list.
    """
    wanted = username.casefold().encode()
    found = None
    for user in users:
        if hmac.compare_digest(user.username.casefold().encode(), wanted) and found is None:
            found = user
    return found


def authenticate(users: Sequence[OfficeUser], username: str,
                 password: str) -> OfficeUser | None:
    """The user whose name and password these are, or None.

    An unknown name costs the same key derivation as a known one (against a configured
    user's hash, so with the same parameters).
    """
    user = find_user(users, username)
    if user is None:
        spend_like(users[0].password_hash if users else None, password)
        return None
    return user if verify_password(password, user.password_hash) else None


class LoginLimiter:
    """At most `limit` failed logins per user name and per client address in `window`.

    In memory, per process: with several web workers an attacker gets `limit` tries per
    worker, which still bounds guessing to a handful an hour. Time comes from the caller.
    """

    def __init__(self, *, limit: int = 5, window: timedelta = timedelta(minutes=15),
                 max_keys: int = 10_000) -> None:
        self.limit = limit
        self.window = window
        self._max_keys = max_keys
        self._failures: dict[str, deque[datetime]] = {}

    @staticmethod
    def keys(username: str, address: str | None) -> tuple[str, ...]:
        user_key = f"user:{username.strip().casefold()}"
        return (user_key, f"ip:{address}") if address else (user_key,)

    def wait(self, username: str, address: str | None, now: datetime) -> timedelta | None:
        """How long until another try is allowed; None when one is allowed now."""
        longest: timedelta | None = None
        for key in self.keys(username, address):
            times = self._recent(key, now)
            if len(times) >= self.limit:
                left = times[len(times) - self.limit] + self.window - now
                longest = left if longest is None else max(longest, left)
        return longest

    def failed(self, username: str, address: str | None, now: datetime) -> None:
        if len(self._failures) >= self._max_keys:
            self._prune(now)
        for key in self.keys(username, address):
            self._recent(key, now).append(now)

    def succeeded(self, username: str) -> None:
        """A right password clears the name's count (not the address's: it may be shared
        by an attacker who also holds one valid account)."""
        self._failures.pop(self.keys(username, None)[0], None)

    def _recent(self, key: str, now: datetime) -> deque[datetime]:
        times = self._failures.setdefault(key, deque())
        while times and times[0] + self.window <= now:
            times.popleft()
        return times

    def _prune(self, now: datetime) -> None:
        for key in list(self._failures):
            if not self._recent(key, now):
                del self._failures[key]
        while len(self._failures) >= self._max_keys:  # still full: forget the oldest keys
            del self._failures[next(iter(self._failures))]


def minutes(wait: timedelta) -> int:
    """A wait in whole minutes, rounded up, at least one (for "thử lại sau N phút")."""
    return max(1, math.ceil(wait.total_seconds() / 60))
