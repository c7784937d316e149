"""The Train page's settings editor: one widget per training setting, drawn from the format's table.

Each setting's label, step, format and rule live in :data:`designer.spec.TRAINING_SETTINGS`;
this module only lays them out. A setting that can be off (early stopping's
patience) is a toggle, with its number beside it while it is on.
"""

from __future__ import annotations

import streamlit as st

from designer import edits, exercises, spec, training
from designer.constraints import Optional
from ui import editors, projector
from ui.session import Edit, bind

ORIGIN = "training"
COLUMNS = 4


def settings_editor(design: dict) -> None:
    """The design's training settings; each change is an edit of the design."""
    values = spec.training_settings(design)
    main = [s for s in spec.TRAINING_SETTINGS if not s.advanced]
    more = [s for s in spec.TRAINING_SETTINGS if s.advanced]
    _row(design, main, values)
    with _tucked_away("More settings: splits, seed, early stopping"):
        _row(design, more, values)
    weights = ", ".join(f"{head.name} × {head.weight:g}" for head in training.heads_of(design))
    st.caption(f"Loss weights are set on each head, on the Design page: {weights}.")


def _row(design: dict, settings: list[spec.Setting], values: dict) -> None:
    settings = [s for s in settings if not exercises.hidden(design, f"training.{s.name}")]  # an exercise may hide some
    for column, setting in zip(st.columns(COLUMNS, vertical_alignment="bottom"), settings, strict=False):
        locked = exercises.lock_reason(design, f"training.{setting.name}")
        with column:
            if isinstance(setting.constraint, Optional):
                _optional(setting, values[setting.name], locked)
            else:
                edit = Edit(edits.set_training, (setting.name,))
                editors.setting(ORIGIN, setting, values[setting.name], edit, locked)


def _optional(setting: spec.Setting, value: object, locked: str | None) -> None:
    """A toggle that turns the setting on (at its editor's default) or off, and its number while on."""
    on = value is not None
    lock = editors.locked_arguments(locked)
    st.toggle("Early stopping", **lock, **bind(ORIGIN, f"{setting.name}:on", on, Edit(edits.set_early_stopping)))
    if on:
        inner = spec.Setting(setting.name, setting.label, setting.default, setting.constraint.inner, setting.step)
        editors.setting(ORIGIN, inner, value, Edit(edits.set_training, (setting.name,)), locked)


def _tucked_away(title: str):
    """Where secondary controls go: in projector mode, a closed expander; otherwise in line."""
    return st.expander(title) if projector.on() else st.container()
