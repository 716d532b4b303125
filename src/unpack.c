#define _GNU_SOURCE
#include "unpack.h"
#include "err.h"
#include "fsutil.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* libarchive's own checks, behind ours: ours name the member and say why;
 * these catch what slips past (writing through a symlink, above all).
 * Not ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS: every name we hand over is
 * absolute, dest joined to a relative name we checked. */
#define EXTRACT_FLAGS (ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_SYMLINKS | \
		       ARCHIVE_EXTRACT_PERM)

#define HOSTILE "(hostile or broken archive)"

/* name without its leading "./" and "/" runs: "./a" -> "a", "./" -> "". */
static const char *strip_dot(const char *name)
{
	while (name[0] == '.' && (name[1] == '/' || name[1] == 0)) {
		name += name[1] ? 2 : 1;
		while (*name == '/')
			name++;
	}
	return name;
}

static bool has_dotdot(const char *name)
{
	for (const char *p = name; *p;) {
		size_t n = strcspn(p, "/");
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return true;
		p += n;
		while (*p == '/')
			p++;
	}
	return false;
}

/* Check a member or hard-link target name; "what" says which it is. */
static int check_name(const char *label, const char *member, const char *name,
		      const char *what)
{
	if (name[0] == '/')
		return err("%s: member '%s': refusing %s that is absolute " HOSTILE,
			   label, member, what);
	if (has_dotdot(name))
		return err("%s: member '%s': refusing %s with '..' components " HOSTILE,
			   label, member, what);
	return 0;
}

static const char *kind_name(mode_t m)
{
	switch (m & AE_IFMT) {
	case AE_IFCHR: return "character device";
	case AE_IFBLK: return "block device";
	case AE_IFIFO: return "fifo";
	case AE_IFSOCK: return "socket";
	default: return "member of unknown type";
	}
}

/* Check one entry and point it under dest.  Returns 1 to write it, 0 to
 * skip it (the archive's root directory), -1 on refusal. */
static int prepare(struct archive_entry *e, const char *label, const char *dest)
{
	const char *member = archive_entry_pathname(e);
	if (!member)
		return err("%s: a member's name cannot be read in this locale " HOSTILE, label);
	const char *name = strip_dot(member);
	if (check_name(label, member, name, "a name") < 0)
		return -1;
	const char *link = archive_entry_hardlink(e);
	mode_t type = archive_entry_filetype(e);
	if (!link && type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK)
		return err("%s: member '%s': refusing a %s: a tree holds only files, "
			   "directories and symlinks " HOSTILE, label, member, kind_name(type));
	if (archive_entry_perm(e) & (S_ISUID | S_ISGID))
		return err("%s: member '%s': refusing a setuid or setgid mode %04o " HOSTILE,
			   label, member, (unsigned)archive_entry_perm(e));
	if (!*name) {
		if (link || type != AE_IFDIR)
			return err("%s: member '%s': refusing an empty name " HOSTILE, label, member);
		return 0;
	}
	char *full = fs_join(dest, name);
	if (link) {
		const char *target = strip_dot(link);
		if (check_name(label, member, target, "a hard link target") < 0) {
			free(full);
			return -1;
		}
		if (!*target) {
			free(full);
			return err("%s: member '%s': refusing a hard link to the archive's root "
				   HOSTILE, label, member);
		}
		char *t = fs_join(dest, target);
		archive_entry_copy_hardlink(e, t);
		free(t);
	}
	archive_entry_copy_pathname(e, full);
	free(full);
	return 1;
}

/* ar members are files, whatever the mode field says (deterministic ar
 * writes 0); the symbol index of a static library (GNU "/", BSD
 * "__.SYMDEF") is not a member at all.  Returns true to skip e. */
static bool ar_fixup(struct archive *in, struct archive_entry *e, const char *member)
{
	if ((archive_format(in) & ARCHIVE_FORMAT_BASE_MASK) != ARCHIVE_FORMAT_AR)
		return false;
	if (strcmp(member, "/") == 0 || strncmp(member, "__.SYMDEF", 9) == 0)
		return true;
	if (archive_entry_filetype(e) == 0)
		archive_entry_set_filetype(e, AE_IFREG);
	return false;
}

/* A write into dest did not do all it should have: libarchive reports a
 * failed write(2) (a full disk above all) or a mode it could not set as a
 * mere ARCHIVE_WARN, so every status but ARCHIVE_OK of a write lands here.
 * The errno it met is kept, so a full disk is told apart (err_disk_full).
 * member NULL: closing out (deferred directory modes) failed. */
static int write_failed(struct archive *out, const char *label, const char *member)
{
	char *what = member ? fs_fmt("member '%s': cannot write it", member)
			    : xstrdup("cannot finish writing its tree");
	errno = archive_errno(out);
	if (errno > 0)
		err_sys("%s: %s (%s)", label, what, archive_error_string(out));
	else
		err("%s: %s: %s", label, what, archive_error_string(out));
	free(what);
	return -1;
}

/* Copy the data of the current entry of in to out. */
static int copy_data(struct archive *in, struct archive *out, const char *label,
		     const char *member)
{
	const void *buf;
	size_t len;
	la_int64_t off;
	int s;
	while ((s = archive_read_data_block(in, &buf, &len, &off)) == ARCHIVE_OK)
		if (archive_write_data_block(out, buf, len, off) != ARCHIVE_OK)
			return write_failed(out, label, member);
	if (s != ARCHIVE_EOF)
		return err("%s: member '%s': cannot read: %s", label, member,
			   archive_error_string(in));
	return 0;
}

