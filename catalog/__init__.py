"""The opportunity catalog: feed formats, sync, normalisation, search index and ranking."""
