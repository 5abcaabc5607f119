"""Audio recordings without their tags: MP3, OGG/Opus and M4A/AAC.

What is stored is the sound and what a player needs to play it, rebuilt from the parts
the format defines, so tags (title, artist, comments, cover pictures, a recorder's
location, dates) and anything a file carries besides are left behind:
- MP3: the chain of MPEG audio frames only (ID3v1/v2, APE and Lyrics tags and any bytes
  between frames go);
- OGG: the pages of its first Opus stream only, its comment header emptied by mutagen;
- M4A: attachments/mp4.py.
Each result is read back by mutagen before it is accepted.
"""

import io

from django.utils.translation import gettext as _
from mutagen import MutagenError
from mutagen.mp3 import MP3
from mutagen.ogg import OggPage
from mutagen.oggopus import OggOpus

from attachments import kinds, mp4
from forum.errors import BadRequest

_MIN_FRAMES = 3  # a chain this long at the start is no accident of random bytes


def clean_audio(data: bytes, kind: kinds.Kind) -> bytes:
    cleaner = {kinds.MP3: _clean_mp3, kinds.OPUS: _clean_opus, kinds.M4A: mp4.clean_m4a}[kind]
    try:
        cleaned = cleaner(data)
    except BadRequest:
        raise
    except (MutagenError, ValueError, EOFError, IndexError, KeyError, OSError, TypeError):
        raise unreadable(kind)
    if not cleaned:
        raise unreadable(kind)
    return cleaned


def unreadable(kind: kinds.Kind) -> BadRequest:
    names = {kinds.MP3: "MP3", kinds.OPUS: "OGG/Opus", kinds.M4A: "M4A"}
    return BadRequest(_("This file starts like %(type)s audio but cannot be read as such.") % {"type": names[kind]})


# --- MP3 ------------------------------------------------------------------------------

_BITRATES = {  # kbit/s by bitrate index, layer III
    1: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_SAMPLE_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


def _frame_length(data: bytes, position: int) -> int:
    """The length of the MPEG-1/2/2.5 layer III frame whose header is at `position`, or 0."""
    if position + 4 > len(data) or data[position] != 0xFF or data[position + 1] & 0xE0 != 0xE0:
        return 0
    version = (data[position + 1] >> 3) & 0b11  # 3: MPEG-1, 2: MPEG-2, 0: MPEG-2.5, 1: reserved
    layer = (data[position + 1] >> 1) & 0b11
    bitrate_index, rate_index = data[position + 2] >> 4, (data[position + 2] >> 2) & 0b11
    if version == 1 or layer != 0b01 or bitrate_index in (0, 15) or rate_index == 3:
        return 0
    padding = (data[position + 2] >> 1) & 1
    bitrate = _BITRATES[1 if version == 3 else 2][bitrate_index] * 1000
    sample_rate = _SAMPLE_RATES[version][rate_index]
    return (144 if version == 3 else 72) * bitrate // sample_rate + padding


def _clean_mp3(data: bytes) -> bytes:
    position, frames = _after_id3(data), []
    while 0 <= position < len(data):
        length = _frame_length(data, position)
        if not length:
            if len(frames) < _MIN_FRAMES:
                break  # the file must begin with a chain of frames
            position = _resync(data, position)  # past junk or a tag between frames
            continue
        if position + length > len(data):
            break  # a last frame cut short
        frames.append(data[position:position + length])
        position += length
    if len(frames) < _MIN_FRAMES:
        raise unreadable(kinds.MP3)
    cleaned = b"".join(frames)
    if MP3(io.BytesIO(cleaned)).info.length <= 0:
        raise unreadable(kinds.MP3)
    return cleaned


def _after_id3(data: bytes) -> int:
    """Where the audio begins: past the ID3v2 tags at the start (there may be several)."""
    position = 0
    while data[position:position + 3] == b"ID3" and position + 10 <= len(data):
        size = 0
        for byte in data[position + 6:position + 10]:
            size = (size << 7) | (byte & 0x7F)
        position += 10 + size + (10 if data[position + 5] & 0x10 else 0)
    return position


def _resync(data: bytes, position: int) -> int:
    """The next place from `position` where two frames follow each other, or -1."""
    while True:
        position = data.find(b"\xff", position + 1)
        if position < 0:
            return -1
        length = _frame_length(data, position)
        if length and _frame_length(data, position + length):
            return position


# --- OGG/Opus -------------------------------------------------------------------------

def _clean_opus(data: bytes) -> bytes:
    stream = io.BytesIO(data)
    OggOpus(stream).delete(stream)  # the comment header emptied, the pages renumbered
    stream.seek(0)
    first = OggPage(stream)
    if not first.first or not first.packets or not first.packets[0].startswith(b"OpusHead"):
        raise unreadable(kinds.OPUS)
    pages, serial = [first], first.serial
    while not pages[-1].last:
        try:
            page = OggPage(stream)
        except EOFError:
            break
        if page.serial == serial:  # another stream multiplexed in (a video, say) stays behind
            pages.append(page)
    cleaned = b"".join(page.write() for page in pages)  # chained streams after this one stay behind too
    if OggOpus(io.BytesIO(cleaned)).info.length <= 0:
        raise unreadable(kinds.OPUS)
    return cleaned
