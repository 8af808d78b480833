"""The Telegram Mini App's server half: pages and a JSON API on the web process.

Modules: `auth` (initData, the development login, signed file links), `http` (errors,
limits, the authenticating middleware), `api` (me, map, items, follow), `mapdata` (box
queries and clusters), `profile`, `organizer`, `share` (read-only links), `pages`
(static files), `strings` (the pages' texts), `context` (the services routes reach),
`app` (mounting it all). The API contract: README "Mini App".
"""
