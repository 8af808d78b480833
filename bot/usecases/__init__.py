"""Use cases: one function per thing a person does, in one transaction (issue 16's shape).

A use case takes the `Database` and plain values, opens exactly one transaction, orchestrates
the services and returns frozen dataclasses of its own module; no ORM object leaves it.
"""
