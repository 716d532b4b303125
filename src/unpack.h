/* unpack: safe extraction of archives into a directory, via libarchive.
 *
 * Reads tar in any compression libarchive knows (gzip, xz, bzip2, zstd,
 * lzma, lzip...), cpio, zip, and Debian .deb files (an ar archive whose
 * data.tar.* member is what gets unpacked).  Refuses, naming the member and
 * the archive, and leaving nothing outside dest touched: absolute names,
 * ".." components, hard links whose target is absolute or contains "..",
 * writing through a symlink (a symlink to / then a file through it), device
 * nodes, fifos, sockets, and setuid/setgid bits.  Symlinks themselves may
 * point anywhere (they are data; they are never followed while unpacking).
 * Owners are not applied; modes are kept for tree_normalise() to canonicalise.
 * Returns 0, or -1 with err() set; on error dest may hold a partial tree,
 * which the caller removes. */
#ifndef DISTILL_UNPACK_H
#define DISTILL_UNPACK_H

/* dest must exist and be empty. */
int unpack_archive(const char *archive, const char *dest);

#endif
