"""Exercises against real training: the shipped exercises are tasks (not met as handed out, met by a
solution), and a result link's figures are confirmed, or not, by training again in another process."""

from __future__ import annotations

import pytest

from designer import edits, exercises, goals, links, presets, results, training
from designer.params import summarize
from designer.runs import Run
from designer.validation import errors, validate

pytestmark = pytest.mark.keras

from cli_support import preset_path, run_cli  # noqa: E402

PRESETS = {p.key: p.load() for p in presets.presets()}


def trained(design: dict, number: int = 1) -> Run:
    """A run of ``design`` as the app keeps it: its history, test metrics and how it ended, from the trainer."""
    trainer = training.Trainer(design)
    trainer.train()
    status = "stopped early" if trainer.stop_reason else "finished"
    test = trainer.evaluate(trainer.data.test)
    return Run.start(number, design).replace(history=trainer.history, test=test, status=status)


def met(design: dict, runs: list[Run]) -> list[bool | None]:
    return [state.met for state in results.progress(design, summarize(design).total, runs)]


def edited(design: dict, *changes) -> dict:
    for change in changes:
        before, design = design, change(design)
        assert exercises.refused_edit(before, design) == [] and errors(validate(design)) == []
    return design


def test_smaller_and_better_is_not_met_as_handed_out_and_met_by_a_smaller_network():
    design = PRESETS["exercise_smaller"]
    assert met(design, [trained(design)]) == [False, False]  # the lecture's 93.3 % with 273 parameters
    # One hidden layer of 10: 4 × 10 + 10 + 10 × 3 + 3 = 83 parameters.
    smaller = edited(
        design,
        lambda d: edits.remove_layer(d, 2),
        lambda d: edits.remove_layer(d, 1),
        lambda d: edits.set_field(d, "layers", 0, "units", 10),
    )
    assert summarize(smaller).total == 83
    assert met(smaller, [trained(smaller)]) == [True, True]


def test_the_second_head_is_met_once_a_petal_width_head_is_added():
    design = PRESETS["exercise_second_head"]
    assert met(design, [trained(design)]) == [None, True]  # no petal_width head yet
    two = edited(design, lambda d: edits.add_head(d, "petal_width"))
    assert "petal_width" not in two["inputs"]
    assert met(two, [trained(two)]) == [True, True]


def test_the_seeds_exercise_needs_every_seed():
    design = PRESETS["exercise_seeds"]

    def five_seeds(d: dict) -> list[Run]:
        return [trained(exercises.with_seed(d, seed), n) for n, seed in enumerate(range(42, 47))]

    assert met(design, five_seeds(design)) == [False]  # the lecture's network misses 93 % with one of them
    two_small = edited(
        design,
        lambda d: edits.remove_layer(d, 2),
        lambda d: edits.set_field(d, "layers", 0, "units", 6),
        lambda d: edits.set_field(d, "layers", 1, "units", 6),
    )
    assert met(two_small, five_seeds(two_small)) == [True]


@pytest.mark.parametrize("patience", [None, 2], ids=["plain", "early stopping"])
def test_a_result_link_is_confirmed_by_retraining_and_a_typed_in_figure_is_not(patience):
    lecture = edits.set_training(PRESETS["lecture_sequential"], "epochs", 20)
    lecture = edits.set_training(lecture, "early_stopping_patience", patience)
    design = exercises.make(lecture, "Check", [goals.parse_goal("species.accuracy>=0.9")])
    run = trained(design)
    result = results.claims(design, [run])
    assert result["runs"][0]["epochs"] == run.epochs_done
    honest = run_cli("check", "https://example.org/" + links.result_query_string(design, result))
    assert f"seed 42, {run.epochs_done} epochs: confirmed by re-training" in honest.stdout, honest.stdout
    met = run.test["accuracy"] >= 0.9  # the trainer's figure, read here
    assert honest.returncode == (0 if met else 1), honest.stdout
    assert honest.stdout.strip().endswith(f"{'met' if met else 'not met'}: species accuracy "
                                          f"{run.test['accuracy'] * 100:.1f} % {'≥' if met else '<'} 90 %")  # fmt: skip

    claimed = result["runs"][0]
    forged = {"runs": [{**claimed, "test": {**claimed["test"], "accuracy": 0.5 if met else 1.0}}]}
    refused = run_cli("check", links.result_query_string(design, forged))
    assert refused.returncode == 1
    assert f"seed 42, {run.epochs_done} epochs: not confirmed: re-training differs by up to" in refused.stdout
    # One epoch fewer claimed: trained for that many (figures differ), or with early stopping as the design
    # runs (its epochs differ).
    other_epochs = {"runs": [{**claimed, "epochs": run.epochs_done - 1}]}
    refused = run_cli("check", links.result_query_string(design, other_epochs))
    assert refused.returncode == 1 and "Traceback" not in refused.stderr, refused.stderr
    why = (
        "re-training differs by up to"
        if patience is None
        else f"re-training ran {run.epochs_done} epochs, not the {run.epochs_done - 1} claimed"
    )
    assert f"seed 42, {run.epochs_done - 1} epochs: not confirmed: {why}" in refused.stdout, refused.stdout


def test_the_exercise_command_prints_a_link_to_the_exercise():
    made = run_cli(
        "exercise",
        preset_path("lecture_sequential"),
        "--title",
        "Smaller",
        "--goal",
        "species.accuracy>=0.95",
        "--goal",
        "params<=60",
        "--lock",
        "layers",
        "--hide",
        "page:code",
    )
    assert made.returncode == 0, made.stderr
    design = links.from_query_string(made.stdout.strip())
    assert design["exercise"]["goals"] == [
        {"metric": "species.accuracy", "at_least": 0.95},
        {"metric": "params", "at_most": 60},
    ]
    assert design["exercise"]["locks"] == ["layers"] and design["exercise"]["hide"] == ["page:code"]


@pytest.mark.parametrize(
    ("arguments", "words"),
    [
        (("--goal", "species.accuracy=>0.95"), "--goal: a goal must be a metric, >= or <=, and a number"),
        (("--goal", "species.accuracy>=95"), "at_least must be a number from 0 to 1"),
        (("--goal", "params<=60", "--lock", "layers.hidden_9.units"), "--lock: exercise.locks[0] names a layer"),
        (("--goal", "params<=60", "--hide", "page:nowhere"), "--hide: exercise.hide[0] must name a page"),
        (
            ("--goal", "params<=60", "--lock", "training.speed"),
            "--lock: exercise.locks[0] must name a training setting",
        ),
    ],
)
def test_the_exercise_command_exits_2_on_a_malformed_goal_or_part(arguments, words):
    refused = run_cli("exercise", preset_path("lecture_sequential"), *arguments, timeout=60)
    assert refused.returncode == 2
    assert words in refused.stderr and "Traceback" not in refused.stderr, refused.stderr
