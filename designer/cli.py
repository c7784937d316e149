"""The command line: ``python -m designer summary|train|map|export|link|exercise DESIGN.json``, ``check LINK``.

Bad input never shows a traceback: an unreadable or invalid design prints what
is wrong and exits with status 2. The file is read and parsed by
:mod:`designer.parsing` (size, nesting and structure capped before validation);
at most a few problems are printed, each of bounded length, with control and
bidirectional characters escaped so a name cannot reorder the terminal line.
"""

from __future__ import annotations

import argparse
import json
import sys

from designer import datasets, links, parsing
from designer.params import LayerCount, keras_type, summarize
from designer.validation import InvalidDesign, errors, validate, warnings

EXIT_INVALID = 2


class DesignError(Exception):
    """A design that cannot be used; its message is for the person at the terminal."""


def read_design(path: str) -> dict:
    """Read and validate a design file; warnings go to stderr."""
    try:
        design = parsing.read_design_file(path)
    except OSError as error:
        raise DesignError(f"{path}: cannot read the file ({error.strerror or error})") from None
    except parsing.DesignTextError as error:
        raise DesignError(f"{path}: not a valid design file: {parsing.shorten(error.message)}") from None
    problems = validate(design)
    if errors(problems):
        raise DesignError("\n".join(f"{path}: {message}" for message in parsing.bounded(errors(problems))))
    for message in parsing.bounded(warnings(problems), noun="warning"):
        _say(f"{path}: warning: {message}")
    return design


def _say(text: object) -> None:
    """Print to stderr, every line with its control and bidirectional characters escaped."""
    print("\n".join(map(parsing.escape_controls, str(text).split("\n"))), file=sys.stderr)


def summary_table(design: dict) -> str:
    """A row per input, layer and head, then Keras' three totals lines."""
    summary = summarize(design)
    header = ("Layer (type)", "Output shape", "Param #", "Arithmetic")
    rows = [header] + [_row(count) for count in summary.rows]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = [
        f"{name:<{widths[0]}}  {shape:<{widths[1]}}  {params:>{widths[2]}}  {arithmetic}".rstrip()
        for name, shape, params, arithmetic in rows
    ]
    rule = "─" * max(len(line) for line in lines)
    return "\n".join([lines[0], rule, *lines[1:], rule, *summary.totals_lines()])


def _row(count: LayerCount) -> tuple[str, str, str, str]:
    arithmetic = count.arithmetic if count.worked else ""
    return (f"{count.name} ({keras_type(count.kind)})", count.output_shape, f"{count.total:,}", arithmetic)


def read_csv(path: str | None):
    """The table of ``--data FILE.csv`` (None without it); an unreadable file is a DesignError saying why."""
    if path is None:
        return None
    from designer import csv_table

    try:
        with open(path, "rb") as file:
            data = file.read(datasets.MAX_CSV_BYTES + 1)
    except OSError as error:
        raise DesignError(f"--data {path}: {error.strerror or error}") from None
    try:
        return csv_table.read(data)
    except csv_table.CsvError as error:
        raise DesignError(f"--data {path}: {error}") from None


def train(
    design: dict,
    epochs: int | None,
    seed: int | None,
    out: str | None,
    model_path: str | None = None,
    csv_path: str | None = None,
) -> None:
    """Train with the design's settings; print the test metrics; write the history and the model if asked.

    The model is the file the Train page downloads: the trained network behind a
    Normalization per input, so that it takes measurements in cm.
    """
    from designer import training  # imports TensorFlow

    design = _overridden(design, epochs, seed)
    csv = read_csv(csv_path)
    try:
        trainer = training.Trainer(design, csv=csv)
    except (InvalidDesign, training.DataError) as error:
        raise DesignError(str(error)) from None
    trainer.train()
    if trainer.stop_reason or trainer.note:
        _say(trainer.stop_reason or trainer.note)
    test = trainer.evaluate(trainer.data.test)
    rows = len(trainer.data.test)
    print(f"Trained {trainer.epochs_done} epochs in {trainer.seconds:.2f} s. Test metrics ({rows} rows):")
    # In name order, as Keras' evaluate(return_dict=True) gives them: an exported script prints the same lines.
    for name, value in sorted(test.items()):
        print(f"  {name:<{max(map(len, test))}}  {value:.4f}")
    if out:
        with open(out, "w", encoding="utf-8") as file:
            json.dump(parsing.json_ready({"history": trainer.history, "test": test}), file, indent=1, allow_nan=False)
            file.write("\n")
    if model_path:
        from designer.data import input_scaling
        from designer.keras_model import take_home_model

        weights = trainer.model.get_weights()
        take_home_model(design, weights, input_scaling(trainer.data, design)).save(model_path)


