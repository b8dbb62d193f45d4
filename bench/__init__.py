"""Every benchmark of the project, by area (chat, knowledge, retrieval, router, retraining).

It sits above the apps: it may import any of them, and none of them imports it, except the ``*_bench``
management commands, which only parse their flags, call one function here and print or write the report.
"""
