"""Tests for forum.sanitiser: the one place user text becomes HTML.

Plain functions; no database and no Django settings are needed.
"""

from __future__ import annotations

import re
import subprocess
import sys
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from forum.sanitiser import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    ALLOWED_URL_SCHEMES,
    LINK_REL,
    clean_html,
    render_markdown,
)

REL = 'rel="nofollow noopener noreferrer ugc"'
FORBIDDEN_TAGS = {
    "script", "img", "svg", "math", "style", "iframe", "object", "embed",
    "form", "textarea", "noscript", "input", "button", "select", "option",
    "template", "link", "meta", "base", "body", "html", "head", "frame",
    "frameset", "applet", "video", "audio", "source", "picture", "image",
    "xmp", "plaintext", "title", "marquee", "isindex", "mglyph", "mtext",
}  # fmt: skip
FORBIDDEN_ATTRIBUTES = {"style", "id", "name", "class", "src", "target", "srcdoc"}
SAFE_HREF_PREFIXES = ("https://", "http://", "mailto:")

# --------------------------------------------------------------------------
# Hostile corpus: OWASP XSS filter-evasion cheat sheet, mutation-XSS vectors
# behind the bleach and ammonia advisories, SVG/MathML namespace confusion,
# and Markdown-specific tricks.
# --------------------------------------------------------------------------
HOSTILE_INPUTS: list[str] = [
    # Script tags in assorted spellings
    "<script>alert(1)</script>",
    "<SCRIPT>alert(1)</SCRIPT>",
    "<ScRiPt>alert(1)</sCrIpT>",
    "<script src=https://evil.example/x.js></script>",
    '<SCRIPT SRC="https://evil.example/xss.js"></SCRIPT>',
    "<script/xss src=https://evil.example/x.js></script>",
    "<<SCRIPT>alert(1);//<</SCRIPT>",
    "<SCRIPT SRC=//evil.example/.j>",
    "<script>alert(1)",
    "<script\x00>alert(1)</script>",
    '<script a=">" SRC="https://evil.example/x.js"></script>',
    "</title><script>alert(1)</script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "\"><script>alert(1)</script>",
    "';alert(String.fromCharCode(88,83,83))//';</script>",
    # IMG with javascript: and its encodings
    '<IMG SRC="javascript:alert(1);">',
    "<IMG SRC=javascript:alert(1)>",
    "<IMG SRC=JaVaScRiPt:alert(1)>",
    "<IMG SRC=`javascript:alert(\"RSnake says, 'XSS'\")`>",
    '<IMG """><SCRIPT>alert("XSS")</SCRIPT>">',
    "<IMG SRC=javascript:alert(String.fromCharCode(88,83,83))>",
    "<IMG SRC=# onmouseover=\"alert('xxs')\">",
    "<IMG SRC= onmouseover=\"alert('xxs')\">",
    "<IMG onmouseover=\"alert('xxs')\">",
    "<IMG SRC=/ onerror=\"alert(String.fromCharCode(88,83,83))\"></img>",
    "<img src=x onerror=alert(1)>",
    "<img src=x:alert(alt) onerror=eval(src) alt=0>",
    "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;>",
    "<IMG SRC=&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116&#0000040&#0000039&#0000088&#0000083&#0000083&#0000039&#0000041>",
    "<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72&#x74&#x28&#x27&#x58&#x53&#x53&#x27&#x29>",
    '<IMG SRC="jav\tascript:alert(1);">',
    '<IMG SRC="jav&#x09;ascript:alert(1);">',
    '<IMG SRC="jav&#x0A;ascript:alert(1);">',
    '<IMG SRC="jav&#x0D;ascript:alert(1);">',
    '<IMG SRC=" &#14;  javascript:alert(1);">',
    '<IMG DYNSRC="javascript:alert(1)">',
    '<IMG LOWSRC="javascript:alert(1)">',
    "<IMG SRC='vbscript:msgbox(\"XSS\")'>",
    '<IMG SRC="livescript:[code]">',
    "<img src=\"x` `<script>alert(1)</script>\"` `>",
    # Links in raw HTML with obfuscated schemes
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JAVASCRIPT:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="jav&#9;ascript:alert(1)">x</a>',
    '<a href="java\x00script:alert(1)">x</a>',
    '<a href="java\u200bscript:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="&#x6A;avascript:alert(1)">x</a>',
    '<a href="&#x6a&#x61&#x76&#x61script:alert(1)">x</a>',
    '<a href="&#0000106avascript:alert(1)">x</a>',
    '<a href="javascript&colon;alert(1)">x</a>',
    '<a href="  javascript:alert(1)">x</a>',
    '<a href="\x01javascript:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="//evil.example/">x</a>',
    '<a href="/relative">x</a>',
    '<a href="#frag">x</a>',
    '<a href="?q=1">x</a>',
    '<a href="http:evil">x</a>',
    '<a href="https:\\\\evil.example">x</a>',
    '<a href="https://ok.example" onclick="alert(1)" target="_blank">x</a>',
    '<a href="https://ok.example" style="position:fixed;top:0">x</a>',
    '<a href="https://ok.example" rel="opener">x</a>',
    '<a id="x" name="y" class="z" href="https://ok.example">x</a>',
    "<a href=\"https://ok.example\"\x0conmouseover=alert(1)>x</a>",
    '<a href="https://ok.example"/onmouseover=alert(1)>x</a>',
    '<a href="\u202ehttps://evil.example">x</a>',
    # Body, frames, embeds, meta, base, link, style
    "<BODY ONLOAD=alert(1)>",
    '<BODY BACKGROUND="javascript:alert(1)">',
    "<BODY onload!#$%&()*~+-_.,:;?@[/|\\]^`=alert(1)>",
    "<svg/onload=alert(1)>",
    "<svg onload=alert(1)//",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">x</text></a></svg>',
    '<svg><animate onbegin=alert(1) attributeName=x dur=1s>',
    '<svg><set attributeName="href" to="javascript:alert(1)"/></svg>',
    "<iframe src=javascript:alert(1)></iframe>",
    '<IFRAME SRC="javascript:alert(1);"></IFRAME>',
    '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>',
    '<FRAMESET><FRAME SRC="javascript:alert(1);"></FRAMESET>',
    '<OBJECT TYPE="text/x-scriptlet" DATA="https://evil.example/scriptlet.html"></OBJECT>',
    '<object data="javascript:alert(1)"></object>',
    '<EMBED SRC="data:image/svg+xml;base64,PHN2ZyB4bWxuczpzdmc9Imh0dH A6Ly93d3cudzMub3JnLzIwMDAvc3ZnIiB4bWxucz0iaHR0cDovL3d3dy53My5vcmcv MjAwMC9zdmciIHhtbG5zOnhsaW5rPSJodHRwOi8vd3d3LnczLm9yZy8xOTk5L3hs aW5rIiB2ZXJzaW9uPSIxLjAiIHg9IjAiIHk9IjAiIHdpZHRoPSIxOTQiIGhlaWdodD0iMjAw IiBpZD0ieHNzIj48c2NyaXB0IHR5cGU9InRleHQvZWNtYXNjcmlwdCI+YWxlcnQoIlh TUyIpOzwvc2NyaXB0Pjwvc3ZnPg==" type="image/svg+xml" AllowScriptAccess="always"></EMBED>',
    '<META HTTP-EQUIV="refresh" CONTENT="0;url=javascript:alert(1);">',
    '<META HTTP-EQUIV="refresh" CONTENT="0;url=data:text/html base64,PHNjcmlwdD5hbGVydCgnWFNTJyk8L3NjcmlwdD4K">',
    '<META HTTP-EQUIV="Set-Cookie" Content="USERID=<SCRIPT>alert(1)</SCRIPT>">',
    '<BASE HREF="javascript:alert(1);//">',
    '<base href="https://evil.example/">',
    '<LINK REL="stylesheet" HREF="javascript:alert(1);">',
    '<LINK REL="stylesheet" HREF="https://evil.example/xss.css">',
    "<STYLE>@import'https://evil.example/xss.css';</STYLE>",
    "<STYLE>li {list-style-image: url(\"javascript:alert(1)\");}</STYLE><UL><LI>XSS</br>",
    "<STYLE>BODY{-moz-binding:url(\"https://evil.example/xssmoz.xml#xss\")}</STYLE>",
    '<IMG STYLE="xss:expr/*XSS*/ession(alert(1))">',
    '<DIV STYLE="width: expression(alert(1));">',
    '<XSS STYLE="xss:expression(alert(1))">',
    "<TABLE BACKGROUND=\"javascript:alert(1)\">",
    "<TABLE><TD BACKGROUND=\"javascript:alert(1)\">",
    '<DIV STYLE="background-image: url(javascript:alert(1))">',
    '<DIV STYLE="background-image:\\0075\\0072\\006C\\0028\'\\006a\\0061\\0076\\0061\\0073\\0063\\0072\\0069\\0070\\0074\\003a\\0061\\006c\\0065\\0072\\0074\\0028.1027\\0058.1053\\0053\\0027\\0029\'\\0029">',
    '<INPUT TYPE="IMAGE" SRC="javascript:alert(1);">',
    '<BGSOUND SRC="javascript:alert(1);">',
    '<BR SIZE="&{alert(1)}">',
    '<p style="color:red" onclick="alert(1)">x</p>',
    '<isindex type=image src=1 onerror=alert(1)>',
    '<marquee onstart=alert(1)>x</marquee>',
    '<details open ontoggle=alert(1)>',
    '<video><source onerror="alert(1)">',
    '<audio src=x onerror=alert(1)>',
    '<button form=f formaction="javascript:alert(1)">x</button>',
    '<form action="javascript:alert(1)"><input type=submit></form>',
    '<input autofocus onfocus=alert(1)>',
    '<keygen autofocus onfocus=alert(1)>',
    '<x onclick=alert(1)>click</x>',
    # Mutation XSS (bleach GHSA-m6xf-fq7q-8743, ammonia RUSTSEC-2021-0074 et al.)
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<noscript><style></noscript><img src=x onerror=alert(1)>',
    "<svg><style><img src=x onerror=alert(1)></style></svg>",
    "<svg></p><style><a id=\"</style><img src=1 onerror=alert(1)>\">",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<math><mtext><table><mglyph><style><!--</style><img title=\"--&gt;&lt;img src=1 onerror=alert(1)&gt;\">",
    "<math><mi><mglyph><svg><mtext><style><img src=x onerror=alert(1)>",
    "<math><style><img src=x onerror=alert(1)></style></math>",
    "<math><annotation-xml encoding=\"text/html\"><style><img src=x onerror=alert(1)>",
    "<select><template><style><img src=x onerror=alert(1)></style></template></select>",
    "<select><iframe></select><img src=x onerror=alert(1)>",
    '<form><math><mtext></form><form><mglyph><svg><mtext><textarea><path id="</textarea><img onerror=alert(1) src=1>">',
    "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>",
    "<!--><img src=x onerror=alert(1)>-->",
    "<!--><script>alert(1)</script>-->",
    "<!-- --!><img src=x onerror=alert(1)> -->",
    "<!--[if gte IE 4]><SCRIPT>alert(1);</SCRIPT><![endif]-->",
    "<![CDATA[><img src=x onerror=alert(1)>]]>",
    "<svg><![CDATA[><img src=x onerror=alert(1)>]]></svg>",
    "<math><![CDATA[</math><img src=x onerror=alert(1)>]]>",
    "<?xml version=\"1.0\"?><img src=x onerror=alert(1)>",
    "<textarea><img src=x onerror=alert(1)></textarea>",
    "<title><img src=x onerror=alert(1)></title>",
    "<xmp><img src=x onerror=alert(1)></xmp>",
    "<plaintext><img src=x onerror=alert(1)>",
    "<noembed><img src=x onerror=alert(1)></noembed>",
    "<table><a href=javascript:alert(1)>x</a><td>y</td></table>",
    "<table><style><img src=x onerror=alert(1)></style></table>",
    "<svg><foreignObject><img src=x onerror=alert(1)></foreignObject></svg>",
    "<svg><desc><style><img src=x onerror=alert(1)></style></desc></svg>",
    "<a><svg><p><style><img src=x onerror=alert(1)>",
    "<p><svg><title><style><img src=x onerror=alert(1)>",
    "<template><script>alert(1)</script></template>",
    "<object><param name=src value=javascript:alert(1)></object>",
    # Markdown links and autolinks
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](java%0ascript:alert(1))",
    "[x](java%09script:alert(1))",
    "[x](java%00script:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;avascript:alert(1))",
    "[x](&#0000106avascript:alert(1))",
    "[x](javascript&#58;alert(1))",
    "[x](javascript&colon;alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "[x](vbscript:msgbox(1))",
    "[x](file:///etc/passwd)",
    "[x](  javascript:alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](java\u200bscript:alert(1))",
    "[x](java\u00adscript:alert(1))",
    "[x](java\tscript:alert(1))",
    "[x](\\javascript:alert(1))",
    "[x](javascript://%0aalert(1))",
    "[x](javascript:alert`1`)",
    "<javascript:alert(1)>",
    "<JAVASCRIPT:alert(1)>",
    "<vbscript:msgbox(1)>",
    "<data:text/html,<script>alert(1)</script>>",
    "[x][1]\n\n[1]: javascript:alert(1)",
    "[x][1]\n\n[1]: <javascript:alert(1)> \"title\"",
    "[x]\n\n[x]: //evil.example/",
    "[x](//evil.example/)",
    "[x](/relative)",
    "[x](#id)",
    "[x](?q=1)",
    "[x](http:evil)",
    "[x](https:\\\\evil.example)",
    '[x](https://a "\\" onmouseover=alert(1) x=\\"")',
    "[x](https://a 'x\\' onmouseover=alert(1) y=\\'')",
    '[x](https://a" onmouseover="alert(1))',
    "[x](https://a\"><script>alert(1)</script>)",
    "[<img src=x onerror=alert(1)>](https://a)",
    "[x](https://a)<img src=x onerror=alert(1)>",
    "//evil.example/path",
    "javascript:alert(1)",
    "www.evil.example/\"onmouseover=\"alert(1)",
    "https://evil.example/<script>alert(1)</script>",
    "https://evil.example/\"><svg/onload=alert(1)>",
    # Markdown images
    "![x](javascript:alert(1))",
    "![x](JAVASCRIPT:alert(1))",
    "![x](data:image/png;base64,iVBORw0KGgo=)",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '![x" onerror="alert(1)](https://a/b.png)',
    "![x' onerror='alert(1)](https://a/b.png)",
    '![a "quoted" <b>alt</b>](https://a/b.png "title\\" onload=\\"alert(1)")',
    "![<script>alert(1)</script>](https://a/b.png)",
    "![x](//evil.example/b.png)",
    "![x](/relative.png)",
    "![x](https://a/b.png\" onerror=\"alert(1))",
    "![x][img]\n\n[img]: javascript:alert(1)",
    "[![x](https://a/b.png)](javascript:alert(1))",
    "[![x](javascript:alert(1))](https://a)",
    "![![inner](javascript:alert(1))](https://a/b.png)",
    # Unclosed / malformed tags
    "<img src=x onerror=alert(1)",
    "<a href=\"javascript:alert(1)",
    "<svg",
    "<iframe",
    "<<<<<script>>>>>alert(1)",
    "</p></div></body><script>alert(1)</script>",
    "<div><p><blockquote><table><tr><td><script>alert(1)",
    # Deeply nested structures
    ">" * 200 + " x",
    "> " * 150 + "[x](javascript:alert(1))",
    "- " * 120 + "<img src=x onerror=alert(1)>",
    "*" * 500 + "x" + "*" * 500,
    "[" * 300 + "x" + "](javascript:alert(1))" * 300,
    "`" * 100 + "<script>",
    # Bidi / zero-width controls in text and URLs
    "\u202e[x](https://evil.example/\u202egpj.exe)",
    "[\u202egnp.exe](https://evil.example/)",
    "[x](https://evil\u202e.example/)",
    "[x](\u202ejavascript:alert(1))",
    "[x](\u2066javascript:alert(1)\u2069)",
    "[x](\ufeffjavascript:alert(1))",
    "https://evil.example/\u200b\u200c\u200d\u2060",
    "\u202ejavascript:alert(1)",
    # HTML inside headings and tables
    "# <script>alert(1)</script>",
    "## <img src=x onerror=alert(1)>",
    "###### <svg/onload=alert(1)>",
    "Title <iframe src=javascript:alert(1)>\n===",
    "| a | b |\n|---|---|\n| <script>alert(1)</script> | <img src=x onerror=alert(1)> |",
    "| <svg/onload=alert(1)> |\n|:-:|\n| [x](javascript:alert(1)) |",
    "| a |\n|---|\n| <style>@import'https://evil.example/x.css';</style> |",
    # Code spans and fences must stay inert
    "`<script>alert(1)</script>`",
    "```html\n<script>alert(1)</script>\n```",
    "```\"><script>alert(1)</script>\n\n```",
    "    <img src=x onerror=alert(1)>",
    # Entities that decode to markup
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "\\<script>alert(1)\\</script>",
]

