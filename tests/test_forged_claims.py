"""A result link is checked against its exercise's locks and goals before anything trains, and an exercise's
goals name only heads, metrics and targets its design has (or a learner can add).

The forged link of the first kind: an exercise locks training at 3 epochs (the lecture's network reaches
13.3 % then), and a link claims seed 42 and 300 epochs with figures 300 epochs give. Re-trained for the
claimed epochs, it was confirmed and met; it is refused, untrained, with the reason. The runs here are
written by hand (see tests/test_exercises.py), and ``python -m designer check`` runs with its trainer
replaced by one that fails the test if called; the last test trains for real.
"""

from __future__ import annotations

import json
import sys

import pytest
from cli_support import preset_path, run_cli

import designer
from designer import cli, edits, exercises, goals, links, presets, results
from designer.runs import Run
from designer.validation import errors, validate

PRESETS = {p.key: p.load() for p in presets.presets()}
LECTURE = PRESETS["lecture_sequential"]  # one head, species; seed 42, 100 epochs, batch size 5
HONEST_TEST = {"accuracy": 0.9667, "loss": 0.1234}
EXIT_INVALID = 2


def exercise(design: dict, *goal_texts: str, locks=(), hide=()) -> dict:
    made = exercises.make(design, "Test", [goals.parse_goal(text) for text in goal_texts], "", locks, hide)
    assert errors(validate(made)) == [], [p.message for p in validate(made)]
    return made


def claim(seed: int = 42, epochs: int = 3, test: dict = HONEST_TEST) -> dict:
    return {"seed": seed, "epochs": epochs, "test": dict(test)}


def run(design: dict, epochs: int, seed: int | None = None, status: str = "finished") -> Run:
    trained = design if seed is None else exercises.with_seed(design, seed)
    return Run.start(1, trained).replace(history={"loss": [1.0] * epochs}, test=dict(HONEST_TEST), status=status)


THREE_EPOCHS = exercise(
    edits.set_training(LECTURE, "epochs", 3), "species.accuracy>=0.85", locks=["inputs", "training.epochs"]
)
FORGED = {"runs": [claim(epochs=300, test={"accuracy": 0.9667, "loss": 0.0712})]}


class NoTraining:
    """Stands in for designer.training: a check that tried to train fails the test."""

    class Trainer:
        def __init__(self, *args, **kwargs):
            raise AssertionError("the check trained a run it should have refused")


@pytest.fixture
def untrained(monkeypatch):
    """``python -m designer`` in this process, with any training an error; returns (exit status, stdout, stderr)."""
    monkeypatch.setitem(sys.modules, "designer.training", NoTraining)
    monkeypatch.setattr(designer, "training", NoTraining, raising=False)

    def check(design: dict, result: dict) -> int:
        return cli.main(["check", "https://example.org/" + links.result_query_string(design, result)])

    return check


# ------------------------------------------------------------------------------------------ the forged link


def test_the_forged_300_epoch_claim_is_refused_by_check_with_the_reason():
    refused = run_cli("check", "https://example.org/" + links.result_query_string(THREE_EPOCHS, FORGED), timeout=90)
    assert refused.returncode == EXIT_INVALID, (refused.stdout, refused.stderr)
    assert "Traceback" not in refused.stderr
    assert "result.runs[0]: the claim says 300 epochs, but the exercise locks training at 3 epochs" in refused.stderr
    assert "nothing was re-trained" in refused.stderr
    assert "confirmed" not in refused.stdout and "met" not in refused.stdout


def test_the_forged_claim_is_refused_without_training(untrained, capsys):
    assert untrained(THREE_EPOCHS, FORGED) == EXIT_INVALID
    assert "the claim says 300 epochs, but the exercise locks training at 3 epochs" in capsys.readouterr().err


