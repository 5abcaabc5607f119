import pytest
from django.core.exceptions import ValidationError

from forum.names import display_name_key, normalise_display_name


@pytest.mark.parametrize("raw, stored", [
    ("Layla", "Layla"),
    ("  ليلى  ", "ليلى"),
    ("Ｌａｙｌａ", "Layla"),  # full-width letters fold to ASCII under NFKC
    ("Sami\u00a0from\u3000Aden", "Sami from Aden"),  # exotic spaces become one plain space
    ("نور الهدى", "نور الهدى"),
    ("Mona-2", "Mona-2"),
    ("سامي ٣", "سامي ٣"),
])
def test_display_names_are_normalised(raw, stored):
    assert normalise_display_name(raw) == stored


@pytest.mark.parametrize("raw, code", [
    ("", "empty"),
    ("   ", "empty"),
    ("\u200b\u200b", "invisible"),  # zero-width only
    ("\u202e\u2066", "invisible"),  # bidi controls only
    ("Lay\u202ela", "invisible"),  # a right-to-left override inside
    ("Lay\u200dla", "invisible"),  # a zero-width joiner inside
    ("Lay\x00la", "invisible"),
    ("Lay\nla", "invisible"),
    ("L" * 41, "too_long"),
    ("Lаyla", "mixed_scripts"),  # Cyrillic а among Latin letters
    ("نورa", "mixed_scripts"),
    ("Layla<script>", "symbol"),
    ("@admin", "symbol"),
])
def test_bad_display_names_are_refused_with_a_reason(raw, code):
    with pytest.raises(ValidationError) as error:
        normalise_display_name(raw)
    assert error.value.code == code


def test_forty_characters_is_the_longest_display_name():
    assert normalise_display_name("L" * 40) == "L" * 40


def test_display_names_differing_only_in_case_share_a_key():
    assert display_name_key("Layla") == display_name_key("LAYLA") == display_name_key("Ｌａｙｌａ")
    assert display_name_key("Straße") == display_name_key("STRASSE")
    assert display_name_key("Layla") != display_name_key("Leila")
