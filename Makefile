# distill: POSIX make. `make` builds ./distill and the unit tests;
# `make check` runs every test through prove.
.POSIX:
.SUFFIXES: .c .cc .o
CC = cc
CXX = c++
PKGS = guile-3.0 libsodium libarchive libcurl
CFLAGS = -std=gnu11 -O2 -g -Wall -Wextra -Werror
# src/toml.cc alone: tomlplusplus, header-only, in its release mode (its
# debug assertions abort on input that its parser then refuses properly).
CXXFLAGS = -std=c++17 -O2 -g -Wall -Wextra -Werror -DNDEBUG
PREFIX = /usr/local
# distill --version says it.
VERSION = 0.1
DEFS = -DDISTILL_DATADIR=\"$(PREFIX)/share/distill\" -DDISTILL_VERSION=\"$(VERSION)\"
LDFLAGS =

# Core modules: no libguile here, so unit tests link them without Guile.
CORE = src/err.o src/fsutil.o src/hash.o src/unpack.o src/tree.o \
       src/record.o src/store.o src/gc.o src/plan.o src/sandbox.o src/jobserver.o \
       src/build.o src/sched.o src/pins.o src/status.o src/fetch.o src/fetchmany.o src/mirror.o src/fsck.o src/sign.o \
       src/cache.o src/boot.o src/toml.o src/find.o src/why.o src/graph.o src/result.o src/eta.o src/vary.o
# The front end: command line, the Guile glue, where the Scheme library is,
# what distill boot tells its user.
FRONT = src/main.o src/cli.o src/glue.o src/libpath.o src/bootui.o src/embed.o
HDRS = src/err.h src/fsutil.h src/hash.h src/unpack.h src/tree.h \
       src/record.h src/store.h src/gc.h src/plan.h src/sandbox.h src/jobserver.h \
       src/build.h src/sched.h src/pins.h src/status.h src/fsck.h \
       src/cli.h src/glue.h src/libpath.h src/bootui.h src/embed.h src/fetch.h \
       src/mirror.h src/boot.h src/toml.h src/sign.h src/cache.h src/exitcode.h src/eta.h src/vary.h
UNIT = t/unit/hash t/unit/tree t/unit/unpack t/unit/store t/unit/plan t/unit/sandbox \
       t/unit/boot t/unit/mirror t/unit/toml-decode t/unit/sign t/unit/eta
# src/toml.o is C++: its runtime is linked in.
LIBS = `pkg-config --libs $(PKGS)` -lstdc++ -lm

all: distill $(UNIT) scheme distill.1 distill.bash

distill: $(CORE) $(FRONT)
	$(CC) $(LDFLAGS) -o $@ $(CORE) $(FRONT) $(LIBS)

$(CORE) $(FRONT): $(HDRS)

.c.o:
	$(CC) $(CFLAGS) $(DEFS) `pkg-config --cflags $(PKGS)` -c -o $@ $<

.cc.o:
	$(CXX) $(CXXFLAGS) -c -o $@ $<

$(UNIT): $(CORE) t/unit/tap.h
	$(CC) $(CFLAGS) `pkg-config --cflags $(PKGS)` -iquote src -o $@ $@.c $(CORE) $(LIBS)

# The Scheme library inside the binary; regenerated on every make, replaced
# only when it changed.
src/embed.c: FORCE
	scripts/embed-scheme $@
FORCE:

# The Scheme library compiled to bytecode under go/ (only what changed).
scheme: distill FORCE
	./distill run scripts/compile-scheme.scm

# The man page, from docs/cli.md; bash completion, from distill --help.
distill.1: docs/cli.md scripts/md2man Makefile
	scripts/md2man $(VERSION) < docs/cli.md > $@.tmp && mv $@.tmp $@
distill.bash: distill scripts/gen-completion
	scripts/gen-completion ./distill > $@.tmp && mv $@.tmp $@

# docs/modules.md comes from the modules' own comments and docstrings.
docs: distill
	./distill run scripts/modules-doc.scm lib/distill > docs/modules.md.tmp
	mv docs/modules.md.tmp docs/modules.md

# The end-to-end tests share one store per run (t/lib.sh).
check: all
	for s in /tmp/distill-test-store /tmp/distill-test-store-fresh; do \
		[ ! -d $$s ] || chmod -R u+w $$s; rm -rf $$s; done
	prove --timer t/*.t

# Everything check runs, and the parts too heavy for CI's time (the kernel
# built a second time in a fresh store); t/lib.sh's full_only marks them.
check-full: all
	for s in /tmp/distill-test-store /tmp/distill-test-store-fresh; do \
		[ ! -d $$s ] || chmod -R u+w $$s; rm -rf $$s; done
	DISTILL_CHECK_FULL=1 prove --timer t/*.t

# Installs the binary and its Scheme library (the binary also carries a
# copy of the library, so it works without this too).
install: distill distill.1 distill.bash
	mkdir -p $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/distill \
		$(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	cp distill $(DESTDIR)$(PREFIX)/bin/distill
	cp distill.1 $(DESTDIR)$(PREFIX)/share/man/man1/distill.1
	cp distill.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/distill
	for d in lib pkg svc plat linux uboot go; do \
		[ ! -d $$d ] || cp -R $$d $(DESTDIR)$(PREFIX)/share/distill/; done
	mkdir -p $(DESTDIR)$(PREFIX)/share/distill/examples
	cp examples/system.scm $(DESTDIR)$(PREFIX)/share/distill/examples/

clean:
	rm -f distill $(CORE) $(FRONT) $(UNIT) src/embed.c distill.1 distill.bash
	rm -rf go

.PHONY: all check check-full clean docs install scheme FORCE
t/unit/hash: t/unit/hash.c
t/unit/tree: t/unit/tree.c
t/unit/unpack: t/unit/unpack.c
t/unit/store: t/unit/store.c
t/unit/plan: t/unit/plan.c
t/unit/sandbox: t/unit/sandbox.c
t/unit/boot: t/unit/boot.c
t/unit/mirror: t/unit/mirror.c
t/unit/toml-decode: t/unit/toml-decode.c
t/unit/eta: t/unit/eta.c
