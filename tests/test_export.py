"""The exported Keras scripts, checked by loading, building, linting and running them.

Every script is loaded as a module without running its ``__main__`` block; its
``build_model()`` must build the model the designer counts (total and per-layer
parameters, layer names, outputs in head order) and its ``load_data()`` must
return exactly the arrays ``designer.data.prepare`` makes. The command line's
``export`` and ``link`` commands are run as a learner would run them; the
scripts run as programs in ``test_export_reproduces``.

The random designs come from ``random_design`` of ``test_params_against_keras``
(reproducible by seed), so a failure names the seed that shows it.
"""

from __future__ import annotations

import ast
import keyword
import subprocess
import sys
import types
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import black
import numpy as np
import pytest
from test_params_against_keras import random_design

from designer import data, export, links, params, presets, spec
from designer.network import resolve
from designer.validation import ensure_valid

pytestmark = pytest.mark.keras

import keras  # noqa: E402
from cli_support import preset_path, run_cli  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
EXIT_INVALID = 2
PRESETS = {p.key: p for p in presets.presets()}
PRESET_DESIGNS = {key: preset.load() for key, preset in PRESETS.items()}

N_RANDOM = 60  # random designs exported in every style that applies
N_EXTRA_SEQUENTIAL = 12  # more random designs that are a single chain, so Sequential sees enough
RUFF_SELECT = "E,F,W,B,UP"
FORBIDDEN = ("eval(", "exec(", "pickle", "__import__", "keras.src")
UNSAFE_CALLS = ("eval", "exec", "compile", "__import__", "getattr", "setattr")

# Bugs in designer/export.py that the tests below show (see each reason).
BUG_LONG_LINES = (
    'a known limit: Black cannot wrap a dict entry such as `"<40-character head>": <40-character head>,` '
    "(97 characters), so designs with very long names exceed 88 characters"
)


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def load_script(code: str) -> types.ModuleType:
    """The script as a module, its ``__main__`` block not run."""
    module = types.ModuleType("exported_script")
    exec(compile(code, "<export>", "exec"), module.__dict__)
    return module


def styles_for(design: dict) -> list[str]:
    return [s for s in export.STYLES if s != "sequential" or export.sequential_problem(design) is None]


def sample_inputs(design: dict, rows: int = 2):
    """Zeros shaped like the design's inputs: one tensor for one input, else a dict by input name."""
    inputs = resolve(design).inputs
    if len(inputs) == 1:
        return keras.ops.zeros((rows, inputs[0].width))
    return {node.name: keras.ops.zeros((rows, node.width)) for node in inputs}


def weight_count(weights) -> int:
    return sum(int(np.prod(w.shape)) for w in weights)


def build_problems(design: dict, style: str) -> list[str]:
    """Every way the ``style`` script's model differs from what the designer counts."""
    problem = export.sequential_problem(design)
    if style == "sequential" and problem is not None:
        try:
            export.export(design, style)
        except export.ExportError as error:
            message = str(error)
            if problem not in message or "Functional API" not in message:
                return [f"ExportError {message!r} does not give the reason {problem!r} and the Functional API"]
            return []
        return [f"sequential export did not raise ExportError ({problem})"]

    summary = params.summarize(design)
    rows = summary.by_name()
    net = resolve(design)
    heads = [head.name for head in net.heads]
    model = load_script(export.export(design, style)).build_model()
    problems = []
    if model.count_params() != summary.total:
        problems.append(f"count_params {model.count_params()} != designer total {summary.total}")

    names = [layer.name for layer in model.layers]
    if style == "functional":
        expected = [row.name for row in summary.rows]
        if sorted(names) != sorted(expected):
            problems.append(f"layers {sorted(names)} != design {sorted(expected)}")
        if [t.name for t in model.inputs] != [node.name for node in net.inputs]:
            problems.append(f"inputs {[t.name for t in model.inputs]} != {[node.name for node in net.inputs]}")
    else:  # Sequential and subclassed models list no InputLayer; their layers come in design order
        expected = [row.name for row in summary.rows if row.kind != "input"]
        if names != expected:
            problems.append(f"layers {names} != design {expected}")
    for layer in model.layers:
        row = rows.get(layer.name)
        if row is None:
            continue
        got = (layer.count_params(), weight_count(layer.trainable_weights), weight_count(layer.non_trainable_weights))
        if got != (row.total, row.trainable, row.non_trainable):
            problems.append(f"{layer.name}: (total, trainable, non-trainable) {got} != designer {row}")

    outputs = model(sample_inputs(design))
    if style == "subclassing":
        if len(heads) == 1:
            output_names = heads if not isinstance(outputs, dict) else list(outputs)
            outputs = [outputs] if not isinstance(outputs, dict) else list(outputs.values())
        else:
            output_names = list(outputs) if isinstance(outputs, dict) else ["<not a dict>"]
            outputs = list(outputs.values()) if isinstance(outputs, dict) else []
    elif style == "sequential":  # Keras 3's Sequential has no output_names: its output is its last layer's
        output_names = [model.layers[-1].name]
        outputs = [outputs]
    else:
        output_names = list(model.output_names)
        outputs = [outputs] if len(heads) == 1 else list(outputs)
    if output_names != heads:
        problems.append(f"output names {output_names} != heads {heads}")
    shapes = [tuple(output.shape) for output in outputs]
    if shapes != [(2, head.width) for head in net.heads]:
        problems.append(f"output shapes {shapes} != {[(2, head.width) for head in net.heads]}")
    return problems


