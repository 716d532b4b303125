#!/bin/sh
exec "$(dirname "$0")/../distill" run "$(dirname "$0")/check.scm"