def test_the_page_path_refuses_it_and_would_retrain_only_the_locked_epochs():
    (item,) = results.confirm(THREE_EPOCHS, FORGED, [])
    assert item.confirmed is False  # refused at once: "Re-train to confirm" is not offered
    assert item.describe() == (
        "refused, not re-trained: the claim says 300 epochs, but the exercise locks training at 3 epochs"
    )
    # Even a session run of 300 epochs (stepped on) does not confirm it.
    assert results.confirm(THREE_EPOCHS, FORGED, [run(THREE_EPOCHS, 300)])[0].refused is not None
    assert results.retrain_epochs(THREE_EPOCHS, {"epochs": 3}) == 3
    free = exercise(edits.set_training(LECTURE, "epochs", 3), "species.accuracy>=0.85")
    assert results.retrain_epochs(free, {"epochs": 300}) == 300  # epochs not locked: steps count
    assert results.claim_conflicts(free, FORGED) == [None]


# ------------------------------------------------------------------------------------------ each locked setting


@pytest.mark.parametrize(
    ("locks", "hide", "claimed", "reason"),
    [
        (["training.epochs"], [], claim(epochs=300), "the claim says 300 epochs, but the exercise locks training at 3"),
        (["training.epochs"], [], claim(epochs=2), "the claim says 2 epochs, but the exercise locks training at 3"),
        (["training"], [], claim(epochs=4), "the claim says 4 epochs, but the exercise locks training at 3 epochs"),
        ([], ["training.epochs"], claim(epochs=30), "the claim says 30 epochs, but the exercise locks training at 3"),
        (["training.seed"], [], claim(seed=7), "the claim says seed 7, but the exercise locks the seed at 42"),
        ([], [], claim(seed=7), "the claim says seed 7, but the exercise's goals train with seed 42"),
    ],
    ids=["epochs more", "epochs fewer", "training locked", "epochs hidden", "seed locked", "foreign seed"],
)
def test_a_claim_contradicting_a_locked_setting_is_refused(untrained, capsys, locks, hide, claimed, reason):
    design = exercise(edits.set_training(LECTURE, "epochs", 3), "species.accuracy>=0.85", locks=locks, hide=hide)
    assert results.claim_conflicts(design, {"runs": [claimed]})[0].startswith(reason)
    assert untrained(design, {"runs": [claimed]}) == EXIT_INVALID
    assert reason in capsys.readouterr().err


NOT_A_CLAIM = "result.runs[0] must hold seed, epochs and test"


@pytest.mark.parametrize(
    ("setting", "value", "reason"),
    [
        ("batch_size", 64, NOT_A_CLAIM),
        ("learning_rate", 0.1, NOT_A_CLAIM),
        ("epochs", 300, "the claim says 300 epochs, but the exercise locks training at 3 epochs"),
        ("seed", 7, "the claim says seed 7, but the exercise locks the seed at 42"),
    ],
)
def test_a_claim_cannot_state_another_setting_nor_its_link_train_with_one(untrained, capsys, setting, value, reason):
    """A claim carries a seed and epochs only; the other settings are the design's, which the exercise's check
    holds to its locks: a link whose design says otherwise is refused before anything trains."""
    design = exercise(edits.set_training(LECTURE, "epochs", 3), "species.accuracy>=0.85", locks=[f"training.{setting}"])
    stated = {"runs": [{**claim(), setting: value}]}
    assert untrained(design, stated) == EXIT_INVALID
    assert reason in capsys.readouterr().err
    changed = json.loads(json.dumps(design))
    changed["training"][setting] = value
    assert untrained(changed, {"runs": [claim(seed=value if setting == "seed" else 42)]}) == EXIT_INVALID
    assert "check does not match the exercise and its locked parts" in capsys.readouterr().err


def test_an_epochs_at_most_goal_contradicted_by_a_claim_is_refused(untrained, capsys):
    design = exercise(LECTURE, "species.accuracy>=0.9", "epochs<=50")  # the lecture trains 100 epochs
    over = {"runs": [claim(epochs=100)]}
    assert results.claim_conflicts(design, over) == [
        "the claim says 100 epochs, but the exercise's goal is epochs ≤ 50"
    ]
    assert untrained(design, over) == EXIT_INVALID
    assert (
        "result.runs[0]: the claim says 100 epochs, but the exercise's goal is epochs ≤ 50" in capsys.readouterr().err
    )
    assert results.claim_conflicts(design, {"runs": [claim(epochs=50)]}) == [None]  # at the threshold: trained again
    assert results.claims(design, [run(design, 100)]) == {"runs": []}  # nor is such a run handed back


