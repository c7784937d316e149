"""What follows from a design, derived once: its problems, its network and its parameter counts.

A page, its graph and the trainer all read the same :class:`Derived`, so one
design revision is validated and resolved once (see ``ui.session.facts``).
"""

from __future__ import annotations

from dataclasses import dataclass

from designer import network, params
from designer.validation import Problem, errors, validate, warnings


@dataclass(frozen=True)
class Derived:
    """A design's problems and, when it has no errors, its resolved network and counts."""

    problems: tuple[Problem, ...]
    network: network.Network | None
    summary: params.Summary | None

    @property
    def errors(self) -> list[Problem]:
        return errors(list(self.problems))

    @property
    def warnings(self) -> list[Problem]:
        return warnings(list(self.problems))


def derive(design: dict) -> Derived:
    """Validate ``design`` once and, if it is valid, resolve and count it."""
    problems = tuple(validate(design))
    if errors(list(problems)):
        return Derived(problems, None, None)
    net = network.resolve(design)
    return Derived(problems, net, params.summarize_network(net))
