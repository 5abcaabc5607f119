"""An attachment as clients receive it (DESIGN.md): `{id, name, size, type, url, preview_url}`,
in a room message's `M` and in the answer to a room upload."""


def attachment_json(attachment) -> dict:
    return {
        "id": attachment.public_id,
        "name": attachment.name,
        "size": attachment.size,
        "type": attachment.content_type,
        "url": attachment.get_absolute_url(),
        "preview_url": attachment.preview_url,
    }


def attachment_details(attachment) -> dict:
    """More than a message's frame carries, for the pages' own clients (GET /files/details/):
    the fingerprint and a picture's sizes, so a file shown live is shown as the page shows it."""
    return {
        **attachment_json(attachment),
        "fingerprint": attachment.fingerprint,
        "width": attachment.width,
        "height": attachment.height,
        "preview_width": attachment.preview_width,
        "preview_height": attachment.preview_height,
    }
