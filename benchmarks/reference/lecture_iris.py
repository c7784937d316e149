"""The Keras lecture's Iris classifier, as the lecture writes it: the baseline of ``benchmarks/training_speed.py``.

The lecture's Sequential network, 4 inputs -> Dense(8, relu) -> Dense(10, relu)
-> Dense(10, relu) -> Dense(3, softmax), 273 parameters (40 + 90 + 110 + 33),
compiled with Adam (Keras' defaults), categorical cross-entropy and accuracy.
Its data: scikit-learn's bundled Iris, all four measurements, the species
one-hot (``to_categorical``), 20 % of the 150 rows held out for testing
(``train_test_split`` with ``random_state=42``, not stratified), a
``StandardScaler`` fitted on the 120 training rows and applied to both parts.
``model.fit`` trains 100 epochs in batches of 5 (24 an epoch), with no
validation split, silently (``verbose=0``); then ``model.evaluate`` on the
test rows.

Plain Keras and scikit-learn, importing nothing of the app: it is what the
app's trainer is measured against. Only ``model.fit`` is timed (which includes
Keras' tracing of its training function on the first step); importing
TensorFlow, loading the data and building and compiling the model come before
the clock.

    python benchmarks/reference/lecture_iris.py [EPOCHS]

Prints one line, e.g. ``params=273 epochs=100 fit_seconds=4.24 test_accuracy=1.000``.
"""

from __future__ import annotations

import sys
import time

from keras.layers import Dense, Input
from keras.models import Sequential
from keras.utils import to_categorical
from sklearn.datasets import load_iris
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

EPOCHS = 100
BATCH_SIZE = 5
TEST_SIZE = 0.2
RANDOM_STATE = 42


def load_data():
    """Iris split 80/20 as the lecture splits it, scaled on the training rows: ``x_train, x_test, y_train, y_test``."""
    iris = load_iris()
    x, y = iris.data, to_categorical(iris.target)
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=TEST_SIZE, random_state=RANDOM_STATE)
    scaler = StandardScaler()
    return scaler.fit_transform(x_train), scaler.transform(x_test), y_train, y_test


def build_model() -> Sequential:
    """The lecture's 4 -> 8 -> 10 -> 10 -> 3 network, compiled as the lecture compiles it."""
    model = Sequential(
        [
            Input((4,)),
            Dense(8, activation="relu"),
            Dense(10, activation="relu"),
            Dense(10, activation="relu"),
            Dense(3, activation="softmax"),
        ]
    )
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model


def timed_fit(model: Sequential, x_train, y_train, epochs: int) -> float:
    """Seconds that the lecture's ``model.fit`` takes."""
    start = time.perf_counter()
    model.fit(x_train, y_train, epochs=epochs, batch_size=BATCH_SIZE, verbose=0)
    return time.perf_counter() - start


def main(argv: list[str]) -> None:
    epochs = int(argv[0]) if argv else EPOCHS
    x_train, x_test, y_train, y_test = load_data()
    model = build_model()
    fit_seconds = timed_fit(model, x_train, y_train, epochs)
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"params={model.count_params()} epochs={epochs} fit_seconds={fit_seconds:.2f} test_accuracy={accuracy:.3f}")


if __name__ == "__main__":
    main(sys.argv[1:])
