"""A design as a runnable Keras script, in the three API styles the lecture teaches.

Each script is complete: imports, the same data preparation the app uses (the
same loader, split, scaling and one-hot encoding), a
``build_model()`` that returns the model, then (under ``__main__``) compile,
fit and evaluate with the design's settings. Sequential can express only one
input, a chain of layers and one head on the last layer; :func:`sequential_problem`
says in a sentence why a design is not such a chain.

Names are data: a column's name, a category value, a CSV file's name, a
layer's, head's or input's name reach the script only as string literals
(:func:`designer.sinks.python_literal`, through :func:`_source`), never as code,
and never in a docstring or a comment. Black lays the script out; it is not
what makes it sound.
"""

from __future__ import annotations

import builtins
import keyword
import textwrap

from designer import csv_table, datasets, spec
from designer.keras_model import seed_offsets
from designer.network import Network, Node, resolve
from designer.optimizers import keras_class_name
from designer.runs import Head, heads_of
from designer.sinks import python_literal
from designer.validation import ensure_valid

STYLES = ("sequential", "functional", "subclassing")
# keras.Model's public attributes and the ones it sets on itself: a layer named
# like one of them is stored under another attribute name in a subclassed model.
MODEL_ATTRIBUTES = frozenset(
    """add_loss add_metric add_variable add_weight build build_from_config built call compile
    compile_from_config compiled compiled_loss compiled_metrics compute_dtype compute_loss compute_mask
    compute_metrics compute_output_shape compute_output_spec count_params distribute_reduction_method
    distribute_strategy dtype dtype_policy evaluate export fit from_config get_build_config
    get_compile_config get_config get_layer get_metrics_result get_quantization_layer_structure
    get_state_tree get_weights history input input_dtype input_spec inputs jit_compile layers
    load_own_variables load_weights loss losses make_predict_function make_test_function
    make_train_function metrics metrics_names metrics_variables name non_trainable_variables
    non_trainable_weights optimizer output outputs path predict predict_function predict_on_batch
    predict_step quantization_mode quantize quantized_build quantized_call rematerialized_call
    reset_metrics run_eagerly save save_own_variables save_weights set_state_tree set_weights
    stateless_call stateless_compute_loss steps_per_execution stop_training summary supports_masking
    symbolic_call test_function test_on_batch test_step to_json train_function train_on_batch
    train_step trainable trainable_variables trainable_weights variable_dtype variables weights
    activity_regularizer autocast call_signature_parameters supports_jit unrolled_steps_per_execution""".split()  # noqa: SIM905
)


def _class_name(table_name: str) -> str:
    return "".join(part.capitalize() for part in table_name.split("_")) + "Net"


# Names a generated function must not rebind: the script's own imports, globals and helpers.
SCRIPT_NAMES = frozenset(
    {"keras", "layers", "np", "sys", "math", "model", "self", "training", "data", "inputs", "kwargs"}
    | {"SEED", "FILE", "COLUMNS", "INPUTS", "load_data", "build_model", "ShuffledBatches", "pd", "read_table", "codes"}
    | {"NUMBERS", "CATEGORIES", "CLASSES", "strata", "rows", "frame", "blocks", "as_text", "numbers", "name"}
    | {_class_name(name) for name in (*datasets.BUILT_IN, datasets.CSV)}
)


class ExportError(ValueError):
    """A style that cannot express the design; the message says why."""


def sequential_problem(design: dict) -> str | None:
    """Why the Sequential API cannot express a valid design, or None if it can."""
    net = resolve(ensure_valid(design))
    if len(net.inputs) > 1:
        return f"it has {len(net.inputs)} inputs, and a Sequential model takes exactly one."
    if len(net.heads) > 1:
        return f"it has {len(net.heads)} output heads, and a Sequential model has exactly one output."
    previous = net.inputs[0].name
    for node in net.nodes[len(net.inputs) :]:
        if node.spec.joins:
            return f"layer {node.name!r} joins several layers, and a Sequential model is a single chain."
        if node.sources != (previous,):
            what = "its head" if node.is_head else f"layer {node.name!r}"
            return (
                f"{what} takes {node.sources[0]!r} rather than the layer just before it, so it is not a single chain."
            )
        if not node.used:
            return f"layer {node.name!r} reaches no head, so the layers are not a single chain."
        previous = node.name
    return None


