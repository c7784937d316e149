"""The exercise a design carries, as a learner sees it on every page: the task, the goals and how far they are.

Everything shown is read from the design's ``exercise`` field and the
session's runs (:func:`designer.results.progress`); the task and the title
are the instructor's text, shown as text, never as Markdown or HTML. A result
link's figures are shown as claimed until the session has re-trained them.
"""

from __future__ import annotations

import streamlit as st

from designer import cost, exercises, links, results
from designer.results import GoalState
from ui import projector, runs, session, sharing
from ui.session import Edit
from ui.text import plain

TRAIN_PAGE = "pages/train.py"
ICONS = {True: ":green[:material/check_circle:]", False: ":red[:material/cancel:]", None: ":material/hourglass_empty:"}
WORDS = {True: "met", False: "not yet", None: "not yet"}


def page_hidden(design: dict, page: str) -> bool:
    """Whether the design's exercise hides the page called ``page`` (``"code"``; the Design page always shows)."""
    return exercises.hidden(design, exercises.PAGE_PREFIX + page)


def banner(design: dict) -> None:
    """The exercise's box, if the design has an exercise: title, task, goals, the result to hand back."""
    exercise = design.get(exercises.FIELD)
    if not exercise or session.facts().errors:
        return
    runs.active()  # settles a run that ended since the last rerun, so the goals see it
    states = results.progress(design, session.facts().summary.total, runs.runs())
    with st.container(border=True, key="exercise"):
        with st.container(horizontal=True, vertical_alignment="center"):
            st.markdown(f"**Exercise · {plain(exercise['title'])}**", width="stretch")
            _leave(exercise)
        if exercise.get("task"):
            with st.container(key="exercise-task"):
                st.markdown(plain(exercise["task"]).replace("\n", "  \n"))
        for state in states:
            st.markdown(f"{ICONS[state.met]} **{WORDS[state.met]}:** {plain(state.figures)}")
        if verdict := results.verdict(states):
            st.success(plain(verdict), icon=":material/emoji_events:")
        _seeds_button(design, states)
        claimed = session.claims()
        if claimed is not None:
            _claims(design, claimed)
        else:
            _hand_back(design)
        with st.expander("The exercise's link, to hand it out"):
            st.caption(f"Exercise code {exercises.code(design)}: a result link handed back shows the same code.")
            st.code(sharing.app_address() + links.query_string(design, projector.on()), language=None, wrap_lines=True)


def _seeds_button(design: dict, states: list[GoalState]) -> None:
    """For a goal over several seeds: one press trains them all, one after another."""
    seeded = [state.goal for state in states if state.goal.seeds > 1]
    if not seeded:
        return
    seeds = results.seeds_of(design, max(seeded, key=lambda goal: goal.seeds))
    busy = runs.active() is not None
    refused = cost.over_budget(design, cost.run_seconds())  # each seed's run has the budget of one run
    label = f"Train with seeds {seeds[0]} to {seeds[-1]}"
    help_text = plain(refused) if refused else "One run per seed, one after another"
    if st.button(label, icon=":material/casino:", disabled=busy or refused is not None, help=help_text):
        runs.start_series([(exercises.with_seed(design, seed), None) for seed in seeds])
        st.switch_page(TRAIN_PAGE)


def _hand_back(design: dict) -> None:
    """The result link: the design and the figures of the runs its goals use, to hand back."""
    result = results.claims(design, runs.runs())
    if not result["runs"]:
        return
    with st.expander("Hand back your result"):
        st.caption(
            "This link carries your design and your runs' figures (seed, epochs, test metrics). "
            f"Opening it shows them as claimed, and re-training confirms them. Exercise code {exercises.code(design)}."
        )
        link = sharing.app_address() + links.result_query_string(design, result, projector.on())
        st.code(link, language=None, wrap_lines=True)


def _claims(design: dict, result: dict) -> None:
    """A result link's figures, as claimed, and whether the session's re-training confirms them."""
    confirmations = results.confirm(design, result, runs.runs())
    st.markdown(f"**Handed back** (exercise code {exercises.code(design)}): the figures this link claims.")
    for claim, item in zip(result["runs"], confirmations, strict=True):
        figures = ", ".join(f"{name} {value:.4f}" for name, value in claim["test"].items())
        status = item.describe()
        st.markdown(
            f"{ICONS[item.confirmed]} Seed {claim['seed']}, {claim['epochs']} epochs: {plain(figures)}: "
            f"**{plain(status)}**"
        )
    if any(item.refused for item in confirmations):  # a claim the exercise's locks or goals rule out: no training
        st.error(
            "This result contradicts the exercise's locks or goals, so it is not re-trained and meets no goal.",
            icon=":material/block:",
        )
        return
    # Under the exercise's locks: with the epochs locked, as many as they say, whatever the claim.
    todo = [(exercises.with_seed(design, c["seed"]), results.retrain_epochs(design, c)) for c in result["runs"]]
    if any(item.confirmed is None for item in confirmations):
        busy = runs.active() is not None
        if st.button("Re-train to confirm", icon=":material/verified:", disabled=busy, help="Same design, same seeds"):
            runs.start_series(todo)
            st.switch_page(TRAIN_PAGE)


def _leave(exercise: dict) -> None:
    st.button(
        "Leave the exercise",
        icon=":material/logout:",
        on_click=session.apply,
        args=("exercise", Edit(exercises.without)),
        help=f"Keep the design, without the exercise's goals and locks ({plain(exercise['title'][:40])})",
    )
