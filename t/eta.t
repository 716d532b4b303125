#!/bin/sh
# eta: the live line's estimate of the time left (t/unit/eta.c).
exec "$(dirname "$0")/unit/eta"
