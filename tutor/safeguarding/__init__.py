"""Spotting a student's message that signals self-harm, abuse, bullying or a threat to others (pure: no Django).

``detector.py`` holds the policy, ``phrases.py`` the curated phrase lists per language and ``examples.py`` the
labelled examples the similarity check compares with. ``tutor/alerts.py`` stores and sends what it finds.
"""
