"""The Design page's controls: inputs, layers and heads.

Every control shows a value read from the design and, when changed, sends an
edit from :mod:`designer.edits` through :func:`ui.session.bind`. A layer's or
head's settings are drawn from its kind's fields in the registry
(:mod:`designer.kinds`): a select box for options, a number box for numbers.
Errors of a refused edit and the design's warnings appear beside the control
group they concern, in the page's words.
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from designer import datasets, edits, exercises, kinds, network, spec
from designer.constraints import Options
from designer.validation import Problem
from ui import session
from ui.session import Edit
from ui.text import plain

# Icon buttons keep a text label (their accessible name); assets/style.css shows only the icon in these rows.
ICON_ROW = "icons"


def locked_arguments(reason: str | None) -> dict:
    """A widget's arguments when an exercise locks it: disabled, with the reason as its help (none if free)."""
    return {"disabled": True, "help": reason} if reason else {}


def setting(
    origin: str,
    field: kinds.Field | spec.Setting,
    value: object,
    edit: Edit,
    locked: str | None = None,
    table: datasets.Table = datasets.IRIS,
) -> None:
    """One setting's widget, drawn from its constraint (on ``table``): options as a select box, numbers as a number box.

    ``locked`` (an exercise's reason) shows it disabled, with the reason as its help.
    """
    rule = field.rule(table) if isinstance(field, kinds.Field) else field.constraint
    lock = locked_arguments(locked)
    if isinstance(rule, Options):
        st.selectbox(field.label, rule.widget_options(), **lock, **session.bind(origin, field.name, value, edit))
        return
    if rule.type is int:
        # A whole number in a box that takes any number: typed 3.5 reaches the rule, which refuses it with its
        # sentence, where a whole-number box would have cut it to 3 without a word.
        bound = session.bind(origin, field.name, float(value), replace(edit, function=_whole_numbers(edit.function)))
        st.number_input(field.label, step=float(field.step or 1), format="%.10g", **lock, **bound)
        return
    bound = session.bind(origin, field.name, float(value), edit)
    st.number_input(field.label, step=field.step, format=field.format, **lock, **bound)


def _whole_numbers(function):
    """``function(design, *args, value)`` with a whole ``value`` given as an int (8.0 → 8; 3.5 stays 3.5)."""

    def edit(design: dict, *args):
        *rest, value = args
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return function(design, *rest, value)

    return edit


def _button(
    label: str,
    origin: str,
    edit: Edit,
    help: str,
    disabled: bool = False,
    icon: str | None = None,
    locked: str | None = None,
) -> None:
    """A button that applies ``edit``; ``locked`` (an exercise's reason) disables it and says why.

    It has no key (keyed widgets make every rerun slower); its label, which names what it acts on, keeps it unique.
    """
    help, disabled = (locked, True) if locked else (help, disabled)
    st.button(label, on_click=session.apply, args=(origin, edit), help=help, disabled=disabled, icon=icon)


def show_messages(origin: str, field_prefix: str, warnings: list[Problem]) -> None:
    """The refused edit's errors from ``origin``, what its last edit did, and the warnings under ``field_prefix``."""
    for problem in session.rejected(origin):
        st.error(plain(problem.on_page), icon=":material/error:")
    if note := session.notice(origin):
        st.info(plain(note), icon=":material/info:")
    for problem in warnings:
        if problem.field.startswith(field_prefix):
            st.warning(plain(problem.on_page), icon=":material/lightbulb:")


def inputs_editor(design: dict, warnings: list[Problem]) -> None:
    """Which of the table's columns go in, and in which input groups."""
    groups = spec.input_groups(design)
    several = len(groups) > 1
    locked = exercises.lock_reason(design, "inputs")
    lock = locked_arguments(locked)
    for name, columns in groups.items():
        origin = f"input-{name}"
        with st.container(border=True):
            with st.container(horizontal=True, vertical_alignment="bottom", gap="small", key=f"{ICON_ROW}-{origin}"):
                if several:
                    rename = Edit(edits.rename, (name,))
                    st.text_input("Input name", **lock, **session.bind(origin, "name", name, rename))
                st.multiselect(
                    f"Columns of {name!r}",
                    datasets.of(design).names,
                    **lock,
                    **session.bind(origin, "columns", list(columns), Edit(edits.set_input_columns, (name,))),
                )
                if several:
                    remove = Edit(edits.remove_input_group, (name,))
                    label = f"Remove input {name}"
                    _button(label, origin, remove, label, icon=":material/delete:", locked=locked)
            show_messages(origin, "inputs", [])
    show_messages("inputs", "inputs", warnings)
    _button(
        "Input group",
        "inputs",
        Edit(edits.add_input_group),
        help="Split a column off into a second input, joined to the first by a Concatenate layer",
        disabled=max(map(len, groups.values())) < 2,
        icon=":material/add:",
        locked=locked,
    )


