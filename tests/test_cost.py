"""The cost estimate and each run's budget, against numbers worked by hand from the model's constants.

The model (``designer/cost.py``): tracing 0.15 s + 0.09 s a layer + 20 ns a
parameter; a batch step 70 µs + 30 µs a layer + 2 ns a parameter; an epoch
its steps, 0.1 ns a parameter per training row, 0.035 ns a parameter per
validation row, 0.5 ns a parameter and 0.2 ms.
"""

import pytest

from designer import cost, exercises, goals, presets

GOAL = [goals.parse_goal("species.accuracy>=0.9")]


def with_layers(units: int, count: int, **training) -> dict:
    design = presets.default_design()
    design["layers"] = [{"name": f"wide_{i}", "units": units} for i in range(count)]
    design["training"] = {**design.get("training", {}), **training}
    return design


def test_the_lecture_network_is_light_and_its_run_is_worked_out_by_hand():
    estimate = cost.estimate(presets.default_design())
    assert estimate.parameters == 273  # the lecture's 40 + 90 + 110 + 33
    # 150 flowers: 30 for the test, 24 of the other 120 for validation, 96 to train on in 20 batches of 5.
    # Three hidden layers and the head: 4 layers.
    step = 70e-6 + 4 * 30e-6 + 273 * 2e-9
    epoch = 20 * step + 273 * (96 * 0.1e-9 + 24 * 0.035e-9 + 0.5e-9) + 0.2e-3
    tracing = 0.15 + 4 * 0.09 + 273 * 20e-9
    assert estimate.seconds_per_epoch == pytest.approx(epoch)  # about 4.6 ms
    assert estimate.tracing_seconds == pytest.approx(tracing)  # about 0.51 s
    assert estimate.seconds == pytest.approx(tracing + 100 * epoch)  # 100 epochs: about 0.97 s
    assert not estimate.heavy


def test_a_larger_batch_takes_fewer_steps_and_less_time():
    design = with_layers(256, 4, batch_size=1)
    parameters = 4 * 256 + 256 + 3 * (256 * 256 + 256) + 256 * 3 + 3  # 199,427
    assert cost.estimate(design).parameters == parameters
    arithmetic = parameters * (96 * 0.1e-9 + 24 * 0.035e-9 + 0.5e-9) + 0.2e-3  # the same rows at any batch size
    step = 70e-6 + 5 * 30e-6 + parameters * 2e-9
    for batch, steps in ((1, 96), (5, 20), (32, 3), (96, 1)):
        design["training"]["batch_size"] = batch
        assert cost.estimate(design).seconds_per_epoch == pytest.approx(steps * step + arithmetic)
    # About 43.8 ms an epoch at batch size 1, 2.5 ms at 96.
    assert 96 * step + arithmetic > 15 * (step + arithmetic)


def test_the_largest_design_is_heavy_and_says_how_much():
    design = with_layers(1024, 32)
    estimate = cost.estimate(design)
    # 4 × 1024 + 1024, then 31 × (1024 × 1024 + 1024), then the head's 1024 × 3 + 3.
    parameters = 4 * 1024 + 1024 + 31 * (1024 * 1024 + 1024) + 1024 * 3 + 3
    assert estimate.parameters == parameters
    assert estimate.megabytes == parameters * 26 / 2**20  # about 807 MB
    step = 70e-6 + 33 * 30e-6 + parameters * 2e-9
    epoch = 20 * step + parameters * (96 * 0.1e-9 + 24 * 0.035e-9 + 0.5e-9) + 0.2e-3
    assert estimate.seconds_per_epoch == pytest.approx(epoch)  # about 1.66 s
    assert estimate.heavy  # by its memory


def test_the_budget_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv("DESIGNER_RUN_SECONDS", raising=False)
    assert cost.run_seconds() == 60.0
    monkeypatch.setenv("DESIGNER_RUN_SECONDS", "90")
    assert cost.run_seconds() == 90.0


def test_a_run_within_its_budget_is_not_refused():
    assert cost.over_budget(presets.default_design(), 60) is None
    for preset in presets.presets():
        assert cost.over_budget(preset.load(), 60) is None, preset.key


def four_wide_layers_at_batch_size_1() -> tuple[dict, float, float]:
    """4 layers of 1,024 units, batch size 1, 100 epochs; its tracing and epoch worked by hand."""
    design = with_layers(1024, 4, batch_size=1, epochs=100)
    parameters = 4 * 1024 + 1024 + 3 * (1024 * 1024 + 1024) + 1024 * 3 + 3  # 3,156,995
    tracing = 0.15 + 5 * 0.09 + parameters * 20e-9  # 0.663 s
    arithmetic = parameters * (96 * 0.1e-9 + 24 * 0.035e-9 + 0.5e-9) + 0.2e-3
    epoch = 96 * (70e-6 + 5 * 30e-6 + parameters * 2e-9) + arithmetic  # 0.662 s
    return design, tracing, epoch


def test_a_run_over_its_budget_says_how_long_and_to_lower_the_epochs_first():
    design, tracing, epoch = four_wide_layers_at_batch_size_1()
    seconds = tracing + 100 * epoch  # about 67 s
    most = int((60 - tracing) // epoch)  # 89 epochs fit
    assert round(seconds) == 67 and most == 89
    assert cost.over_budget(design, 60) == (
        "This run would take about 67 s of training; one run may use at most 60 s here. "
        "Lower the epochs to 89 or fewer (or raise the batch size, or use fewer units)."
    )


def test_with_the_epochs_locked_it_says_which_batch_size_fits():
    design, tracing, _ = four_wide_layers_at_batch_size_1()
    design = exercises.make(design, "Fast", GOAL, locks=["training.epochs"])
    parameters = 3_156_995
    arithmetic = parameters * (96 * 0.1e-9 + 24 * 0.035e-9 + 0.5e-9) + 0.2e-3
    step = 70e-6 + 5 * 30e-6 + parameters * 2e-9

    def run(steps: int) -> float:
        return tracing + 100 * (steps * step + arithmetic)

    # Batch size 2 takes 48 steps an epoch, and 100 epochs fit: about 35 s.
    assert run(96) > 60 >= run(48)
    assert cost.over_budget(design, 60) == (
        "This run would take about 67 s of training; one run may use at most 60 s here. "
        "Raise the batch size to 2 or more (or use fewer units)."
    )


def test_with_the_epochs_and_batch_size_locked_it_says_to_use_fewer_units():
    design, _, _ = four_wide_layers_at_batch_size_1()
    design = exercises.make(design, "Fast", GOAL, locks=["training.epochs", "training.batch_size"])
    assert cost.over_budget(design, 60).endswith("here. Use fewer units, or fewer layers.")
    design = exercises.make(design, "Fast", GOAL, locks=["training", "layers"])
    assert cost.over_budget(design, 60).endswith(
        "here. This exercise's locks leave nothing to change that would fit it: ask your instructor."
    )


def test_a_step_says_only_that_it_is_too_long():
    design, tracing, epoch = four_wide_layers_at_batch_size_1()
    assert cost.over_budget(design, 60, epochs=10) is None  # about 7.3 s
    assert round(tracing + 100 * epoch) == 67
    assert cost.over_budget(design, 60, epochs=100) == (
        "100 more epochs would take about 67 s of training; one run may use at most 60 s here."
    )
