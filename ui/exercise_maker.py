"""The instructor's "Make an exercise" panel on the Design page.

The panel is a form: what is typed in it is a draft until "Make the exercise"
is pressed; then the design gets its exercise (:func:`designer.exercises.make`,
validated as any edit is), the exercise's box shows its link, and the address
bar holds it too. A design that is an exercise has no panel: an instructor
who wants to change one leaves it (the box's button keeps the design) and
makes a new one.
Goals are written as the command line takes them (``species.accuracy>=0.95``).
"""

from __future__ import annotations

import streamlit as st

from designer import datasets, exercises, goals
from designer.params import Summary
from designer.validation import Problem
from ui import session
from ui.text import plain

ORIGIN = "exercise-maker"
PANEL = "exercise-panel"  # the expander's key: whether it is open


def panel(design: dict, summary: Summary | None) -> None:
    """A collapsed expander with the exercise's title, task, goals, locks and hidden parts (a design without one)."""
    # Drawn only while open: its form would otherwise add a dozen widgets to every edit's rerun.
    expander = st.expander("Make an exercise", key=PANEL, on_change="rerun")
    if not expander.open:
        return
    with expander:
        st.caption(
            "Hand this design out as an exercise: a task, goals the learner's runs are checked against, "
            "and controls locked (shown disabled) or hidden. Locks are a teaching aid, not security."
        )
        with st.form("exercise-maker", border=False):
            title = st.text_input("Title", max_chars=exercises.MAX_TITLE)
            task = st.text_area("Task", max_chars=exercises.MAX_TASK, height=100)
            goal_lines = st.text_area(
                "Goals, one a line",
                _suggested_goals(design, summary),
                help="A metric, >= or <=, a number: species.accuracy>=0.95, petal_width.mae<=0.25, params<=100, "
                "epochs<=50, loss<=0.2; add 'with 5 seeds' to ask for it with 5 seeds",
            )
            parts = exercises.lockable_parts(design)
            locks = st.multiselect("Lock", parts, format_func=_label)
            pages = [exercises.PAGE_PREFIX + page for page in exercises.PAGES]
            hide = st.multiselect("Hide", pages + parts, format_func=_label)
            made = st.form_submit_button("Make the exercise", icon=":material/school:")
        if made and _make(design, title, task, goal_lines, locks, hide):
            st.rerun()  # the editors above were drawn before the exercise locked them
        for problem in session.rejected(ORIGIN):
            st.error(plain(problem.on_page), icon=":material/error:")


def _make(design: dict, title: str, task: str, goal_lines: str, locks: list[str], hide: list[str]) -> bool:
    """Give the design the exercise the form describes; False (and the reason shown) if it cannot be made."""
    goal_list, numbers = [], []
    for number, line in enumerate(goal_lines.splitlines(), start=1):
        if line.strip():
            try:
                goal_list.append(goals.parse_goal(line))
            except goals.GoalTextError as error:
                session.reject(ORIGIN, [Problem("", f"Goal line {number}: {error}")])
                return False
            numbers.append((number, line.strip()))
    candidate = exercises.make(exercises.without(design), title.strip(), goal_list, task.strip(), locks, hide)
    unmeetable = [
        Problem("", f"Goal line {number}: {text} {why}.")
        for (number, text), entry in zip(numbers, goal_list, strict=True)
        if (why := exercises.goal_head_problem(candidate, goals.read_goal(entry)))
    ]
    if unmeetable:  # in the goal's own line, before validation says it of "the exercise's goal N"
        session.reject(ORIGIN, unmeetable)
        return False
    return session.commit(candidate, ORIGIN)


def _suggested_goals(design: dict, summary: Summary | None) -> str:
    """A first draft: each head's score, and the parameters the design has now."""
    lines = []
    for head in design.get("heads", []):
        if isinstance(head, dict) and "name" in head:
            metric = "accuracy>=0.95" if datasets.of(design).column(head.get("target")).is_category else "mae<=0.25"
            lines.append(f"{head['name']}.{metric}")
    if summary is not None:
        lines.append(f"params<={summary.total}")
    return "\n".join(lines)


def _label(part: str) -> str:
    """``page:code`` as "the Code page"; other parts as the exercise describes them."""
    if part.startswith(exercises.PAGE_PREFIX):
        return f"the {part.removeprefix(exercises.PAGE_PREFIX).title()} page"
    return exercises.describe_part(part)
