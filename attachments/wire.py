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
