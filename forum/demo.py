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


def seed_people():
    """The coalition's organisations and the four demo people; returns both by slug/username."""
    from django.contrib.auth import get_user_model

    from forum.models import Organisation
    from forum.services.accounts import create_member, create_organisation

    User = get_user_model()
    organisations = {}
    for slug, name_ar, name_en, region in ORGANISATIONS:
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            organisation = create_organisation(slug=slug, name_ar=name_ar, name_en=name_en, region=region)
        organisations[slug] = organisation
    people, admin = {}, None
    for username, name, location, org, language, role in PEOPLE:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = create_member(
                username=username, password=DEMO_PASSWORD, display_name=name, location=location,
                organisation=organisations[org], language=language,
                is_superuser=role == "admin", invited_by=admin,
            )
        if role == "admin":
            admin = user
        people[username] = user
    return organisations, people


CATEGORIES = [
    # slug, name, description, requires approval, group that may view and post
    ("documentation", "توثيق الانتهاكات · Documenting violations",
     "منهجيات التوثيق الآمن ومشاركة الحالات. Safe documentation methods and case work.", True, "members"),
    ("campaigns", "حملات المناصرة والإعلام · Advocacy and media",
     "تخطيط الحملات والبيانات المشتركة. Planning campaigns and joint statements.", False, "members"),
    ("gbv-awareness", "التوعية بالعنف القائم على النوع الاجتماعي · GBV awareness",
     "التوعية بالعنف القائم على النوع الاجتماعي في النزاع. Awareness of gender-based violence in conflict.", False, "members"),
    ("peace-dialogue", "السلام والحوار · Peace and dialogue", "", False, "members"),
    ("capacity-building", "بناء القدرات · Capacity building",
     "تدريبات وأدلة وأدوات. Trainings, guides and tools.", False, "members"),
    ("bridge", "جسر الداخل والمهجر · Inside and diaspora",
     "حيث يلتقي الداخل بالمهجر. Where people inside meet the diaspora.", False, "members"),
    ("taiz-internal", "تعز للمناصرة: داخلي · Taiz Advocacy: internal",
     "لأعضاء تعز للمناصرة فقط. For Taiz Advocacy members only.", False, "taiz-advocacy"),
]

THREADS = [
    # category, author, title, body, replies (author, body)
    ("campaigns", "member", "حملة ١٦ يومًا لمناهضة العنف ضد المرأة",
     "نقترح أن نبدأ التحضير للحملة هذا الأسبوع. ما الرسائل الأساسية التي نريد التركيز عليها؟\n\n- حماية الناجيات\n- الوصول إلى العدالة",
     [("diaspora", "From Berlin we can organise a panel and translate the statements into German and English."),
      ("moderator", "> ما الرسائل الأساسية؟\n\nأقترح إضافة **حماية المدافعات عن حقوق الإنسان**.")]),
    ("bridge", "diaspora", "Introductions: who is here and what you work on",
     "Welcome to the bridge. Say hello, in Arabic or English, and tell us what you need from people outside.",
     [("member", "أهلًا بالجميع. أعمل على توثيق الانتهاكات في تعز ونحتاج إلى دعم في الترجمة.")]),
    ("capacity-building", "moderator", "دليل الأمان الرقمي للمدافعين · Digital security guide",
     "النسخة المحدثة من الدليل: كلمات مرور قوية، تطبيقات التراسل الآمنة، وإزالة البيانات الوصفية من الصور قبل مشاركتها.",
     []),
    ("taiz-internal", "member", "اجتماع الفريق القادم", "موعد الاجتماع القادم يوم الخميس. جدول الأعمال في الرد التالي.", []),
]


def seed_forum(organisations, people):
    """Categories for the coalition's aims, with realistic grants, and a few threads."""
    from django.contrib.auth.models import Group

    from forum.models import Category, Thread
    from forum.services.content import do_create_category, reply, start_thread
    from forum.services.grants import do_grant_permission

    categories = {}
    for position, (slug, name, description, requires_approval, group_name) in enumerate(CATEGORIES):
        category = Category.objects.filter(slug=slug).first()
        if category is None:
            category = do_create_category(
                slug=slug, name=name, description=description, requires_approval=requires_approval
            )
            Category.objects.filter(pk=category.pk).update(position=position)
            group = Group.objects.get(name=group_name)
            do_grant_permission(actor=None, via="seed_demo", perm="view_category", obj=category, to=group)
            do_grant_permission(actor=None, via="seed_demo", perm="post_in_category", obj=category, to=group)
            if group_name == "members":
                do_grant_permission(actor=None, via="seed_demo", perm="moderate_category", obj=category, to=people["moderator"])
        categories[slug] = category
    for slug, author, title, body, replies in THREADS:
        if Thread.objects.filter(category=categories[slug], title=title).exists():
            continue
        thread = start_thread(author=people[author], category=categories[slug], title=title, body=body)
        for replier, text in replies:
            reply(author=people[replier], thread=thread, body=text)
