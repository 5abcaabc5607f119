from .people import Invitation, Organisation, Profile

__all__ = ["Invitation", "Organisation", "Profile"]
