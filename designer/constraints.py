"""Constraints that check a value, say what they require, and give the editor its choices.

In the manner of scikit-learn's ``Interval`` and ``StrOptions``: one object
answers every question about a field's allowed values, so the validator's rule,
its sentence, the editor's options and the tests' invalid examples cannot
drift apart::

    >>> units = Interval(int, 1, 1024)
    >>> units.is_valid(0), units.requirement
    (False, 'must be a whole number from 1 to 1024')

Number boxes are not given ``min_value``/``max_value``: Streamlit's number box
keeps a typed value outside them in the box, with its own error, and sends
nothing (typed 0 into a box with ``min_value=1`` stays 0), which is the stuck
state the page must avoid. The interval refuses such a value at the server
instead, and the box goes back to the design's value with the sentence beside
it. Every bound is small enough for a browser's number box (at most 2**32 - 1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass


def is_whole(value: object) -> bool:
    """An ``int`` that is not a ``bool`` (JSON's ``true`` is not a number of units)."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_finite_number(value: object) -> bool:
    """A finite int or float (JSON may hold integers too large for a float)."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


@dataclass(frozen=True)
class Interval:
    """Whole numbers (``int``) or numbers (``float``) between two bounds.

    ``closed`` says which bounds are allowed: "both", "left", "right" or "neither".
    A bound of ``None`` is unbounded on that side.
    """

    type: type
    low: float | None = None
    high: float | None = None
    closed: str = "both"

    def is_valid(self, value: object) -> bool:
        """Whether ``value`` is of the right type and within the bounds."""
        if not (is_whole(value) if self.type is int else is_finite_number(value)):
            return False
        if self.low is not None and (value < self.low or (value == self.low and self.closed in ("right", "neither"))):
            return False
        return not (
            self.high is not None and (value > self.high or (value == self.high and self.closed in ("left", "neither")))
        )

    @property
    def requirement(self) -> str:
        """The rule as a sentence's end: ``must be a whole number from 1 to 1024``."""
        noun = "a whole number" if self.type is int else "a number"
        low_ok, high_ok = self.closed in ("both", "left"), self.closed in ("both", "right")
        if self.low is not None and self.high is not None:
            if low_ok and high_ok:
                return f"must be {noun} from {_number(self.low)} to {_number(self.high)}"
            above = f"at least {_number(self.low)}" if low_ok else f"above {_number(self.low)}"
            return f"must be {noun} {above} and {_below(high_ok, self.high)}"
        if self.low is not None:
            return f"must be {noun} {'of at least' if low_ok else 'greater than'} {_number(self.low)}"
        if self.high is not None:
            return f"must be {noun} {_below(high_ok, self.high)}"
        return f"must be {noun}"

    def invalid_examples(self) -> list[object]:
        """Values the rule refuses: just outside each bound, the wrong type, not a number."""
        examples: list[object] = ["1", None, True, [1]]
        if self.low is not None:
            examples.append(self._outside(self.low, self.closed in ("both", "left"), down=True))
        if self.high is not None:
            examples.append(self._outside(self.high, self.closed in ("both", "right"), down=False))
        examples.append(1.5 if self.type is int else float("nan"))
        return examples

    def _outside(self, bound: float, allowed: bool, down: bool) -> object:
        if not allowed:
            return self.type(bound)
        if self.type is int:
            return int(bound) - 1 if down else int(bound) + 1
        return math.nextafter(bound, -math.inf if down else math.inf)


def _number(value: float) -> str:
    """A bound as a person writes it: ``4294967295``, ``0.5``, ``1e-07``."""
    return str(value) if isinstance(value, int) else f"{value:g}"


def _below(allowed: bool, high: float) -> str:
    return f"at most {_number(high)}" if allowed else f"below {_number(high)}"


@dataclass(frozen=True)
class Options:
    """One of a fixed set of values (strings, or ``None`` where the format allows it)."""

    values: tuple
    describe_as: str = ""  # a short description instead of the whole list, e.g. "Keras' activations"

    def is_valid(self, value: object) -> bool:
        """Whether ``value`` is one of the options (of a hashable type)."""
        try:
            return value in self.values
        except TypeError:
            return False

    @property
    def requirement(self) -> str:
        """``must be one of adam, sgd, ...``."""
        if self.describe_as:
            return f"must be one of {self.describe_as}"
        return f"must be one of {', '.join('null' if v is None else str(v) for v in self.values)}"

    def widget_options(self) -> list:
        """The options a select box offers, in order."""
        return list(self.values)

    def invalid_examples(self) -> list[object]:
        """Values the rule refuses."""
        return ["no such option", 1, None] if None not in self.values else ["no such option", 1]


@dataclass(frozen=True)
class Optional:
    """``None`` (the feature is off) or a value the inner constraint allows."""

    inner: Interval
    off: str  # what None means, e.g. "no early stopping"

    def is_valid(self, value: object) -> bool:
        """``None`` or a value the inner constraint allows."""
        return value is None or self.inner.is_valid(value)

    @property
    def requirement(self) -> str:
        """``must be null (no early stopping) or a whole number of at least 1``."""
        return f"must be null ({self.off}) or {self.inner.requirement.removeprefix('must be ')}"

    def invalid_examples(self) -> list[object]:
        """The inner constraint's invalid examples other than ``None``."""
        return [value for value in self.inner.invalid_examples() if value is not None]
