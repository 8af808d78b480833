"""The ground floor: the database engine, the ORM tables, and the inbox and outbox queues.

Nothing here imports handlers, transports, the CLI or the catalog's services; everything
above may import from here.
"""
