"""The Design page's controls: inputs, layers and heads.

Every control shows a value read from the design and, when changed, sends
an edit from :mod:`designer.edits` through :func:`ui.session.apply_value`.
Errors of a refused edit and the design's warnings appear beside the
control group they concern.
"""

from __future__ import annotations

import streamlit as st

from designer import edits, network, spec
from designer.validation import Problem
from ui import session
from ui.text import plain

LAYER_LABELS = {"dense": "Dense", "dropout": "Dropout", "batch_norm": "Batch norm", "concatenate": "Concatenate"}


def bind(origin: str, field: str, edit, *args) -> dict:
    """Keyword arguments that key a widget and route its changes to ``edit``."""
    widget_key = session.key(origin, field)
    return {"key": widget_key, "on_change": session.apply_value, "args": (origin, widget_key, edit, *args)}


def _button(label: str, origin: str, edit, *args, help: str, disabled: bool = False) -> None:
    """A button that applies ``edit(design, *args)``.

    It has no key (keyed widgets make every rerun slower); its ``help``
    text, which names what it acts on, keeps it unique.
    """
    st.button(label, on_click=session.apply, args=(origin, edit, *args), help=help, disabled=disabled)


def show_messages(origin: str, field_prefix: str, warnings: list[Problem]) -> None:
    """The refused edit's errors from ``origin`` and the warnings under ``field_prefix``."""
    for problem in session.rejected(origin):
        st.error(plain(problem.message), icon=":material/error:")
    for problem in warnings:
        if problem.field.startswith(field_prefix):
            st.warning(plain(problem.message), icon=":material/lightbulb:")


