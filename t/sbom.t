#!/bin/sh
# distill sbom: an SPDX 2.3 document (JSON) of the plans a target needs,
# each with its version, licence, plan and output hashes, its sources
# with their URLs and pins, and what depends on what; the same bytes from
# another store, as another user; no time in it but SOURCE_DATE_EPOCH's.
. "$(dirname "$0")/lib.sh"

start_httpd
echo "leaf's source" > "$scratch/www/leaf-1.0.tar"
echo "a patch" > "$scratch/www/fix.patch"
base="http://127.0.0.1:$port/files"
set -- $("$distill" sum "$scratch/www/leaf-1.0.tar")
leaf_sha=$2
set -- $("$distill" sum "$scratch/www/fix.patch")
patch_b2=$1

mkdir -p "$scratch/debs" && cp "$busybox_deb" "$scratch/debs/"
deb=$scratch/debs/$(basename "$busybox_deb")
chmod -R a+rX "$scratch/debs"
cat > "$scratch/sbom.scm" <<EOF
(import (distill plan))
(define (sh name license text . more)
  (make-plan name: name license: license
    inputs: (append (list (local-archive "$deb")
                          (interned "/build" #o755 (string-append "#!/bin/busybox sh
/bin/busybox mkdir -p /tmp/bin && /bin/busybox --install -s /tmp/bin
export PATH=/tmp/bin:/bin
" text)))
                    more)))
(define leaf (sh "leaf-1.0" "MIT OR Apache-2.0" "cat /src /fix > /out/leaf"
                 (remote-file "$base/leaf-1.0.tar" "$leaf_sha" "/src" #o644)
                 (remote-file "$base/fix.patch" "$patch_b2" "/fix" #o644)))
(sh "top-2.3.1" #f "cp /leaf/leaf /out/top" (make-input basedir: "/leaf" link: leaf))
EOF
chmod a+r "$scratch/sbom.scm"
cd "$scratch" || exit 1

"$distill" --store "$scratch/s1" sbom sbom.scm > doc1.json 2> err1
rc=$?
ok $rc "distill sbom builds the target and prints a document (exit $rc)"
[ $rc = 0 ] || diag err1
"$distill" --store "$scratch/s1" build sbom.scm > build.out 2> /dev/null
top_out=$(cut -d ' ' -f 1 build.out)

# The document, read by Python's json: checks print one line per breach.
cat > check.py <<'EOF'
import base64, json, sys
d = json.load(open(sys.argv[1]))
want = dict(a.split("=", 1) for a in sys.argv[2:])
bad = []
def need(cond, what):
    if not cond:
        bad.append(what)
need(d["spdxVersion"] == "SPDX-2.3" and d["dataLicense"] == "CC0-1.0"
     and d["SPDXID"] == "SPDXRef-DOCUMENT", "SPDX 2.3 header")
need(d["creationInfo"]["created"] == want["created"], "created is " + want["created"])
pk = {p["name"]: p for p in d["packages"]}
need(set(pk) == {"leaf", "top", "busybox-static", "leaf-1.0.tar", "fix.patch"},
     "packages: %s" % sorted(pk))
leaf, top = pk.get("leaf", {}), pk.get("top", {})
need(leaf.get("versionInfo") == "1.0" and top.get("versionInfo") == "2.3.1", "versions")
need(leaf.get("licenseDeclared") == "MIT OR Apache-2.0"
     and top.get("licenseDeclared") == "NOASSERTION", "licences")
need(leaf.get("downloadLocation") == want["base"] + "/leaf-1.0.tar", "leaf's download location")
refs = {r["referenceType"]: r["referenceLocator"] for r in top.get("externalRefs", [])}
need(refs.get("distill-output") == want["top_out"], "top's output hash")
need(len(refs.get("distill-plan", "")) == 44, "top's plan hash")
src = pk.get("leaf-1.0.tar", {})
need(src.get("checksums") == [{"algorithm": "SHA256", "checksumValue": want["leaf_sha"][7:]}],
     "the sha256 pin is the source's SHA256")
fix = pk.get("fix.patch", {})
hexed = base64.urlsafe_b64decode(want["patch_b2"]).hex()
need(fix.get("checksums") == [{"algorithm": "BLAKE2b-256", "checksumValue": hexed}],
     "the BLAKE2b pin is the patch's BLAKE2b-256, in hex")
deb = pk.get("busybox-static", {})
need(any(r["referenceType"] == "purl" and r["referenceLocator"].startswith("pkg:deb/debian/busybox-static@")
         for r in deb.get("externalRefs", [])), "the .deb is a Debian package with its purl")
need(deb.get("downloadLocation") == "NOASSERTION", "a local file's path is not in the document")
ids = {p["name"]: p["SPDXID"] for p in d["packages"]}
rel = {(r["spdxElementId"], r["relationshipType"], r["relatedSpdxElement"]) for r in d["relationships"]}
need(("SPDXRef-DOCUMENT", "DESCRIBES", ids.get("top")) in rel, "the document describes top")
need((ids.get("top"), "DEPENDS_ON", ids.get("leaf")) in rel, "top depends on leaf")
need((ids.get("leaf"), "GENERATED_FROM", ids.get("fix.patch")) in rel, "leaf is made from the patch")
need(all(i.startswith("SPDXRef-") and all(c.isalnum() or c in ".-" for c in i[8:])
         for i in ids.values()), "SPDX ids are letters, digits, . and -")
if bad:
    print("\n".join(bad))
EOF
python3 check.py doc1.json created=1970-01-01T00:00:00Z base="$base" top_out="$top_out" \
	leaf_sha="$leaf_sha" patch_b2="$patch_b2" > check1 2>&1
ok $([ ! -s check1 ]; echo $?) "the document names every plan and source, with versions, licences, hashes and relations"
diag check1

# Another store, another user: the same bytes.
as_user "$distill --store $scratch/s2 sbom sbom.scm > doc2.json 2> err2"
ok $(cmp -s doc1.json doc2.json; echo $?) "the same document from a fresh store, built by another user"
SOURCE_DATE_EPOCH=1700000000 "$distill" --store "$scratch/s1" sbom sbom.scm > doc3.json 2> /dev/null
python3 check.py doc3.json created=2023-11-14T22:13:20Z base="$base" top_out="$top_out" \
	leaf_sha="$leaf_sha" patch_b2="$patch_b2" > check3 2>&1
ok $([ ! -s check3 ]; echo $?) "SOURCE_DATE_EPOCH sets its creation time"

# Every package of pkg/ names its licence: each binding of each (pkg
# NAME) that expands to a plan for x86_64 (evaluated only, not built).
cat > licences.scm <<'EOF'
(import (distill base) (distill package) (distill plan) (ice-9 ftw))
(define conf (default-config 'x86_64))
(for-each
 (lambda (file)
   (let ((name (string->symbol (basename file ".scm"))))
     (module-for-each
      (lambda (sym var)
        (let* ((v (variable-ref var))
               (p (if (plan? v) v ; a package may be a plan already (pkg tcc-stage1)
                      (and (procedure? v) (false-if-exception ((expander conf) v))))))
          (when (plan? p)
            (format #t "~a ~a ~a~%" name sym (or (plan-license p) "NONE")))))
      (resolve-interface `(pkg ,name)))))
 (scandir (cadr (program-arguments)) (lambda (f) (string-suffix? ".scm" f))))
;; (pkg u-boot) exports uboot/config, which takes a board: the one a
;; platform gives.
(let ((u ((expander (default-config 'aarch64))
          (module-ref (resolve-interface '(plat qemu-aarch64)) 'qemu-aarch64-uboot))))
  (format #t "u-boot qemu-aarch64-uboot ~a~%" (or (plan-license u) "NONE")))
EOF
"$distill" run licences.scm "$top/pkg" > licences 2> licences.err
modules=$(ls "$top"/pkg/*.scm | wc -l)
ok $([ "$(cut -d ' ' -f 1 licences | sort -u | wc -l)" = "$modules" ] && ! grep -q ' NONE$' licences; echo $?) \
	"every package of pkg/ ($modules modules, $(wc -l < licences) packages) has a licence"
grep ' NONE$' licences | diag

# A licence that is not a string is a recipe error at its line.
sed 's/"MIT OR Apache-2.0"/(quote mit)/' sbom.scm > badlic.scm
"$distill" --store "$scratch/s1" sbom badlic.scm > /dev/null 2> err4
rc=$?
ok $([ $rc = 3 ] && grep -q 'badlic.scm:[0-9]*:[0-9]*: error: .*license: must be an SPDX licence expression' err4; echo $?) \
	"license: that is not a string is a recipe error with its place (exit $rc)"
diag err4

done_testing