def keras_attribute(chain: list[str]):
    """The object ``keras.a.b.c`` (or ``layers.a``) names, or None if Keras has no such public name."""
    roots = {"keras": keras, "layers": keras.layers}
    value = roots[chain[0]]
    for part in chain[1:]:
        if part.startswith("_") or not hasattr(value, part):
            return None
        value = getattr(value, part)
    return value


def attribute_chain(node: ast.AST) -> list[str] | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return [node.id, *reversed(parts)]
    return None


def static_problems(code: str) -> list[str]:
    """Format, safety and public-API problems of a script (ruff is run separately)."""
    problems = []
    if black.format_str(code, mode=black.Mode()) != code:
        problems.append("not formatted as Black formats it")
    for word in FORBIDDEN:
        if word in code:
            problems.append(f"contains {word!r}")
    compile(code, "<export>", "exec")
    tree = ast.parse(code)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            if node.attr.startswith("_") and not (node.attr.startswith("__") and node.attr.endswith("__")):
                problems.append(f"line {node.lineno}: private attribute {ast.unparse(node)}")
            chain = attribute_chain(node)
            if chain and chain[0] in ("keras", "layers") and keras_attribute(chain) is None:
                problems.append(f"line {node.lineno}: {'.'.join(chain)} is not public Keras API")
        elif isinstance(node, ast.Import | ast.ImportFrom):
            module = node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
            if module and (module.startswith("keras.") or module.startswith("tensorflow")):
                problems.append(f"line {node.lineno}: imports {module}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in UNSAFE_CALLS:
            problems.append(f"line {node.lineno}: calls {node.func.id}")
    return problems


def ruff(target: str = "-", *options: str, code: str | None = None) -> subprocess.CompletedProcess:
    """``ruff check --isolated --select E,F,W,B,UP`` on a folder, or on ``code`` given on stdin."""
    command = [sys.executable, "-m", "ruff", "check", "--isolated", "--no-cache", "--select", RUFF_SELECT, *options]
    return subprocess.run(
        [*command, "--output-format", "concise", target],
        input=code,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )


def fit_call(code: str) -> ast.Call:
    """The script's ``model.fit(...)`` call."""
    calls = [
        node
        for node in ast.walk(ast.parse(code))
        if isinstance(node, ast.Call) and ast.unparse(node.func) == "model.fit"
    ]
    assert len(calls) == 1, [ast.unparse(c) for c in calls]
    return calls[0]


def keywords_of(call: ast.Call) -> dict[str, ast.expr]:
    return {k.arg: k.value for k in call.keywords}


def with_training(design: dict, **training) -> dict:
    return {**spec.clone(design), "training": {**design.get("training", {}), **training}}


def random_seeds() -> list[int]:
    """The first N_RANDOM seeds, then N_EXTRA_SEQUENTIAL more whose designs are a single chain."""
    extra, seed = [], N_RANDOM
    while len(extra) < N_EXTRA_SEQUENTIAL:
        if export.sequential_problem(random_design(seed)[0]) is None:
            extra.append(seed)
        seed += 1
    return list(range(N_RANDOM)) + extra


RANDOM_SEEDS = random_seeds()
RANDOM_DESIGNS = {seed: random_design(seed)[0] for seed in RANDOM_SEEDS}


# --------------------------------------------------------------------------
# build_model(): counts, names and outputs
# --------------------------------------------------------------------------


def test_unknown_style_is_an_export_error():
    with pytest.raises(export.ExportError, match="sequential, functional, subclassing"):
        export.export(PRESET_DESIGNS["lecture_sequential"], "graph")


@pytest.mark.parametrize("style", export.STYLES)
@pytest.mark.parametrize("key", list(PRESETS))
def test_preset_scripts_build_the_designed_model(key, style):
    assert build_problems(PRESET_DESIGNS[key], style) == []


@pytest.mark.parametrize("key", ["lecture_two_outputs", "two_input_branches"])
def test_sequential_export_explains_why_it_cannot(key):
    design = PRESET_DESIGNS[key]
    problem = export.sequential_problem(design)
    assert problem
    with pytest.raises(export.ExportError) as raised:
        export.export(design, "sequential")
    assert problem in str(raised.value)
    assert "Functional API" in str(raised.value)


def test_lecture_script_counts_273_in_every_style():
    for style in export.STYLES:
        model = load_script(export.export(PRESET_DESIGNS["lecture_sequential"], style)).build_model()
        assert model.count_params() == 273, style


@pytest.mark.parametrize("style", export.STYLES)
def test_random_design_scripts_build_the_designed_model(style):
    failures, built = {}, 0
    for seed, design in RANDOM_DESIGNS.items():
        built += style in styles_for(design)
        try:
            problems = build_problems(design, style)
        except Exception as error:  # a valid design must export and build
            problems = [f"{type(error).__name__}: {error}"]
        if problems:
            failures[seed] = problems
    report = "\n".join(f"random_design({seed}): " + "; ".join(p[:4]) for seed, p in failures.items())
    assert not failures, f"{len(failures)} of {len(RANDOM_DESIGNS)} designs fail in {style}:\n{report[:4000]}"
    assert built >= (N_EXTRA_SEQUENTIAL if style == "sequential" else N_RANDOM)


# --------------------------------------------------------------------------
# Names that collide with Python, the script, or keras.Model
# --------------------------------------------------------------------------


def chain_of(*names: str, heads: list[dict] | None = None) -> dict:
    return {
        "version": 1,
        "layers": [{"name": name, "units": 3} for name in names],
        "heads": heads or [{"name": "species", "target": "species"}],
    }


MODEL_NAMES = ("layers", "weights", "build", "call", "name", "summary", "fit", "inputs", "outputs", "trainable")
MODEL_NAMES += ("variables", "get_config", "dtype", "history", "optimizer", "loss", "metrics", "compile")
SCRIPT_AND_BUILTIN_NAMES = ("sum", "print", "len", "list", "type", "object", "super", "keras", "np", "sys", "model")
SCRIPT_AND_BUILTIN_NAMES += ("self", "training", "data", "kwargs", "COLUMNS", "INPUTS", "SEED", "load_data")
SCRIPT_AND_BUILTIN_NAMES += ("build_model", "IrisNet", "x", "y", "train_test_split", "StandardScaler")
SCRIPT_AND_BUILTIN_NAMES += ("ShuffledBatches", "math")
COLLISIONS = {
    "model_attributes": chain_of(*MODEL_NAMES, heads=[{"name": "output", "target": "species"}]),
    "builtins_and_script_names": chain_of(*SCRIPT_AND_BUILTIN_NAMES, heads=[{"name": "id", "target": "species"}]),
    "python_keywords": chain_of("lambda", "None", "True", heads=[{"name": "class", "target": "species"}]),
    "input_and_input_": chain_of("input_", "hidden"),
    "sum_and_sum_": {
        "version": 1,
        "layers": [
            {"name": "sum_", "units": 3},
            {"name": "sum", "units": 5, "from": "input"},
            {"name": "joined", "type": "concatenate", "from": ["sum_", "sum"]},
        ],
        "heads": [{"name": "species", "target": "species"}],
    },
    "layers_and_layers_layer": chain_of("layers", "layers_layer"),
    "input_named_inputs": {
        "version": 1,
        "inputs": {"inputs": ["sepal_length", "sepal_width"], "other": ["petal_length"]},
        "layers": [{"name": "joined", "type": "concatenate", "from": ["inputs", "other"]}],
        "heads": [{"name": "species", "target": "species"}],
    },
    "keyword_and_builtin_inputs": {
        "version": 1,
        "inputs": {"lambda": ["sepal_length"], "print": ["sepal_width"], "layers": ["petal_length"]},
        "layers": [{"name": "join", "type": "concatenate", "from": ["lambda", "print", "layers"]}],
        "heads": [{"name": "def", "target": "species"}, {"name": "weights", "target": "petal_width"}],
    },
    "activity_regularizer": chain_of("activity_regularizer"),
}
KNOWN_FAILURES: dict = {}  # every collision case builds


def collision_cases():
    for key in COLLISIONS:
        for style in export.STYLES:
            reason = KNOWN_FAILURES.get((key, style))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            yield pytest.param(key, style, marks=marks, id=f"{key}-{style}")


def test_collision_designs_are_valid_and_cover_keywords_and_model_attributes():
    for design in COLLISIONS.values():
        ensure_valid(design)
    names = {n.name for design in COLLISIONS.values() for n in resolve(design).nodes}
    assert any(keyword.iskeyword(n) for n in names)
    assert len(names & export.MODEL_ATTRIBUTES) >= 15
    assert {"sum", "print", "input"} <= names


@pytest.mark.parametrize(("key", "style"), collision_cases())
def test_names_that_collide_still_build(key, style):
    design = COLLISIONS[key]
    try:
        problems = build_problems(design, style)
    except Exception as error:
        problems = [f"{type(error).__name__}: {error}"]
    assert problems == []
    if style in styles_for(design):
        assert static_problems(export.export(design, style)) == []


def test_every_public_model_attribute_is_listed():
    public = {name for name in dir(keras.Model) if not name.startswith("_")}
    assert sorted(public - export.MODEL_ATTRIBUTES) == []


def test_every_attribute_a_model_sets_on_itself_is_listed():
    own = {name for name in vars(keras.Model()) if not name.startswith("_")}
    assert sorted(own - export.MODEL_ATTRIBUTES) == []


# --------------------------------------------------------------------------
# load_data(): the same arrays as designer.data.prepare
# --------------------------------------------------------------------------


def data_problems(design: dict, style: str = "functional") -> list[str]:
    prepared = data.prepare(design)
    net = resolve(design)
    loaded = load_script(export.export(design, style)).load_data()
    problems = []
    assert len(loaded) == 3
    for part_name, loaded_part, part in zip(
        ("train", "validation", "test"), loaded, (prepared.train, prepared.validation, prepared.test), strict=True
    ):
        if loaded_part is None:  # the script's way of saying: no validation part
            if len(part):
                problems.append(f"{part_name}: None, but prepare() has {len(part)} rows")
            continue
        x, y = loaded_part
        for what, got, want, names in (("x", x, part.x, net.inputs), ("y", y, part.y, net.heads)):
            if len(names) == 1:
                if not isinstance(got, np.ndarray):
                    problems.append(f"{part_name} {what}: a single {what} must be a bare array, got {type(got)}")
                    continue
                got = {names[0].name: got}
            elif not isinstance(got, dict) or list(got) != [n.name for n in names]:
                problems.append(f"{part_name} {what}: keys {list(got)} != {[n.name for n in names]}")
                continue
            for name, array in got.items():
                if np.shape(array) != want[name].shape:
                    problems.append(f"{part_name} {what}[{name}]: shape {np.shape(array)} != {want[name].shape}")
                elif not np.allclose(array, want[name], rtol=1e-6, atol=1e-6):
                    problems.append(f"{part_name} {what}[{name}]: values differ")
    return problems


@pytest.mark.parametrize("key", list(PRESETS))
def test_preset_load_data_matches_prepare(key):
    design = PRESET_DESIGNS[key]
    for style in styles_for(design):
        assert data_problems(design, style) == [], style


DATA_SETTINGS = [  # (seed of the random design, training settings)
    (0, {"test_size": 0.2, "validation_split": 0.2, "seed": 1}),
    (3, {"test_size": 0.3, "validation_split": 0.25, "seed": 7}),
    (5, {"test_size": 0.1, "validation_split": 0.1, "seed": 123}),
    (8, {"test_size": 0.5, "validation_split": 0.3, "seed": 0}),
    (13, {"test_size": 0.25, "validation_split": 0.15, "seed": 2024}),
    (21, {"test_size": 0.15, "validation_split": 0.4, "seed": 99}),
    (34, {"test_size": 0.35, "validation_split": 0.05, "seed": 31337}),
    (19, {}),  # the defaults
    (2, {"test_size": 0.2, "validation_split": 0, "seed": 5}),
    (27, {"test_size": 0.4, "validation_split": 0.0, "seed": 11}),
    (45, {"validation_split": 0}),
]


def data_cases():
    for seed, settings in DATA_SETTINGS:
        yield pytest.param(seed, settings, id=f"seed{seed}-{settings}")


@pytest.mark.parametrize(("seed", "settings"), data_cases())
def test_random_load_data_matches_prepare(seed, settings):
    design = with_training(random_design(seed)[0], **settings)
    assert data_problems(design) == []


def test_preset_load_data_without_validation_matches_prepare():
    design = with_training(PRESET_DESIGNS["lecture_two_outputs"], validation_split=0)
    assert len(data.prepare(design).validation) == 0
    assert data_problems(design) == []


# --------------------------------------------------------------------------
# The code itself: Black, ruff, public Keras API, nothing evaluated
# --------------------------------------------------------------------------


def clean_code_cases():
    for key, design in PRESET_DESIGNS.items():
        for style in styles_for(design):
            marks = []
            yield pytest.param(key, style, marks=marks, id=f"{key}-{style}")


@pytest.mark.parametrize(("key", "style"), clean_code_cases())
def test_preset_scripts_are_clean_code(key, style):
    code = export.export(PRESET_DESIGNS[key], style)
    assert static_problems(code) == []
    done = ruff(code=code)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("optimizer", spec.OPTIMIZERS)
def test_every_optimizer_is_a_public_keras_optimizer_in_the_script(optimizer):
    design = with_training(PRESET_DESIGNS["lecture_two_outputs"], optimizer=optimizer, learning_rate=0.05)
    code = export.export(design, "functional")
    assert static_problems(code) == []
    compiles = [
        n for n in ast.walk(ast.parse(code)) if isinstance(n, ast.Call) and ast.unparse(n.func) == "model.compile"
    ]
    (made,) = [k.value for k in compiles[0].keywords if k.arg == "optimizer"]
    optimizer_class = keras_attribute(attribute_chain(made.func))
    assert isinstance(optimizer_class(learning_rate=0.05), keras.optimizers.Optimizer)
    assert {k.arg: ast.literal_eval(k.value) for k in made.keywords} == {"learning_rate": 0.05}


@pytest.fixture(scope="module")
def random_scripts(tmp_path_factory) -> Path:
    """A folder with the script of every random design in every style that applies."""
    folder = tmp_path_factory.mktemp("random_scripts")
    for seed, design in RANDOM_DESIGNS.items():
        for style in styles_for(design):
            (folder / f"seed{seed}_{style}.py").write_text(export.export(design, style), encoding="utf-8")
    return folder


def test_random_design_scripts_are_clean_code(random_scripts):
    scripts = sorted(random_scripts.glob("*.py"))
    assert len(scripts) >= 2 * N_RANDOM + N_EXTRA_SEQUENTIAL
    problems = {path.name: found for path in scripts if (found := static_problems(path.read_text(encoding="utf-8")))}
    assert problems == {}
    done = ruff(str(random_scripts), "--ignore", "E501")  # line length: see the next test
    assert done.returncode == 0, done.stdout[:4000] + done.stderr


@pytest.mark.xfail(strict=True, reason=BUG_LONG_LINES)
def test_random_design_scripts_keep_lines_within_88_characters(random_scripts):
    done = ruff(str(random_scripts))
    assert done.returncode == 0, done.stdout[:4000] + done.stderr


# --------------------------------------------------------------------------
# compile() and fit(): early stopping, no validation part
# --------------------------------------------------------------------------

FIT_VARIANTS = {
    "defaults": {},
    "early_stopping": {"early_stopping_patience": 3},
    "no_validation": {"validation_split": 0},
    "early_stopping_without_validation": {"validation_split": 0, "early_stopping_patience": 7},
}


@pytest.mark.parametrize("variant", list(FIT_VARIANTS))
@pytest.mark.parametrize("key", ["lecture_sequential", "lecture_two_outputs"])
def test_fit_call_follows_the_training_settings(key, variant):
    design = with_training(PRESET_DESIGNS[key], **FIT_VARIANTS[variant])
    settings = spec.training_settings(design)
    for style in styles_for(design):
        call = fit_call(export.export(design, style))
        fit = keywords_of(call)
        assert ast.unparse(fit["epochs"]) == "epochs"
        (batches,) = call.args
        assert isinstance(batches, ast.Call) and ast.unparse(batches.func) == "ShuffledBatches"
        assert ast.literal_eval(keywords_of(batches)["batch_size"]) == settings["batch_size"]
        assert ast.unparse(keywords_of(batches)["seed"]) == "SEED"
        assert ast.literal_eval(fit["shuffle"]) is False  # the batches' own order, not fit's
        assert ast.unparse(fit["validation_data"]) == "validation", style
        no_part = "None, part(test)  # no validation part" in export.export(design, style)
        assert no_part == (settings["validation_split"] == 0), style
        patience = settings["early_stopping_patience"]
        if patience is None:
            assert "callbacks" not in fit, style
            continue
        callbacks = fit["callbacks"]
        assert isinstance(callbacks, ast.List) and len(callbacks.elts) == 1, style
        (stopper,) = callbacks.elts
        assert isinstance(stopper, ast.Call) and ast.unparse(stopper.func) == "keras.callbacks.EarlyStopping"
        arguments = {k.arg: ast.literal_eval(k.value) for k in stopper.keywords}
        assert arguments["patience"] == patience
        monitor = ast.literal_eval(stopper.args[0]) if stopper.args else arguments.get("monitor")
        assert monitor == ("val_loss" if settings["validation_split"] > 0 else "loss")


# --------------------------------------------------------------------------
# The command line: export and link
# --------------------------------------------------------------------------


CLI_COMMANDS = {
    **{f"export-{key}": ("export", preset_path(key), "--style", "functional") for key in PRESETS},
    **{f"link-{key}": ("link", preset_path(key)) for key in PRESETS},
    "export-sequential-two-outputs": ("export", preset_path("lecture_two_outputs"), "--style", "sequential"),
    "export-subclassing-branches": ("export", preset_path("two_input_branches"), "--style", "subclassing"),
}


@pytest.fixture(scope="module")
def cli_runs() -> dict[str, subprocess.CompletedProcess]:
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(CLI_COMMANDS, pool.map(lambda args: run_cli(*args), CLI_COMMANDS.values()), strict=True))


@pytest.mark.parametrize("key", list(PRESETS))
def test_cli_export_prints_the_script(cli_runs, key):
    done = cli_runs[f"export-{key}"]
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert done.stdout == export.export(spec.load(preset_path(key)), "functional")


def test_cli_export_subclassing_prints_the_script(cli_runs):
    done = cli_runs["export-subclassing-branches"]
    assert done.returncode == 0, done.stderr
    assert done.stdout == export.export(PRESET_DESIGNS["two_input_branches"], "subclassing")


def test_cli_export_sequential_of_two_outputs_exits_2_with_the_reason(cli_runs):
    done = cli_runs["export-sequential-two-outputs"]
    problem = export.sequential_problem(PRESET_DESIGNS["lecture_two_outputs"])
    assert done.returncode == EXIT_INVALID
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    assert problem in done.stderr
    assert "Functional API" in done.stderr


@pytest.mark.parametrize("key", list(PRESETS))
def test_cli_link_round_trips_the_design(cli_runs, key):
    done = cli_runs[f"link-{key}"]
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 1 and done.stdout.endswith("\n")
    assert lines[0].startswith("?design=")
    assert links.from_query_string(lines[0]) == spec.load(preset_path(key))