def inputs_editor(design: dict, warnings: list[Problem]) -> None:
    """Which Iris columns go in, and in which input groups."""
    groups = spec.input_groups(design)
    several = len(groups) > 1
    for name, columns in groups.items():
        origin = f"input-{name}"
        with st.container(border=True):
            cols = st.columns([2, 5, 1] if several else [1], vertical_alignment="bottom")
            if several:
                cols[0].text_input("Input name", value=name, **bind(origin, "name", edits.rename, name))
            cols[-2 if several else 0].multiselect(
                f"Columns of {name!r}",
                spec.NUMERIC_COLUMNS,
                default=columns,
                **bind(origin, "columns", edits.set_input_columns, name),
            )
            if several:
                with cols[2]:
                    _button(":material/delete:", origin, edits.remove_input_group, name, help=f"Remove input {name}")
            show_messages(origin, "inputs", [])
    show_messages("inputs", "inputs", warnings)
    _button(
        ":material/add: Input group",
        "inputs",
        edits.add_input_group,
        help="Split a column off into a second input, joined to the first by a Concatenate layer",
        disabled=max(map(len, groups.values())) < 2,
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
        for kind, label in LAYER_LABELS.items():
            lonely = kind == "concatenate" and len(inputs) + len(layers) < 2  # nothing to join yet
            help = f"Add a {label} layer at the end"
            _button(f":material/add: {label}", "layers", edits.add_layer, kind, help=help, disabled=full or lonely)


def _layer_box(design: dict, i: int, layer: dict, source: tuple, earlier: list[str]) -> None:
    origin = f"layer-{i}"
    kind = layer.get("type", "dense")
    name, last = layer["name"], len(design["layers"]) - 1
    actions = [
        (":material/arrow_upward:", edits.move_layer, (i, -1), f"Move {name} up", i == 0),
        (":material/arrow_downward:", edits.move_layer, (i, 1), f"Move {name} down", i == last),
        (
            ":material/add:",
            edits.add_layer,
            ("dense", i + 1),
            f"Insert a dense layer below {name}",
            last + 1 >= spec.MAX_LAYERS,
        ),
        (":material/delete:", edits.remove_layer, (i,), f"Remove {name}", False),
    ]
    with st.container(horizontal=True, vertical_alignment="center", gap="small"):
        st.markdown(f"**{i + 1} · {LAYER_LABELS[kind]}**", width="stretch")
        for icon, edit, args, help, disabled in actions:
            _button(icon, origin, edit, *args, help=help, disabled=disabled)
    name_column, settings, wiring = st.columns([3, 5, 3], vertical_alignment="bottom")
    name_column.text_input("Name", value=name, **bind(origin, "name", edits.rename, name))
    with settings:
        _layer_settings(origin, i, kind, layer)
    with wiring:
        _layer_from(origin, i, kind, layer, source, earlier)


def _layer_settings(origin: str, i: int, kind: str, layer: dict) -> None:
    if kind == "dense":
        units, activation = st.columns(2)
        units.number_input(
            "Units", value=layer["units"], step=1, **bind(origin, "units", edits.set_field, "layers", i, "units")
        )
        activation.selectbox(
            "Activation",
            spec.ACTIVATIONS,
            index=spec.ACTIVATIONS.index(layer.get("activation", spec.DEFAULT_ACTIVATION)),
            **bind(origin, "activation", edits.set_field, "layers", i, "activation"),
        )
    elif kind == "dropout":
        st.number_input(
            "Rate",
            value=float(layer["rate"]),
            step=0.05,
            format="%.2f",
            **bind(origin, "rate", edits.set_field, "layers", i, "rate"),
        )
    elif kind == "batch_norm":
        st.caption("Normalises each feature: 4 numbers per feature, 2 of them learned.")
    else:
        st.caption("Joins its sources side by side.")


def _layer_from(origin: str, i: int, kind: str, layer: dict, source: tuple, earlier: list[str]) -> None:
    if kind == "concatenate":
        st.multiselect(
            "From",
            earlier,
            default=[s for s in source if s in earlier],
            **bind(origin, "from", edits.set_field, "layers", i, "from"),
        )
        return
    implicit = earlier[-1] if i > 0 else earlier[0]
    options = [None, *earlier]
    st.selectbox(
        "From",
        options,
        index=options.index(layer.get("from")) if layer.get("from") in options else 0,
        format_func=lambda name: f"previous ({implicit})" if name is None else name,
        **bind(origin, "from", edits.set_field, "layers", i, "from"),
    )


def heads_editor(design: dict, warnings: list[Problem]) -> None:
    """One box per output head, then a button that adds a head."""
    heads = design["heads"]
    candidates = list(spec.input_groups(design)) + [layer["name"] for layer in design.get("layers", [])]
    for i, head in enumerate(heads):
        with st.container(border=True):
            _head_box(design, i, head, candidates, removable=len(heads) > 1)
            show_messages(f"head-{i}", f"heads[{i}]", warnings)
    _button(
        ":material/add: Output head",
        "heads",
        edits.add_head,
        help="Add an output head",
        disabled=len(heads) >= spec.MAX_HEADS,
    )
    show_messages("heads", "heads", [])


def _head_box(design: dict, i: int, head: dict, candidates: list[str], removable: bool) -> None:
    origin = f"head-{i}"
    target = head["target"]
    first, second = st.columns(2), st.columns([3, 3, 2, 1], vertical_alignment="bottom")
    first[0].text_input("Output head", value=head["name"], **bind(origin, "name", edits.rename, head["name"]))
    first[1].selectbox(
        "Predicts", spec.TARGETS, index=spec.TARGETS.index(target), **bind(origin, "target", edits.set_head_target, i)
    )
    implicit = network.head_source(design, {})
    options = [None, *candidates]
    second[0].selectbox(
        "From",
        options,
        index=options.index(head.get("from")) if head.get("from") in options else 0,
        format_func=lambda name: f"last layer ({implicit})" if name is None else name,
        **bind(origin, "from", edits.set_field, "heads", i, "from"),
    )
    activation = head.get("activation", spec.default_head_activation(target))
    second[1].selectbox(
        "Activation",
        spec.ACTIVATIONS,
        index=spec.ACTIVATIONS.index(activation),
        **bind(origin, "activation", edits.set_field, "heads", i, "activation"),
    )
    second[2].number_input(
        "Loss weight",
        value=float(head.get("loss_weight", 1)),
        step=0.1,
        format="%.2f",
        **bind(origin, "weight", edits.set_field, "heads", i, "loss_weight"),
    )
    with second[3]:
        _button(
            ":material/delete:", origin, edits.remove_head, i, help=f"Remove {head['name']}", disabled=not removable
        )
    loss = head.get("loss", spec.default_head_loss(target))
    st.selectbox(
        "Loss", spec.LOSSES, index=spec.LOSSES.index(loss), **bind(origin, "loss", edits.set_field, "heads", i, "loss")
    )
