"""The served PPE model plus a stride-4 (P2) detection level, as a starting checkpoint.

Layers 0–22 of ``yolo11n-p2x.yaml`` are yolo11n's own, so their weights copy over by name; the
Detect layer moves from index 23 to 26 and gains a first level, which starts as a copy of the
P3 level. Model card: *A small-object (P2) head* (tried, not adopted).

    python -m ai.experiments.p2_branch OUT.pt
    # then train it with the original layers frozen:
    # TrainingRecipe(image_size=512, epochs=6, weights=OUT.pt, oversample={"no_helmet": 4},
    #                extra={**fine_tuning_schedule(6, 0.001), "freeze": 23})
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

ARCHITECTURE = Path(__file__).with_name("yolo11n-p2x.yaml")
OLD_DETECT, NEW_DETECT = "23", "26"


def p2_state(old: dict[str, Any]) -> dict[str, Any]:
    """The served model's weights renamed for the P2 architecture, the P2 head seeded from P3's."""
    state: dict[str, Any] = {}
    for key, value in old.items():
        parts = key.split(".")  # model.<layer>.<module>.<level>...
        if parts[1] != OLD_DETECT:
            state[key] = value
            continue
        parts[1] = NEW_DETECT
        if parts[2] in ("cv2", "cv3"):
            level = int(parts[3])
            if level == 0:
                state[".".join([*parts[:3], "0", *parts[4:]])] = value
            parts[3] = str(level + 1)
        state[".".join(parts)] = value
    return state


def build(weights: Path, out: Path) -> None:
    import torch
    from ultralytics.nn.tasks import DetectionModel

    checkpoint = torch.load(weights, map_location="cpu", weights_only=False)
    served = (checkpoint.get("ema") or checkpoint["model"]).float()
    model = DetectionModel(str(ARCHITECTURE), nc=len(served.names), verbose=False)  # type: ignore[no-untyped-call]
    target = model.state_dict()
    state = {
        k: v for k, v in p2_state(served.state_dict()).items() if k in target and target[k].shape == v.shape
    }
    model.load_state_dict(state, strict=False)
    model.names = served.names
    torch.save({"model": model, "train_args": {}}, out)
    print(f"{len(state)} of {len(target)} tensors from {weights}; the rest (the P2 branch) start fresh")


if __name__ == "__main__":
    build(Path(__file__).parents[1] / "models" / "ppe-yolo11n.pt", Path(sys.argv[1]))