def export(design: dict, style: str) -> str:
    """The Keras script of a valid design in ``style`` (sequential, functional or subclassing)."""
    if style not in STYLES:
        raise ExportError(f"style must be one of {', '.join(STYLES)}, got {style!r}")
    net = resolve(ensure_valid(design))
    if style == "sequential" and (problem := sequential_problem(design)):
        raise ExportError(f"The Sequential API cannot express this design: {problem} Use the Functional API.")
    builder = {"sequential": _sequential, "functional": _functional, "subclassing": _subclassing}[style]
    heads = heads_of(design)
    parts = [
        _header(design, net, style),
        _data(design, net, heads),
        builder(net, datasets.of(design)),
        _batches(),
        _main(design, heads),
    ]
    return _formatted("\n\n\n".join(parts))


def _formatted(code: str) -> str:
    """The script as Black (the formatter most Python code is written to) lays it out.

    Every name is a literal, so the code always parses; should it not, that is
    this module's fault, reported as an ExportError rather than Black's traceback.
    """
    import black

    try:
        return black.format_str(code, mode=black.Mode())
    except black.parsing.InvalidInput as error:
        raise ExportError(f"The script could not be written: its code does not parse ({error}).") from error


def _source(value: object) -> str:
    """``value`` as a Python literal: every text through :func:`python_literal`, lists and dicts built of them.

    ``["hours", "school"]`` gives ``['hours', 'school']`` (Black writes the
    quotes double), ``{"school": ["North", "South"]}`` a dict literal; numbers,
    booleans and None as ``repr`` writes them.
    """
    if isinstance(value, str):
        return python_literal(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_source(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_source(key)}: {_source(item)}" for key, item in value.items()) + "}"
    if value is None or isinstance(value, bool | int | float):
        return repr(value)
    raise ExportError(f"The script could not be written: no Python literal for a {type(value).__name__}.")


def file_name(style: str, design: dict | None = None) -> str:
    """The file name a script of ``style`` is offered under: ``iris_functional.py``, ``wine_sequential.py``."""
    return f"{_table(design).name}_{style}.py"


def _table(design: dict | None) -> datasets.Table:
    return datasets.IRIS if design is None else datasets.of(design)


def class_name(table: datasets.Table) -> str:
    """The subclassed model's class: ``IrisNet``, ``BreastCancerNet``, ``CsvNet``."""
    return _class_name(table.name)


# How each table is read, as the script reads it: the same loader the designer uses, no download.
CSV_READER = """    # Your own file, beside this script, read as the designer reads it.
    frame = pd.read_csv(
        FILE,
        sep=None,  # sniffed: comma, semicolon, tab or bar
        engine="python",
        encoding="utf-8-sig",
        skipinitialspace=True,
        index_col=False,
        usecols=lambda name: str(name).strip() in COLUMNS,  # a separator ending some rows is no column
        keep_default_na=False,
        na_values={missing},
        dtype=str,
    )
    frame.columns = [str(name).strip() for name in frame.columns]
    frame = frame[COLUMNS].apply(lambda column: column.str.strip().replace("", np.nan))
    for name in COLUMNS:
        numbers = pd.to_numeric(frame[name], errors="coerce")
        if name not in CLASSES:
            frame[name] = numbers
        elif numbers.notna().sum() == frame[name].notna().sum():  # categories of numbers
            frame[name] = numbers.map(as_text)
    return frame


def as_text(value):
    \"\"\"A number as a category's text: 1 for 1.0, as the designer writes it.\"\"\"
    if pd.isna(value):
        return value
    return str(int(value)) if float(value).is_integer() else repr(float(value))"""


