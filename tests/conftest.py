"""Shared test set-up."""

from designer.keras_model import import_keras


def pytest_configure(config):
    """Set TensorFlow up as the app does before any test runs an op (its settings only take then)."""
    import_keras()
