"""Certificate rules and use cases: codes read back in any spelling, checks limited per
person and hour (found or not), revocation once, a year's certificate counts that year only,
and the public page shows nothing but the certificate's own facts, escaped."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.i18n import I18n
from bot.services import certificates
from bot.services import hours as hour_rules
from bot.services.errors import Refusal
from bot.storage.db import Database
from bot.storage.models import Membership, Organisation, User, utcnow
from bot.usecases import certificates as usecase
from bot.verify_page import render

PUPIL, ORGANIZER, READER = 7001, 7002, 7003


@pytest.mark.parametrize("spelled", ["TK-ABCD-2345", "tk-abcd-2345", " tk abcd 2345 ",
                                     "TKABCD2345", "tk-abcd2345"])
def test_a_code_is_read_back_in_any_spelling(spelled: str) -> None:
    assert certificates.normalised(spelled) == "TK-ABCD-2345"


@pytest.mark.parametrize("wrong", ["", "TK-ABCD-234", "TK-ABCD-0000", "XX-ABCD-2345",
                                   "TK-ABCD-23456", "TK-ÄBCD-2345", "<script>"])
def test_what_cannot_be_a_code_is_refused_before_the_database(wrong: str) -> None:
    assert certificates.normalised(wrong) is None


async def pupil_with_hours(db: Database, days: list[date]) -> None:
    async with db.transaction() as session:
        session.add_all([User(id=PUPIL, first_name="Ona"), User(id=ORGANIZER, first_name="T")])
        organisation = Organisation(name="Utenos gimnazija")
        session.add(organisation)
        await session.flush()
        for number, day in enumerate(days):
            entry, _new = await hour_rules.log_entry(session, hour_rules.NewEntry(
                user_id=PUPIL, organisation_id=organisation.id, activity=f"Talka {number}",
                day=day, minutes=60 * (number + 1), key=f"k{number}"))
            if number == 0:
                session.add(Membership(organisation_id=organisation.id, user_id=ORGANIZER))
                await session.flush()
            await hour_rules.decide(session, entry.id, organizer_id=ORGANIZER, approve=True)


async def test_a_year_certificate_counts_that_year_and_all_years_count_all(db: Database) -> None:
    current = hour_rules.school_year(hour_rules.today())[0]
    await pupil_with_hours(db, [current - timedelta(days=100), hour_rules.today()])
    choice = await usecase.export_choice(db, PUPIL)
    assert choice.years == (current, hour_rules.school_year(current - timedelta(days=100))[0])
    this_year = await usecase.issue_certificate(db, PUPIL, current, base_url=None, now=utcnow())
    everything = await usecase.issue_certificate(db, PUPIL, None, base_url="https://t.example/",
                                                 now=utcnow())
    assert this_year.url is None
    assert everything.url == f"https://t.example/verify/{everything.data.code}"
    first = await usecase.certificate_status(db, this_year.data.code)
    second = await usecase.certificate_status(db, everything.data.code)
    assert first is not None
    assert second is not None
    assert (first.minutes, first.school_year) == (120, hour_rules.school_year(current))
    assert (second.minutes, second.school_year) == (180, None)
    with pytest.raises(Refusal) as refused:
        await usecase.issue_certificate(db, PUPIL, date(2020, 9, 1), base_url=None,
                                        now=utcnow())
    assert refused.value.code == "nothing_approved"


async def test_checks_are_limited_per_person_whether_found_or_not(db: Database) -> None:
    await pupil_with_hours(db, [hour_rules.today()])
    issued = await usecase.issue_certificate(db, PUPIL, None, base_url=None, now=utcnow())
    now = utcnow()
    for attempt in range(certificates.CHECKS_PER_WINDOW):
        if attempt % 2:
            await usecase.check_certificate(db, issued.data.code, actor_id=READER, now=now)
            continue
        with pytest.raises(Refusal) as unknown:  # a guess counts as much as a check
            await usecase.check_certificate(db, "TK-AAAA-BBBB", actor_id=READER, now=now)
        assert unknown.value.code == "certificate_unknown"
    with pytest.raises(Refusal) as refused:
        await usecase.check_certificate(db, issued.data.code, actor_id=READER, now=now)
    assert refused.value.code == "checks_limit"
    # Someone else is not limited by it, and the reader may check again an hour later.
    assert (await usecase.check_certificate(db, issued.data.code, actor_id=PUPIL,
                                            now=now)).code == issued.data.code
    later = now + certificates.CHECK_WINDOW + timedelta(seconds=1)
    assert (await usecase.check_certificate(db, issued.data.code, actor_id=READER,
                                            now=later)).revoked_at is None


async def test_only_administrators_revoke_and_a_revocation_keeps_its_first_time(
        db: Database) -> None:
    await pupil_with_hours(db, [hour_rules.today()])
    issued = await usecase.issue_certificate(db, PUPIL, None, base_url=None, now=utcnow())
    with pytest.raises(Refusal) as refused:
        await usecase.revoke_certificate(db, issued.data.code, actor_id=ORGANIZER,
                                         is_admin=False, now=utcnow())
    assert refused.value.code == "admins_only"
    first = utcnow()
    revoked = await usecase.revoke_certificate(db, issued.data.code.lower(), actor_id=1,
                                               is_admin=True, now=first)
    again = await usecase.revoke_certificate(db, issued.data.code, actor_id=1, is_admin=True,
                                             now=first + timedelta(days=1))
    assert revoked.revoked_at == again.revoked_at == first


def test_the_page_escapes_and_shows_only_the_certificate(i18n: I18n) -> None:
    status = usecase.CertificateStatus(
        code="TK-ABCD-2345", learner='<img src=x onerror="alert(1)">', minutes=150,
        school_year=(date(2025, 9, 1), date(2026, 8, 31)), issued_on=date(2026, 1, 5),
        revoked_at=None)
    with i18n.use("en"):
        page = render(status, deployment="takas.example")
    assert "<img" not in page
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page
    assert "<script" not in page
    for shown in ("This certificate is valid.", "2.5 h", "2025–2026", "January 5, 2026",
                  "Takas at takas.example"):
        assert shown in page
    with i18n.use("de"):
        assert "Diese Bescheinigung ist gültig." in render(status, deployment="t.example")
