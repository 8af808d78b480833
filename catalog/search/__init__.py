"""Search over the catalog: pure functions over an immutable index snapshot.

normalize (folding, transliteration, tokens) -> stem (Baltic-aware suffix stripping) ->
lexicon (multilingual concepts, places, filter words) -> query (understanding a chat query)
-> index (the snapshot: postings as arrays) -> rank (candidates, scores, confidence) ->
engine (the entry point used by the bot and the CLI).
"""
