"""Edits a learner makes by clicking, as pure functions: design in, new design out.

None of them changes the design it is given, and none validates: the caller
validates the result and keeps the old design if the new one has errors.
Renaming or removing a layer rewires every `from` that named it.
"""

from __future__ import annotations

import re

from designer import datasets, kinds, network, spec


def all_names(design: dict) -> list[str]:
    """Names of the inputs, layers and heads, in that order."""
    return [
        *spec.input_groups(design),
        *(layer["name"] for layer in design.get("layers", [])),
        *(head["name"] for head in design.get("heads", [])),
    ]


def name_for(column: str) -> str:
    """A node name for a column: its letters, digits and ``_`` (a CSV's "Body mass (g)" gives ``Body_mass_g``)."""
    stem = re.sub(r"[^A-Za-z0-9_]+", "_", column).strip("_")[:30]
    return stem if stem[:1].isalpha() else f"output_{stem}".rstrip("_")[:30]


def csv_design(design: dict, block: dict, inputs: list[str], targets: list[str]) -> dict:
    """``design`` on a CSV file: its dataset block, those input columns, and one head per target.

    The hidden layers and the training settings stay (a design with several
    inputs keeps its training settings only, on one hidden layer).
    """
    plain = {"version": spec.FORMAT_VERSION, "layers": [kinds.DENSE.new_entry("hidden_1")], "heads": []}
    fallback = {**plain, "training": design.get("training", {})}
    new = set_dataset({**design, "heads": []}, block, {**fallback, "dataset": block})
    new["inputs"] = list(inputs)
    new["heads"] = []
    for target in targets:
        new["heads"].append({"name": fresh_name(new, name_for(target)), "target": target})
    if not new.get("training"):
        new.pop("training", None)
    return new


def fresh_name(design: dict, stem: str) -> str:
    """``stem`` if unused, else ``stem_2``, ``stem_3``, ..."""
    taken = set(all_names(design))
    if stem not in taken:
        return stem
    return next(f"{stem}_{n}" for n in range(2, 10_000) if f"{stem}_{n}" not in taken)


def add_layer(design: dict, kind: str = kinds.DEFAULT_LAYER_TYPE, index: int | None = None) -> dict:
    """Insert a new layer of ``kind`` at ``index`` (default: the end)."""
    new = spec.clone(design)
    layers = new.setdefault("layers", [])
    index = len(layers) if index is None else index
    layer_kind = kinds.LAYERS[kind]
    layer = layer_kind.new_entry(_layer_name(new, layer_kind))
    if layer_kind.joins:
        layer["from"] = _two_sources(new, index)
    layers.insert(index, layer)
    return new


def _layer_name(design: dict, kind: kinds.Kind) -> str:
    """``hidden_3`` for the third dense layer; the kind's stem (made unique) for the others."""
    if not kind.numbered:
        return fresh_name(design, kind.stem)
    count = 1 + sum(kinds.layer_kind(layer) is kind for layer in design.get("layers", []))
    return fresh_name(design, f"{kind.stem}_{count}")


def _two_sources(design: dict, index: int) -> list[str]:
    """A concatenate's default sources: the layer before it and the first input."""
    inputs = list(spec.input_groups(design))
    earlier = [layer["name"] for layer in design["layers"][:index]]
    candidates = [*reversed(earlier), *inputs]
    return candidates[:2] if len(candidates) >= 2 else candidates * 2


def remove_layer(design: dict, index: int) -> dict:
    """Remove a layer; whatever took its output now takes what fed it."""
    new = spec.clone(design)
    feed = network.layer_sources(new)[index][0]
    last_before = network.head_source(new, {})
    removed = new["layers"].pop(index)["name"]
    _replace_source(new, removed, feed)
    # Entries that took the removed layer implicitly would now take a
    # different one, so they are pointed at its source explicitly.
    layers = new["layers"]
    if index < len(layers) and "from" not in layers[index] and network.layer_sources(new)[index][0] != feed:
        layers[index]["from"] = feed
    for head in new.get("heads", []):
        if "from" not in head and last_before == removed and network.head_source(new, head) != feed:
            head["from"] = feed
    return new


def move_layer(design: dict, index: int, step: int) -> dict:
    """Move a layer ``step`` places up (negative) or down in the list."""
    new = spec.clone(design)
    layers = new["layers"]
    target = max(0, min(len(layers) - 1, index + step))
    layers.insert(target, layers.pop(index))
    return new


def rename(design: dict, old: str, new_name: str) -> dict:
    """Rename an input, layer or head, and every `from` that names it."""
    groups = spec.input_groups(design)
    if old in groups:
        design = set_inputs(design, {(new_name if k == old else k): v for k, v in groups.items()})
    new = spec.clone(design)
    for entry in [*new.get("layers", []), *new.get("heads", [])]:
        if entry.get("name") == old:
            entry["name"] = new_name
    _replace_source(new, old, new_name)
    return new


def _replace_source(design: dict, old: str, new_name: str) -> None:
    for entry in [*design.get("layers", []), *design.get("heads", [])]:
        source = entry.get("from")
        if source == old:
            entry["from"] = new_name
        elif isinstance(source, list) and old in source:
            replaced = [new_name if s == old else s for s in source]
            entry["from"] = list(dict.fromkeys(replaced))


def set_field(design: dict, section: str, index: int, key: str, value) -> dict:
    """Set ``design[section][index][key]``; ``None`` removes the key (its default applies)."""
    new = spec.clone(design)
    entry = new[section][index]
    if value is None:
        entry.pop(key, None)
    else:
        entry[key] = value
    return new


