"""Architectures and set-ups that were tried and not adopted, kept so the model card's figures
can be reproduced."""
