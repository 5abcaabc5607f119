"""The demo rooms `manage.py seed_demo` adds after the forum: one per audience, one per
organisation, one that forgets its messages after a week."""

ROOMS = [
    # slug, name, topic, retention days, group given view and post, moderated by the demo moderator
    ("majlis", "المجلس العام · General", "غرفة لكل الأعضاء. A room for every member.", None, "members", True),
    ("inside", "الداخل · Inside the country", "للأعضاء داخل اليمن فقط. For members inside Yemen only.",
     None, "in-country", True),
    ("diaspora", "المهجر · Diaspora", "للأعضاء في المهجر فقط. For members in the diaspora only.",
     None, "diaspora", True),
    ("rapid-response", "الاستجابة السريعة · Rapid response",
     "تنسيق عاجل؛ تُحذف الرسائل بعد ٧ أيام. Urgent coordination; messages are deleted after 7 days.",
     7, "members", True),
]

MESSAGES = [
    # room, author, client id (so that seeding twice stores each message once), text
    ("majlis", "moderator", "demo-1", "أهلًا بكم في المجلس. تذكّروا: لا أسماء حقيقية ولا مواقع."),
    ("majlis", "diaspora", "demo-2", "Hello from Berlin! We can help translate the **joint statement** this week."),
    ("majlis", "member", "demo-3", "شكرًا سامي، سأرسل المسودة العربية مساء اليوم."),
    ("majlis", "diaspora", "demo-4", "Great, thank you. Ping me here when it is ready."),
    ("inside", "member", "demo-1", "الإنترنت ضعيف اليوم في تعز، سأتابع الرسائل لاحقًا."),
    ("diaspora", "diaspora", "demo-1", "Panel in Berlin confirmed for the 16 days campaign."),
    ("rapid-response", "moderator", "demo-1", "Reminder: this room forgets its messages after 7 days."),
]


def seed_rooms(organisations, people) -> dict:
    """Create the demo rooms with their grants and a few messages; safe to run again."""
    from django.contrib.auth.models import Group

    from forum.services.grants import do_grant_permission
    from realtime.models import Room
    from realtime.services import do_create_room, post_message

    def open_room(slug, name, topic, retention_days, group, moderated):
        room = Room.objects.filter(slug=slug).first()
        if room is not None:
            return room
        room = do_create_room(slug=slug, name=name, topic=topic, retention_days=retention_days)
        for perm in ("view_room", "post_in_room"):
            do_grant_permission(actor=None, via="seed_demo", perm=perm, obj=room, to=group)
        if moderated:
            do_grant_permission(actor=None, via="seed_demo", perm="moderate_room", obj=room, to=people["moderator"])
        return room

    rooms = {}
    for slug, name, topic, retention_days, group_name, moderated in ROOMS:
        rooms[slug] = open_room(slug, name, topic, retention_days, Group.objects.get(name=group_name), moderated)
    for organisation in organisations.values():
        rooms[organisation.slug] = open_room(
            organisation.slug, f"{organisation.name_ar} · {organisation.name_en}", "", None,
            organisation.group, False,
        )
    for slug, author, client_id, text in MESSAGES:
        post_message(author=people[author], room=rooms[slug], body=text, client_id=client_id)
    return rooms