def _loader(table: datasets.Table) -> tuple[str, str]:
    """The import and the body of the script's ``read_table()``."""
    if table.name == "penguins":
        return "from palmerpenguins import load_penguins", "    return load_penguins()"
    if table.name == datasets.CSV:
        return "", CSV_READER.replace("{missing}", _source(list(csv_table.MISSING)))
    loader = f"load_{table.name}"
    return f"from sklearn.datasets import {loader}", (
        f"    bunch = {loader}()\n"
        f"    frame = pd.DataFrame(bunch.data, columns={_source(table.numbers)})\n"
        f"    frame[{_source(table.target)}] = np.asarray(bunch.target_names).astype(str)[bunch.target]\n"
        "    return frame"
    )


def _header(design: dict, net: Network, style: str) -> str:
    api = {"sequential": "Sequential API", "functional": "Functional API", "subclassing": "model subclassing"}[style]
    table = datasets.of(design)
    # A CSV design's title is its file's name: the docstring says what it is, FILE names it (a literal).
    title = "your CSV file" if table.name == datasets.CSV else table.title
    heads = ", ".join(head.name for head in net.heads)  # names validation keeps to letters, digits and _
    about = textwrap.fill(f"Exported from the Keras Network Designer. Outputs: {heads}.", width=79)
    loader = _loader(table)[0]
    encoder = "OneHotEncoder, " if any(node.entry["one_hot"] for node in net.inputs) else ""
    return "\n".join(
        [
            f'"""A network on {title} in Keras: {api}.',
            "",
            about,
            f"Run it as it is: python {file_name(style, design)} [EPOCHS]",
            '"""',
            "",
            "import math",
            "import sys",
            "",
            "import keras",
            "import numpy as np",
            *(["import pandas as pd"] if table.name != "penguins" else []),  # load_penguins() gives a frame
            "from keras import layers",
            *([loader] if loader else []),
            "from sklearn.model_selection import train_test_split",
            f"from sklearn.preprocessing import {encoder}StandardScaler",
        ]
    )


def _target(table: datasets.Table, target: str) -> tuple[str, str]:
    """The expression of a head's target values, and a comment on what they are (naming no column or value)."""
    column = table.column(target)
    name = _source(target)
    if column.is_category and len(column.categories) == 2:
        return f'(codes(rows, {name}) == 1).astype("float32")[:, None]', "1 for its second class in CLASSES, else 0"
    if column.is_category:
        return (
            f"keras.utils.to_categorical(codes(rows, {name}), {len(column.categories)})",
            "one-hot, its classes in the order of CLASSES",
        )
    return f'rows[[{name}]].to_numpy("float32")', "the measurement, in its own units"


DATA_TEMPLATE = '''{file}COLUMNS = {used}  # the columns the design reads
NUMBERS = {numbers}  # number inputs: scaled
CATEGORIES = {categories}  # category inputs: one-hot
CLASSES = {classes}
INPUTS = {inputs}
SEED = {seed}


def read_table():
    """The whole table, as the designer reads it."""
{reader}


def codes(rows, column):
    """A category column's values as 0, 1, ... in the order of its classes."""
    return rows[column].map(CLASSES[column].index).to_numpy()


def load_data():
    """The table split, scaled and encoded as the designer does it.

{about}
    """
    frame = read_table().dropna(subset={needed}).reset_index(drop=True)
    strata = {strata}
    rows = np.arange(len(frame))
    train, test = train_test_split(rows, test_size={test_size}, random_state=SEED, stratify=strata)
{split_validation}    fitted = frame.iloc[np.sort(train)]
    scaler = StandardScaler().fit(fitted[NUMBERS].to_numpy(float)) if NUMBERS else None
    encoder = {encoder}

    def part(part_rows):
        rows = frame.iloc[np.sort(part_rows)]
        blocks = {{}}
        if NUMBERS:
            scaled = scaler.transform(rows[NUMBERS].to_numpy(float))
            blocks.update({{c: scaled[:, [i]] for i, c in enumerate(NUMBERS)}})
        if CATEGORIES:
            encoded, start = encoder.transform(rows[list(CATEGORIES)].astype(str)), 0
            for column, values in CATEGORIES.items():
                blocks[column], start = encoded[:, start : start + len(values)], start + len(values)
        x = {{name: np.hstack([blocks[c] for c in cols]).astype("float32") for name, cols in INPUTS.items()}}
        {y}
        return {x_return}, y

    return {returned}'''


