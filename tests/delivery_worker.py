"""A delivery worker in a process of its own, for the crash-safety test.

Usage:
    python -m tests.delivery_worker DATABASE_URL BOT_API_URL TOKEN [--rate 28] [--timeout 60]
        [--concurrency 1]

Drains the outbox of DATABASE_URL through the Bot API at BOT_API_URL and exits 0 once it is
empty. It is the only sender (`exclusive`), so rows a killed predecessor left `sending` are
taken back at start. The test SIGKILLs it mid-way and starts it again.
"""

from __future__ import annotations

import argparse
import asyncio

from bot.delivery import Sender, build_bot
from bot.storage.db import Database


async def main(args: argparse.Namespace) -> None:
    db = Database(args.database_url)
    sender = Sender(db, build_bot(args.token, args.api_url), rate=args.rate, exclusive=True,
                    concurrency=args.concurrency)
    try:
        async with sender:
            await sender.drain(timeout=args.timeout)
    finally:
        await db.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url")
    parser.add_argument("api_url")
    parser.add_argument("token")
    parser.add_argument("--rate", type=float, default=28.0)
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--concurrency", type=int, default=1, help="sends in flight at once")
    asyncio.run(main(parser.parse_args()))
