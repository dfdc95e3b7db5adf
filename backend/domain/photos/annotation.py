"""A photo with the detector's boxes drawn on it, for people who review the AI's work."""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path
from typing import Any

from PIL import ImageDraw, ImageFont

from ai.images import upright_photo

CJK_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
HAZARD_COLOUR = (230, 20, 40)
OTHER_COLOUR = (20, 160, 60)
MAX_SIDE = 1600


@cache
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    if CJK_FONT.is_file():
        return ImageFont.truetype(str(CJK_FONT), size)
    return ImageFont.load_default(size)


def annotate(original: bytes, results: list[dict[str, Any]]) -> bytes:
    """JPEG of the upright photo (at most 1600 px) with every result's boxes; hazards in red."""
    # As thumbnails are made: EXIF orientation, 16-bit and transparent images handled alike.
    upright = upright_photo(original, longer_side=MAX_SIDE).image
    width, height = upright.size
    scale = min(1.0, MAX_SIDE / max(width, height))
    if scale < 1.0:
        # at least a pixel across: a 3300×1 strip is a photo the detector answered for, too
        upright = upright.resize((max(1, round(width * scale)), max(1, round(height * scale))))
    draw = ImageDraw.Draw(upright)
    line = max(3, round(max(upright.size) / 300))
    font = _font(max(14, round(max(upright.size) / 40)))
    for result in results:
        if not result.get("width") or not result.get("height"):
            continue  # a photo the model could not analyse: nothing to draw
        # boxes are in pixels of the image the result names; rescale if it was measured on another size
        sx = upright.width / result["width"]
        sy = upright.height / result["height"]
        # Hazards last, so no label of an ordinary detection covers a hazard's box.
        for detection in sorted(result["detections"], key=lambda d: bool(d.get("hazard_code"))):
            x1, y1, x2, y2 = detection["box"]
            colour = HAZARD_COLOUR if detection.get("hazard_code") else OTHER_COLOUR
            box = (x1 * sx, y1 * sy, x2 * sx, y2 * sy)
            draw.rectangle(box, outline=colour, width=line)
            text = f"{detection.get('title') or detection['label']} {detection['confidence']:.0%}"
            text_width = draw.textlength(text, font=font) + line
            x = max(0.0, min(box[0], upright.width - text_width))  # a box at the right edge: label moves left
            left, top, right, bottom = draw.textbbox((x, box[1]), text, font=font)
            lift = bottom - top + line
            if top - lift < 0:  # no room above the box: the label goes just inside it
                lift = -line
            draw.rectangle((left, top - lift, right + line, bottom - lift), fill=colour)
            draw.text((x + line / 2, box[1] - lift), text, fill=(255, 255, 255), font=font)
    output = io.BytesIO()
    upright.save(output, "JPEG", quality=85)
    return output.getvalue()
