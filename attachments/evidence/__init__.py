"""The evidence locker (issue 17, item 6): untouched originals beside the cleaned copies.

Where a place keeps evidence (`keep_evidence` on a category or a room), MAJLIS_EVIDENCE_KEY
is set and the uploader asks for it, the file exactly as the member sent it is kept too,
encrypted (crypto.py), with the SHA-256 their browser computed and the one the server
computed (keeping.py). Only members granted `handle_evidence` on that place read it
(checks.py: not moderators, not coalition admins, who must grant it to themselves, which
the moderation record shows), and every reading asks for a reason and is written to the
append-only custody log in the same transaction (custody.py). An original outlives its
cleaned copy (hidden, deleted, purged by the room's retention) and leaves with its
uploader's account unless they chose otherwise at upload (leaving.py).
"""
