"""Average the weights of several checkpoints of one training run (a "model soup").

Checkpoints saved a few epochs apart sit near one another; their average usually validates
a little better than any one of them (Wortsman et al., 2022, "Model soups"). The result is
an ordinary ultralytics weights file, stripped for serving like ``best.pt``.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from pathlib import Path
from typing import Any


class NotACheckpoint(ValueError):
    pass


def average_checkpoints(sources: Sequence[Path], target: Path) -> Path:
    """Write the average of ``sources`` (EMA weights where a checkpoint has them) to ``target``."""
    import torch

    if len(sources) < 2:
        raise NotACheckpoint("至少需要两个权重文件 / give at least two weights files")
    checkpoints = [load_checkpoint(path, torch) for path in sources]
    models = [(checkpoint.get("ema") or checkpoint["model"]).float() for checkpoint in checkpoints]
    states = [model.state_dict() for model in models]
    if any(state.keys() != states[0].keys() for state in states):
        raise NotACheckpoint("这些权重的网络结构不同 / the weights are of different architectures")
    averaged = copy.deepcopy(models[0])
    state = averaged.state_dict()
    for key, value in state.items():
        if value.dtype.is_floating_point:  # counters such as num_batches_tracked keep the first's
            state[key] = sum(each[key] for each in states) / len(states)
    averaged.load_state_dict(state)
    stripped = {
        **checkpoints[-1],
        "model": averaged.half(),
        "ema": None,
        "optimizer": None,
        "updates": None,
        "epoch": -1,
        "averaged_from": [path.name for path in sources],
    }
    target.parent.mkdir(parents=True, exist_ok=True)
    torch.save(stripped, target)
    return target


def load_checkpoint(path: Path, torch: Any) -> dict[str, Any]:
    """The checkpoint's contents; ``NotACheckpoint`` (a ValueError) naming a file that is none."""
    try:
        checkpoint = torch.load(path, map_location="cpu", weights_only=False)
    except Exception as exc:
        raise NotACheckpoint(f"不是 ultralytics 权重文件 / not ultralytics weights: {path}") from exc
    if not isinstance(checkpoint, dict) or (
        checkpoint.get("ema") is None and checkpoint.get("model") is None
    ):
        raise NotACheckpoint(f"不是 ultralytics 权重文件 / not ultralytics weights: {path}")
    return checkpoint
