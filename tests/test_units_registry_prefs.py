"""A unit's own reminder settings and Zalo Bot chats in the registry: parsing, errors that
name the file and line, the round trip through the store, and the channels that reach it."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import Engine, select

from reminders.config import Settings
from reminders.config.values import Secret
from reminders.domain import Channel, Contacts, ReminderPrefs, Unit
from reminders.errors import RegistryError
from reminders.planner.reach import Reach, planner_units, unit_channels
from reminders.store import sync_registry
from reminders.store.tables import units
from reminders.store.units import get_unit
from reminders.units import Registry, parse_registry
from tests.delivery_support import T0

REGISTRY = """\
[[unit]]
id = "ubnd-phuong-kim-giang"
name = "Ủy ban nhân dân phường Kim Giang"
kind = "authority"
emails = ["ubnd.kimgiang@example.invalid"]
zalo_user_ids = ["4419030127659042"]
zalo_chat_ids = ["7c1a5e0f9b2d", "2f8e6a4c"]
activity_stages = ["3d", "0d"]
deadline_stages = ["14d", "7d", "1d"]
partner_reminders = false
channels = ["zalo", "email"]

[[unit]]
id = "vhtt-thanh-xuan"
name = "Phòng Văn hóa và Thông tin quận Thanh Xuân"
kind = "department"
emails = ["vhtt.thanhxuan@example.invalid"]
"""
KIM_GIANG = "ubnd-phuong-kim-giang"
VHTT = "vhtt-thanh-xuan"


def _registry(text: str = REGISTRY) -> Registry:
    return parse_registry(text, name="units.toml")


def _unit(registry: Registry, unit_id: str) -> Unit:
    unit = registry.unit(unit_id)
    assert unit is not None
    return unit


# --- parsing ---------------------------------------------------------------------------------

def test_the_new_fields_parse() -> None:
    registry = _registry()
    unit = _unit(registry, KIM_GIANG)
    assert unit.contacts.zalo_chat_ids == ("7c1a5e0f9b2d", "2f8e6a4c")
    assert unit.reminders == ReminderPrefs(
        activity_stages=(3, 0), deadline_stages=(14, 7, 1), partner_reminders=False,
        channels=(Channel.ZALO, Channel.EMAIL))
    assert not unit.reminders.is_default()
    plain = _unit(registry, VHTT)
    assert plain.reminders == ReminderPrefs() and plain.reminders.is_default()
    assert plain.contacts.zalo_chat_ids == ()


@pytest.mark.parametrize(("line", "prefs"), [
    pytest.param('activity_stages = ["0d", "7d", "1d"]', ReminderPrefs(activity_stages=(7, 1, 0)),
                 id="stages-sorted"),
    pytest.param("activity_stages = []", ReminderPrefs(activity_stages=()), id="no-stages"),
    pytest.param("partner_reminders = true", ReminderPrefs(partner_reminders=True),
                 id="partners-on"),
    pytest.param("channels = []", ReminderPrefs(channels=()), id="no-channel"),
    pytest.param('channels = ["webhook"]', ReminderPrefs(channels=(Channel.WEBHOOK,)),
                 id="webhook-only"),
])
def test_each_preference_alone(line: str, prefs: ReminderPrefs) -> None:
    registry = _registry(f"{REGISTRY}{line}\n")
    assert _unit(registry, VHTT).reminders == prefs


# Line 18 is the one appended to the second unit.
@pytest.mark.parametrize(("line", "words", "text"), [
    pytest.param('activity_stages = ["3 ngày"]',
                 "trường 'activity_stages': mốc nhắc phải có dạng", "3 ngày", id="stage-words"),
    pytest.param('deadline_stages = ["400d"]', "trường 'deadline_stages': mốc nhắc phải có dạng",
                 "400d", id="stage-too-far"),
    pytest.param('activity_stages = ["1d", "1d"]', "trường 'activity_stages': mốc nhắc bị lặp lại",
                 "1d", id="stage-twice"),
    pytest.param('activity_stages = "3d"', "trường 'activity_stages': phải là danh sách mốc nhắc",
                 "3d", id="stages-not-a-list"),
    pytest.param('partner_reminders = "không"',
                 "trường 'partner_reminders' phải là true hoặc false", None, id="partners-text"),
    pytest.param("partner_reminders = 0", "trường 'partner_reminders' phải là true hoặc false",
                 None, id="partners-number"),
    pytest.param('channels = ["sms"]',
                 "kênh 'sms' không hợp lệ (chọn trong: email, webhook, zalo)", "sms",
                 id="unknown-channel"),
    pytest.param('channels = "email"', "trường 'channels' phải là danh sách chuỗi không rỗng",
                 None, id="channels-not-a-list"),
    pytest.param("zalo_chat_ids = [42]",
                 "trường 'zalo_chat_ids' phải là danh sách chuỗi không rỗng", None,
                 id="chat-id-number"),
    pytest.param('zalo_chat_ids = [" "]',
                 "trường 'zalo_chat_ids' phải là danh sách chuỗi không rỗng", None,
                 id="chat-id-blank"),
])
def test_bad_preferences_name_the_file_and_line(line: str, words: str, text: str | None) -> None:
    with pytest.raises(RegistryError) as caught:
        _registry(f"{REGISTRY}{line}\n")
    error = caught.value
    assert (error.file, error.line, error.text) == ("units.toml", 18, text)
    assert str(error).startswith(f"units.toml, dòng 18: {words}")
    if text is not None:
        assert str(error).endswith(f": '{text}'")


def test_prefs_round_trip_through_json() -> None:
    prefs = _unit(_registry(), KIM_GIANG).reminders
    assert ReminderPrefs.from_json(prefs.to_json()) == prefs
    assert ReminderPrefs.from_json(None) == ReminderPrefs()
    assert ReminderPrefs.from_json(ReminderPrefs(channels=()).to_json()) == ReminderPrefs(
        channels=())


# --- the store -------------------------------------------------------------------------------

def test_the_new_fields_survive_the_store(engine: Engine) -> None:
    registry = _registry()
    with engine.begin() as conn:
        assert sync_registry(conn, registry, T0).added == 2
    with engine.connect() as conn:
        for unit in registry.units:
            stored = get_unit(conn, unit.id)
            assert stored is not None and stored.unit == unit
        # Default settings are stored as nothing, so the office's defaults apply.
        saved = dict(conn.execute(select(units.c.id, units.c.reminder_prefs)).all())
    assert saved[VHTT] is None and saved[KIM_GIANG] is not None

    changed = parse_registry(REGISTRY.replace('["3d", "0d"]', '["2d"]')
                             .replace('["7c1a5e0f9b2d", "2f8e6a4c"]', '["2f8e6a4c"]'),
                             name="units.toml")
    with engine.begin() as conn:
        assert sync_registry(conn, changed, T0).updated == 1
        assert sync_registry(conn, changed, T0).updated == 0  # nothing new the second time
    with engine.connect() as conn:
        stored = get_unit(conn, KIM_GIANG)
    assert stored is not None
    assert stored.unit.reminders.activity_stages == (2,)
    assert stored.unit.contacts.zalo_chat_ids == ("2f8e6a4c",)


# --- which channels reach a unit -------------------------------------------------------------

EMAIL = Contacts(emails=("a@example.invalid",))
FOLLOWER = Contacts(zalo_user_ids=("4419030127659042",))
CHAT = Contacts(zalo_chat_ids=("7c1a5e0f9b2d",))
PHONE = Contacts(phones=("0912345678",))
HOOK = Contacts(webhook_url="https://hooks.example.invalid/kim-giang")
EVERYTHING = Contacts(emails=EMAIL.emails, zalo_user_ids=FOLLOWER.zalo_user_ids,
                      zalo_chat_ids=CHAT.zalo_chat_ids, phones=PHONE.phones,
                      webhook_url=HOOK.webhook_url)
ZALO_ALL = Reach(zalo_oa=True, zalo_bot=True, zns=True)
ALL = Reach(zalo_oa=True, zalo_bot=True, zns=True, webhook=True)


@pytest.mark.parametrize(("contacts", "reach", "channels", "found"), [
    pytest.param(EMAIL, Reach(), None, (Channel.EMAIL,), id="email"),
    pytest.param(EVERYTHING, Reach(), None, (Channel.EMAIL,), id="nothing-else-configured"),
    pytest.param(Contacts(), ALL, None, (), id="no-contacts"),
    pytest.param(FOLLOWER, Reach(zalo_oa=True), None, (Channel.ZALO,), id="oa-follower"),
    pytest.param(FOLLOWER, Reach(zalo_bot=True, zns=True), None, (), id="follower-without-oa"),
    pytest.param(CHAT, Reach(zalo_oa=True), None, (), id="chat-without-bot-token"),
    pytest.param(CHAT, Reach(zalo_oa=True, zalo_bot=True), None, (Channel.ZALO,), id="bot-chat"),
    pytest.param(PHONE, Reach(zalo_oa=True, zalo_bot=True), None, (), id="phone-without-zns"),
    pytest.param(PHONE, Reach(zalo_oa=True, zns=True), None, (Channel.ZALO,), id="zns-phone"),
    pytest.param(HOOK, ZALO_ALL, None, (), id="url-without-secret"),
    pytest.param(EMAIL, ALL, None, (Channel.EMAIL,), id="secret-without-url"),
    pytest.param(HOOK, Reach(webhook=True), None, (Channel.WEBHOOK,), id="webhook"),
    pytest.param(EVERYTHING, ALL, None, (Channel.EMAIL, Channel.ZALO, Channel.WEBHOOK),
                 id="everything"),
    pytest.param(EVERYTHING, ALL, (Channel.ZALO,), (Channel.ZALO,), id="zalo-only"),
    pytest.param(EVERYTHING, Reach(webhook=True), (Channel.ZALO,), (), id="zalo-only-off"),
    pytest.param(EVERYTHING, ALL, (Channel.WEBHOOK, Channel.EMAIL),
                 (Channel.EMAIL, Channel.WEBHOOK), id="two-chosen"),
    pytest.param(EVERYTHING, ALL, (), (), id="none-chosen"),
])
def test_unit_channels(contacts: Contacts, reach: Reach, channels: tuple[Channel, ...] | None,
                       found: tuple[Channel, ...]) -> None:
    unit = Unit(id=KIM_GIANG, name="UBND phường Kim Giang", contacts=contacts,
                reminders=ReminderPrefs(channels=channels))
    assert unit_channels(unit, reach) == found


def _settings(*, enabled: bool = True, bot_token: str = "", template: str = "",
              secret: str = "") -> Settings:
    base = Settings()
    return replace(
        base, zalo=replace(base.zalo, enabled=enabled, bot_token=Secret(bot_token),
                           zns_template_id=template),
        webhook=replace(base.webhook, secret=Secret(secret)))


@pytest.mark.parametrize(("settings", "reach"), [
    pytest.param(Settings(), Reach(), id="defaults"),
    pytest.param(_settings(), Reach(zalo_oa=True), id="zalo-oa"),
    pytest.param(_settings(bot_token="123:abc", template="375847"), ZALO_ALL, id="zalo-all"),
    pytest.param(_settings(enabled=False, bot_token="123:abc", template="375847"), Reach(),
                 id="zalo-disabled"),
    pytest.param(_settings(enabled=False, secret="bí-mật"), Reach(webhook=True), id="webhook"),
])
def test_reach_follows_the_settings(settings: Settings, reach: Reach) -> None:
    assert Reach.from_settings(settings) == reach


def test_the_planner_sees_the_prefs_and_channels() -> None:
    registry = _registry()
    found = planner_units(((u, True) for u in registry.units), Reach(zalo_oa=True))
    kim_giang = found[KIM_GIANG]
    assert (kim_giang.channels, kim_giang.activity_stages, kim_giang.deadline_stages,
            kim_giang.partner_reminders) == ((Channel.EMAIL, Channel.ZALO), (3, 0), (14, 7, 1),
                                             False)
    vhtt = found[VHTT]
    assert (vhtt.channels, vhtt.activity_stages, vhtt.partner_reminders) == (
        (Channel.EMAIL,), None, None)
    assert planner_units(((u, True) for u in registry.units), Reach())[KIM_GIANG].channels == (
        Channel.EMAIL,)
