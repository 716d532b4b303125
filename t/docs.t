#!/bin/sh
# docs/modules.md is what `make docs` generates from the modules now.
top=$(cd "$(dirname "$0")/.." && pwd)
echo 1..2
if "$top/distill" run "$top/scripts/modules-doc.scm" "$top/lib/distill" > /tmp/modules-doc.$$; then
	echo "ok 1 - the module documentation generates"
else
	echo "not ok 1 - the module documentation generates"
fi
if cmp -s /tmp/modules-doc.$$ "$top/docs/modules.md"; then
	echo "ok 2 - docs/modules.md is up to date"
else
	echo "not ok 2 - docs/modules.md is up to date (run make docs)"
	diff "$top/docs/modules.md" /tmp/modules-doc.$$ | head -20 | sed 's/^/# /'
fi
rm -f /tmp/modules-doc.$$