def decision_map(design: dict, args: argparse.Namespace) -> None:
    """Train the design, then write the map of the plane the arguments give (JSON) to ``args.out``.

    The plane is checked before anything trains; a bad axis, held value, grid
    or layer is a DesignError naming it.
    """
    from designer import data, maps

    design = _overridden(design, args.epochs, args.seed)
    csv = read_csv(args.data)
    try:
        plane = maps.plane(design, data.prepare(design, csv), args.x, args.y, _held(args.at), args.grid)
    except (maps.MapError, data.DataError, InvalidDesign) as error:
        raise DesignError(str(error)) from None
    layers = maps.unit_layers(design)
    if args.unit is not None and args.unit not in layers:
        raise DesignError(
            f"--unit must be one of the design's dense layers or heads ({', '.join(layers)}), got {args.unit!r}"
        )
    from designer import training

    trainer = training.Trainer(design, csv=csv)
    trainer.train()
    found = maps.compute(trainer.model, design, trainer.data, plane, [args.unit] if args.unit else [])
    with open(args.out, "w", encoding="utf-8") as file:
        json.dump(found.to_json(), file, allow_nan=False)  # strict JSON: to_json gives None for NaN
        file.write("\n")
    print(f"Trained {trainer.epochs_done} epochs; wrote the {plane.grid}-point map to {args.out}.")


def _overridden(design: dict, epochs: int | None, seed: int | None) -> dict:
    """The design with ``--epochs`` and ``--seed`` in its training settings, where given (checked as the file is)."""
    changes = {key: value for key, value in (("epochs", epochs), ("seed", seed)) if value is not None}
    if not changes:
        return design
    changed = {**design, "training": {**design.get("training", {}), **changes}}
    if problems := errors(validate(changed)):
        raise DesignError("\n".join(f"--{p.field.split('.')[-1]}: {p.message}" for p in problems[:3]))
    return changed


def _held(pairs: list[str]) -> dict[str, object]:
    """``--at COLUMN=VALUE`` arguments as {column: value}, read as a link's map part is read."""
    held: dict[str, object] = {}
    for pair in pairs:
        column, equals, value = pair.rpartition("=")  # a column's name may hold "=" and spaces; a value does not
        if not equals or not column or not value:
            raise DesignError(f"--at must be COLUMN=VALUE (in the column's unit), got {pair!r}")
        held[column] = float(value) if parsing.NUMBER_TEXT.fullmatch(value) else value
    return held


def export_script(design: dict, style: str) -> str:
    """The design as a Keras script; a style that cannot express it is a DesignError."""
    from designer import export

    try:
        return export.export(design, style)
    except export.ExportError as error:
        raise DesignError(str(error)) from None


def exercise_link(design: dict, args: argparse.Namespace) -> str:
    """The query string of a link to ``design`` made an exercise with the arguments' title, goals and locks."""
    from designer import exercises, goals

    try:
        goal_list = [goals.parse_goal(text) for text in args.goal]
    except goals.GoalTextError as error:
        raise DesignError(f"--goal: {error}") from None
    locks = [part for lock in args.lock for part in (ARCHITECTURE if lock == "architecture" else (lock,))]
    made = exercises.make(design, args.title, goal_list, args.task or "", locks, args.hide)
    unmeetable = [
        f"--goal: {json.dumps(text[:80])} {why}"
        for text, entry in zip(args.goal, goal_list, strict=True)
        if (why := exercises.goal_head_problem(made, goals.read_goal(entry)))
    ]
    if unmeetable:  # said in the goal's own words, before validation says it of exercise.goals[i]
        raise DesignError("\n".join(parsing.bounded(unmeetable)))
    if problems := errors(validate(made)):
        raise DesignError("\n".join(f"{_option(p.field)}: {p.message}" for p in problems[: parsing.MAX_SHOWN]))
    return links.query_string(made, args.projector)


ARCHITECTURE = ("inputs", "layers", "heads")  # what --lock architecture stands for
EXERCISE_OPTIONS = {"exercise.locks": "--lock", "exercise.hide": "--hide", "exercise.goals": "--goal"}


def _option(field: str) -> str:
    """The option that set a field of a made exercise: ``exercise.locks[0]`` came from --lock (else --title...)."""
    return EXERCISE_OPTIONS.get(field.split("[")[0], "--" + field.split(".")[-1].split("[")[0])


