#!/bin/sh
# t/package.scm with a scratch store, and -n so that build-plans! computes
# plan hashes in C without building anything.
t=$(dirname "$0")
scratch=$(mktemp -d /tmp/distill-package.XXXXXX)
trap 'chmod -R u+w "$scratch"; rm -rf "$scratch"' EXIT
DISTILL_PATH="$t/.." "$t/../distill" --store "$scratch/store" -n run "$t/package.scm"
