"""Use cases: one unit of work per user action; handlers call these, never the ORM."""
