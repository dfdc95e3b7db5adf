"""Decoding photos for the models: upright (EXIF orientation applied), RGB, at a useful scale.

Pillow only, so thumbnails and hashing need none of the AI extra.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

from PIL import Image, ImageOps


@dataclass(frozen=True)
class UprightPhoto:
    """A photo ready for a detector: upright RGB pixels, possibly decoded at a reduced scale,
    and the size of the full upright photo, which boxes are reported in."""

    image: Image.Image
    width: int
    height: int

    @classmethod
    def of(cls, image: Image.Image) -> UprightPhoto:
        return cls(image, image.width, image.height)


_ORIENTATION = 0x0112
_QUARTER_TURNS = {5, 6, 7, 8}  # EXIF orientations that swap width and height


def upright_photo(data: bytes, longer_side: int | None = None) -> UprightPhoto:
    """Decode, apply EXIF orientation and bring any mode (16-bit, CMYK, grey, alpha) to RGB.

    ``longer_side``: a JPEG is decoded at the smallest DCT scale (1/2 … 1/8) that keeps its
    longer side at least this long, which is all a detector that letterboxes to that size or
    a thumbnail of it uses; a 12-megapixel phone photo then decodes a fraction of its pixels.
    """
    with Image.open(io.BytesIO(data)) as image:
        width, height = image.size
        orientation = image.getexif().get(_ORIENTATION, 1)
        if longer_side and image.format == "JPEG" and longer_side < max(width, height):
            shrink = longer_side / max(width, height)
            # draft() never goes below the requested size on either side
            image.draft("RGB", (math.ceil(width * shrink), math.ceil(height * shrink)))
        if orientation in _QUARTER_TURNS:
            width, height = height, width
        # exif_transpose copies the pixels even when there is nothing to turn
        upright = ImageOps.exif_transpose(image) if orientation not in (None, 1) else image
        return UprightPhoto(_rgb(upright), width, height)


def upright_rgb(data: bytes) -> Image.Image:
    """The full upright photo in RGB (see ``upright_photo``)."""
    return upright_photo(data).image


def _rgb(image: Image.Image) -> Image.Image:
    if image.mode in {"RGBA", "LA", "PA"} or (image.mode == "P" and "transparency" in image.info):
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image.convert("RGBA"), mask=image.convert("RGBA").getchannel("A"))
        return background
    if image.mode in {"I;16", "I;16B", "I;16L", "I"}:
        return image.point(lambda value: value / 256).convert("L").convert("RGB")
    if image.mode == "RGB":
        image.load()  # the pixels outlive the source file
        return image
    return image.convert("RGB")
