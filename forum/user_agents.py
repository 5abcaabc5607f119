"""A short device class from a user agent, e.g. ("android_phone", "chrome").

Kept instead of the user agent itself (issue 13, item 2): enough for a member to tell
their phone from a computer they once used, never the build numbers and versions that
would fingerprint the device. Stored as two codes and named in the reader's language
(`describe`), so the sessions page reads in Arabic too.
"""

from django.utils.translation import gettext_lazy as _

DEVICES = {
    "android_phone": _("Android phone"), "android_tablet": _("Android tablet"), "iphone": _("iPhone"),
    "ipad": _("iPad"), "windows": _("Windows computer"), "mac": _("Mac"), "chromebook": _("Chromebook"),
    "linux": _("Linux computer"), "unknown": _("Unknown device"),
}
BROWSERS = {
    "edge": "Edge", "opera": "Opera", "samsung": "Samsung Internet", "firefox": "Firefox",
    "chrome": "Chrome", "safari": "Safari", "unknown": _("unknown browser"),
}

# First match wins: Edge, Opera and Samsung Internet also say "Chrome"; Chrome says "Safari".
_BROWSER_MARKS = (("Edg", "edge"), ("OPR/", "opera"), ("SamsungBrowser", "samsung"), ("Firefox/", "firefox"),
                  ("FxiOS", "firefox"), ("CriOS", "chrome"), ("Chrome/", "chrome"), ("Safari/", "safari"))


def device_class(user_agent: str) -> str:
    """"android_phone:chrome" and the like; "unknown:unknown" for what is not recognised."""
    agent = user_agent or ""
    if "Android" in agent:
        device = "android_phone" if "Mobile" in agent else "android_tablet"
    elif "iPhone" in agent:
        device = "iphone"
    elif "iPad" in agent:
        device = "ipad"
    elif "CrOS" in agent:
        device = "chromebook"
    elif "Windows" in agent:
        device = "windows"
    elif "Macintosh" in agent or "Mac OS X" in agent:
        device = "mac"
    elif "Linux" in agent or "X11" in agent:
        device = "linux"
    else:
        device = "unknown"
    browser = next((code for mark, code in _BROWSER_MARKS if mark in agent), "unknown")
    return f"{device}:{browser}"


def describe(device_class_code: str) -> str:
    """"Android phone, Chrome", in the active language."""
    device, _sep, browser = (device_class_code or "unknown:unknown").partition(":")
    return _("%(device)s, %(browser)s") % {
        "device": DEVICES.get(device, DEVICES["unknown"]), "browser": BROWSERS.get(browser, BROWSERS["unknown"])}
