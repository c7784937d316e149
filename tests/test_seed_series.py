"""The shipped exercise "How much does the seed matter?": one press trains seeds 42 to 46, one after another.

Its series runs in one script run of the Train page, which follows each run as
it trains. Before, the second run's live charts took the first's widget keys
(``live-1-species-loss``) and the page stopped with StreamlitDuplicateElementKey,
from either page: no learner could finish the exercise.
"""

from __future__ import annotations

import pytest
from apptest_support import DESIGN_PAGE, TRAIN_PAGE, labelled, open_session, preset_design

from designer import edits

pytestmark = pytest.mark.keras

EPOCHS = 3  # small: five runs of it follow one another in one script run


def seeds_exercise() -> dict:
    return edits.set_training(preset_design("exercise_seeds"), "epochs", EPOCHS)


@pytest.mark.parametrize("page", [DESIGN_PAGE, TRAIN_PAGE], ids=["design page", "train page"])
def test_one_press_trains_all_five_seeds_without_an_exception(page):
    at = open_session(page, state={"design": seeds_exercise()}, timeout=180)
    labelled(at.button, "Train with seeds 42 to 46").click().run()
    assert not at.exception, [e.message for e in at.exception]
    runs = at.session_state["runs"]
    assert [run.settings["seed"] for run in runs] == [42, 43, 44, 45, 46]
    assert [run.status for run in runs] == ["finished"] * 5
    assert all(run.epochs_done == EPOCHS for run in runs)
    assert "job" not in at.session_state  # nothing left waiting or training
    assert not labelled(at.button, "Train with seeds 42 to 46").disabled
