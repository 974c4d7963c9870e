"""Which channels reach a unit: its contacts, what the office configured, the unit's choice."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from reminders.config import Settings
from reminders.domain import Channel, Unit
from reminders.planner.model import PlannerUnit


@dataclass(frozen=True, slots=True, kw_only=True)
class Reach:
    """What the office's settings make possible, whatever the unit."""

    zalo_oa: bool = False  # Official Account messages to followers
    zalo_bot: bool = False  # Zalo Bot chats
    zns: bool = False  # ZNS template messages by phone
    webhook: bool = False  # a signing secret is set

    @classmethod
    def from_settings(cls, settings: Settings) -> Reach:
        zalo = settings.zalo
        return cls(zalo_oa=zalo.enabled, zalo_bot=zalo.enabled and bool(zalo.bot_token),
                   zns=zalo.enabled and bool(zalo.zns_template_id),
                   webhook=bool(settings.webhook.secret))


def unit_channels(unit: Unit, reach: Reach) -> tuple[Channel, ...]:
    """The channels the unit can be reached on, limited to those it chose (if it chose)."""
    contacts = unit.contacts
    found: list[Channel] = []
    if contacts.emails:
        found.append(Channel.EMAIL)
    if ((reach.zalo_oa and contacts.zalo_user_ids) or (reach.zalo_bot and contacts.zalo_chat_ids)
            or (reach.zns and contacts.phones)):
        found.append(Channel.ZALO)
    if reach.webhook and contacts.webhook_url:
        found.append(Channel.WEBHOOK)
    chosen = unit.reminders.channels
    return tuple(c for c in found if chosen is None or c in chosen)


def planner_units(units: Iterable[tuple[Unit, bool]], reach: Reach) -> Mapping[str, PlannerUnit]:
    """(unit, active) pairs from the store → the planner's view of them."""
    return {
        unit.id: PlannerUnit(
            id=unit.id, name=unit.name, channels=unit_channels(unit, reach),
            groups=frozenset(unit.groups), activity_stages=unit.reminders.activity_stages,
            deadline_stages=unit.reminders.deadline_stages,
            partner_reminders=unit.reminders.partner_reminders, active=active)
        for unit, active in units
    }
