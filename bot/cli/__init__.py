"""The command line, `python -m bot ...` (also `takas`): `main` parses the arguments and
hands each subcommand to its module here (catalog, org, badge) or to a transport."""