def add_head(design: dict, target: str | None = None) -> dict:
    """Add a head on ``target`` (default: a column that is not an input).

    A column cannot be both an input and a target, so a numeric target is
    taken out of the inputs.
    """
    new = spec.clone(design)
    target = target or _free_target(new)
    new = set_inputs(new, {n: [c for c in cols if c != target] for n, cols in spec.input_groups(new).items()})
    head = {"name": fresh_name(new, name_for(target)), "target": target}
    new.setdefault("heads", []).append(head)
    return new


def inputs_taken_as_targets(before: dict, after: dict) -> str | None:
    """The sentence that says which columns an edit moved from the inputs to a head, if it moved any.

    ``"petal_width is now predicted, so it is no longer an input."``
    """
    inputs_after = {c for cols in spec.input_groups(after).values() for c in cols}
    moved = [
        column
        for cols in spec.input_groups(before).values()
        for column in cols
        if column not in inputs_after and column in {head.get("target") for head in after.get("heads", [])}
    ]
    if not moved:
        return None
    if len(moved) == 1:
        return f"{moved[0]} is now predicted, so it is no longer an input."
    return f"{' and '.join(moved)} are now predicted, so they are no longer inputs."


def _free_target(design: dict) -> str:
    """A target no head predicts yet, preferring a column that is not an input."""
    table = datasets.of(design)
    used = {head["target"] for head in design.get("heads", [])}
    inputs = {c for cols in spec.input_groups(design).values() for c in cols}
    numbers = list(reversed(table.numbers))
    classes = [column.name for column in table.columns if column.is_category]
    candidates = [c for c in numbers if c not in inputs] + classes + numbers
    return next((c for c in candidates if c not in used), table.target)


def set_head_target(design: dict, index: int, target: str) -> dict:
    """Point a head at a new target; the activation and loss go back to its defaults."""
    new = spec.clone(design)
    head = new["heads"][index]
    head["target"] = target
    for key in ("activation", "loss"):
        head.pop(key, None)
    return new


def remove_head(design: dict, index: int) -> dict:
    """Remove a head."""
    new = spec.clone(design)
    del new["heads"][index]
    return new


def set_inputs(design: dict, groups: dict[str, list[str]]) -> dict:
    """Set the input groups; a single group named ``input`` is written as a plain list."""
    new = spec.clone(design)
    if list(groups) == [spec.DEFAULT_INPUT]:
        new["inputs"] = list(groups[spec.DEFAULT_INPUT])
    else:
        new["inputs"] = {name: list(cols) for name, cols in groups.items()}
    return new


def set_input_columns(design: dict, group: str, columns: list[str]) -> dict:
    """Set the columns of one input group, keeping the order of the dataset."""
    groups = spec.input_groups(design)
    groups[group] = [c for c in datasets.of(design).names if c in columns]
    return set_inputs(design, groups)


def set_dataset(design: dict, dataset: object, fallback: dict) -> dict:
    """Train on another dataset (a built-in's name or a CSV block), keeping the layers and the training.

    The inputs become the new table's usual ones; the heads whose targets the
    new table has stay, else one head predicts its usual target. A design with
    several inputs has wiring that names them, so it becomes ``fallback`` (the
    dataset's preset) instead.
    """
    new = spec.clone(design)
    new["dataset"] = dataset
    if new["dataset"] == datasets.DEFAULT:
        del new["dataset"]
    if len(spec.input_groups(design)) > 1:
        return fallback
    table = datasets.of(new)
    heads = [head for head in new.get("heads", []) if table.column(head.get("target"))]
    new["heads"] = heads or [{"name": fresh_name({**new, "heads": []}, name_for(table.target)), "target": table.target}]
    new["inputs"] = [c for c in table.inputs if c not in {head["target"] for head in new["heads"]}]
    if new["inputs"] == list(table.inputs):
        del new["inputs"]  # the table's usual inputs: a link need not spell out 64 pixels
    for entry in [*new.get("layers", []), *new["heads"]]:
        source = entry.get("from")
        if isinstance(source, str) and source not in [layer["name"] for layer in new.get("layers", [])]:
            entry["from"] = spec.DEFAULT_INPUT
    new.pop("exercise", None)
    return new


def add_input_group(design: dict) -> dict:
    """Split the last column of the largest group into a new input, joined in.

    A Concatenate of the first input and the new one becomes the first layer,
    so the new input reaches the heads and the design stays valid.
    """
    groups = spec.input_groups(design)
    first, largest = next(iter(groups)), max(groups, key=lambda name: len(groups[name]))
    name = fresh_name(design, "input_2" if largest == spec.DEFAULT_INPUT else "input")
    groups[name] = [groups[largest].pop()]
    new = set_inputs(design, groups)
    join = fresh_name(new, "joined")
    _replace_source(new, first, join)  # what took the first input now takes the join
    new.setdefault("layers", []).insert(0, {**kinds.CONCATENATE.new_entry(join), "from": [first, name]})
    return new


def remove_input_group(design: dict, name: str) -> dict:
    """Remove an input group; its columns join the first remaining group.

    A Concatenate left with a single source is removed too.
    """
    groups = spec.input_groups(design)
    columns = groups.pop(name)
    first = next(iter(groups))
    groups[first] = groups[first] + columns
    new = rename(set_inputs(design, groups), name, first)
    for index in reversed(range(len(new.get("layers", [])))):
        layer = new["layers"][index]
        if kinds.layer_kind(layer).joins and len(layer.get("from", [])) < 2:
            new = remove_layer(new, index)
    return new


def set_training(design: dict, key: str, value) -> dict:
    """Set one training setting."""
    new = spec.clone(design)
    new.setdefault("training", {})[key] = value
    return new


def set_early_stopping(design: dict, enabled: bool) -> dict:
    """Turn early stopping on (patience 10, restoring the best weights) or off."""
    return set_training(design, "early_stopping_patience", 10 if enabled else None)
