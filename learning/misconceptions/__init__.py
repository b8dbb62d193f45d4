"""Misconceptions: why a wrong answer was wrong (pure: no Django).

``bug_library`` computes what the classic fraction errors would give for an item's calculation;
``matching`` finds the misconception a wrong response shows, from the item's own list first, then the library.
"""
