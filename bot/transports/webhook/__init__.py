"""The webhook transport: an aiohttp server that Telegram POSTs updates to.

`serve()` runs one `web.Application` in front of the bot's `telegram.ext.Application`
(built with `background=False`: the scheduled jobs and the outbox sender run in
`python -m bot worker`). Routes:

- `POST <path>` (`/telegram`, or the path of `WEBHOOK_URL`): Telegram's deliveries. The
  `X-Telegram-Bot-Api-Secret-Token` header must equal `WEBHOOK_SECRET` (403 otherwise), the
  body must be at most 1 MB (413) and a JSON object with an integer `update_id`, nested at
  most 64 deep, without NaN or Infinity (400). The update is stored in the inbox table
  and the transaction committed *before* the 200 goes out, so once Telegram is told
  "received" the update survives a crash of this process.
- `GET /healthz`: `{database, last_feed_sync_age_s, outbox_backlog, inbox_backlog,
  inbox_oldest_waiting_age_s, inbox_last_progress_age_s, inbox_processor}`; 200 when the
  database answers within a short timeout and this process's inbox processor moves; 503
  when the database does not answer, or when an update has waited longer than
  `Timings.stuck_after` while the processor settled nothing and was never idle for as long
  (`inbox_processor: "stuck"`). Nothing is cached: each call asks the database again, so
  the check turns healthy as soon as it is back.
- `GET /metrics`: Prometheus text format (see `bot.metrics`). Like `/healthz` it is served
  on the webhook's port; keep both off the public internet at the load balancer. With
  `METRICS_TOKEN` set it asks for `Authorization: Bearer <token>` (401 otherwise).
- `/app/...` and `/api/...`: the Telegram Mini App, its pages and its JSON API (bot/web).
- `POST /badges/verify` and `GET /badges/status/<n>`: Open Badges (see bot/badge_check.py).
  Verification runs in a worker thread with a time budget; an upload refused by its size
  or shape is a 400 with the reason.

Slow clients: a connection must deliver a request's headers within `header_timeout`
(aiohttp's keep-alive timer, which also closes idle keep-alive connections) and its body
within `body_timeout` (408); a handler whose client went away is cancelled.

Delivery guarantees, honestly:

- An update is **stored once**: the inbox key is Telegram's `update_id`, so a redelivery
  (Telegram retries when it did not get our 200 in time) or the same update reaching two
  processes is answered 200 and stored only the first time.
- An update is **processed by one process**: the inbox processor of each process claims rows
  with one conditional UPDATE (`FOR UPDATE SKIP LOCKED` on PostgreSQL), like the outbox.
- **Replies exactly once.** While an update is processed, the Bot API calls its handlers
  make are captured, not sent (`bot.delivery.capture`), and written to the outbox in the
  same transaction that marks the update done; the worker's sender delivers them, paced
  with everything else (replies first). If a process dies mid-way, nothing of that update
  left it: after 60 s another process (or this one after a restart) takes the row for
  stale and processes it from scratch. Handlers' own writes survive that second run (hours,
  follows and broadcasts carry idempotency or dedupe keys with unique constraints). What
  remains at-least-once is the sender's one message in flight when the *worker* dies. A
  live process refreshes `claimed_at` of what it is still working on, so a slow handler is
  not taken for dead. An update whose processing raises is tried again and marked `failed`
  after three attempts; one that kills its process every time stops the same way. Each
  update's outcome is stored in a transaction of its own: one the database refuses (a chat
  id beyond 64 bits) is tried three times, then marked `failed` without its replies, and
  holds up no other update. Updates are stored without U+0000 (`inbox.store`).
  Consequences: a webhook deployment needs its worker to say anything at all, and an error
  Telegram gives a reply (say, "message is not modified") reaches the outbox row, not the
  handler.
- Updates of one chat are processed one after another in a process (in `update_id` order);
  different chats are processed concurrently. Across processes there is no ordering.

Other duties of a web process: `setWebhook` at start-up (a failure is logged, not fatal; at
stop the webhook is *not* deleted, other processes still serve it), and a check every 60 s
whether another process (the worker's feed sync) changed the catalog, which rebuilds this
process's search index.

Modules: `config` (settings and timings), `main` (`serve`: the process from start to stop),
`server` (routes and background tasks), `processor` (the inbox processor), `health`
(`/healthz` and gauges), `catalog_watch`, `uploads` (reading posted bodies).
"""

from bot.transports.webhook.catalog_watch import catalog_signature, watch_catalog
from bot.transports.webhook.config import (
    DEFAULT_PATH,
    MAX_BODY,
    SECRET_HEADER,
    Timings,
    WebhookConfig,
    webhook_config,
)
from bot.transports.webhook.health import health_report, refresh_gauges
from bot.transports.webhook.main import serve
from bot.transports.webhook.processor import InboxProcessor
from bot.transports.webhook.server import WebhookServer

__all__ = [
    "DEFAULT_PATH",
    "MAX_BODY",
    "SECRET_HEADER",
    "InboxProcessor",
    "Timings",
    "WebhookConfig",
    "WebhookServer",
    "catalog_signature",
    "health_report",
    "refresh_gauges",
    "serve",
    "watch_catalog",
    "webhook_config",
]
