"""Signed one-click links: round trips, any changed character or secret fails, expiry."""

from __future__ import annotations

import re
import string
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reminders.errors import RemindersError
from reminders.links import (
    Action,
    LinkClaim,
    LinkError,
    LinkProblem,
    LinkSigner,
    expiry_for,
)

SECRET = b"khoa-ky-duong-dan-kiem-thu-0123456789"
SIGNER = LinkSigner(SECRET)
TOKEN_ALPHABET = string.ascii_letters + string.digits + "-_."
CLAIM = LinkClaim(unit_id="ubnd-phuong-ha-dinh",
                  item_uid="7f06b8ea92bff1546f3a2f4d56ed8a8d@reminders",
                  occurrence=date(2022, 12, 26), action=Action.SUBMITTED,
                  expires=expiry_for(date(2022, 12, 26), 30))

claims = st.builds(
    LinkClaim,
    unit_id=st.text(min_size=1, max_size=60),
    item_uid=st.one_of(
        st.text(min_size=1, max_size=60),
        st.binary(min_size=1, max_size=20).map(lambda b: f"{b.hex()}@reminders"),
        st.binary(min_size=16, max_size=16).map(lambda b: f"{b.hex()}-2@reminders"),
        st.binary(min_size=1, max_size=20).map(bytes.hex)),
    occurrence=st.dates(),
    action=st.sampled_from(Action),
    expires=st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2200, 1, 1),
                         timezones=st.just(UTC)).map(lambda d: d.replace(microsecond=0)),
)


@settings(max_examples=300)
@given(claims)
def test_a_signed_claim_verifies_to_itself(claim: LinkClaim) -> None:
    token = SIGNER.sign(claim)
    assert re.fullmatch(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+", token)
    assert SIGNER.verify(token, now=claim.expires) == claim
    assert SIGNER.sign(claim) == token  # deterministic: golden messages rely on it


@settings(max_examples=300)
@given(claims, st.data())
def test_changing_any_character_of_a_token_fails(claim: LinkClaim, data: st.DataObject) -> None:
    token = SIGNER.sign(claim)
    index = data.draw(st.integers(0, len(token) - 1), label="index")
    other = data.draw(st.sampled_from(TOKEN_ALPHABET).filter(lambda c: c != token[index]))
    changed = token[:index] + other + token[index + 1:]
    with pytest.raises(LinkError) as caught:
        SIGNER.verify(changed, now=claim.expires)
    assert caught.value.reason in (LinkProblem.MALFORMED, LinkProblem.TAMPERED)


def test_every_single_character_change_of_one_token_fails() -> None:
    """Exhaustive for one real token, including the last characters of each part, whose
    spare low bits a lenient base64 decoder would ignore."""
    token = SIGNER.sign(CLAIM)
    now = CLAIM.expires - timedelta(days=1)
    for index, original in enumerate(token):
        for other in TOKEN_ALPHABET:
            if other == original:
                continue
            changed = token[:index] + other + token[index + 1:]
            with pytest.raises(LinkError):
                SIGNER.verify(changed, now=now)


@settings(max_examples=200)
@given(claims, st.binary(min_size=16, max_size=64), st.data())
def test_a_token_fails_under_any_other_secret(claim: LinkClaim, secret: bytes,
                                             data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(secret) - 1), label="index")
    flip = data.draw(st.integers(1, 255), label="xor")
    other = secret[:index] + bytes([secret[index] ^ flip]) + secret[index + 1:]
    token = LinkSigner(secret).sign(claim)
    with pytest.raises(LinkError) as caught:
        LinkSigner(other).verify(token, now=claim.expires)
    assert caught.value.reason is LinkProblem.TAMPERED


@settings(max_examples=200)
@given(claims)
def test_a_link_is_valid_to_its_last_second_and_expired_one_second_later(
        claim: LinkClaim) -> None:
    token = SIGNER.sign(claim)
    assert SIGNER.verify(token, now=claim.expires) == claim
    with pytest.raises(LinkError) as caught:
        SIGNER.verify(token, now=claim.expires + timedelta(seconds=1))
    assert caught.value.reason is LinkProblem.EXPIRED


