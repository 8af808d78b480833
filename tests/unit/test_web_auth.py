"""The Mini App's authentication: Telegram's initData check (against the example Telegram's
Mini Apps documentation publishes), forged, expired and missing data, the development
login and signed file links."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlencode

import pytest

from bot.web.auth import (
    AuthError,
    DevLogin,
    Signer,
    sign_init_data,
    validate_init_data,
)

# The sample of docs.telegram-mini-apps.com ("Validating init data"): initData signed with
# this bot token; it was made on 2022-09-10, so its age check is moved to that day.
DOCUMENTED_TOKEN = "5768337691:AAH5YkoiEuPk8-FZa32hStHTqXiLPtAEhx8"
DOCUMENTED = (
    "query_id=AAHdF6IQAAAAAN0XohDhrOrc"
    "&user=%7B%22id%22%3A279058397%2C%22first_name%22%3A%22Vladislav%22%2C%22last_name%22"
    "%3A%22Kibenko%22%2C%22username%22%3A%22vdkfrost%22%2C%22language_code%22%3A%22ru%22"
    "%2C%22is_premium%22%3Atrue%7D"
    "&auth_date=1662771648"
    "&hash=c501b71e775f74ce10e377dea85a7ea24ecd640b223ea86dfe453e0eaed2e2b2")
SIGNED_AT = 1662771648
TOKEN = "123456:TEST-token"
DAY = 86400


def fresh(user_id: int = 42, auth_date: int = 1_800_000_000, **extra: str) -> str:
    user = json.dumps({"id": user_id, "first_name": "Ona", "language_code": "lt"})
    return sign_init_data({"auth_date": str(auth_date), "user": user, **extra}, TOKEN)


def test_telegram_documented_example_is_valid() -> None:
    user = validate_init_data(DOCUMENTED, DOCUMENTED_TOKEN, max_age=DAY, now=SIGNED_AT + 60)
    assert (user.id, user.first_name, user.language_code, user.username) == (
        279058397, "Vladislav", "ru", "vdkfrost")


def test_documented_example_is_refused_with_another_token_or_when_old() -> None:
    with pytest.raises(AuthError, match="not signed"):
        validate_init_data(DOCUMENTED, TOKEN, max_age=DAY, now=SIGNED_AT)
    with pytest.raises(AuthError, match="expired"):
        validate_init_data(DOCUMENTED, DOCUMENTED_TOKEN, max_age=DAY, now=SIGNED_AT + DAY + 1)


@pytest.mark.parametrize("change", [
    lambda pairs: {**pairs, "user": pairs["user"].replace('"id": 42', '"id": 43')},
    lambda pairs: {**pairs, "auth_date": str(int(pairs["auth_date"]) + 1)},
    lambda pairs: {**pairs, "hash": pairs["hash"][:-1] + "0"},
    lambda pairs: {key: value for key, value in pairs.items() if key != "hash"},
    lambda pairs: {**pairs, "extra": "added after signing"},
], ids=["user", "auth_date", "hash", "no-hash", "field-added"])
def test_forged_init_data_is_refused(change) -> None:
    pairs = dict(parse_qsl(fresh()))
    with pytest.raises(AuthError):
        validate_init_data(urlencode(change(pairs)), TOKEN, max_age=DAY,
                           now=1_800_000_000)


def test_expired_and_future_init_data_are_refused() -> None:
    now = 1_800_000_000
    assert validate_init_data(fresh(auth_date=now - DAY), TOKEN, max_age=DAY, now=now).id == 42
    with pytest.raises(AuthError, match="expired"):
        validate_init_data(fresh(auth_date=now - DAY - 1), TOKEN, max_age=DAY, now=now)
    with pytest.raises(AuthError, match="expired"):
        validate_init_data(fresh(auth_date=now + 3600), TOKEN, max_age=DAY, now=now)


@pytest.mark.parametrize("bad", ["", "hash=", "a=1&a=2", "x" * 5000, "%ZZ&&=",
                                 sign_init_data({"auth_date": "1800000000"}, TOKEN),
                                 sign_init_data({"auth_date": "1800000000",
                                                 "user": '{"id": "42"}'}, TOKEN),
                                 sign_init_data({"auth_date": "soon",
                                                 "user": '{"id": 42}'}, TOKEN)],
                         ids=["missing", "empty-hash", "repeated", "long", "garbled",
                              "no-user", "string-id", "bad-date"])
def test_missing_or_malformed_init_data_is_refused(bad: str) -> None:
    with pytest.raises(AuthError):
        validate_init_data(bad, TOKEN, max_age=DAY, now=1_800_000_000)


def test_refusals_never_name_the_token() -> None:
    for data in (fresh(), DOCUMENTED, ""):
        with pytest.raises(AuthError) as refused:
            validate_init_data(data, TOKEN + "x", max_age=DAY, now=1_800_000_000)
        assert "TEST-token" not in str(refused.value)


def test_development_login_acts_as_whoever_the_console_plays() -> None:
    playing: list[tuple[int, str, str | None]] = [(1, "Console", None)]
    login = DevLogin(lambda: playing[0])
    assert login.check(login.token).id == 1
    playing[0] = (2, "Ona", "lt")
    assert (login.check(login.token).id, login.check(login.token).first_name) == (2, "Ona")
    with pytest.raises(AuthError):
        login.check(login.token + "x")
    assert DevLogin().token != login.token


def test_signed_links_name_their_user_and_expire() -> None:
    signer = Signer.for_token(TOKEN)
    url = signer.sign("/api/reports/3.pdf", 42, {"year": "2025", "class": "8B"}, now=1000)
    path, _sep, query = url.partition("?")
    values = dict(parse_qsl(query))
    assert signer.check(path, values, now=1000) == 42
    assert Signer.for_token(TOKEN).check(path, values, now=1000) == 42  # another process
    for forged in ({**values, "u": "43"}, {**values, "year": "2024"},
                   {**values, "exp": str(int(values["exp"]) + 1)},
                   {key: v for key, v in values.items() if key != "sig"}):
        with pytest.raises(AuthError):
            signer.check(path, forged, now=1000)
    with pytest.raises(AuthError):
        signer.check("/api/reports/4.pdf", values, now=1000)
    with pytest.raises(AuthError, match="expired"):
        signer.check(path, values, now=1000 + signer.lifetime + 1)
    with pytest.raises(AuthError):
        Signer.for_token("other:token").check(path, values, now=1000)
