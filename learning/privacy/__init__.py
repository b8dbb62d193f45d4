"""The privacy concern's one home: exporting everything held about one student, erasing it, and expiring old
conversations (docs/privacy.md).

Each app contributes its own part as a ``PrivacySection`` (``registry``), registered in its ``AppConfig.ready``:
learning's account and learning sections here, tutor's chat in ``tutor.privacy``, annotation's review and
training data in ``annotation.privacy``. So learning, which imports neither, still exports and erases their
rows, and a new app (LTI links, say) takes part by registering one more section.
"""
