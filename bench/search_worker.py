"""bench/search.py's work on one backend (the database of DATABASE_URL); prints JSON."""

import random
import statistics
import time
from datetime import timedelta
from html import escape

import django

django.setup()

from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Q  # noqa: E402
from django.utils import timezone  # noqa: E402

from forum.models import Post, Status, Thread  # noqa: E402
from forum.selectors.content import visible_categories  # noqa: E402
from forum.services.accounts import create_member  # noqa: E402
from forum.services.content import do_create_category, reply, start_thread  # noqa: E402
from forum.services.grants import do_grant_permission  # noqa: E402
from realtime.models import Room, RoomBan, RoomMessage  # noqa: E402
from realtime.selectors import visible_rooms  # noqa: E402
from realtime.services import do_create_room  # noqa: E402
from search import index  # noqa: E402
from search.results import PER_PAGE, search_page  # noqa: E402
from search.selectors import MESSAGES, THREADS, Filters  # noqa: E402

PLACES = 40
BATCH = 5000

ARABIC = """انتهاك اعتقال معتقل محكمة قاضي محامي شاهد شهادة تقرير توثيق منظمة حقوق إنسان امرأة طفل
مدرسة مستشفى طبيب دواء ماء كهرباء طريق حاجز نقطة تفتيش قصف غارة منزل قرية مدينة محافظة صنعاء
عدن تعز مأرب شبوة حضرموت الحديدة إب ذمار لحج أبين نازح مخيم مساعدات غذاء جوع سوء تغذية كوليرا
وباء لقاح تعليم طالب طالبة معلم جامعة صحفي صحافة حرية تعبير رأي اختفاء قسري تعذيب سجن سجين
إفراج مفاوضات هدنة سلام حرب نزاع لاجئ هجرة حدود جواز سفر عائلة أسرة أم أب ابن ابنة زوج زوجة
عنف نساء فتيات زواج قاصرات ميراث عمل أجر راتب موظف حكومة وزارة مسؤول مسؤولين رئيس لجنة
مؤتمر اجتماع حملة مناصرة رسالة بيان نداء عاجل مساء صباح يوم أسبوع شهر سنة أمس غدا الآن هنا
هناك كل بعض كثير قليل جديد قديم كبير صغير أول آخر مهم خطير آمن""".split()
ENGLISH = """violation detention detainee court judge lawyer witness testimony report documentation
organisation rights human woman child school hospital doctor medicine water electricity road
checkpoint shelling airstrike house village city governorate displaced camp aid food hunger
malnutrition cholera epidemic vaccine education student teacher university journalist press freedom
expression opinion disappearance torture prison prisoner release negotiation truce peace war conflict
refugee migration border passport family mother father son daughter husband wife violence girls
marriage minors inheritance work wage salary employee government ministry official officials
committee conference meeting campaign advocacy letter statement appeal urgent evening morning day
week month year yesterday tomorrow now here there every some many few new old big small first last
important dangerous safe the of and to in is that for on with as was at by this from""".split()
PREFIXES = ["", "", "", "ال", "و", "وال", "بال"]
SUFFIXES = ["", "", "", "ات", "ين", "ون"]


def run(args) -> dict:
    call_command("migrate", verbosity=0)
    rng = random.Random(15)
    world = _build(rng, args.posts, args.messages)
    started = time.perf_counter()
    indexed = index.rebuild()
    rebuild_rate = indexed / (time.perf_counter() - started)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    queries = _queries(rng, world, args.queries)
    user = world["searcher"]
    for text, filters, _kind in queries[:10]:  # warm the caches, as a running server has them
        search_page(user, text, filters, 1)
    timings, by_kind = [], {}
    for text, filters, kind in queries:
        elapsed = _timed(lambda: search_page(user, text, filters, 1))
        timings.append(elapsed)
        by_kind.setdefault(kind, []).append(elapsed)
    step = max(1, len(queries) // args.baseline_queries)
    naive, same = [], []
    for text, filters, _kind in queries[::step][: args.baseline_queries]:
        naive.append(_timed(lambda: _naive(user, text, filters)))
        same.append(_timed(lambda: search_page(user, text, filters, 1)))
    return {
        "vendor": connection.vendor, "rows": indexed, "rebuild_rate": rebuild_rate,
        "p50": _p(timings, 50), "p95": _p(timings, 95),
        "by_kind": {kind: (_p(t, 50), _p(t, 95)) for kind, t in by_kind.items()},
        "naive_p50": _p(naive, 50), "naive_p95": _p(naive, 95), "same_p50": _p(same, 50), "same_p95": _p(same, 95),
        "index_ms": _indexing_cost(world),
    }


def _timed(work) -> float:
    started = time.perf_counter()
    work()
    return (time.perf_counter() - started) * 1000


def _p(values: list[float], percentile: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(percentile / 100 * (len(ordered) - 1)))]


