"""How many database transactions one guided /log costs, step by step.

Usage:
    .venv/bin/python -m benchmarks.count_log_transactions

Runs the real Application (long polling) against the fake Bot API with a fresh SQLite
database, sets up an organisation and its organizer through the chat, then walks a pupil
through the guided /log (activity, organisation, day, hours, note skipped, confirm) and
counts `Database.transaction()` blocks opened while each step is handled: by the update's
handling (middleware, handlers, use cases) and by the sender (delivering the verification
request through the outbox), separately. Issue 16 asks for one transaction per step in
the flow's own code.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from benchmarks.common import count_transactions, opened_at
from bot.app import running
from bot.badges.keys import SigningKey
from bot.config import load_settings
from bot.i18n import I18n
from bot.transports.polling import build_polling_application
from tests.e2e.test_hours import PUPIL, button, open_school
from tests.fakes import FakeBotAPI
from tests.fakes.server import RUNNING_APPLICATIONS

COUNTS: Counter[str] = Counter()


BY_PLACE: Counter[str] = Counter()


def _who() -> None:
    """Count the transaction as the sender's or the update's handling (its place, the
    innermost frame of our code that opened it, is counted in BY_PLACE)."""
    ours = opened_at()
    if ours:
        BY_PLACE[f"{Path(ours[-1].filename).parent.name}/{Path(ours[-1].filename).name}"
                 f":{ours[-1].name}"] += 1
    COUNTS["sender" if any("delivery/sender.py" in frame.filename for frame in ours)
           else "update"] += 1


async def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        async with FakeBotAPI() as fake:
            settings = load_settings(
                _env_file=None, database_url=f"sqlite+aiosqlite:///{Path(folder) / 't.db'}",
                feed_sync_interval=0, badge_signing_key=SigningKey.generate().seed(),
                bot_token=fake.token, bot_api_url=fake.url, admin_ids="900")
            application = build_polling_application(settings, I18n.load())
            async with running(application, polling=True):
                # wait_idle then also waits for updates being handled (as in tests/conftest)
                RUNNING_APPLICATIONS.add(application)
                await open_school(fake)
                await fake.wait_idle()
                pupil = fake.user(PUPIL, first_name="Ona", language_code="en")
                restore = count_transactions(_who)
                total: Counter[str] = Counter()

                async def step(name: str, act: Callable[[], object]) -> None:
                    COUNTS.clear()
                    act()
                    await fake.wait_idle()
                    total.update(COUNTS)
                    print(f"{name:<22} update {COUNTS['update']:>3}   sender "
                          f"{COUNTS['sender']:>3}")

                def press(label: str) -> Callable[[], object]:
                    def act() -> object:
                        latest = fake.messages(PUPIL)[-1]
                        return fake.press_button(pupil, latest, button(latest, label))
                    return act

                await step("/log", lambda: fake.send_text(pupil, "/log"))
                await step("activity (typed)",
                           lambda: fake.send_text(pupil, "Planting trees in the park"))
                await step("organisation", press("Utenos gimnazija"))
                await step("day", press("Today"))
                await step("hours (typed)", lambda: fake.send_text(pupil, "3"))
                await step("note: skip", press("Skip"))
                await step("confirm", press("✔ Confirm"))
                restore()
                print(f"{'whole guided /log':<22} update {total['update']:>3}   sender "
                      f"{total['sender']:>3}")
                print("by place:")
                for place, count in BY_PLACE.most_common():
                    print(f"  {count:>3}  {place}")


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
