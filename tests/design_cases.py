"""Named test cases of designs: ``preset:<key>`` (a preset) or ``seed:<n>`` (a random valid design).

Not a test module. Shared by the tests that check the classroom views against Keras.
"""

from __future__ import annotations

from test_params_against_keras import random_design

from designer import presets
from designer.network import Network, resolve
from designer.validation import ensure_valid

PRESETS = {preset.key: preset for preset in presets.presets()}
PRESET_CASES = [f"preset:{key}" for key in PRESETS]


def cases(random_designs: int) -> list[str]:
    """Every preset, then ``random_designs`` random designs (seeds 0, 1, ...)."""
    return PRESET_CASES + [f"seed:{seed}" for seed in range(random_designs)]


def design_of(case: str) -> dict:
    """The design of a case (a random one is ``random_design(n)``'s design)."""
    kind, key = case.split(":")
    return PRESETS[key].load() if kind == "preset" else random_design(int(key))[0]


def network_of(case: str) -> Network:
    """The resolved network of a case's design."""
    return resolve(ensure_valid(design_of(case)))
