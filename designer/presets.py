"""Preset designs shipped in ``assets/designs/``, listed by its ``index.json``."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

from designer import datasets, spec

PRESET_DIR = Path(__file__).resolve().parent.parent / "assets" / "designs"


@dataclass(frozen=True)
class Preset:
    """A named design a learner can start from."""

    key: str  # the file name without .json
    title: str
    description: str

    def load(self) -> dict:
        return spec.load(PRESET_DIR / f"{self.key}.json")


def presets() -> list[Preset]:
    """All presets, in the order the index lists them; the first is the default."""
    index = json.loads((PRESET_DIR / "index.json").read_text(encoding="utf-8"))
    return [Preset(**entry) for entry in index]


def default_design() -> dict:
    """The design the app opens on: the lecture's 4 → 8 → 10 → 10 → 3 network."""
    return presets()[0].load()


def for_dataset(name: str) -> Preset:
    """The first preset on the built-in dataset ``name``: a new design on it starts there."""
    return next(p for p in presets() if p.load().get("dataset", datasets.DEFAULT) == name)


def matching(design: dict) -> str | None:
    """The key of the preset ``design`` is, unchanged, or None once it has been edited."""
    return _canonical_presets().get(_canonical(design))


@functools.cache
def _canonical_presets() -> dict[str, str]:
    return {_canonical(preset.load()): preset.key for preset in presets()}


def _canonical(design: dict) -> str:
    return json.dumps(design, sort_keys=True)
