"""Course content import. Parsing (errors, formats, document, csv_items, reference, checks) is pure and
imports no Django; importing.py is the service, sync.py its database writes, access.py who may import."""