def _vocabulary(rng: random.Random) -> tuple[list[str], list[float]]:
    words = [p + w + s for w in ARABIC for p, s in {(rng.choice(PREFIXES), rng.choice(SUFFIXES)) for _ in range(3)}]
    words += ENGLISH + [w.capitalize() for w in ENGLISH[:50]]
    rng.shuffle(words)
    weights = [1 / (rank + 1) for rank in range(len(words))]  # Zipf-like: a few words everywhere
    return words, weights


def _text(rng, vocabulary, low: int, high: int) -> str:
    words, weights = vocabulary
    return " ".join(rng.choices(words, weights, k=rng.randint(low, high)))


def _build(rng: random.Random, post_count: int, message_count: int) -> dict:
    vocabulary = _vocabulary(rng)
    half, others = Group.objects.create(name="half"), Group.objects.create(name="others")
    searcher = create_member(username="searcher", password="benchmark-password", display_name="Searcher",
                             location="in_country")
    half.user_set.add(searcher)
    authors = [create_member(username=f"author{n}", password="benchmark-password", display_name=f"Author {n}",
                             location="diaspora") for n in range(30)]
    for author in authors:
        (half if author.pk % 2 else others).user_set.add(author)
    categories, rooms = [], []
    for n in range(PLACES):
        group = half if n % 2 else others
        category = do_create_category(slug=f"category-{n}", name=f"Category {n}")
        room = do_create_room(slug=f"room-{n}", name=f"Room {n}", retention_days=30 if n % 8 == 0 else None)
        for obj, perms in ((category, ("view_category", "post_in_category")), (room, ("view_room", "post_in_room"))):
            for perm in perms:
                do_grant_permission(actor=None, perm=perm, obj=obj, to=group, via="bench")
        categories.append(category)
        rooms.append(room)
    RoomBan.objects.create(room=rooms[1], user=searcher, reason="bench")
    now = timezone.now()
    span = timedelta(days=730).total_seconds()
    # Rows are written in the order of their time, as a forum writes them: ids follow the
    # order of writing, which the search's "newest first" relies on.
    with transaction.atomic():
        threads = sorted((
            Thread(category=categories[n % PLACES], title=_text(rng, vocabulary, 3, 9), author=rng.choice(authors),
                   status=Status.PENDING if rng.random() < 0.02 else Status.APPROVED,
                   is_hidden=rng.random() < 0.02, created_at=now - timedelta(seconds=rng.random() * span))
            for n in range(max(1, post_count // 10))
        ), key=lambda thread: thread.created_at)
        threads = Thread.objects.bulk_create(threads, batch_size=BATCH)
        posts = []
        for n in range(post_count):
            thread = threads[n % len(threads)]
            roll, body = rng.random(), _text(rng, vocabulary, 20, 150)
            posts.append(Post(
                thread=thread, author=rng.choice(authors), body_source=body,
                body_html=f'<p dir="auto">{escape(body)}</p>', is_opening=n < len(threads),
                status=Status.PENDING if roll < 0.02 else Status.REJECTED if roll < 0.03 else Status.APPROVED,
                is_hidden=0.03 <= roll < 0.06, submit_token=f"bench-{n}",
                created_at=thread.created_at + timedelta(seconds=n // len(threads) * 3600),
            ))
        posts.sort(key=lambda post: post.created_at)
        Post.objects.bulk_create(posts, batch_size=BATCH)
        per_room = max(1, message_count // PLACES)
        messages = []
        for room in rooms:
            for seq in range(1, per_room + 1):
                body = _text(rng, vocabulary, 3, 30)
                messages.append(RoomMessage(
                    room=room, seq=seq, rev=seq, author=rng.choice(authors), body_source=body,
                    body_html=f'<p dir="auto">{escape(body)}</p>', client_id=f"bench-{seq}",
                    created=now - timedelta(seconds=(per_room - seq) / per_room * span),
                    deleted=rng.random() < 0.02,
                ))
        messages.sort(key=lambda message: message.created)
        RoomMessage.objects.bulk_create(messages, batch_size=BATCH)
        Room.objects.filter(pk__in=[room.pk for room in rooms]).update(seq=per_room, rev=per_room)
    return {"searcher": searcher, "authors": authors, "vocabulary": vocabulary, "categories": categories,
            "rooms": rooms, "threads": threads}


def _queries(rng: random.Random, world: dict, count: int) -> list[tuple[str, Filters, str]]:
    words, _weights = world["vocabulary"]
    arabic = [w for w in words if any("\u0600" <= c <= "\u06ff" for c in w)]
    made = []
    for n in range(count):
        kind = ["common word", "mid word", "rare word", "phrase", "arabic variant", "filtered"][n % 6]
        if kind == "common word":
            made.append((rng.choice(words[:15]), Filters(), kind))
        elif kind == "mid word":
            made.append((rng.choice(words[40:200]), Filters(), kind))
        elif kind == "rare word":
            made.append((rng.choice(words[400:]), Filters(), kind))
        elif kind == "phrase":
            post = Post.objects.filter(pk=rng.randint(1, Post.objects.count())).values_list("body_source", flat=True)
            text = (post.first() or "violation report").split()
            start = rng.randrange(max(1, len(text) - 1))
            made.append(('"' + " ".join(text[start:start + 2]) + '"', Filters(), kind))
        elif kind == "arabic variant":
            word = rng.choice(arabic)
            variant = rng.choice([
                lambda w: w.replace("ة", "ه"), lambda w: w.replace("أ", "ا").replace("إ", "ا"),
                lambda w: "وال" + w, lambda w: w.replace("ؤ", "ئ"), lambda w: w.replace("ى", "ي"),
                lambda w: w[:2] + "ـ" + w[2:],
            ])
            made.append((variant(word), Filters(), kind))
        else:
            word = rng.choice(words[:200])
            place = rng.choice([c.slug for c in world["categories"][1::2]] + [r.slug for r in world["rooms"][1::2]])
            since = (timezone.now() - timedelta(days=rng.randint(30, 700))).date()
            made.append((word, rng.choice([
                Filters(place=place), Filters(author_id=rng.choice(world["authors"]).pk), Filters(kind=THREADS),
                Filters(kind=MESSAGES), Filters(since=since, until=since + timedelta(days=90)),
            ]), kind))
    return made


def _naive(user, text: str, filters: Filters) -> None:
    """What a forum without a search index does: icontains, the same permissions, newest first."""
    text = text.strip('"')
    posts = Post.objects.filter(
        Q(body_source__icontains=text) | Q(is_opening=True, thread__title__icontains=text),
        thread__category__in=visible_categories(user), status=Status.APPROVED, is_hidden=False,
        thread__status=Status.APPROVED, thread__is_hidden=False,
    )
    messages = RoomMessage.objects.filter(body_source__icontains=text, room__in=visible_rooms(user), deleted=False)
    if filters.place:
        posts = posts.filter(thread__category__slug=filters.place)
        messages = messages.filter(room__slug=filters.place)
    if filters.author_id:
        posts, messages = posts.filter(author_id=filters.author_id), messages.filter(author_id=filters.author_id)
    if filters.kind == THREADS:
        messages = messages.none()
    if filters.kind == MESSAGES:
        posts = posts.none()
    posts.count(), messages.count()
    list(posts.select_related("thread__category", "author__profile").order_by("-created_at")[:PER_PAGE])
    list(messages.select_related("room", "author__profile").order_by("-created")[:PER_PAGE])


def _indexing_cost(world: dict, rounds: int = 300) -> float:
    """Milliseconds indexing adds to a reply written by the service (median of pairs)."""
    category = world["categories"][1]  # the "half" group's
    author = next(a for a in world["authors"] if a.pk % 2)  # in "half" (see _build)
    thread = start_thread(author=author, category=category, title="Indexing cost", body="opening")
    words = world["vocabulary"]
    rng = random.Random(2)
    real_put = index.put_post
    with_index, without = [], []
    for n in range(rounds):
        body = _text(rng, words, 40, 120)
        with_index.append(_timed(lambda: reply(author=author, thread=thread, body=f"{body} {n}a")))
        index.put_post = lambda post, **kwargs: None
        try:
            without.append(_timed(lambda: reply(author=author, thread=thread, body=f"{body} {n}b")))
        finally:
            index.put_post = real_put
    return statistics.median(with_index) - statistics.median(without)
