"""Tests of designer/edits.py: pure edits, design in, new design out."""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from designer import datasets, edits, kinds, presets, spec
from designer.network import resolve
from designer.params import summarize
from designer.validation import errors, validate

# The exercises lock parts of their designs (tests/test_exercises.py edits them); the rest take any edit.
PRESETS = {p.key: p for p in presets.presets() if "exercise" not in p.load() and "dataset" not in p.load()}  # Iris
CHAINS = ["lecture_sequential", "lecture_two_outputs", "regularised"]  # layers wired by default `from`


def load(key: str = "lecture_sequential") -> dict:
    return PRESETS[key].load()


def sources(design: dict) -> dict[str, tuple[str, ...]]:
    """Every node's resolved sources, by name."""
    return {node.name: node.sources for node in resolve(design).nodes}


def layer_names(design: dict) -> list[str]:
    return [layer["name"] for layer in design.get("layers", [])]


def assert_valid(design: dict) -> None:
    assert errors(validate(design)) == [], [str(p) for p in validate(design)]


def _containers(value, found: list) -> list:
    if isinstance(value, (list, dict)):
        found.append(value)
        for item in value.values() if isinstance(value, dict) else value:
            _containers(item, found)
    return found


def assert_pure(edit, design: dict) -> dict:
    """Apply ``edit``: it must leave ``design`` alone and share no list or object with it."""
    before = copy.deepcopy(design)
    result = edit(design)
    assert design == before, "the edit changed the design it was given"
    assert result is not design
    shared = {id(c) for c in _containers(design, [])} & {id(c) for c in _containers(result, [])}
    assert not shared, "the result shares a list or object with the design it came from"
    return result


# ---------------------------------------------------------------------------
# Every edit: a new design, the argument unchanged, a valid result
# ---------------------------------------------------------------------------

TYPICAL = [
    *[
        (key, f"add_{kind}_end", lambda d, k=kind: edits.add_layer(d, k))
        for key in PRESETS
        for kind in ("dense", "dropout", "batch_norm")
    ],
    *[
        (key, f"add_{kind}_first", lambda d, k=kind: edits.add_layer(d, k, 0))
        for key in CHAINS
        for kind in ("dense", "dropout", "batch_norm")
    ],
    ("lecture_sequential", "add_dense_middle", lambda d: edits.add_layer(d, "dense", 1)),
    ("lecture_sequential", "add_concatenate_end", lambda d: edits.add_layer(d, "concatenate")),
    ("two_input_branches", "add_concatenate_first", lambda d: edits.add_layer(d, "concatenate", 0)),
    *[
        (key, f"remove_layer_{i}", lambda d, i=i: edits.remove_layer(d, i))
        for key in PRESETS
        for i, layer in enumerate(load(key)["layers"])
        if layer.get("type") != "concatenate"
    ],
    *[
        (key, f"move_layer_{i}_{step:+d}", lambda d, i=i, s=step: edits.move_layer(d, i, s))
        for key in CHAINS
        for i in range(len(load(key)["layers"]))
        for step in (-1, 1, -5, 5)
    ],
    ("lecture_sequential", "rename_layer", lambda d: edits.rename(d, "hidden_2", "middle")),
    ("lecture_sequential", "rename_head", lambda d: edits.rename(d, "species", "out")),
    ("two_input_branches", "rename_concatenated", lambda d: edits.rename(d, "sepal_features", "sf")),
    ("two_input_branches", "rename_input_group", lambda d: edits.rename(d, "petal", "p")),
    ("lecture_sequential", "set_units", lambda d: edits.set_field(d, "layers", 0, "units", 16)),
    ("lecture_sequential", "unset_activation", lambda d: edits.set_field(d, "layers", 1, "activation", None)),
    ("lecture_sequential", "set_head_loss", lambda d: edits.set_field(d, "heads", 0, "loss_weight", 2)),
    *[(key, "add_head_default", edits.add_head) for key in PRESETS],
    *[(key, "add_head_species", lambda d: edits.add_head(d, "species")) for key in PRESETS],
    *[(key, "add_head_petal_width", lambda d: edits.add_head(d, "petal_width")) for key in PRESETS],
    ("lecture_two_outputs", "retarget_numeric_head", lambda d: edits.set_head_target(d, 1, "species")),
    ("lecture_two_outputs", "retarget_species_head", lambda d: edits.set_head_target(d, 0, "petal_width")),
    ("lecture_two_outputs", "remove_head", lambda d: edits.remove_head(d, 1)),
    ("lecture_sequential", "set_inputs_list", lambda d: edits.set_inputs(d, {"input": ["petal_length"]})),
    ("two_input_branches", "remove_input_group", lambda d: edits.remove_input_group(d, "petal")),
    *[
        (key, f"set_training_{k}", lambda d, k=k, v=v: edits.set_training(d, k, v))
        for key in PRESETS
        for k, v in [("epochs", 50), ("optimizer", "sgd"), ("early_stopping_patience", 5)]
    ],
]