def test_expiry_is_the_end_of_the_day_in_viet_nam_as_utc() -> None:
    expires = expiry_for(date(2022, 12, 12), 30)
    assert expires == datetime(2023, 1, 11, 16, 59, 59, tzinfo=UTC)
    assert expires.tzinfo is UTC
    assert expiry_for(date(2022, 12, 12), 0) == datetime(2022, 12, 12, 16, 59, 59, tzinfo=UTC)
    with pytest.raises(ValueError):
        expiry_for(date(2022, 12, 12), -1)


def test_a_link_for_a_day_works_until_midnight_in_viet_nam() -> None:
    claim = LinkClaim(unit_id="vhtt-thanh-xuan", item_uid="a@reminders",
                      occurrence=date(2022, 12, 12), action=Action.SEEN,
                      expires=expiry_for(date(2022, 12, 12), 1))
    token = SIGNER.sign(claim)
    last = datetime(2022, 12, 13, 23, 59, 59, tzinfo=UTC) - timedelta(hours=7)
    assert SIGNER.verify(token, now=last).action is Action.SEEN
    with pytest.raises(LinkError):
        SIGNER.verify(token, now=last + timedelta(seconds=1))


@pytest.mark.parametrize("token", [
    "", ".", "no-dot-at-all", "abc.", ".abc", "a.b.c", "tiếng-việt.abc",
    "WyJ4Il0=.AAAA", "WyJ4Il0.AA==", "W.AAAA", "WyJ4Il0 .AAAA",
], ids=repr)
def test_malformed_tokens_are_refused_as_malformed(token: str) -> None:
    with pytest.raises(LinkError) as caught:
        SIGNER.verify(token, now=CLAIM.expires)
    assert caught.value.reason is LinkProblem.MALFORMED


def test_a_token_with_an_extra_part_is_refused() -> None:
    token = SIGNER.sign(CLAIM)
    with pytest.raises(LinkError):
        SIGNER.verify(token + ".x", now=CLAIM.expires)


def test_tokens_are_short_enough_for_chat_messages() -> None:
    """A store UID packs to 16 bytes: a token stays under 100 characters."""
    assert len(SIGNER.sign(CLAIM)) < 100
    with pytest.raises(ValueError):
        SIGNER.sign(claim_at(CLAIM.expires, unit_id="x" * 256))


def test_the_url_is_the_confirm_page_of_the_token() -> None:
    url = SIGNER.url("https://lich.example.gov.vn/", CLAIM)
    prefix = "https://lich.example.gov.vn/xac-nhan/"
    assert url.startswith(prefix)
    assert SIGNER.verify(url.removeprefix(prefix), now=CLAIM.expires) == CLAIM


def test_errors_belong_to_the_hierarchy_and_speak_vietnamese() -> None:
    error = LinkError(LinkProblem.EXPIRED)
    assert isinstance(error, RemindersError)
    assert error.reason is LinkProblem.EXPIRED
    assert str(error) == "Đường dẫn xác nhận đã hết hạn"
    assert Action.SEEN.label == "Đã nhận"
    assert Action.SUBMITTED.label == "Đã gửi báo cáo"


def claim_at(expires: datetime, unit_id: str = "u") -> LinkClaim:
    return LinkClaim(unit_id=unit_id, item_uid="i@reminders", occurrence=date(2022, 12, 12),
                     action=Action.SEEN, expires=expires)


def test_claims_and_signers_refuse_bad_values() -> None:
    with pytest.raises(ValueError, match="naive"):
        claim_at(datetime(2022, 12, 12, 17))
    with pytest.raises(ValueError, match="whole seconds"):
        claim_at(datetime(2022, 12, 12, 17, 0, 0, 5, tzinfo=UTC))
    with pytest.raises(ValueError):
        claim_at(CLAIM.expires, unit_id="")
    with pytest.raises(ValueError):
        LinkSigner(b"too short")
