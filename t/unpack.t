#!/bin/sh
# The unit test also unpacks a real Debian .deb: the pinned busybox-static
# from seed/ (scripts/fetch-seed gets it with apt and checks its sha256).
t=$(dirname "$0")
"$t/../scripts/fetch-seed" >&2 || exit 1
DISTILL_TEST_DEB=$(ls "$t"/../seed/debs/busybox-static_*.deb | head -n 1)
export DISTILL_TEST_DEB
exec "$t/unit/unpack"
