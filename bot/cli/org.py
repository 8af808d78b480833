"""`python -m bot org ...`: the operator's side of organisations.

    python -m bot org list
    python -m bot org new NAME
    python -m bot org invite NAME|ID [--many] [--days N]
"""

from __future__ import annotations

import sys

from bot.config import Settings
from bot.services import orgs
from bot.services.errors import Refusal
from bot.storage.db import Database

OPERATOR = 0  # the actor id recorded for what the operator does from the command line


async def run_org(settings: Settings, action: str, name: str | None, *, many: bool,
                  days: int) -> int:
    db = Database(settings.database_url)
    try:
        if settings.is_sqlite:
            await db.migrate()
        async with db.transaction() as session:
            if action == "list":
                for organisation in await orgs.list_organisations(session):
                    organizers = await orgs.organizer_ids(session, organisation.id)
                    print(f"{organisation.id:>4}  {organisation.name}  "
                          f"({len(organizers)} organizers)")
                return 0
            if not name:
                print("takas: org new/invite needs a NAME", file=sys.stderr)
                return 2
            if action == "new":
                created = await orgs.create_organisation(session, name, actor_id=OPERATOR,
                                                         is_admin=True)
                print(f"created organisation {created.id}: {created.name}")
                return 0
            found = await orgs.find_organisation(session, name)
            if found is None:
                print(f"takas: no organisation {name!r}; see `python -m bot org list`",
                      file=sys.stderr)
                return 1
            invite = await orgs.create_invite(session, found.id, actor_id=OPERATOR,
                                              is_admin=True, single_use=not many, days=days)
            print(f"invitation for {found.name} ({'several people' if many else 'one person'}, "
                  f"{days} days):\n  https://t.me/<your bot>?start=org_{invite.token}")
            return 0
    except Refusal as refusal:
        print(f"takas: refused: {refusal.code} {refusal.params or ''}".rstrip(),
              file=sys.stderr)
        return 1
    finally:
        await db.close()