@pytest.mark.parametrize(("key", "edit"), [(k, e) for k, _, e in TYPICAL], ids=[f"{k}-{n}" for k, n, _ in TYPICAL])
def test_edit_is_pure_and_gives_a_valid_design(key, edit):
    result = assert_pure(edit, load(key))
    assert_valid(result)
    json.dumps(result)


def test_add_input_group_is_pure():
    assert_pure(edits.add_input_group, load())


def test_add_layer_names_are_fresh_and_distinct():
    design = load()
    for kind in ("dense", "dense", "dropout", "dropout", "batch_norm", "concatenate", "concatenate"):
        design = edits.add_layer(design, kind)
        names = edits.all_names(design)
        assert len(names) == len(set(names))
    assert_valid(design)


def test_add_layer_at_index_takes_the_place_and_default_wiring():
    design = edits.add_layer(load(), "dense", 1)
    assert layer_names(design) == ["hidden_1", "hidden_4", "hidden_2", "hidden_3"]
    wiring = sources(design)
    assert wiring["hidden_4"] == ("hidden_1",)
    assert wiring["hidden_2"] == ("hidden_4",)


def test_fresh_name():
    design = load()
    assert edits.fresh_name(design, "new") == "new"
    assert edits.fresh_name(design, "hidden_1") == "hidden_1_2"
    assert edits.fresh_name(design, "species") == "species_2"


def test_set_field_none_removes_the_key():
    result = edits.set_field(load(), "layers", 0, "activation", None)
    assert "activation" not in result["layers"][0]


def test_set_head_target_resets_activation_and_loss():
    result = edits.set_head_target(load("lecture_two_outputs"), 1, "species")
    assert result["heads"][1] == {"name": "petal_width", "target": "species"}


def test_set_training_adds_the_block():
    result = edits.set_training(load(), "seed", 7)
    assert result["training"] == {"seed": 7}


# ---------------------------------------------------------------------------
# rename
# ---------------------------------------------------------------------------


def _explicit_wiring() -> dict:
    """two_input_branches with every `from` written out, and a second head."""
    design = load("two_input_branches")
    design["layers"][3]["from"] = "joined"
    design["heads"] = [
        {"name": "species", "target": "species", "from": "hidden"},
        {"name": "sepal_head", "target": "species", "from": "sepal_features"},
    ]
    return design


def _rename_cases():
    for key in PRESETS:
        design = load(key)
        for name in edits.all_names(design):
            yield pytest.param(key, design, name, id=f"{key}-{name}")
    design = _explicit_wiring()
    for name in edits.all_names(design):
        yield pytest.param("explicit", design, name, id=f"explicit-{name}")


@pytest.mark.parametrize(("key", "design", "name"), list(_rename_cases()))
def test_rename_rewires_every_from(key, design, name):
    new_name = f"renamed_{name}"[:40]
    result = assert_pure(lambda d: edits.rename(d, name, new_name), design)
    assert_valid(result)
    names = edits.all_names(result)
    assert new_name in names and name not in names
    assert (
        json.dumps(result).count(f'"{name}"') == 0 or name in datasets.IRIS.names
    )  # a head's target may share the name

    def renamed(n):
        return new_name if n == name else n

    expected = {renamed(n): tuple(map(renamed, s)) for n, s in sources(design).items()}
    assert sources(result) == expected
    assert summarize(result).total == summarize(design).total


def test_rename_concatenate_source_in_list():
    result = edits.rename(load("two_input_branches"), "petal_features", "pf")
    assert result["layers"][2]["from"] == ["sepal_features", "pf"]


def test_rename_head_source():
    result = edits.rename(_explicit_wiring(), "sepal_features", "sf")
    assert result["heads"][1]["from"] == "sf"
    assert result["layers"][2]["from"] == ["sf", "petal_features"]


