#!/bin/sh
# Broken recipes: each gives exactly one line FILE:LINE:COL: error: ... on
# stderr and exit status 3.
t=$(cd "$(dirname "$0")" && pwd)
distill="$t/../distill"
scratch=$(mktemp -d /tmp/distill-recipe-errors.XXXXXX)
trap 'chmod -R u+w "$scratch"; rm -rf "$scratch"' EXIT
n=0
failed=0

# check NAME EXPECTED-LINE: run $scratch/NAME.scm, compare stderr and status
check() {
	n=$((n + 1))
	err=$(cd "$scratch" && "$distill" --store "$scratch/store" run "$1.scm" 2>&1 >/dev/null)
	status=$?
	if [ "$status" = 3 ] && [ "$err" = "$2" ]; then
		echo "ok $n - $1: $2"
	else
		echo "not ok $n - $1"
		echo "# status $status, stderr:"
		echo "$err" | sed 's/^/#   /'
		echo "# wanted status 3 and: $2"
		failed=$((failed + 1))
	fi
}

cat > "$scratch/unbound.scm" <<'EOS'
(import (distill package))

(define hello
  (cmmi-package "hello" "2.10"
                "https://ftp.gnu.org/gnu/$name/$name-$version.tar.gz"
                no-such-pin))
EOS
check unbound "unbound.scm:4:3: error: unbound variable: no-such-pin"

# Syntax errors: Guile's message and the form, never its raw arguments.
printf '(import (distill plan))\n(define-syntax twice (syntax-rules () ((_ a) (list a a))))\n(twice)\n' \
	> "$scratch/nopattern.scm"
check nopattern "nopattern.scm:3:1: error: source expression failed to match any pattern: (twice)"
printf '(import (distill plan))\n(let ((x 1) y) x)\n' > "$scratch/badlet.scm"
check badlet "badlet.scm:2:1: error: bad let: (let ((x 1) y) x)"

cat > "$scratch/arity.scm" <<'EOS'
(import (distill package))

(define hello
  (cmmi-package "hello" "2.10"))
EOS
check arity "arity.scm:4:3: error: wrong number of arguments: cmmi-package is called as (cmmi-package name version urlfmt hash #:key dir patches env extra-configure override-configure override-make override-install out-of-tree libs tools cross extra-src prepare cleanup native-cc parallel extra-cflags license output-hash)"

cat > "$scratch/keyword.scm" <<'EOS'
(import (distill package))

(define hello
  (cmmi-package "hello" "2.10"
                "https://ftp.gnu.org/gnu/$name/$name-$version.tar.gz"
                "ZUP9kHtqE_hw6LGcHA05VKATTCBvTfdBjIszfKzthkk="
                extra-configur: '(--with-foo)))
EOS
check keyword "keyword.scm:4:3: error: unrecognized keyword extra-configur:"

cat > "$scratch/module.scm" <<'EOS'
(import (distill package)
        (pkg no-such-package))

no-such-package
EOS
check module "module.scm:2:9: error: no module (pkg no-such-package): no pkg/no-such-package.scm beside the script, in \$DISTILL_PATH or in the library"

cat > "$scratch/pin.scm" <<'EOS'
(import (distill package))

(define hello
  (cmmi-package "hello" "2.10"
                "https://ftp.gnu.org/gnu/$name/$name-$version.tar.gz"
                "ZUP9kHtqE_hw6LGcHA05VKATTCBvTfdBjIszfKzthkk"))
EOS
check pin "pin.scm:4:3: error: malformed pin \"ZUP9kHtqE_hw6LGcHA05VKATTCBvTfdBjIszfKzthkk\": expected 44 characters of base64url with padding (BLAKE2b-256) or sha256:<64 hex digits>"

cat > "$scratch/pin2.scm" <<'EOS'
(import (distill plan))
(remote-archive "https://example.org/x.tar.gz"
                "sha256:31e066137a962676e89f69d1b65382de95a7ef7d914b8cb956f41ea72e0f516")
EOS
check pin2 "pin2.scm:2:1: error: malformed pin \"sha256:31e066137a962676e89f69d1b65382de95a7ef7d914b8cb956f41ea72e0f516\": expected 44 characters of base64url with padding (BLAKE2b-256) or sha256:<64 hex digits>"

# Paths in plans are absolute and normalised: a ".." above / is refused at
# the call that gave it, before anything is built.
cat > "$scratch/dotdot.scm" <<'EOS'
(import (distill plan))
(make-plan name: "x"
           inputs: (list (interned "/build" #o755 "#!/bin/sh\n")
                         (interned "/../etc/x" #o644 "planted")))
EOS
check dotdot "dotdot.scm:4:26: error: '/../etc/x': '..' climbs above /"

cat > "$scratch/relative.scm" <<'EOS'
(import (distill plan))
(make-plan name: "x"
           inputs: (list (interned "../x" #o755 "#!/bin/sh\n")))
EOS
check relative "relative.scm:3:26: error: \"../x\" is not an absolute path"

cat > "$scratch/basedir.scm" <<'EOS'
(import (distill plan))
(make-plan name: "x"
           inputs: (list (interned "/build" #o755 "#!/bin/sh\n")
                         (make-input basedir: "/a/../../b"
                                     link: (interned-dir "/d" #o755))))
EOS
check basedir "basedir.scm:4:26: error: '/a/../../b': '..' climbs above /"

cat > "$scratch/symlink.scm" <<'EOS'
(import (distill plan))
(make-plan name: "x"
           inputs: (list (interned "/build" #o755 "#!/bin/sh\n")
                         (interned-symlink "/usr/../../x" "/etc/passwd")))
EOS
check symlink "symlink.scm:4:26: error: '/usr/../../x': '..' climbs above /"

cat > "$scratch/raw.scm" <<'EOS'
(import (distill plan))
(make-plan name: "x"
           inputs: (list (interned "/build" #o755 "#!/bin/sh\n"))
           raw-output: "/../../etc/shadow")
EOS
check raw "raw.scm:2:1: error: '/../../etc/shadow': '..' climbs above /"

# and a working recipe gives nothing on stderr: (pkg hello) is found
cat > "$scratch/fine.scm" <<'EOS'
(import (distill package) (pkg hello))
(display (procedure? hello))
EOS
n=$((n + 1))
out=$(cd "$scratch" && "$distill" --store "$scratch/store" run fine.scm 2>"$scratch/fine.err")
if [ $? = 0 ] && [ "$out" = "#t" ] && [ ! -s "$scratch/fine.err" ]; then
	echo "ok $n - a correct recipe runs silently and finds (pkg hello)"
else
	echo "not ok $n - a correct recipe runs silently and finds (pkg hello)"
	sed 's/^/#   /' "$scratch/fine.err"
	failed=$((failed + 1))
fi

echo "1..$n"
[ "$failed" = 0 ]
