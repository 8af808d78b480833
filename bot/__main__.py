"""`python -m bot`: see `bot.cli.main`."""

import sys

from bot.cli.main import main

sys.exit(main())
