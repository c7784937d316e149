"""The optimizers a design may name, and the Keras class each one is.

A table and nothing else: no Keras, TensorFlow or scikit-learn import, so the
code export (which writes ``keras.optimizers.Adam(...)`` into a script) and
the trainer (which builds the optimizer) read the same names without either
importing the other.
"""

from __future__ import annotations

KERAS_CLASSES = {  # design name -> class name in keras.optimizers
    "adam": "Adam",
    "sgd": "SGD",
    "rmsprop": "RMSprop",
    "adamw": "AdamW",
    "adagrad": "Adagrad",
    "nadam": "Nadam",
    "lion": "Lion",
}


def keras_class_name(name: str) -> str:
    """The ``keras.optimizers`` class of a design's optimizer name (``"rmsprop"`` -> ``"RMSprop"``)."""
    return KERAS_CLASSES[name]