def layers_editor(design: dict, warnings: list[Problem]) -> None:
    """One box per layer, then buttons that add layers at the end."""
    layers = design.get("layers", [])
    sources = network.layer_sources(design)
    inputs = list(spec.input_groups(design))
    for i, layer in enumerate(layers):
        earlier = inputs + [other["name"] for other in layers[:i]]
        with st.container(border=True):
            _layer_box(design, i, layer, sources[i], earlier)
            show_messages(f"layer-{i}", f"layers[{i}]", warnings)
    if not layers:
        st.caption("No hidden layers: the heads take the inputs directly.")
    full = len(layers) >= spec.MAX_LAYERS
    with st.container(horizontal=True):
        for kind in kinds.LAYERS.values():
            lonely = kind.joins and len(inputs) + len(layers) < 2  # nothing to join yet
            help = f"Add a {kind.label} layer at the end"
            add = Edit(edits.add_layer, (kind.name,))
            locked = exercises.lock_reason(design, "layers")
            _button(kind.label, "layers", add, help, disabled=full or lonely, icon=":material/add:", locked=locked)


def _layer_box(design: dict, i: int, layer: dict, source: tuple, earlier: list[str]) -> None:
    origin = f"layer-{i}"
    kind = kinds.layer_kind(layer)
    name, last = layer["name"], len(design["layers"]) - 1
    actions = [
        (":material/arrow_upward:", Edit(edits.move_layer, (i, -1)), f"Move {name} up", i == 0),
        (":material/arrow_downward:", Edit(edits.move_layer, (i, 1)), f"Move {name} down", i == last),
        (
            ":material/add:",
            Edit(edits.add_layer, (kinds.DEFAULT_LAYER_TYPE, i + 1)),
            f"Insert a dense layer below {name}",
            last + 1 >= spec.MAX_LAYERS,
        ),
        (":material/delete:", Edit(edits.remove_layer, (i,)), f"Remove {name}", False),
    ]
    part = f"layers.{name}"
    locked = exercises.lock_reason(design, part, inner=True)  # moving, renaming or removing it
    with st.container(horizontal=True, vertical_alignment="center", gap="small", key=f"{ICON_ROW}-{origin}"):
        st.markdown(f"**{i + 1} · {kind.label}**", width="stretch")
        for icon, edit, label, disabled in actions:
            _button(label, origin, edit, help=label, disabled=disabled, icon=icon, locked=locked)
    # Flex rows rather than columns: fewer blocks for the browser to redraw on every edit.
    with st.container(horizontal=True, vertical_alignment="bottom", gap="small"):
        lock = locked_arguments(locked)
        st.text_input("Name", **lock, **session.bind(origin, "name", name, Edit(edits.rename, (name,))))
        if not exercises.hidden(design, f"{part}.from"):
            from_locked = exercises.lock_reason(design, f"{part}.from")
            _layer_from(origin, i, kind, layer, source, earlier, from_locked)
    with st.container(horizontal=True, vertical_alignment="bottom", gap="small"):
        _layer_settings(design, origin, i, kind, layer)


def _layer_settings(design: dict, origin: str, i: int, kind: kinds.Kind, layer: dict) -> None:
    if not kind.fields:
        st.caption(kind.description)
        return
    full = kind.normalise(layer)
    for field in kind.fields:
        part = f"layers.{layer['name']}.{field.name}"
        if not exercises.hidden(design, part):
            edit = Edit(edits.set_field, ("layers", i, field.name))
            setting(origin, field, full[field.name], edit, exercises.lock_reason(design, part))