def test_rename_input_group_keeps_order_and_columns():
    result = edits.rename(load("two_input_branches"), "sepal", "s")
    assert list(result["inputs"].items()) == [
        ("s", ["sepal_length", "sepal_width"]),
        ("petal", ["petal_length", "petal_width"]),
    ]
    assert result["layers"][0]["from"] == "s"


@pytest.mark.parametrize("explicit_from", [False, True])
def test_rename_list_form_input(explicit_from):
    design = load()
    if explicit_from:
        design["layers"][0]["from"] = "input"
    result = edits.rename(design, "input", "features")
    assert "features" in spec.input_groups(result)
    assert "input" not in spec.input_groups(result)
    assert_valid(result)


# ---------------------------------------------------------------------------
# remove_layer keeps the wiring
# ---------------------------------------------------------------------------


def _branchy() -> dict:
    """Two inputs; layers with explicit and implicit `from`; two heads."""
    return {
        "version": 1,
        "inputs": {"a": ["sepal_length", "sepal_width"], "b": ["petal_length", "petal_width"]},
        "layers": [
            {"name": "la", "from": "a", "units": 4},
            {"name": "lb", "from": "b", "units": 5},
            {"name": "lc", "units": 6},  # implicitly from lb
            {"name": "joined", "type": "concatenate", "from": ["la", "lc"]},
            {"name": "top", "from": "b", "units": 3},  # explicit, last
        ],
        "heads": [
            {"name": "species", "target": "species", "from": "joined"},
            {"name": "species_2", "target": "species"},  # implicitly from top
        ],
    }


def _removal_cases():
    for key in PRESETS:
        for i in range(len(load(key)["layers"])):
            yield pytest.param(load(key), i, id=f"{key}-{i}")
    for i in range(len(_branchy()["layers"])):
        yield pytest.param(_branchy(), i, id=f"branchy-{i}")


@pytest.mark.parametrize(("design", "index"), list(_removal_cases()))
def test_remove_layer_feeds_successors_from_its_source(design, index):
    before = sources(design)
    removed = design["layers"][index]["name"]
    feed = before[removed][0]
    result = assert_pure(lambda d: edits.remove_layer(d, index), design)
    assert removed not in layer_names(result)
    assert layer_names(result) == [n for n in layer_names(design) if n != removed]
    after = sources(result)
    assert set(after) == set(before) - {removed}
    for name, old in before.items():
        if name == removed:
            continue
        expected = tuple(dict.fromkeys(feed if s == removed else s for s in old))
        assert after[name] == expected, f"{name}: {after[name]} != {expected}"


def test_remove_middle_of_chain_next_takes_previous():
    result = edits.remove_layer(load(), 1)
    assert sources(result)["hidden_3"] == ("hidden_1",)
    assert "from" not in result["layers"][1]  # the default still does it
    assert_valid(result)


def test_remove_layer_with_explicit_from_keeps_successor_on_that_source():
    result = edits.remove_layer(_branchy(), 1)  # lb, from b; lc took it implicitly
    wiring = sources(result)
    assert wiring["lc"] == ("b",)
    assert_valid(result)


def test_remove_last_layer_with_explicit_from_keeps_implicit_head_on_that_source():
    result = edits.remove_layer(_branchy(), 4)  # top, from b; species_2 took it implicitly
    assert sources(result)["species_2"] == ("b",)
    assert_valid(result)


def test_remove_first_layer_of_chain():
    result = edits.remove_layer(load(), 0)
    assert sources(result)["hidden_2"] == ("input",)
    assert_valid(result)


def test_remove_only_layer():
    design = edits.add_layer(load("logistic_regression"), "dense")
    result = edits.remove_layer(design, 0)
    assert sources(result)["species"] == ("input",)
    assert_valid(result)


def test_remove_concatenate_feeds_successor_with_its_first_source():
    """A successor takes one source, so the other branch is left over: validation reports it."""
    result = edits.remove_layer(load("two_input_branches"), 2)
    assert sources(result)["hidden"] == ("sepal_features",)
    assert [p.field for p in errors(validate(result))] == ["inputs.petal"]


def test_remove_concatenate_source_replaced_in_list():
    result = edits.remove_layer(load("two_input_branches"), 0)  # sepal_features, from sepal
    assert result["layers"][1]["from"] == ["sepal", "petal_features"]
    assert_valid(result)


# ---------------------------------------------------------------------------
# move_layer
# ---------------------------------------------------------------------------


def test_move_layer_up():
    result = assert_pure(lambda d: edits.move_layer(d, 2, -1), load())
    assert layer_names(result) == ["hidden_1", "hidden_3", "hidden_2"]
    assert sources(result)["species"] == ("hidden_2",)
    assert_valid(result)