_CONTROL_OR_SPACE = re.compile(r"[\s\x00-\x1f\x7f]")
_TAG_WITH_EVENT_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
_TAG_WITH_BANNED_ATTR = re.compile(r"<[^>]*\s(?:style|id|name|class)\s*=", re.IGNORECASE)


class _Collector(HTMLParser):
    """Every tag and attribute a browser's tokenizer would see in the output."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.oddities: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_endtag(self, tag: str) -> None:
        self.tags.append((tag, []))

    def handle_comment(self, data: str) -> None:
        self.oddities.append(f"comment {data!r}")

    def handle_decl(self, decl: str) -> None:
        self.oddities.append(f"declaration {decl!r}")

    def handle_pi(self, data: str) -> None:
        self.oddities.append(f"processing instruction {data!r}")

    def unknown_decl(self, data: str) -> None:
        self.oddities.append(f"unknown declaration {data!r}")


def _normalised_href(value: str) -> str:
    stripped = "".join(
        ch for ch in value
        if not _CONTROL_OR_SPACE.match(ch) and unicodedata.category(ch)[0] != "C"
    )  # fmt: skip
    return stripped.lower()


def assert_safe(html: str) -> None:
    """Fail unless ``html`` holds only allowlisted tags, attributes and URLs."""
    lowered = html.lower()
    for tag in FORBIDDEN_TAGS:
        assert f"<{tag}" not in lowered, f"<{tag} in {html!r}"
    assert not _TAG_WITH_EVENT_HANDLER.search(html), html
    assert not _TAG_WITH_BANNED_ATTR.search(html), html

    collector = _Collector()
    collector.feed(html)
    collector.close()
    assert not collector.oddities, (collector.oddities, html)
    for tag, attrs in collector.tags:
        assert tag in ALLOWED_TAGS, (tag, html)
        assert tag not in FORBIDDEN_TAGS, (tag, html)
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name, html)
            assert name not in FORBIDDEN_ATTRIBUTES, (tag, name, html)
            if tag == "a" and name == "rel":
                assert value == LINK_REL, (value, html)
                continue
            assert name in ALLOWED_ATTRIBUTES.get(tag, ()), (tag, name, html)
            if name == "href":
                assert value is not None
                assert _normalised_href(value).startswith(SAFE_HREF_PREFIXES), (value, html)
            if name == "start":
                assert value is not None and value.isdigit(), (value, html)


# --------------------------------------------------------------------------
# The hostile corpus
# --------------------------------------------------------------------------


def test_the_hostile_corpus_has_at_least_150_distinct_inputs() -> None:
    assert len(HOSTILE_INPUTS) >= 150
    assert len(set(HOSTILE_INPUTS)) == len(HOSTILE_INPUTS)


@pytest.mark.parametrize("source", HOSTILE_INPUTS)
def test_hostile_markdown_renders_only_allowlisted_html(source: str) -> None:
    out = render_markdown(source)
    assert_safe(out)
    assert clean_html(out) == out


@pytest.mark.parametrize("source", HOSTILE_INPUTS)
def test_hostile_html_passed_straight_to_the_cleaner_comes_out_safe(source: str) -> None:
    out = clean_html(source)
    assert_safe(out)
    assert clean_html(out) == out


# --------------------------------------------------------------------------
# What users are meant to be able to write
# --------------------------------------------------------------------------


def test_bold_italic_strikethrough_and_inline_code_render() -> None:
    out = render_markdown("**bold** *italic* ~~gone~~ `code`")
    assert "<strong>bold</strong>" in out
    assert "<em>italic</em>" in out
    assert re.search(r"<(s|del)>gone</\1>", out)
    assert "<code>code</code>" in out


def test_fenced_code_renders_as_pre_without_a_class() -> None:
    out = render_markdown("```python\nprint('<hi>')\n```")
    assert out == "<pre><code>print('&lt;hi&gt;')\n</code></pre>\n"


def test_blockquotes_and_lists_render() -> None:
    out = render_markdown("> quoted\n\n- one\n- two\n\n3. three\n4. four")
    assert "<blockquote dir=\"auto\">\n<p dir=\"auto\">quoted</p>\n</blockquote>" in out
    # A list is one block with one direction: its items do not flip one by one.
    assert '<ul dir="auto">\n<li>one</li>\n<li>two</li>\n</ul>' in out
    assert '<ol start="3" dir="auto">\n<li>three</li>\n<li>four</li>\n</ol>' in out


def test_a_loose_list_and_a_nested_one_take_their_direction_from_the_outer_list() -> None:
    out = render_markdown("- مرحبا\n\n- hello\n  - nested")
    assert out.count('dir="auto"') == 1 and out.startswith('<ul dir="auto">')


def test_tables_render_and_alignment_styles_are_removed() -> None:
    out = render_markdown("| a | b |\n|:--|--:|\n| 1 | 2 |")
    assert "<table>" in out and "<th dir=\"auto\">a</th>" in out and "<td dir=\"auto\">2</td>" in out
    assert "style" not in out


def test_markdown_headings_are_shifted_down_two_levels_and_capped_at_h6() -> None:
    assert render_markdown("# Title") == "<h3 dir=\"auto\">Title</h3>\n"
    assert render_markdown("## Sub") == "<h4 dir=\"auto\">Sub</h4>\n"
    assert render_markdown("### Three") == "<h5 dir=\"auto\">Three</h5>\n"
    assert render_markdown("#### Four") == "<h6 dir=\"auto\">Four</h6>\n"
    assert render_markdown("###### Six") == "<h6 dir=\"auto\">Six</h6>\n"
    assert render_markdown("Setext\n======") == "<h3 dir=\"auto\">Setext</h3>\n"


def test_a_bare_url_becomes_a_link_with_exactly_the_ugc_rel() -> None:
    out = render_markdown("see https://example.org/x now")
    assert out == f'<p dir="auto">see <a href="https://example.org/x" {REL}>https://example.org/x</a> now</p>\n'
    assert LINK_REL == "nofollow noopener noreferrer ugc"


def test_links_have_no_target_attribute() -> None:
    assert "target" not in render_markdown("[x](https://example.org)")


def test_mailto_links_work() -> None:
    out = render_markdown("[write](mailto:team@example.org)")
    assert out == f'<p dir="auto"><a href="mailto:team@example.org" {REL}>write</a></p>\n'


@pytest.mark.parametrize("target", ["/relative", "//evil.example/", "#id", "?q=1", "http:evil"])
def test_a_relative_link_loses_its_href_but_keeps_its_text(target: str) -> None:
    out = render_markdown(f"[keep me]({target})")
    assert "href" not in out
    assert "keep me" in out


def test_a_javascript_link_never_becomes_a_link() -> None:
    out = render_markdown("[x](javascript:alert(1))")
    assert "href" not in out
    assert "javascript:alert(1)" in out  # shown to the reader as inert text


def test_images_render_as_alt_text_and_a_link() -> None:
    out = render_markdown("![a cat](https://x.example/y.png)")
    assert out == (
        f'<p dir="auto">a cat (<a href="https://x.example/y.png" {REL}>https://x.example/y.png</a>)</p>\n'
    )


def test_image_alt_text_is_escaped() -> None:
    out = render_markdown('![say "hi" <b>](https://x.example/y.png)')
    assert out.startswith('<p dir="auto">say "hi" &lt;b&gt; (<a href="https://x.example/y.png"')


def test_an_image_with_a_dangerous_or_relative_url_becomes_plain_alt_text() -> None:
    assert render_markdown("![alt](javascript:alert(1))") == "<p dir=\"auto\">![alt](javascript:alert(1))</p>\n"
    assert render_markdown("![alt](data:image/png;base64,AAAA)") == "<p dir=\"auto\">alt</p>\n"
    assert render_markdown("![alt](/local.png)") == "<p dir=\"auto\">alt</p>\n"


def test_an_image_inside_a_link_does_not_nest_links() -> None:
    out = render_markdown("[![alt](https://x.example/y.png)](https://example.org)")
    assert out == f'<p dir="auto"><a href="https://example.org" {REL}>alt</a></p>\n'


def test_arabic_text_passes_through_unchanged() -> None:
    text = "حقوق الإنسان للجميع، بلا استثناء."
    assert render_markdown(text) == f"<p dir=\"auto\">{text}</p>\n"


def test_bidi_and_zero_width_characters_in_text_are_kept() -> None:
    text = "abc\u202edef\u200bghi"
    assert render_markdown(text) == f"<p dir=\"auto\">{text}</p>\n"


def test_typed_html_is_shown_escaped_not_dropped() -> None:
    assert render_markdown("<b>x</b>") == "<p dir=\"auto\">&lt;b&gt;x&lt;/b&gt;</p>\n"


def test_the_allowlist_contains_nothing_dangerous() -> None:
    assert not ALLOWED_TAGS & FORBIDDEN_TAGS
    assert {"h1", "h2", "div", "span"}.isdisjoint(ALLOWED_TAGS)
    assert ALLOWED_URL_SCHEMES == {"https", "http", "mailto"}
    for attrs in ALLOWED_ATTRIBUTES.values():
        assert not attrs & FORBIDDEN_ATTRIBUTES
        assert not any(a.startswith("on") for a in attrs)


def test_the_sanitiser_imports_without_django() -> None:
    root = Path(__file__).resolve().parents[2]
    code = "import sys, forum.sanitiser; assert not any(m.startswith('django') for m in sys.modules)"
    subprocess.run([sys.executable, "-c", code], cwd=root, check=True, timeout=60)


# --------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------

FRAGMENTS = [
    "<", ">", "[", "]", "(", ")", "](", "![", "!", "javascript:", "JaVaScRiPt:",
    "data:", "vbscript:", "<svg", "<img", "<script>", "</script>", "<style>",
    "<math>", "onerror=", "onload=", "&#", "&#x", "&#106;", "&lt;", ";", "\"",
    "'", "`", "```", "\n", "\n\n", "\t", "\x00", " ", "\u202e", "\u200b",
    "\ufeff", "#", "> ", "- ", "1. ", "|", "|---|", "*", "_", "~~", "\\",
    "https://", "http://", "mailto:", "//", "www.", "example.org", "/", "?",
    "=", "<!--", "-->", "<![CDATA[", "]]>", "alert(1)", "حقوق",
]  # fmt: skip

markdownish = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=4)), max_size=40
).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_renders_to_allowlisted_idempotent_html(source: str) -> None:
    out = render_markdown(source)
    assert clean_html(out) == out
    assert_safe(out)


@settings(max_examples=300, deadline=None)
@given(markdownish)
def test_markdown_and_html_fragment_soup_renders_to_allowlisted_idempotent_html(
    source: str,
) -> None:
    out = render_markdown(source)
    assert clean_html(out) == out
    assert_safe(out)


@settings(max_examples=300, deadline=None)
@given(markdownish)
@example("&#xD")  # a carriage return by reference: raw from the cleaner, a line feed after a second parse
def test_the_cleaner_alone_is_safe_and_idempotent_on_fragment_soup(source: str) -> None:
    out = clean_html(source)
    # The HTML parser discards a byte-order mark at the very start of its input;
    # render_markdown output always starts with a tag, so it is unaffected.
    assert clean_html(out) == out.removeprefix("\ufeff")
    assert_safe(out)


def test_each_block_guesses_its_own_direction_and_no_other_dir_survives():
    out = render_markdown("> مرحبا بكم\n\nwelcome")
    assert '<blockquote dir="auto">' in out and '<p dir="auto">welcome</p>' in out
    assert clean_html('<p dir="rtl">x</p><p dir="ltr">y</p><span dir="auto">z</span>') == "<p>x</p><p>y</p>z"