def _data(design: dict, net: Network, heads: list[Head]) -> str:
    settings = spec.training_settings(design)
    table = datasets.of(design)
    inputs = {node.name: node.entry["columns"] for node in net.inputs}
    taken = {c for cols in inputs.values() for c in cols}
    used = [c for c in table.names if c in taken or c in {h.target for h in heads}]
    stratum = datasets.stratified_on(design)
    strata = stratum.name if stratum else None
    split_validation = (
        "    train, validation = train_test_split(\n"
        f"        train, test_size={settings['validation_split']!r}, random_state=SEED, "
        f"stratify={'strata[train]' if strata else 'None'}\n"
        "    )\n"
        if settings["validation_split"] > 0
        else ""
    )
    if len(heads) == 1:
        expression, comment = _target(table, heads[0].target)
        y = f"# {comment}\n        y = {expression}"
    else:
        entries = "".join(
            f"            # {c}\n            {_source(h.name)}: {e},\n"
            for h in heads
            for e, c in [_target(table, h.target)]
        )
        y = "y = {\n" + entries + "        }"
    about = textwrap.fill(
        "Rows missing a value in a column the design reads are dropped. A train/test split"
        + (" stratified on a class column's classes (strata, below)" if strata else "")
        + ", a validation part taken from the training rows, a StandardScaler (numbers) and a OneHotEncoder"
        " (categories) fitted on the training rows only; class targets one-hot, measurements in their own units.",
        width=79,
        initial_indent="    ",
        subsequent_indent="    ",
    )
    categories = {c.name: list(c.categories) for c in table.columns if c.is_category and c.name in taken}
    encoder = (
        'OneHotEncoder(categories=list(CATEGORIES.values()), sparse_output=False, handle_unknown="ignore")'
        ".fit(fitted[list(CATEGORIES)].astype(str))"
    )
    return DATA_TEMPLATE.format(
        file=f"# Your CSV file's name, as you gave it: it goes beside this script.\nFILE = {_source(table.file)}\n"
        if table.name == datasets.CSV
        else "",
        used=_source(used),
        numbers=_source([c for c in table.numbers if c in taken]),
        categories=_source(categories),
        classes=_source({c.name: list(c.categories) for c in table.columns if c.is_category}),
        inputs=_source(inputs),
        seed=repr(settings["seed"]),
        reader=_loader(table)[1],
        about=about,
        needed=_source(used + ([strata] if strata and strata not in used else [])),
        strata=f"codes(frame, {_source(strata)})" if strata else "None",
        test_size=repr(settings["test_size"]),
        split_validation=split_validation,
        encoder=encoder if categories else "None",
        y=y,
        x_return=f"x[{_source(next(iter(inputs)))}]" if len(inputs) == 1 else "x",
        returned="part(train), part(validation), part(test)"
        if settings["validation_split"] > 0
        else "part(train), None, part(test)  # no validation part",
    )


def _python_names(net: Network, unsafe) -> dict[str, str]:
    """A Python name for every node: its own, with ``_`` appended while unsafe or already another's."""
    own = {node.name for node in net.nodes}
    names: dict[str, str] = {}
    for node in net.nodes:
        name = node.name
        if not name.isidentifier():  # validation keeps names to letters, digits and _: never code
            raise ExportError(f"The name {name!r} is not a Python name, so it cannot name a variable.")
        while unsafe(name) or name in names.values() or (name != node.name and name in own):
            name += "_"
        names[node.name] = name
    return names


