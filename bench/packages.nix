# Benchmark: COUNT derivations shaped like bench/packages.scm's packages (a
# fixed-output source each, a shared toolchain), for nix-instantiate to
# evaluate to .drv paths.  bench/run section 4 uses it.
{ count }:
let
  system = builtins.currentSystem;
  toolchain = builtins.derivation {
    name = "toolchain"; inherit system; builder = "/bin/sh";
    args = [ "-c" "echo x86_64-linux-musl-gcc > $out" ];
  };
  src = i: builtins.derivation {
    name = "synthetic${toString i}-1.${toString i}.tar.gz"; inherit system;
    builder = "/bin/sh"; args = [ "-c" "false" ];
    outputHashMode = "flat"; outputHashAlgo = "sha256";
    outputHash = builtins.hashString "sha256" (toString i);
  };
  pkg = i: builtins.derivation {
    name = "synthetic${toString i}-1.${toString i}"; inherit system;
    builder = "/bin/sh";
    args = [ "-c" "tar xf $src; cd synthetic${toString i}-1.${toString i}; ./configure --disable-shared --enable-static --disable-nls --prefix=/usr --with-n=${toString i}; make; make DESTDIR=$out install" ];
    src = src i; tools = toolchain;
    CC = "x86_64-linux-musl-gcc"; CFLAGS = "-O2 -pipe -fstack-protector-strong";
  };
in map (p: p.drvPath) (builtins.genList pkg count)
