"""Every write of the forum app, one plain function each (STYLE.md, 1)."""