def test_move_layer_down():
    result = assert_pure(lambda d: edits.move_layer(d, 0, 1), load())
    assert layer_names(result) == ["hidden_2", "hidden_1", "hidden_3"]
    assert sources(result)["hidden_2"] == ("input",)
    assert_valid(result)


@pytest.mark.parametrize(("index", "step"), [(0, -1), (2, 1), (0, -10), (2, 10)])
def test_move_layer_past_the_ends_stays(index, step):
    result = edits.move_layer(load(), index, step)
    assert layer_names(result) == layer_names(load())


def test_move_layer_round_trip():
    design = load("regularised")
    assert edits.move_layer(edits.move_layer(design, 1, 2), 3, -2) == design


# ---------------------------------------------------------------------------
# add_head
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("key", list(PRESETS))
@pytest.mark.parametrize("target", datasets.IRIS.numbers)
def test_add_head_on_an_input_column_removes_it_from_the_inputs(key, target):
    design = load(key)
    result = assert_pure(lambda d: edits.add_head(d, target), design)
    columns = [c for cols in spec.input_groups(result).values() for c in cols]
    assert target not in columns
    before = [c for cols in spec.input_groups(design).values() for c in cols]
    assert columns == [c for c in before if c != target]
    assert isinstance(result["inputs"], list) == isinstance(design["inputs"], list)
    new_head = result["heads"][-1]
    assert new_head["target"] == target
    assert new_head["name"] not in edits.all_names(design)
    assert result["heads"][:-1] == design["heads"]
    assert_valid(result)


def test_add_head_default_prefers_a_column_that_is_not_an_input():
    design = load("lecture_two_outputs")
    del design["heads"][1]  # petal_width: not an input, not predicted
    result = edits.add_head(design)
    assert result["heads"][-1]["target"] == "petal_width"
    assert result["inputs"] == design["inputs"]


@pytest.mark.parametrize("key", list(PRESETS))
def test_add_head_default_picks_a_target_no_head_predicts(key):
    design = load(key)
    result = edits.add_head(design)
    assert result["heads"][-1]["target"] not in {h["target"] for h in design["heads"]}
    assert_valid(result)


# ---------------------------------------------------------------------------
# add_layer concatenate
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "index"),
    [
        ("lecture_sequential", None),
        ("lecture_sequential", 1),
        ("lecture_sequential", 2),
        ("lecture_two_outputs", None),
        ("regularised", None),
        ("regularised", 3),
        ("two_input_branches", None),
        ("two_input_branches", 0),
        ("two_input_branches", 2),
    ],
)
def test_add_concatenate_has_two_distinct_earlier_sources(key, index):
    design = load(key)
    result = assert_pure(lambda d: edits.add_layer(d, "concatenate", index), design)
    position = len(design["layers"]) if index is None else index
    layer = result["layers"][position]
    assert layer["type"] == "concatenate"
    assert len(layer["from"]) == 2 and len(set(layer["from"])) == 2
    earlier = [*spec.input_groups(result), *layer_names(result)[:position]]
    assert set(layer["from"]) <= set(earlier)
    assert_valid(result)


@pytest.mark.parametrize(("key", "index"), [("logistic_regression", None), ("lecture_sequential", 0)])
def test_add_concatenate_with_a_single_candidate_is_rejected_by_validation(key, index):
    """Only one node could feed it: the edit cannot give two sources; validation must catch that."""
    result = edits.add_layer(load(key), "concatenate", index)
    assert errors(validate(result))


# ---------------------------------------------------------------------------
# set_inputs, add_input_group, remove_input_group
# ---------------------------------------------------------------------------


def test_set_inputs_single_group_named_input_is_a_list():
    result = assert_pure(lambda d: edits.set_inputs(d, {"input": ["sepal_length", "petal_length"]}), load())
    assert result["inputs"] == ["sepal_length", "petal_length"]


@pytest.mark.parametrize(
    "groups",
    [
        {"features": ["sepal_length", "sepal_width"]},
        {"input": ["sepal_length"], "other": ["petal_width"]},
        {"a": ["sepal_length"], "b": ["petal_width"], "c": ["petal_length"]},
    ],
)
def test_set_inputs_otherwise_is_an_object(groups):
    result = assert_pure(lambda d: edits.set_inputs(d, groups), load())
    assert result["inputs"] == groups
    assert list(result["inputs"]) == list(groups)


