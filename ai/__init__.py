"""Photo hazard recognition: detection, verification, training and evaluation."""