def _layer_from(
    origin: str, i: int, kind: kinds.Kind, layer: dict, source: tuple, earlier: list[str], locked: str | None
) -> None:
    edit = Edit(edits.set_field, ("layers", i, "from"))
    if kind.joins:
        lock = locked_arguments(locked)
        chosen = [s for s in source if s in earlier]
        st.multiselect("From", earlier, **lock, **session.bind(origin, "from", chosen, edit))
        return
    implicit = earlier[-1] if i > 0 else earlier[0]
    _source_picker(origin, earlier, layer.get("from"), f"previous ({implicit})", edit, locked)


# The select boxes' option for "no `from`: the default source" (Streamlit shows None as an empty box).
IMPLICIT = ""


def _source_picker(
    origin: str, names: list[str], chosen: object, implicit: str, edit: Edit, locked: str | None = None
) -> None:
    """A "From" box: the default source (``implicit`` names it) or one of ``names``."""
    options = [IMPLICIT, *names]
    st.selectbox(
        "From",
        options,
        format_func=lambda name: implicit if name == IMPLICIT else name,
        **locked_arguments(locked),
        **session.bind(origin, "from", chosen if chosen in names else IMPLICIT, Edit(_set_source, (edit,))),
    )


def _set_source(design: dict, edit: Edit, name: str) -> dict:
    """Apply ``edit`` with the chosen source; the default source is no `from` at all."""
    return edit.function(design, *edit.args, None if name == IMPLICIT else name)


def heads_editor(design: dict, warnings: list[Problem]) -> None:
    """One box per output head, then a button that adds a head."""
    heads = design["heads"]
    candidates = list(spec.input_groups(design)) + [layer["name"] for layer in design.get("layers", [])]
    for i, head in enumerate(heads):
        with st.container(border=True):
            _head_box(design, i, head, candidates, removable=len(heads) > 1)
            show_messages(f"head-{i}", f"heads[{i}]", warnings)
    _button(
        "Output head",
        "heads",
        Edit(edits.add_head, note=edits.inputs_taken_as_targets),
        help="Add an output head",
        disabled=len(heads) >= spec.MAX_HEADS,
        icon=":material/add:",
        locked=exercises.lock_reason(design, "heads"),
    )
    show_messages("heads", "heads", [])


def _head_box(design: dict, i: int, head: dict, candidates: list[str], removable: bool) -> None:
    origin = f"head-{i}"
    full = kinds.HEAD.normalise(network.head_entry(datasets.of(design), head))
    implicit = network.head_source(design, {})
    part = f"heads.{head['name']}"
    locked = exercises.lock_reason(design, part, inner=True)
    with st.container(horizontal=True, vertical_alignment="bottom", gap="small", key=f"{ICON_ROW}-{origin}"):
        rename = Edit(edits.rename, (head["name"],))
        lock = locked_arguments(locked)
        st.text_input("Output head", **lock, **session.bind(origin, "name", head["name"], rename))
        target = Edit(edits.set_head_target, (i,), note=edits.inputs_taken_as_targets)
        _head_field(design, origin, head, "target", full, target)
        label, remove = f"Remove {head['name']}", Edit(edits.remove_head, (i,))
        _button(label, origin, remove, label, disabled=not removable, icon=":material/delete:", locked=locked)
    with st.container(horizontal=True, vertical_alignment="bottom", gap="small"):
        if not exercises.hidden(design, f"{part}.from"):
            from_locked = exercises.lock_reason(design, f"{part}.from")
            implicit_text = f"last layer ({implicit})"
            _source_picker(origin, candidates, head.get("from"), implicit_text, _set(i, "from"), from_locked)
        _head_field(design, origin, head, "activation", full, _set(i, "activation"))
    with st.container(horizontal=True, vertical_alignment="bottom", gap="small"):
        for field in ("loss", "loss_weight"):
            _head_field(design, origin, head, field, full, _set(i, field))


def _head_field(design: dict, origin: str, head: dict, field: str, full: dict, edit: Edit) -> None:
    """One field of a head, unless the exercise hides it; disabled if it locks it."""
    part = f"heads.{head['name']}.{field}"
    if not exercises.hidden(design, part):
        lock = exercises.lock_reason(design, part)
        setting(origin, kinds.HEAD.field(field), full[field], edit, lock, datasets.of(design))


def _set(i: int, field: str) -> Edit:
    return Edit(edits.set_field, ("heads", i, field))