def _variables(net: Network) -> dict[str, str]:
    """Variable names that shadow no keyword, builtin or name of the script's own."""
    return _python_names(net, lambda n: keyword.iskeyword(n) or n in SCRIPT_NAMES or hasattr(builtins, n))


def _attributes(net: Network) -> dict[str, str]:
    """Attribute names of a subclassed model that clash with no keyword or attribute of keras.Model."""
    return _python_names(net, lambda n: keyword.iskeyword(n) or n in MODEL_ATTRIBUTES)


def _layer_call(node: Node, offsets: dict[str, int]) -> str:
    """The Keras layer constructor of a layer or head, seeded as the designer seeds it.

    ``layers.Dense(8, activation="relu", kernel_initializer=...(seed=SEED + 1), name="hidden_1")``.
    """
    positional, keywords = node.spec.keras_arguments(node.entry, node.width)
    arguments = [_source(value) for value in positional]
    arguments += [f"{key}={_source(value)}" for key, value in keywords.items()]
    if node.spec.seeded:
        arguments.append(node.spec.seeded.source(f"SEED + {offsets[node.name]}"))
    arguments.append(f"name={_source(node.name)}")
    return f"layers.{node.spec.keras_class}({', '.join(arguments)})"


def _sequential(net: Network, table: datasets.Table) -> str:
    (only_input,) = net.inputs
    stack = [f"keras.Input(shape=({only_input.width},), name={_source(only_input.name)})"]
    offsets = seed_offsets(net)
    stack += [_layer_call(node, offsets) for node in net.used_nodes if not node.is_input]
    items = "".join(f"            {item},\n" for item in stack)
    return f'''def build_model():
    """A stack of layers, one after the other."""
    return keras.Sequential(
        [
{items}        ],
        name={_source(f"{table.name}_sequential")},
    )'''


def _arguments(node: Node, var: dict[str, str]) -> str:
    sources = [var[source] for source in node.sources]
    return f"[{', '.join(sources)}]" if node.spec.joins else sources[0]


def _functional(net: Network, table: datasets.Table) -> str:
    var, offsets = _variables(net), seed_offsets(net)
    lines = [
        f"    {var[node.name]} = keras.Input(shape=({node.width},), name={_source(node.name)})" for node in net.inputs
    ]
    for node in net.used_nodes:
        if not node.is_input:
            lines.append(f"    {var[node.name]} = {_layer_call(node, offsets)}({_arguments(node, var)})")
    inputs = [var[node.name] for node in net.inputs]
    outputs = [var[node.name] for node in net.heads]
    inputs_text = inputs[0] if len(inputs) == 1 else f"[{', '.join(inputs)}]"
    outputs_text = outputs[0] if len(outputs) == 1 else f"[{', '.join(outputs)}]"
    body = "\n".join(lines)
    return f'''def build_model():
    """Layers called on tensors, from the inputs to the outputs."""
{body}
    return keras.Model(inputs={inputs_text}, outputs={outputs_text}, name={_source(f"{table.name}_functional")})'''


def _subclassing(net: Network, table: datasets.Table) -> str:
    var, attribute, offsets = _variables(net), _attributes(net), seed_offsets(net)
    layers = [node for node in net.used_nodes if not node.is_input]
    creations = "\n".join(f"        self.{attribute[node.name]} = {_layer_call(node, offsets)}" for node in layers)
    if len(net.inputs) == 1:
        reads = [f"        {var[net.inputs[0].name]} = inputs"]
    else:
        reads = [f"        {var[node.name]} = inputs[{_source(node.name)}]" for node in net.inputs]
    calls = []
    for node in layers:
        training = ", training=training" if node.spec.behaves_differently_in_training else ""
        calls.append(f"        {var[node.name]} = self.{attribute[node.name]}({_arguments(node, var)}{training})")
    if len(net.heads) == 1:
        result = var[net.heads[0].name]
    else:
        result = "{" + ", ".join(f"{_source(head.name)}: {var[head.name]}" for head in net.heads) + "}"
    sample = (
        f"keras.ops.zeros((1, {net.inputs[0].width}))"
        if len(net.inputs) == 1
        else "{" + ", ".join(f"{_source(node.name)}: keras.ops.zeros((1, {node.width}))" for node in net.inputs) + "}"
    )
    body = "\n".join(reads + calls)
    return f'''class {class_name(table)}(keras.Model):
    """The layers are made in __init__ and wired in call."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
{creations}

    def call(self, inputs, training=False):
{body}
        return {result}


def build_model():
    """A {class_name(table)}, called once on a sample so that its weights exist."""
    model = {class_name(table)}(name={_source(f"{table.name}_subclassed")})
    model({sample})
    return model'''


