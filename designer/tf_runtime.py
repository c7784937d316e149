"""Every process-wide setting this app makes for TensorFlow, in one place, and why.

TensorFlow is configured per process, not per model, so these settings reach
every session a process serves. Each one is listed here; nothing else in the
app changes TensorFlow's global state.

What :func:`quiet_logs` does (before TensorFlow is imported):

1. ``TF_CPP_MIN_LOG_LEVEL=2`` in the environment, unless it is set already:
   TensorFlow's C++ start-up chatter (CPU features, oneDNN notes) stays out of
   the server's and the workers' logs; errors still show.

What :func:`configure` does (once per process, before TensorFlow runs its first op):

2. Grappler off (``disable_meta_optimizer``): its graph rewrites cost more
   than they save on graphs this small, and they would run at every trace.
3. One inter-op and one intra-op thread: scheduling overhead dwarfs the work
   of these tiny ops, and one thread makes every sum add up in the same order,
   so that the same seed gives the same numbers to the last bit, also while
   other runs train in the same process. Settable only before the first op;
   if one has run already, TensorFlow's defaults stay.
4. ``gc.freeze()`` after TensorFlow and Keras are imported: they leave about a
   million long-lived objects behind, and moving them out of the garbage
   collector's sight saves it rescanning them (tenths of a second at every
   full collection) for the life of the process.

What :func:`lower_priority` does (a training worker only):

5. ``os.nice(5)``: the worker yields the CPUs to the Streamlit server, so
   pages stay responsive while runs train.

What :func:`traced_forgetting_custom_gradients` does (at every trace of a training function):

6. Drops the ``CustomGradient-*`` entries the trace added to TensorFlow's
   global gradient registry. Keras' ``optimizer.apply`` goes through a
   ``tf.custom_gradient``, whose gradient TensorFlow registers for good,
   holding the whole traced graph (about 13 MB here):
   tensorflow/tensorflow#97697. Nothing ever differentiates through an
   optimizer step, so nothing needs those entries.

What :func:`single_threaded` does (a training worker only, before TensorFlow is imported):

7. ``TF_NUM_INTRAOP_THREADS``, ``TF_NUM_INTEROP_THREADS`` and
   ``OMP_NUM_THREADS`` set to 1 in the worker's environment: TensorFlow's
   thread pools (and oneDNN's OpenMP ones) are sized from these when they are
   made, so no pool of more threads exists even for the moment before effect 3
   takes hold, nor for a library that reads only the environment. With effects
   3 and 5, a worker uses at most about one CPU, below the server's priority.
   A worker says in its "ready" message what it ended up with
   (:func:`worker_facts`), and the tests check it.

What never happens (``tests/test_lint.py`` checks it): no process-wide random
seed (``keras.utils.set_random_seed``, ``tf.random.set_seed``,
``np.random.seed``, ``random.seed``; every random draw derives from a design's
seed), no ``keras.backend.clear_session()`` (it would wipe other runs' models
in the same process), and no model cached across sessions.

This module imports TensorFlow only inside its functions.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
import threading

LOG_LEVEL = "2"  # TF_CPP_MIN_LOG_LEVEL: 0 all, 1 no INFO, 2 no WARNING, 3 no ERROR
WORKER_NICENESS = 5
SINGLE_THREAD_ENVIRONMENT = ("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS", "OMP_NUM_THREADS")

_lock = threading.Lock()
_configured = False
_imported_before_environment: bool | None = None  # whether TensorFlow was imported before single_threaded()


def quiet_logs() -> None:
    """Effect 1: TensorFlow's C++ logging down to errors, unless the environment says otherwise."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", LOG_LEVEL)


def configure() -> None:
    """Effects 1 to 4: import TensorFlow and Keras, set up for many tiny graphs; once per process."""
    global _configured
    if _configured:
        return
    with _lock:
        if _configured:
            return
        quiet_logs()
        import keras  # noqa: F401  (imported before gc.freeze(), so its objects are frozen too)
        import tensorflow as tf

        tf.config.optimizer.set_experimental_options({"disable_meta_optimizer": True})
        try:
            tf.config.threading.set_inter_op_parallelism_threads(1)
            tf.config.threading.set_intra_op_parallelism_threads(1)
        except RuntimeError:
            pass  # TensorFlow had already run an op; its defaults stay
        gc.freeze()
        _configured = True


def lower_priority() -> None:
    """Effect 5, for a training worker: the server's pages come first when the CPUs are busy."""
    with contextlib.suppress(OSError):
        os.nice(WORKER_NICENESS)


def single_threaded() -> None:
    """Effect 7, for a training worker: one thread in TensorFlow's and OpenMP's pools, from the environment."""
    global _imported_before_environment
    _imported_before_environment = "tensorflow" in sys.modules
    for name in SINGLE_THREAD_ENVIRONMENT:
        os.environ[name] = "1"


def worker_facts() -> dict:
    """What a worker reports when ready: its niceness, TensorFlow's thread counts and the environment's,
    and whether TensorFlow was imported before the environment was set (it must not have been)."""
    import tensorflow as tf

    return {
        "niceness": os.getpriority(os.PRIO_PROCESS, 0),
        "intra_op_threads": tf.config.threading.get_intra_op_parallelism_threads(),
        "inter_op_threads": tf.config.threading.get_inter_op_parallelism_threads(),
        "environment": {name: os.environ.get(name) for name in SINGLE_THREAD_ENVIRONMENT},
        "tensorflow_imported_first": _imported_before_environment,
    }


def traced_forgetting_custom_gradients(function):
    """Effect 6: trace the ``tf.function`` now, then drop the gradient functions the trace registered globally."""
    from tensorflow.python.framework import ops

    registry = getattr(getattr(ops, "_gradient_registry", None), "_registry", None)
    before = set(registry or ())
    function.get_concrete_function()
    for name in set(registry or ()) - before:
        if name.startswith("CustomGradient-"):
            registry.pop(name, None)
    return function