def test_set_inputs_copies_the_columns():
    groups = {"input": ["sepal_length"], "other": ["petal_width"]}
    result = edits.set_inputs(load(), groups)
    groups["input"].append("sepal_width")
    assert result["inputs"]["input"] == ["sepal_length"]


@pytest.mark.parametrize("key", list(PRESETS))
def test_add_input_group_splits_off_one_column_and_joins_it(key):
    design = load(key)
    result = assert_pure(edits.add_input_group, design)
    before, after = spec.input_groups(design), spec.input_groups(result)
    assert isinstance(result["inputs"], dict)
    assert len(after) == len(before) + 1
    (new_name,) = set(after) - set(before)
    assert len(after[new_name]) == 1
    assert sorted(c for cols in after.values() for c in cols) == sorted(c for cols in before.values() for c in cols)
    join = result["layers"][0]
    assert join["type"] == "concatenate"
    assert join["from"] == [next(iter(before)), new_name]
    old_layers = design.get("layers", [])
    assert [layer["name"] for layer in result["layers"][1:]] == [layer["name"] for layer in old_layers]
    first = next(iter(before))
    for entry in result["layers"][1:] + result["heads"]:  # only the join takes the first input now
        source = entry.get("from")
        assert source != first and not (isinstance(source, list) and first in source)


@pytest.mark.parametrize("key", list(PRESETS))
def test_add_input_group_gives_a_valid_design(key):
    result = edits.add_input_group(load(key))
    assert_valid(result)
    assert all(node.used for node in resolve(result).nodes)


def test_add_input_group_with_explicit_first_layer_from():
    """What took the first input explicitly takes the join instead."""
    design = load()
    design["layers"][0]["from"] = "input"
    assert_valid(edits.add_input_group(design))


@pytest.mark.parametrize("key", list(PRESETS))
def test_add_then_remove_input_group_round_trips(key):
    design = load(key)
    added = edits.add_input_group(design)
    (new_name,) = set(spec.input_groups(added)) - set(spec.input_groups(design))
    back = assert_pure(lambda d: edits.remove_input_group(d, new_name), added)
    assert_valid(back)
    assert spec.input_groups(back) == spec.input_groups(design)
    assert back == design


def test_remove_input_group_rewires_to_first_group():
    result = assert_pure(lambda d: edits.remove_input_group(d, "petal"), load("two_input_branches"))
    assert result["inputs"] == {"sepal": ["sepal_length", "sepal_width", "petal_length", "petal_width"]}
    assert sources(result)["petal_features"] == ("sepal",)
    assert_valid(result)


def test_remove_input_group_back_to_list_form():
    design = edits.set_inputs(load(), {"input": ["sepal_length", "sepal_width"], "extra": ["petal_length"]})
    design["layers"].append({"name": "side", "from": "extra", "units": 2})
    design["layers"].append({"name": "both", "type": "concatenate", "from": ["hidden_3", "side"]})
    result = edits.remove_input_group(design, "extra")
    assert result["inputs"] == ["sepal_length", "sepal_width", "petal_length"]
    assert result["layers"][3]["from"] == "input"
    assert_valid(result)


# ---------------------------------------------------------------------------
# Random sequences of edits
# ---------------------------------------------------------------------------

NAME_CHARS = st.text("abcdefghijklmnopqrstuvwxyz_0123456789", min_size=0, max_size=8)


