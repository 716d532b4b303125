;; ncurses 6.4: the terminal library, wide-character build, static, in
;; the split Debian uses (libncursesw.a with libformw, libmenuw and
;; libpanelw; libtinfo.a, the terminfo low level; libtic.a), its headers
;; in /usr/include (curses.h, ncurses.h, term.h...), the programs tic,
;; infocmp, tput and clear, and a terminfo database of a few common
;; entries (below) in /usr/share/terminfo.
;;
;; license: MIT (X11 style; the "ncurses" licence, SPDX X11-distribute-
;; modifications-variant; MIT here as Debian's copyright file calls it).
;;
;; Source: Debian 12's ncurses_6.4.orig.tar.gz (source package ncurses
;; 6.4-4; sha256 below, in Debian's signed Sources index, which lists
;; upstream's detached signature ncurses_6.4.orig.tar.gz.asc too): the
;; upstream ncurses-6.4.tar.gz release.  Of Debian's patches (its
;; debian.tar.xz, pinned below; scripts/fill-mirror fetches it) two are
;; applied: fix_crash_on_very_long_tc-use_clause.diff (tic's buffer
;; overflow on a long use= clause, from upstream's 20230121 patch level)
;; and debian-env-access.diff, which with --disable-root-environ is
;; Debian's answer to CVE-2023-29491: a setuid or setgid program ignores
;; TERMINFO, TERMINFO_DIRS, TERMCAP and HOME's ~/.terminfo (root itself
;; may use them).  Left out: Debian's own choices (no Ada manual, its
;; backspace and xterm entries, ncursesw6-config without -L) and
;; fix-configure-root-args-option.diff, which changes configure.in alone
;; (configure is not regenerated here; as shipped, --disable-root-environ
;; also gives --disable-root-access, the stricter of the two).
;;
;; Left out of the build: shared libraries, C++ binding (the toolchain
;; has no C++ compiler), Ada, tests, manual pages, gpm, and the programs
;; toe, tabs, tset/reset and captoinfo/infotocap.  The database holds
;; only terminfo-entries, compiled by the tic just built (so a cross
;; build of this recipe would need a tic of the build machine: pending
;; with cross-compiling).
(define-module (pkg ncurses)
  #:use-module (distill plan)
  #:use-module (distill package)
  #:export (ncurses terminfo-entries))

(define terminfo-entries
  '("linux" "vt100" "vt220" "xterm" "xterm-256color" "screen"
    "screen-256color" "tmux-256color" "dumb"))

(define debian-patches
  ;; Of debian/patches/series of 6.4-4, in its order.
  '("fix_crash_on_very_long_tc-use_clause.diff" "debian-env-access.diff"))

(define (join names)
  (if (null? (cdr names))
      (car names)
      (string-append (car names) "," (join (cdr names)))))

(define ncurses
  (cmmi-package
   "ncurses" "6.4"
   "mirror://debian/pool/main/n/ncurses/ncurses_6.4.orig.tar.gz"
   "sha256:6931283d9ac87c5073f30b6290c4c75f21632bb4fc3603ac8100812bed248159"
   license: "MIT"
   extra-src: (list (remote-archive
                     "mirror://debian/pool/main/n/ncurses/ncurses_6.4-4.debian.tar.xz"
                     "sha256:97218f48c32e375121d33ebc8a0f53afadb776ddace9003f032970749a33677d"
                     #:path "/src"))
   prepare: (debian-patch-steps debian-patches)
   extra-configure: '(--enable-widec --with-termlib=tinfo --with-ticlib=tic
                      --enable-overwrite --without-shared --with-normal
                      --without-debug --without-profile --without-cxx
                      --without-cxx-binding --without-ada --without-tests
                      --without-manpages --without-gpm --disable-stripping
                      --disable-db-install --disable-root-environ
                      --with-default-terminfo-dir=/usr/share/terminfo
                      --with-terminfo-dirs=/etc/terminfo:/usr/share/terminfo)
   cleanup: `(if (mkdir -p /out/usr/share/terminfo)
              if (progs/tic -x -o /out/usr/share/terminfo
                            -e ,(join terminfo-entries) misc/terminfo.src)
              if (cd /out/usr/bin rm -f toe tabs tset reset captoinfo infotocap)
              ln -s libncursesw.a /out/usr/lib/libncurses.a)))
