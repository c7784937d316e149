"""The cost estimate shown before a large network trains, against hand-worked numbers."""

from designer import cost, presets


def test_the_lecture_network_is_light():
    estimate = cost.estimate(presets.default_design())
    assert estimate.parameters == 273  # the lecture's 40 + 90 + 110 + 33
    # 150 rows less 20 % for the test and 20 % of the rest for validation: 96 rows, 20 batches of 5.
    assert estimate.seconds_per_epoch == 20 * (60e-6 + 273 * 2.5e-9)
    assert not estimate.heavy


def test_the_largest_design_is_heavy_and_says_how_much():
    design = presets.default_design()
    design["layers"] = [{"name": f"wide_{i}", "units": 1024} for i in range(32)]
    estimate = cost.estimate(design)
    # 4 × 1024 + 1024, then 31 × (1024 × 1024 + 1024), then the head's 1024 × 3 + 3.
    parameters = 4 * 1024 + 1024 + 31 * (1024 * 1024 + 1024) + 1024 * 3 + 3
    assert estimate.parameters == parameters
    assert estimate.megabytes == parameters * 26 / 2**20  # about 820 MB
    assert estimate.seconds_per_epoch == 20 * (60e-6 + parameters * 2.5e-9)
    assert estimate.heavy  # by its memory
