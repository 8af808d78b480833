"""How updates reach the bot and how the background work runs: long polling, the webhook
server, the worker (with its leadership lock) and the terminal console."""
