"""Use cases: one function per thing a person does, owning its unit of work.

A use case takes the `Database` and plain values, opens exactly ONE transaction,
orchestrates the services (which hold the rules and never commit) and returns frozen
dataclasses defined beside it: no ORM object leaves a use case, and handlers import no
SQLAlchemy and no ORM table. What goes to other people is queued in the same transaction
as a kind and a reference (bot/delivery/kinds.py).
"""
