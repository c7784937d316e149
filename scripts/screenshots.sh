#!/usr/bin/env bash
# Refresh the README's screenshots in assets/screenshots/: the browser tests that take them, saving them there.
# (A plain test run saves them in the ignored tests/artifacts/screenshots/ and leaves the checkout clean.)
set -euo pipefail
cd "$(dirname "$0")/.."
DESIGNER_SCREENSHOTS="$PWD/assets/screenshots" bash scripts/test.sh -q \
  tests/test_browser.py tests/test_browser_train.py tests/test_browser_projector.py tests/test_browser_maps.py \
  tests/test_browser_exercise.py tests/test_browser_datasets.py "$@"