# ------------------------------------------------------------------------------------------ honest claims stay


def test_early_stopping_under_an_epochs_lock_may_end_sooner_but_not_later():
    patient = edits.set_training(edits.set_training(LECTURE, "epochs", 20), "early_stopping_patience", 2)
    design = exercise(patient, "species.accuracy>=0.85", locks=["training.epochs"])
    assert results.claim_conflicts(design, {"runs": [claim(epochs=12)]}) == [None]  # stopped early at 12
    assert results.claim_conflicts(design, {"runs": [claim(epochs=20)]}) == [None]
    assert results.claim_conflicts(design, {"runs": [claim(epochs=21)]}) == [
        "the claim says 21 epochs, but the exercise locks training at 20 epochs"
    ]
    assert results.retrain_epochs(design, {"epochs": 12}) is None  # the design's run stops where it stopped
    free = exercise(patient, "species.accuracy>=0.85")
    assert results.claim_conflicts(free, {"runs": [claim(epochs=300)]}) == [
        "the claim says 300 epochs, but with early stopping the design trains at most 20 epochs"
    ]
    early = run(design, 12, status="stopped early")
    assert results.claims(design, [early]) == {"runs": [{"seed": 42, "epochs": 12, "test": HONEST_TEST}]}


def test_a_seed_series_is_claimed_under_a_locked_seed_and_a_seed_outside_it_is_not():
    design = exercise(LECTURE, "species.accuracy>=0.93 with 5 seeds", locks=["training.seed", "training.epochs"])
    series = [run(design, 100, seed) for seed in range(42, 47)]
    result = results.claims(design, series)
    assert [c["seed"] for c in result["runs"]] == [42, 43, 44, 45, 46]
    assert results.claim_conflicts(design, result) == [None] * 5
    outside = {"runs": [*result["runs"][:4], claim(seed=47, epochs=100)]}
    assert results.claim_conflicts(design, outside)[4] == (
        "the claim says seed 47, but the exercise locks the seed at 42 (its goals train with seeds 42 to 46)"
    )
    twice = {"runs": [*result["runs"][:4], result["runs"][0]]}
    assert results.claim_conflicts(design, twice)[4] == "the claim says seed 42 a second time"


def test_a_run_stepped_past_the_locked_epochs_is_neither_met_nor_handed_back():
    stepped = run(THREE_EPOCHS, 300)  # +10 epochs, pressed 30 times
    (state,) = results.progress(THREE_EPOCHS, 273, [stepped])
    assert state.met is False
    assert state.figures == (
        "species accuracy ≥ 85 %: its run trained 300 epochs, but the exercise locks training at 3 epochs"
    )
    assert results.claims(THREE_EPOCHS, [stepped]) == {"runs": []}
    honest = run(THREE_EPOCHS, 3)
    assert [s.met for s in results.progress(THREE_EPOCHS, 273, [honest])] == [True]
    assert results.claims(THREE_EPOCHS, [honest]) == {"runs": [claim(epochs=3)]}


@pytest.mark.keras
@pytest.mark.parametrize("patience", [None, 1], ids=["plain", "early stopping"])
def test_an_honest_claim_under_the_locks_is_still_confirmed(patience):
    from designer import training

    locked = edits.set_training(edits.set_training(LECTURE, "epochs", 3), "early_stopping_patience", patience)
    design = exercise(
        locked, "species.accuracy>=0.1 with 2 seeds", locks=["training.epochs", "training.seed", "inputs"]
    )
    runs = []
    for seed in (42, 43):
        trainer = training.Trainer(exercises.with_seed(design, seed))
        trainer.train()
        status = "stopped early" if trainer.stop_reason else "finished"
        test = trainer.evaluate(trainer.data.test)
        runs.append(
            Run.start(seed, exercises.with_seed(design, seed)).replace(
                history=trainer.history, test=test, status=status
            )
        )
    result = results.claims(design, runs)
    assert [c["seed"] for c in result["runs"]] == [42, 43]
    assert all(c["epochs"] <= 3 for c in result["runs"]) and result["runs"][0]["epochs"] == runs[0].epochs_done
    checked = run_cli("check", links.result_query_string(design, result))
    assert "Traceback" not in checked.stderr, checked.stderr
    for c in result["runs"]:
        assert f"seed {c['seed']}, {c['epochs']} epochs: confirmed by re-training" in checked.stdout, checked.stdout
    met = all(r.test["accuracy"] >= 0.1 for r in runs)
    assert checked.returncode == (0 if met else 1), checked.stdout