/* Write the entry e of in, checked and pointed under dest by prepare(). */
static int write_entry(struct archive *in, struct archive *out, struct archive_entry *e,
		       const char *label, const char *member)
{
	int s = archive_write_header(out, e);
	if (s < ARCHIVE_WARN)
		return err("%s: member '%s': refusing to write it " HOSTILE ": %s",
			   label, member, archive_error_string(out));
	if (s != ARCHIVE_OK)
		return write_failed(out, label, member);
	if (copy_data(in, out, label, member) < 0)
		return -1;
	if (archive_write_finish_entry(out) != ARCHIVE_OK)
		return write_failed(out, label, member);
	return 0;
}

/* Extract everything from in into dest; first is an entry already read
 * from in, or NULL. */
static int extract(struct archive *in, struct archive_entry *first, const char *label,
		   const char *dest)
{
	struct archive *out = archive_write_disk_new();
	if (!out)
		return err("%s: libarchive cannot allocate a writer", label);
	archive_write_disk_set_options(out, EXTRACT_FLAGS);
	int r = 0;
	struct archive_entry *e = first;
	for (;;) {
		if (!e) {
			int s = archive_read_next_header(in, &e);
			if (s == ARCHIVE_EOF)
				break;
			if (s < ARCHIVE_WARN) {
				r = err("%s: cannot read: %s", label, archive_error_string(in));
				break;
			}
		}
		char *member = xstrdup(archive_entry_pathname(e) ? archive_entry_pathname(e) : "?");
		int p = ar_fixup(in, e, member) ? 0 : prepare(e, label, dest);
		if (p < 0 || (p > 0 && write_entry(in, out, e, label, member) < 0))
			r = -1;
		free(member);
		if (r < 0)
			break;
		e = NULL;
	}
	/* Closing applies deferred directory modes. */
	if (archive_write_close(out) != ARCHIVE_OK && r == 0)
		r = write_failed(out, label, NULL);
	archive_write_free(out);
	return r;
}

/* The inner reader of a .deb reads the outer one's current member. */
struct outer {
	struct archive *a;
	char buf[1 << 16];
};

static la_ssize_t outer_read(struct archive *inner, void *ud, const void **buf)
{
	struct outer *o = ud;
	la_ssize_t n = archive_read_data(o->a, o->buf, sizeof o->buf);
	if (n < 0)
		archive_set_error(inner, archive_errno(o->a), "%s", archive_error_string(o->a));
	*buf = o->buf;
	return n;
}

/* in is positioned after "debian-binary": find data.tar.* and unpack it. */
static int extract_deb(struct archive *in, const char *label, const char *dest)
{
	struct archive_entry *e;
	for (;;) {
		int s = archive_read_next_header(in, &e);
		if (s == ARCHIVE_EOF)
			return err("%s: a .deb without a data.tar.* member " HOSTILE, label);
		if (s < ARCHIVE_WARN)
			return err("%s: cannot read: %s", label, archive_error_string(in));
		const char *name = archive_entry_pathname(e);
		if (name && strncmp(name, "data.tar", 8) == 0)
			break;
	}
	struct outer *o = xmalloc(sizeof *o);
	o->a = in;
	struct archive *inner = archive_read_new();
	archive_read_support_filter_all(inner);
	archive_read_support_format_tar(inner);
	int r;
	if (archive_read_open(inner, o, NULL, outer_read, NULL) != ARCHIVE_OK)
		r = err("%s: cannot read its data.tar: %s", label, archive_error_string(inner));
	else
		r = extract(inner, NULL, label, dest);
	archive_read_free(inner);
	free(o);
	return r;
}

int unpack_archive(const char *archive, const char *dest_arg)
{
	/* libarchive refuses symlinks anywhere in the names it writes, dest's
	 * own path included: resolve that part first. */
	char *dest = realpath(dest_arg, NULL);
	if (!dest)
		return err_sys("%s: cannot unpack %s into it", dest_arg, archive);
	struct archive *in = archive_read_new();
	if (!in) {
		free(dest);
		return err("%s: libarchive cannot allocate a reader", archive);
	}
	archive_read_support_filter_all(in);
	archive_read_support_format_all(in);
	int r;
	struct archive_entry *e;
	int s = archive_read_open_filename(in, archive, 1 << 16);
	if (s == ARCHIVE_OK)
		s = archive_read_next_header(in, &e);
	if (s == ARCHIVE_EOF) {
		r = 0;
	} else if (s < ARCHIVE_WARN) {
		r = err("%s: cannot read it as an archive (tar, cpio, zip, ar or .deb, in any "
			"common compression): %s", archive, archive_error_string(in));
	} else {
		if ((archive_format(in) & ARCHIVE_FORMAT_BASE_MASK) == ARCHIVE_FORMAT_AR &&
			 archive_entry_pathname(e) &&
			 strcmp(archive_entry_pathname(e), "debian-binary") == 0)
			r = extract_deb(in, archive, dest);
		else
			r = extract(in, e, archive, dest);
	}
	archive_read_free(in);
	free(dest);
	return r;
}
