"""Domain services: the rules of Takas. Each takes an `AsyncSession` and never commits."""