def _batches() -> str:
    return '''class ShuffledBatches(keras.utils.PyDataset):
    """The training rows in batches, in a new order each epoch: the designer's order.

    Each epoch begins with a permutation drawn from NumPy's generator seeded
    with the design's seed, so the same seed visits the rows as the app does.
    """

    def __init__(self, x, y, batch_size, seed):
        super().__init__()
        self.x, self.y, self.batch_size = x, y, batch_size
        self.rows = len(keras.tree.flatten(y)[0])
        self.orders = np.random.default_rng(seed)
        self.order = np.arange(self.rows)  # fit looks at a batch or two before the first epoch

    def on_epoch_begin(self):
        self.order = self.orders.permutation(self.rows)

    def __len__(self):
        return math.ceil(self.rows / self.batch_size)

    def __getitem__(self, index):
        batch = self.order[index * self.batch_size : (index + 1) * self.batch_size]
        return keras.tree.map_structure(lambda part: part[batch], (self.x, self.y))'''


def _main(design: dict, heads: list[Head]) -> str:
    settings = spec.training_settings(design)
    optimizer_class = keras_class_name(settings["optimizer"])
    optimizer = f"keras.optimizers.{optimizer_class}(learning_rate={settings['learning_rate']!r})"
    if len(heads) == 1:
        loss, metrics = _source(heads[0].loss), _source([heads[0].metric])
        weights = f"\n        loss_weights=[{heads[0].weight!r}]," if heads[0].weight != 1 else ""
    else:
        loss = _source({h.name: h.loss for h in heads})
        metrics = _source({h.name: [h.metric] for h in heads})
        weights = "\n        loss_weights={" + ", ".join(f"{_source(h.name)}: {h.weight!r}" for h in heads) + "},"
    patience = settings["early_stopping_patience"]
    monitor = "val_loss" if settings["validation_split"] > 0 else "loss"
    stopper = f"keras.callbacks.EarlyStopping({_source(monitor)}, patience={patience}, restore_best_weights=True)"
    callbacks = f"\n        callbacks=[{stopper}]," if patience else ""
    return f"""if __name__ == "__main__":
    epochs = int(sys.argv[1]) if len(sys.argv) > 1 else {settings["epochs"]}
    (x_train, y_train), validation, (x_test, y_test) = load_data()
    model = build_model()
    model.summary()
    model.compile(
        optimizer={optimizer},
        loss={loss},{weights}
        metrics={metrics},
    )
    history = model.fit(
        ShuffledBatches(x_train, y_train, batch_size={settings["batch_size"]}, seed=SEED),
        validation_data=validation,
        epochs=epochs,
        shuffle=False,  # the batches come in ShuffledBatches' order{callbacks}
        verbose=2,
    )
    # The same lines as python -m designer train prints, to compare side by side.
    # All the test rows go in one batch: over several, Keras 3.15's per-head losses
    # come out unlike their exact means (4,047 g against 4,133 g for the penguins'
    # body mass over 67 test rows in batches of 32).
    rows = len(keras.tree.flatten(y_test)[0])
    test = model.evaluate(x_test, y_test, batch_size=rows, return_dict=True, verbose=0)
    print(f"Trained {{len(history.history['loss'])}} epochs. Test metrics ({{rows}} rows):")
    for name, value in test.items():
        print(f"  {{name:<{{max(map(len, test))}}}}  {{value:.4f}}")
"""