def check_result(query: str) -> int:
    """Re-train the runs a result link claims, under the exercise's locks; print each confirmed or not, and the
    goals. 0: all confirmed and met. A claim that contradicts the exercise (its locked epochs or seed, an
    ``epochs<=`` goal) is a DesignError saying why, and nothing trains."""
    from designer import exercises, results
    from designer.runs import Run

    try:
        design, result = links.from_query_string(query), links.result_from_query_string(query)
    except links.LinkError as error:
        raise DesignError(str(error)) from None
    if exercises.FIELD not in design or result is None:
        raise DesignError(
            "a result link holds an exercise's design and a result: this one has no "
            + ("exercise" if exercises.FIELD not in design else "result part")
        )
    if conflicts := [(i, why) for i, why in enumerate(results.claim_conflicts(design, result)) if why]:
        lines = [f"result.runs[{i}]: {why}" for i, why in conflicts]
        raise DesignError("\n".join(["the link's result contradicts its exercise, so nothing was re-trained:", *lines]))
    from designer import training  # imports TensorFlow

    runs = []
    for claim in result["runs"]:
        seeded = exercises.with_seed(design, claim["seed"])
        trainer = training.Trainer(seeded)
        epochs = results.retrain_epochs(design, claim)
        if epochs != 0:
            trainer.train(epochs=epochs, restore_best=epochs is None)
        test = trainer.evaluate(trainer.data.test)
        runs.append(Run.start(len(runs) + 1, seeded).replace(history=trainer.history, test=test))
    confirmations = results.confirm(design, result, runs)
    for item in confirmations:
        print(f"seed {item.seed}, {item.epochs} epochs: {item.describe()}")
    states = results.progress(design, summarize(design).total, runs)
    for state in states:
        print(f"{'met' if state.met else 'not met'}: {state.figures}")
    return 0 if all(c.confirmed for c in confirmations) and all(s.met for s in states) else 1


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m designer", description="Design small Keras networks for Iris.")
    commands = parser.add_subparsers(dest="command", required=True)
    summary = commands.add_parser("summary", help="print the parameter count of every layer and head")
    summary.add_argument("design", help="a design file (JSON)")
    trainer = commands.add_parser("train", help="train with the design's settings; print the test metrics")
    trainer.add_argument("design", help="a design file (JSON)")
    trainer.add_argument("--data", metavar="FILE.csv", help="the CSV file of a design made on one")
    trainer.add_argument("--epochs", type=int, help="epochs to train (default: the design's)")
    trainer.add_argument("--seed", type=int, help="random seed (default: the design's)")
    trainer.add_argument("--out", metavar="RESULT.json", help='write {"history": ..., "test": ...} here')
    trainer.add_argument(
        "--save-model", metavar="MODEL.keras", help="write the trained model, taking measurements in cm, here"
    )
    mapper = commands.add_parser("map", help="train, then write what the network predicts over two measurements")
    mapper.add_argument("design", help="a design file (JSON)")
    mapper.add_argument("--data", metavar="FILE.csv", help="the CSV file of a design made on one")
    mapper.add_argument("--x", help="the column along the x axis (default: petal_length, or the design's first)")
    mapper.add_argument("--y", help="the column along the y axis (default: petal_width, or the next)")
    mapper.add_argument(
        "--at", action="append", default=[], metavar="COLUMN=VALUE", help="hold a column off the axes at a value in cm"
    )
    mapper.add_argument("--grid", type=int, default=50, help="points along each axis (default: 50)")
    mapper.add_argument("--epochs", type=int, help="epochs to train (default: the design's)")
    mapper.add_argument("--seed", type=int, help="random seed (default: the design's)")
    mapper.add_argument("--unit", metavar="LAYER", help="also map every unit of this dense layer or head")
    mapper.add_argument("--out", metavar="MAP.json", required=True, help="write the map here")
    exporter = commands.add_parser("export", help="print the design as a runnable Keras script")
    exporter.add_argument("design", help="a design file (JSON)")
    exporter.add_argument("--style", choices=("sequential", "functional", "subclassing"), default="functional")
    linker = commands.add_parser("link", help="print the query string of a share link (starting with ?)")
    linker.add_argument("design", help="a design file (JSON)")
    linker.add_argument("--projector", action="store_true", help="open the link in projector mode")
    maker = commands.add_parser(
        "exercise", help="print the query string of a link that hands the design out as an exercise"
    )
    maker.add_argument("design", help="a design file (JSON)")
    maker.add_argument("--title", default="Exercise", help="the exercise's title")
    maker.add_argument("--task", help="what the learner is asked to do, in plain text")
    maker.add_argument(
        "--goal", action="append", required=True, metavar="GOAL", help='e.g. "species.accuracy>=0.95", "params<=60"'
    )
    maker.add_argument("--lock", action="append", default=[], metavar="PART", help="e.g. layers, training.seed")
    maker.add_argument("--hide", action="append", default=[], metavar="PART", help="e.g. page:code, training.seed")
    maker.add_argument("--projector", action="store_true", help="open the link in projector mode")
    checker = commands.add_parser("check", help="re-train what a result link claims, and say if it holds")
    checker.add_argument("link", help="a result link, or its query string")
    args = parser.parse_args(argv)
    try:
        if args.command == "check":
            return check_result(args.link.partition("?")[2] if "?" in args.link else args.link)
        design = read_design(args.design)
        if args.command == "summary":
            print(summary_table(design))
        elif args.command == "train":
            train(design, args.epochs, args.seed, args.out, args.save_model, args.data)
        elif args.command == "map":
            decision_map(design, args)
        elif args.command == "export":
            print(export_script(design, args.style), end="")
        elif args.command == "exercise":
            print(exercise_link(design, args))
        else:
            print(links.query_string(design, args.projector))
    except DesignError as error:
        _say(error)
        return EXIT_INVALID
    return 0
