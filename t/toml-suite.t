#!/bin/sh
# TOML 1.0.0 conformance (src/toml.cc, tomlplusplus): every case of
# toml-test's files-toml-1.0.0 (t/toml-test/), valid ones decoded to their
# JSON expectation, invalid ones refused with FILE:LINE:COL.
cd "$(dirname "$0")" || exit 1
exec python3 toml-suite.py unit/toml-decode toml-test/tests
