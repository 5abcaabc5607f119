"""Every read of the forum app that is more than a one-line lookup."""
