"""Every live socket of Majlis, on one lifecycle (base.py): rooms, notifications, threads.

hub.py fans a room's frames out to its sockets in one process; standing.py has them
re-check within a second of any change of standing anywhere; presence.py tells rooms who
came and went; backpressure.py bounds what a client may leave unread.
"""
