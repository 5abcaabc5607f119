"""The demo coalition `manage.py seed_demo` creates: fictional, but shaped like the real one."""

from forum.models.people import Location, Region

DEMO_PASSWORD = "majlis-demo-2026"

ORGANISATIONS = [
    # slug, Arabic name, English name, region
    ("sanaa-rights", "مرصد صنعاء للحقوق", "Sana'a Rights Observatory", Region.SANAA),
    ("sanaa-women", "شبكة نساء صنعاء", "Sana'a Women's Network", Region.SANAA),
    ("marib-voices", "أصوات مأرب", "Marib Voices", Region.MARIB),
    ("aden-documentation", "مركز عدن للتوثيق", "Aden Documentation Centre", Region.ADEN),
    ("aden-youth", "شباب عدن من أجل السلام", "Aden Youth for Peace", Region.ADEN),
    ("shabwa-dialogue", "منتدى شبوة للحوار", "Shabwa Dialogue Forum", Region.SHABWA),
    ("taiz-advocacy", "تعز للمناصرة", "Taiz Advocacy", Region.TAIZ),
    ("diaspora-bridge", "جسر المهجر", "Diaspora Bridge", Region.DIASPORA),
]

PEOPLE = [
    # username, display name, location, organisation slug, language, role
    ("admin", "Hadi", Location.DIASPORA, "diaspora-bridge", "en", "admin"),
    ("moderator", "نور", Location.IN_COUNTRY, "aden-documentation", "ar", "moderator"),
    ("member", "ليلى", Location.IN_COUNTRY, "taiz-advocacy", "ar", "member"),
    ("diaspora", "Sami", Location.DIASPORA, "diaspora-bridge", "en", "member"),
]