# ------------------------------------------------------------------------------------------ goals on heads


@pytest.mark.parametrize(
    ("arguments", "words"),
    [
        (
            ("--goal", "nosuchhead.accuracy>=0.9"),
            '--goal: "nosuchhead.accuracy>=0.9" names no head of the design (its heads: species) '
            "and no column of Iris flowers to add one on",
        ),
        (
            ("--goal", "params<=300", "--goal", "species.mae<=0.5"),
            '--goal: "species.mae<=0.5" asks for the mean absolute error of species, a class head (on species)',
        ),
        (
            ("--goal", "petal_width.accuracy>=0.9"),
            "asks for the accuracy of a head on petal_width, which would be a measurement head",
        ),
        (
            ("--goal", "petal_width.mae<=0.25", "--lock", "heads"),
            '--goal: "petal_width.mae<=0.25" names no head of the design (its heads: species), '
            "and the exercise locks the heads",
        ),
        (
            ("--goal", "petal_width.mae<=0.25", "--lock", "inputs"),
            "names a head on petal_width, an input the exercise locks, so no head can predict it",
        ),
    ],
    ids=["no such head", "wrong metric", "wrong target kind", "heads locked", "input locked"],
)
def test_the_exercise_command_refuses_a_goal_on_a_head_the_design_does_not_have(arguments, words):
    refused = run_cli("exercise", preset_path("lecture_sequential"), *arguments, timeout=60)
    assert refused.returncode == EXIT_INVALID, refused.stdout
    assert words in refused.stderr and "Traceback" not in refused.stderr, refused.stderr
    assert refused.stdout == ""


def test_the_exercise_command_still_takes_a_head_a_learner_adds():
    made = run_cli("exercise", preset_path("lecture_sequential"), "--goal", "petal_width.mae<=0.25", timeout=60)
    assert made.returncode == 0, made.stderr
    design = links.from_query_string(made.stdout.strip())
    assert design["exercise"]["goals"] == [{"metric": "petal_width.mae", "at_most": 0.25}]


def no_such_head() -> dict:
    """An exercise made (and sealed) with a goal no head of the design has, as a hand-made link would carry it."""
    return exercises.make(LECTURE, "Impossible", [goals.parse_goal("nosuchhead.accuracy>=0.9")])


def test_validation_refuses_a_goal_on_a_head_the_design_does_not_have():
    found = errors(validate(no_such_head()))
    assert [p.message for p in found] == [
        "exercise.goals[0].metric names no head of the design (its heads: species) and no column of Iris flowers "
        'to add one on, got "nosuchhead.accuracy"'
    ]
    assert found[0].on_page.startswith("The exercise's goal 1: metric names no head of the design")
    with pytest.raises(links.LinkError) as refused:
        links.from_query_string(links.query_string(no_such_head()))
    assert "The exercise's goal 1: metric names no head of the design" in str(refused.value)
    assert '"nosuchhead.accuracy"' in str(refused.value)


def test_the_shipped_exercises_and_a_learners_edits_to_them_still_validate():
    shipped = {key: design for key, design in PRESETS.items() if key.startswith("exercise_")}
    assert len(shipped) == 3
    for design in shipped.values():
        assert errors(validate(design)) == []
        assert all(exercises.goal_problems(goal, design) == [] for goal in design["exercise"]["goals"])
    second = shipped["exercise_second_head"]  # petal_width.mae before the learner adds its head
    assert errors(validate(edits.add_head(second, "petal_width"))) == []
    smaller = exercise(LECTURE, "species.accuracy>=0.95")  # the heads left free: renaming one is an edit
    assert errors(validate(edits.rename(smaller, "species", "iris_species"))) == []