def _draw_edit(data, design: dict):
    """Draw one edit that can be applied to ``design`` without an index error."""
    layers = design.get("layers", [])
    heads = design.get("heads", [])
    groups = spec.input_groups(design)
    choices = ["add_layer", "add_head", "set_training", "add_input_group", "rename", "set_inputs"]
    if layers:
        choices += ["remove_layer", "move_layer", "set_layer_field"]
    if heads:
        choices += ["set_head_target", "set_head_field"]
    if len(heads) > 1:
        choices.append("remove_head")
    if len(groups) > 1:
        choices.append("remove_input_group")
    choice = data.draw(st.sampled_from(choices), label="edit")
    if choice == "add_layer":
        kind = data.draw(st.sampled_from(kinds.LAYER_TYPES))
        index = data.draw(st.none() | st.integers(0, len(layers)))
        return choice, lambda d: edits.add_layer(d, kind, index)
    if choice == "remove_layer":
        index = data.draw(st.integers(0, len(layers) - 1))
        return choice, lambda d: edits.remove_layer(d, index)
    if choice == "move_layer":
        index = data.draw(st.integers(0, len(layers) - 1))
        step = data.draw(st.integers(-3, 3))
        return choice, lambda d: edits.move_layer(d, index, step)
    if choice == "set_layer_field":
        index = data.draw(st.integers(0, len(layers) - 1))
        key, value = data.draw(
            st.sampled_from(["units", "activation", "rate", "from"]).flatmap(
                lambda k: st.tuples(
                    st.just(k),
                    {
                        "units": st.integers(0, 40),
                        "activation": st.sampled_from(spec.ACTIVATIONS) | st.none(),
                        "rate": st.floats(0, 1),
                        "from": st.sampled_from(edits.all_names(design)) | st.none(),
                    }[k],
                )
            )
        )
        return choice, lambda d: edits.set_field(d, "layers", index, key, value)
    if choice == "add_head":
        target = data.draw(st.none() | st.sampled_from(datasets.IRIS.names))
        return choice, lambda d: edits.add_head(d, target)
    if choice == "set_head_target":
        index = data.draw(st.integers(0, len(heads) - 1))
        target = data.draw(st.sampled_from(datasets.IRIS.names))
        return choice, lambda d: edits.set_head_target(d, index, target)
    if choice == "set_head_field":
        index = data.draw(st.integers(0, len(heads) - 1))
        key = data.draw(st.sampled_from(["activation", "loss", "loss_weight", "from"]))
        value = data.draw(
            {
                "activation": st.sampled_from(spec.ACTIVATIONS) | st.none(),
                "loss": st.sampled_from(spec.LOSSES) | st.none(),
                "loss_weight": st.floats(0, 5) | st.none(),
                "from": st.sampled_from(edits.all_names(design)) | st.none(),
            }[key]
        )
        return choice, lambda d: edits.set_field(d, "heads", index, key, value)
    if choice == "remove_head":
        index = data.draw(st.integers(0, len(heads) - 1))
        return choice, lambda d: edits.remove_head(d, index)
    if choice == "set_training":
        key = data.draw(st.sampled_from(list(spec.DEFAULT_TRAINING)))
        value = data.draw(
            {
                "optimizer": st.sampled_from(spec.OPTIMIZERS),
                "learning_rate": st.floats(1e-5, 1),
                "epochs": st.integers(1, 2000),
                "batch_size": st.integers(1, 1000),
                "test_size": st.floats(0.05, 0.95),
                "validation_split": st.floats(0, 0.9),
                "seed": st.integers(-(2**31), 2**31),
                "early_stopping_patience": st.none() | st.integers(1, 50),
            }[key]
        )
        return choice, lambda d: edits.set_training(d, key, value)
    if choice == "add_input_group":
        return choice, edits.add_input_group
    if choice == "remove_input_group":
        name = data.draw(st.sampled_from(list(groups)))
        return choice, lambda d: edits.remove_input_group(d, name)
    if choice == "rename":
        old = data.draw(st.sampled_from(edits.all_names(design)))
        new = data.draw(st.sampled_from(["hidden_1", "input", "species", "x"]) | NAME_CHARS)
        return choice, lambda d: edits.rename(d, old, new)
    # set_inputs: a random split of the columns into up to three groups
    columns = data.draw(st.lists(st.sampled_from(datasets.IRIS.numbers), min_size=1, max_size=4, unique=True))
    names = data.draw(
        st.lists(st.sampled_from(["input", *groups, "extra", "other"]), min_size=1, max_size=3, unique=True)
    )
    split = {name: columns[i :: len(names)] for i, name in enumerate(names) if columns[i :: len(names)]}
    return choice, lambda d: edits.set_inputs(d, split)


def check_kept(design: dict) -> None:
    text = json.dumps(design)
    assert json.loads(text) == design
    summary = summarize(design)
    assert summary.total == sum(row.total for row in summary.rows)
    assert summary.trainable + summary.non_trainable == summary.total
    assert [row.name for row in summary.rows] == [node.name for node in resolve(design).used_nodes]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(key=st.sampled_from(list(PRESETS)), data=st.data())
def test_random_edit_sequences_keep_valid_designs_usable(key, data):
    design = load(key)
    kept = 0
    for _ in range(30):
        name, edit = _draw_edit(data, design)
        before = copy.deepcopy(design)
        result = edit(design)
        assert design == before, f"{name} changed its argument"
        assert result is not design
        if not errors(validate(result)):
            design = result
            kept += 1
            check_kept(design)
    check_kept(design)
