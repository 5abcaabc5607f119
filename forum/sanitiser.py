"""Turn user-written Markdown into HTML that is safe to show to other users.

Every piece of user text in Majlis goes through :func:`render_markdown` and
nowhere else, so this module is the single place to audit.

Two layers, each of which would be enough on its own for the cases we know of:

1. markdown-it-py with the ``js-default`` preset: raw HTML is *off* (typed
   tags are shown escaped, as text) and ``javascript:``/``vbscript:``/
   ``file:``/``data:`` link targets are refused by the parser.
2. nh3 (Rust ``ammonia`` on the html5ever parser) re-parses that HTML and keeps
   only a small allowlist of tags, attributes and absolute URL schemes.

We use nh3 rather than bleach because bleach was ended by its maintainers on
2026-06-05 and gets no more security releases.

The output is safe in an HTML *body* context only (e.g. inside a ``<div>``).
Never put it inside an attribute value, a ``<script>``, a ``<style>`` or a URL.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from forum.mentions import find_mentions

__all__ = [
    "ALLOWED_ATTRIBUTES",
    "ALLOWED_TAGS",
    "ALLOWED_URL_SCHEMES",
    "LINK_REL",
    "clean_html",
    "render_markdown",
]

ALLOWED_TAGS: frozenset[str] = frozenset({
    "p", "br", "em", "strong", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "h3", "h4", "h5", "h6", "hr",
    "table", "thead", "tbody", "tr", "th", "td", "a",
})  # fmt: skip
# No style/id/name/class anywhere: table alignment (emitted as style="text-align")
# is deliberately lost rather than letting any CSS through.
# Each block guesses its own direction (dir="auto", the only value kept), so a post that
# quotes Arabic and answers in English reads right in both parts. A list is one block:
# its items follow it, or a list would flip item by item (`li` keeps the attribute
# allowed only for posts rendered before).
_DIRECTED_BLOCKS = ("p", "ul", "ol", "li", "blockquote", "h3", "h4", "h5", "h6", "th", "td")
ALLOWED_ATTRIBUTES: dict[str, frozenset[str]] = {tag: frozenset({"dir"}) for tag in _DIRECTED_BLOCKS} | {
    "a": frozenset({"href"}),
    "ol": frozenset({"start", "dir"}),
}
ALLOWED_URL_SCHEMES: frozenset[str] = frozenset({"https", "http", "mailto"})
# ugc/nofollow: user content must not pass on our ranking; noopener/noreferrer:
# linked pages must not learn who is reading what, nor reach window.opener.
LINK_REL = "nofollow noopener noreferrer ugc"

# Stricter than a scheme check: "http:foo" or "https:\\host" are relative in
# browsers, and whitespace, control or non-ASCII characters are exactly what
# scheme-obfuscation tricks rely on. markdown-it percent-encodes and
# punycodes every URL it emits, so genuine links are always printable ASCII.
_SAFE_URL = re.compile(r"(?:https?://|mailto:)[\x21-\x7e]*", re.IGNORECASE)
# Dropped together with their content: their text is code or markup, not prose.
_DROP_WITH_CONTENT = {
    "script", "style", "template", "noscript", "iframe", "noembed", "noframes",
    "object", "embed", "textarea", "title", "xmp",
}  # fmt: skip


def _is_safe_url(url: str) -> bool:
    return _SAFE_URL.fullmatch(url) is not None


# The one relative link we write ourselves: a mention, to a member's page.
_MENTION_URL = re.compile(r"/m/[A-Za-z0-9_-]{1,16}/")


def _filter_attribute(tag: str, attr: str, value: str) -> str | None:
    if attr == "href" and not (_is_safe_url(value) or _MENTION_URL.fullmatch(value)):
        return None
    if attr == "dir" and value != "auto":
        return None
    return value


_cleaner = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags=_DROP_WITH_CONTENT,
    # "*" must be given explicitly, or ammonia keeps its default title/lang
    # on every tag.
    attributes={"*": set()} | {t: set(a) for t, a in ALLOWED_ATTRIBUTES.items()},
    generic_attribute_prefixes=set(),
    attribute_filter=_filter_attribute,
    url_schemes=set(ALLOWED_URL_SCHEMES),
    # Relative URLs pass nh3 only to meet _filter_attribute, which keeps the
    # mention form alone ("//host", "#frag", "/x" are all dropped there).
    url_relative="pass_through",
    link_rel=LINK_REL,
    strip_comments=True,
)


def clean_html(html: str) -> str:
    """Apply the allowlist alone; idempotent on :func:`render_markdown` output.

    A carriage return written as a character reference (`&#xD;`) comes out of the cleaner
    as a raw CR, which the next parse turns into a line feed, as HTML parsing does with
    every CR: it is written as that line feed at once, so cleaning twice changes nothing."""
    return _cleaner.clean(html).replace("\r\n", "\n").replace("\r", "\n")


def _shift_headings(state: StateCore) -> None:
    # The page owns h1/h2; "# Title" in a post becomes h3, capped at h6.
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1:]) + 2, 6)}"


_DIRECTED_TOKENS = {f"{tag}_open" for tag in ("paragraph", "blockquote", "heading", "th", "td")}
_LISTS = {"bullet_list_open", "ordered_list_open"}


def _direct_blocks(state: StateCore) -> None:
    """dir="auto" on each block; inside a list, only on the list (outermost), whose items
    then all read in the direction of its first strong letter."""
    depth = 0
    for token in state.tokens:
        if token.type in _LISTS:
            if depth == 0:
                token.attrSet("dir", "auto")
            depth += 1
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
        elif depth == 0 and token.type in _DIRECTED_TOKENS and not (token.type == "paragraph_open" and token.hidden):
            token.attrSet("dir", "auto")


def _render_image(
    self: RendererHTML,
    tokens: Sequence[Token],
    idx: int,
    options: OptionsDict,
    env: EnvType,
) -> str:
    # Loading a third-party image would tell its host who reads the post and
    # when, so images are shown as their alt text plus a link the reader can
    # choose to follow.
    token = tokens[idx]
    alt = escapeHtml(self.renderInlineAsText(token.children or [], options, env))
    src = token.attrGet("src")
    inside_link = sum(
        {"link_open": 1, "link_close": -1}.get(t.type, 0) for t in tokens[:idx]
    )
    if not isinstance(src, str) or not _is_safe_url(src) or inside_link > 0:
        return alt  # a nested <a> would be mangled by the HTML parser
    link = f'<a href="{escapeHtml(src)}">{escapeHtml(src)}</a>'
    return f"{alt} ({link})" if alt else link


def _link_mentions(state: StateCore) -> None:
    # Mentions become links only in prose: never inside code or another link.
    mentions: dict[str, str] = state.env.get("mentions") or {}
    if not mentions:
        return
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children, depth = [], 0
        for token in block.children:
            depth += {"link_open": 1, "link_close": -1}.get(token.type, 0)
            if token.type != "text" or depth or "@" not in token.content:
                children.append(token)
                continue
            text, position = token.content, 0
            for start, end, key in find_mentions(text, mentions):
                children.append(_text_token(text[position:start]))
                link = Token("link_open", "a", 1)
                link.attrSet("href", mentions[key])
                children += [link, _text_token(text[start:end]), Token("link_close", "a", -1)]
                position = end
            children.append(_text_token(text[position:]))
        block.children = children


def _text_token(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


def _build_markdown() -> MarkdownIt:
    # js-default already enables table, strikethrough and the linkify rule;
    # the linkify *option* still has to be switched on.
    md = MarkdownIt("js-default", {"linkify": True, "html": False})
    md.enable(["linkify", "strikethrough", "table"])
    linkify: Any = md.linkify
    linkify.add("//", None)  # no protocol-relative auto-links
    md.core.ruler.push("majlis_shift_headings", _shift_headings)
    md.core.ruler.push("majlis_mentions", _link_mentions)
    md.core.ruler.push("majlis_direction", _direct_blocks)
    md.add_render_rule("image", _render_image)
    return md


_md = _build_markdown()


def render_markdown(source: str, mentions: dict[str, str] | None = None) -> str:
    """Render Markdown ``source`` to sanitised HTML for an HTML body context.

    ``mentions`` maps the name key of each member to link (forum.mentions) to the
    path of their page; every other "@name" stays plain text.
    """
    return clean_html(_md.render(source, {"mentions": mentions or {}}))


def highlighted(pieces: Sequence[tuple[str, bool]]) -> str:
    """Plain text pieces as HTML: each escaped, those marked True inside ``<mark>``.

    Search snippets (search/snippets.py) are cut from the text a reader sees; this is the
    one place they become markup, so nothing of the source's HTML survives but the marks.
    """
    from html import escape

    from django.utils.safestring import mark_safe

    return mark_safe("".join(f"<mark>{escape(text)}</mark>" if hit else escape(text) for text, hit in pieces))
