"""Feeds as files: DIR/<token>/<slug>.ics, the same bytes and URL paths the server serves.

An office that publishes through its own web server maps DIR to /lich/. Every file is
written to a temporary name and renamed, so a reader never sees half a feed; its mtime is
the feed's Last-Modified, which the web server then sends.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from reminders.feeds.calendar import FeedDoc
from reminders.feeds.hub import FeedHub
from reminders.feeds.model import FeedKey, FeedKind


@dataclass(slots=True)
class ExportReport:
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    paths: list[Path] = field(default_factory=list)


class Exporter:
    """Keeps a directory in step with a hub: the first sync writes every feed, later ones
    only the feeds a change touched (and removes files of feeds that are gone)."""

    def __init__(self, hub: FeedHub, root: Path) -> None:
        self._hub = hub
        self._root = root
        self._complete = False  # whether every feed has been written once

    def sync(self, now: datetime) -> ExportReport:
        report = ExportReport()
        self._root.mkdir(parents=True, exist_ok=True)
        trusted = self._complete  # until a first pass, files on disk are checked, not assumed
        rendered = self._hub.refresh(now, on_render=lambda key, doc, changed: self._write(
            key, doc, report, changed=changed or not trusted))
        if not self._complete:
            # The hub may have been refreshed before this exporter existed.
            for key in self._hub.catalogue.feed_keys():
                if key not in rendered:
                    doc = self._hub.get(key)
                    if doc is not None:
                        self._write(key, doc, report, changed=True)
            self._complete = True
        report.removed = self._prune()
        return report

    def path(self, key: FeedKey) -> Path:
        catalogue = self._hub.catalogue
        return self._root / catalogue.token(key) / f"{catalogue.slug(key)}.ics"

    def _wanted(self, key: FeedKey) -> bool:
        # Every unit may fetch its office feed, but only units that follow a plan get a file.
        return key.kind is not FeedKind.FOLLOWED or self._hub.catalogue.follows(key.owner)

    def _write(self, key: FeedKey, doc: FeedDoc, report: ExportReport, *,
               changed: bool) -> None:
        """Write a feed unless the file already holds it; `changed` False means the hub
        knows the bytes are the ones this exporter last wrote, so a stat is enough."""
        if not self._wanted(key):
            return
        path = self.path(key)
        stamp = doc.last_modified.timestamp()
        try:
            seen = path.stat()
            if seen.st_size == len(doc.body) and seen.st_mtime == stamp and (
                    not changed or path.read_bytes() == doc.body):
                report.unchanged += 1
                return
        except FileNotFoundError:
            pass
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temporary.write_bytes(doc.body)
        os.utime(temporary, (stamp, stamp))
        os.replace(temporary, path)
        report.written += 1
        report.paths.append(path)

    def _prune(self) -> int:
        """Remove .ics files of feeds that no longer exist (a rotated token, an archived plan)."""
        catalogue = self._hub.catalogue
        wanted = {self.path(k) for k in catalogue.feed_keys() if self._wanted(k)}
        removed = 0
        for folder in self._root.iterdir():
            if not folder.is_dir():
                continue
            for file in folder.glob("*.ics"):
                if file not in wanted:
                    file.unlink()
                    removed += 1
            if not any(folder.iterdir()):
                folder.rmdir()
        return removed
