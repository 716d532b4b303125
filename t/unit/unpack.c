/* Unit tests of src/unpack.c: archives made here with libarchive's write
 * API unpack to the right tree; hostile ones are refused, naming the
 * member, with nothing written outside dest.  DISTILL_TEST_DEB, when set
 * (t/unpack.t sets it), is a real Debian busybox-static .deb. */
#define _GNU_SOURCE
#include "tap.h"
#include "err.h"
#include "fsutil.h"
#include "hash.h"
#include "tree.h"
#include "unpack.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static char *root;

struct ent {
	const char *name;
	mode_t type; /* AE_IFREG, AE_IFDIR, AE_IFLNK, AE_IFCHR, AE_IFIFO */
	mode_t perm;
	const char *data; /* file content, or symlink target */
	const char *hardlink;
};

enum filter { F_NONE, F_GZIP, F_XZ, F_ZSTD };

/* Write the entries as an archive of format fmt (a libarchive
 * archive_write_set_format_* code) into path.  0, or -1 when the filter
 * is not available. */
static int write_archive(const char *path, int fmt, enum filter f, const struct ent *es, size_t n)
{
	struct archive *a = archive_write_new();
	archive_write_set_format(a, fmt);
	int r = ARCHIVE_OK;
	switch (f) {
	case F_NONE: break;
	case F_GZIP: r = archive_write_add_filter_gzip(a); break;
	case F_XZ: r = archive_write_add_filter_xz(a); break;
	case F_ZSTD: r = archive_write_add_filter_zstd(a); break;
	}
	if (r != ARCHIVE_OK || archive_write_open_filename(a, path) != ARCHIVE_OK) {
		archive_write_free(a);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *e = archive_entry_new();
		archive_entry_set_pathname(e, es[i].name);
		archive_entry_set_filetype(e, es[i].type);
		archive_entry_set_perm(e, es[i].perm);
		archive_entry_set_mtime(e, 1234567890, 0);
		if (es[i].hardlink)
			archive_entry_set_hardlink(e, es[i].hardlink);
		if (es[i].type == AE_IFLNK)
			archive_entry_set_symlink(e, es[i].data);
		if (es[i].type == AE_IFCHR)
			archive_entry_set_rdev(e, makedev(1, 3));
		size_t len = es[i].type == AE_IFREG && es[i].data && !es[i].hardlink
				     ? strlen(es[i].data) : 0;
		archive_entry_set_size(e, len);
		if (archive_write_header(a, e) != ARCHIVE_OK) {
			printf("# write_header %s: %s\n", es[i].name, archive_error_string(a));
			abort();
		}
		if (len)
			archive_write_data(a, es[i].data, len);
		archive_entry_free(e);
	}
	archive_write_close(a);
	archive_write_free(a);
	return 0;
}

static void add_file_member(struct archive *a, const char *name, const char *file)
{
	char *buf;
	size_t len;
	if (fs_read_file(file, &buf, &len) != 0)
		abort();
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, len);
	archive_write_header(a, e);
	archive_write_data(a, buf, len);
	archive_entry_free(e);
	free(buf);
}

/* A .deb as dpkg-deb makes it: ar with debian-binary, control.tar.gz and
 * data.tar.xz. */
static void write_deb(const char *path, const struct ent *es, size_t n)
{
	char *ctl = fs_join(root, "control.tar.gz"), *data = fs_join(root, "data.tar.xz");
	char *db = fs_join(root, "debian-binary");
	struct ent control[] = {{"./control", AE_IFREG, 0644, "Package: x\n", NULL}};
	write_archive(ctl, ARCHIVE_FORMAT_TAR_GNUTAR, F_GZIP, control, 1);
	write_archive(data, ARCHIVE_FORMAT_TAR_GNUTAR, F_XZ, es, n);
	fs_write_atomic(db, "2.0\n", 4, 0644, 0);
	struct archive *a = archive_write_new();
	archive_write_set_format_ar_svr4(a);
	archive_write_open_filename(a, path);
	add_file_member(a, "debian-binary", db);
	add_file_member(a, "control.tar.gz", ctl);
	add_file_member(a, "data.tar.xz", data);
	archive_write_close(a);
	archive_write_free(a);
	free(ctl);
	free(data);
	free(db);
}

static char *slurp(const char *dir, const char *rel)
{
	char *p = fs_join(dir, rel), *buf = NULL;
	if (fs_read_file(p, &buf, NULL) != 0)
		buf = NULL;
	free(p);
	return buf;
}

static int mode_of(const char *dir, const char *rel)
{
	char *p = fs_join(dir, rel);
	struct stat st;
	int r = lstat(p, &st) < 0 ? -1 : (int)st.st_mode;
	free(p);
	return r;
}

static char *link_of(const char *dir, const char *rel)
{
	char *p = fs_join(dir, rel);
	static char buf[256];
	ssize_t n = readlink(p, buf, sizeof buf - 1);
	free(p);
	if (n < 0)
		return NULL;
	buf[n] = 0;
	return buf;
}

static char *fresh_dest(void)
{
	char *d = fs_join(root, "dest");
	fs_rm_rf(d);
	mkdir(d, 0755);
	return d;
}

/* The good content, as a tar-ish member list: "./" prefixes, the root
 * entry, a repeated directory, a read-only directory, a symlink, a hard
 * link. */
static const struct ent good[] = {
	{"./", AE_IFDIR, 0755, NULL, NULL},
	{"./bin/", AE_IFDIR, 0755, NULL, NULL},
	{"./bin/tool", AE_IFREG, 0755, "#!/bin/sh\necho hi\n", NULL},
	{"./bin/link", AE_IFLNK, 0777, "tool", NULL},
	{"./bin/hard", AE_IFREG, 0755, NULL, "./bin/tool"},
	{"./bin/", AE_IFDIR, 0755, NULL, NULL},
	{"etc/conf", AE_IFREG, 0600, "key=value\n", NULL},
	{"./etc/abs", AE_IFLNK, 0777, "/etc/conf", NULL},
	{"./ro/", AE_IFDIR, 0555, NULL, NULL},
	{"./ro/f", AE_IFREG, 0444, "read only\n", NULL},
	{"./empty", AE_IFREG, 0644, "", NULL},
};
#define NGOOD (sizeof good / sizeof good[0])

static void check_good(const char *dest, const char *what, hash_t *h)
{
	char *s = slurp(dest, "bin/tool");
	is_str(s, "#!/bin/sh\necho hi\n", "%s: bin/tool content", what);
	free(s);
	ok(mode_of(dest, "bin/tool") >= 0 && (mode_of(dest, "bin/tool") & 0777) == 0755,
	   "%s: bin/tool is 0755", what);
	is_str(link_of(dest, "bin/link"), "tool", "%s: bin/link -> tool", what);
	is_str(link_of(dest, "etc/abs"), "/etc/conf", "%s: absolute symlink kept as data", what);
	s = slurp(dest, "bin/hard");
	is_str(s, "#!/bin/sh\necho hi\n", "%s: hard link has the content", what);
	free(s);
	s = slurp(dest, "etc/conf");
	is_str(s, "key=value\n", "%s: etc/conf content", what);
	free(s);
	ok((mode_of(dest, "etc/conf") & 0777) == 0600, "%s: mode kept (0600)", what);
	ok((mode_of(dest, "ro") & 0777) == 0555, "%s: read-only dir mode applied after its files", what);
	s = slurp(dest, "ro/f");
	is_str(s, "read only\n", "%s: file in read-only dir", what);
	free(s);
	ok(mode_of(dest, "empty") >= 0 && S_ISREG(mode_of(dest, "empty")), "%s: empty file", what);
	int r = tree_normalise(dest) == 0 && tree_hash(dest, h) == 0;
	ok(r, "%s: normalises and hashes%s%s", what, r ? "" : ": ", r ? "" : err_msg());
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

/* outside/ is a sentinel directory next to dest holding only "target". */
static char *outside, *target;

static void reset_outside(void)
{
	fs_rm_rf(outside);
	mkdir(outside, 0755);
	fs_write_atomic(target, "orig\n", 5, 0644, 0);
}

static void hostile(const char *what, const char *member, const struct ent *es, size_t n)
{
	reset_outside();
	char *dest = fresh_dest();
	char *tar = fs_join(root, "hostile.tar");
	write_archive(tar, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, F_NONE, es, n);
	int r = unpack_archive(tar, dest);
	char *want = fs_fmt("member '%s'", member);
	ok(r < 0 && strstr(err_msg(), want) && strstr(err_msg(), "hostile.tar"),
	   "%s: refused naming the member: %s", what, err_msg());
	free(want);
	char *s = slurp(outside, "target");
	struct stat st;
	ok(count_entries(outside) == 1 && s && strcmp(s, "orig\n") == 0 &&
	   stat(target, &st) == 0 && st.st_nlink == 1,
	   "%s: nothing outside dest touched", what);
	free(s);
	free(tar);
	free(dest);
}

int main(void)
{
	hash_lib_init();
	char tmpl[] = "/tmp/unpack-test.XXXXXX";
	root = xstrdup(mkdtemp(tmpl));
	outside = fs_join(root, "outside");
	target = fs_join(outside, "target");

	/* Good archives, in several formats and compressions. */
	static const struct {
		const char *name;
		int fmt;
		enum filter f;
	} kinds[] = {
		{"a.tar", ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, F_NONE},
		{"a.tar.gz", ARCHIVE_FORMAT_TAR_GNUTAR, F_GZIP},
		{"a.tar.xz", ARCHIVE_FORMAT_TAR_USTAR, F_XZ},
		{"a.tar.zst", ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, F_ZSTD},
	};
	hash_t first, h;
	int nhashed = 0;
	for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
		char *path = fs_join(root, kinds[k].name);
		if (write_archive(path, kinds[k].fmt, kinds[k].f, good, NGOOD) < 0) {
			printf("# %s: this libarchive cannot write it; not tested\n", kinds[k].name);
			free(path);
			continue;
		}
		char *dest = fresh_dest();
		int r = unpack_archive(path, dest);
		ok(r == 0, "%s unpacks: %s", kinds[k].name, r ? err_msg() : "");
		check_good(dest, kinds[k].name, nhashed ? &h : &first);
		if (nhashed++)
			ok(hash_eq(&h, &first), "%s: same tree hash as a.tar", kinds[k].name);
		free(dest);
		free(path);
	}
	ok(nhashed >= 3, "tar, tar.gz and tar.xz at least were tested");

	char *deb = fs_join(root, "a.deb");
	write_deb(deb, good, NGOOD);
	char *dest = fresh_dest();
	ok(unpack_archive(deb, dest) == 0, ".deb unpacks: %s", err_msg());
	check_good(dest, ".deb", &h);
	ok(hash_eq(&h, &first), ".deb: same tree hash as a.tar");
	ok(mode_of(dest, "control") < 0 && mode_of(dest, "debian-binary") < 0,
	   ".deb: only data.tar is unpacked");

	/* dest reached through a symlink: only the archive's own names are
	 * kept from following symlinks. */
	{
		char *real = fs_join(root, "real"), *via = fs_join(root, "via");
		mkdir(real, 0755);
		symlink(real, via);
		char *d = fs_join(via, "d");
		mkdir(d, 0755);
		char *tar = fs_join(root, "a.tar");
		int r = unpack_archive(tar, d);
		ok(r == 0, "dest behind a symlink: unpacks: %s", r ? err_msg() : "");
		char *s = slurp(d, "bin/tool");
		is_str(s, "#!/bin/sh\necho hi\n", "dest behind a symlink: content");
		free(s);
		free(tar);
		free(d);
		free(real);
		free(via);
	}

	/* A .deb with no data.tar. */
	{
		struct archive *a = archive_write_new();
		archive_write_set_format_ar_svr4(a);
		char *bad = fs_join(root, "nodata.deb"), *db = fs_join(root, "debian-binary");
		archive_write_open_filename(a, bad);
		add_file_member(a, "debian-binary", db);
		archive_write_close(a);
		archive_write_free(a);
		free(dest);
		dest = fresh_dest();
		ok(unpack_archive(bad, dest) < 0 && strstr(err_msg(), "data.tar") &&
		   strstr(err_msg(), "nodata.deb"), ".deb without data.tar refused: %s", err_msg());
		free(bad);
		free(db);
	}

	/* zip and cpio too. */
	{
		static const struct ent simple[] = {
			{"d/", AE_IFDIR, 0755, NULL, NULL},
			{"d/f", AE_IFREG, 0644, "zipped\n", NULL},
		};
		const char *names[] = {"a.zip", "a.cpio"};
		int fmts[] = {ARCHIVE_FORMAT_ZIP, ARCHIVE_FORMAT_CPIO_SVR4_NOCRC};
		for (int k = 0; k < 2; k++) {
			char *p = fs_join(root, names[k]);
			write_archive(p, fmts[k], F_NONE, simple, 2);
			free(dest);
			dest = fresh_dest();
			int r = unpack_archive(p, dest);
			ok(r == 0, "%s unpacks: %s", names[k], r ? err_msg() : "");
			char *s = slurp(dest, "d/f");
			is_str(s, "zipped\n", "%s: content", names[k]);
			free(s);
			free(p);
		}
	}

	/* A static library: ar, with its symbol index "/" skipped. */
	{
		char *lib = fs_join(root, "libx.a"), *o = fs_join(root, "x.o"),
		     *idx = fs_join(root, "index");
		fs_write_atomic(o, "object\n", 7, 0644, 0);
		fs_write_atomic(idx, "\0\0\0\0", 4, 0644, 0);
		struct archive *a = archive_write_new();
		archive_write_set_format_ar_svr4(a);
		archive_write_open_filename(a, lib);
		add_file_member(a, "/", idx);
		add_file_member(a, "x.o", o);
		archive_write_close(a);
		archive_write_free(a);
		free(dest);
		dest = fresh_dest();
		int r = unpack_archive(lib, dest);
		ok(r == 0, "static library unpacks: %s", r ? err_msg() : "");
		char *s = slurp(dest, "x.o");
		is_str(s, "object\n", "static library: its member");
		ok(count_entries(dest) == 1, "static library: the symbol index is not a file");
		free(s);
		free(lib);
		free(o);
		free(idx);
	}

	/* Not an archive. */
	{
		char *p = fs_join(root, "junk.tar");
		fs_write_atomic(p, "this is not an archive at all\n", 30, 0644, 0);
		free(dest);
		dest = fresh_dest();
		ok(unpack_archive(p, dest) < 0 && strstr(err_msg(), "junk.tar"),
		   "junk refused: %s", err_msg());
		free(p);
	}

	/* Hostile archives. */
	{
		struct ent e1[] = {{"../outside/x", AE_IFREG, 0644, "evil\n", NULL}};
		hostile("'..' name", "../outside/x", e1, 1);
		ok(strstr(err_msg(), "'..'") != NULL, "'..' message says why");

		char *abs = fs_join(outside, "abs");
		struct ent e2[] = {{abs, AE_IFREG, 0644, "evil\n", NULL}};
		hostile("absolute name", abs, e2, 1);
		ok(strstr(err_msg(), "absolute") != NULL, "absolute message says why");

		struct ent e3[] = {{"a", AE_IFLNK, 0777, "/", NULL},
				   {fs_fmt("a%s/x", outside), AE_IFREG, 0644, "evil\n", NULL}};
		hostile("write through symlink to /", e3[1].name, e3, 2);
		ok(strstr(err_msg(), "symlink") != NULL, "symlink message says why");
		free((char *)e3[1].name);

		struct ent e4[] = {{"./b", AE_IFLNK, 0777, "../outside", NULL},
				   {"./b/x", AE_IFREG, 0644, "evil\n", NULL}};
		hostile("write through symlink to ../outside", "./b/x", e4, 2);

		/* A file over a symlink replaces the symlink, never its target. */
		reset_outside();
		struct ent e5[] = {{"s", AE_IFLNK, 0777, target, NULL},
				   {"s", AE_IFREG, 0644, "replaced\n", NULL}};
		char *tar = fs_join(root, "over.tar");
		write_archive(tar, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, F_NONE, e5, 2);
		free(dest);
		dest = fresh_dest();
		ok(unpack_archive(tar, dest) == 0, "file over a symlink unpacks: %s", err_msg());
		char *s = slurp(dest, "s"), *t = slurp(outside, "target");
		ok(S_ISREG(mode_of(dest, "s")) && s && strcmp(s, "replaced\n") == 0 && t &&
		   strcmp(t, "orig\n") == 0, "file over a symlink: the symlink is replaced, "
		   "its target outside untouched");
		free(s);
		free(t);
		free(tar);

		struct ent e6[] = {{"h", AE_IFREG, 0644, NULL, "../outside/target"}};
		hostile("hard link to ../outside", "h", e6, 1);
		ok(strstr(err_msg(), "hard link target") != NULL, "hard link message says why");

		struct ent e7[] = {{"h", AE_IFREG, 0644, NULL, target}};
		hostile("hard link to an absolute target", "h", e7, 1);

		struct ent e8[] = {{"d", AE_IFLNK, 0777, outside, NULL},
				   {"h", AE_IFREG, 0644, NULL, "d/target"},
				   {"h", AE_IFREG, 0644, "evil\n", NULL}};
		hostile("hard link through a symlink", "h", e8, 3);

		struct ent e9[] = {{"dev/null", AE_IFCHR, 0666, NULL, NULL}};
		hostile("character device", "dev/null", e9, 1);
		ok(strstr(err_msg(), "character device") != NULL, "device message says why");

		struct ent e10[] = {{"pipe", AE_IFIFO, 0644, NULL, NULL}};
		hostile("fifo", "pipe", e10, 1);
		ok(strstr(err_msg(), "fifo") != NULL, "fifo message says why");

		struct ent e11[] = {{"bin/su", AE_IFREG, 04755, "su\n", NULL}};
		hostile("setuid file", "bin/su", e11, 1);
		ok(strstr(err_msg(), "setuid") != NULL, "setuid message says why");

		struct ent e12[] = {{"g", AE_IFDIR, 02755, NULL, NULL}};
		hostile("setgid directory", "g/", e12, 1);

		/* The same refusal from inside a .deb names the .deb. */
		reset_outside();
		char *hdeb = fs_join(root, "busybox.deb");
		write_deb(hdeb, e1, 1);
		free(dest);
		dest = fresh_dest();
		ok(unpack_archive(hdeb, dest) < 0 &&
		   strstr(err_msg(), "busybox.deb: member '../outside/x': refusing a name with '..'"),
		   "hostile .deb refused: %s", err_msg());
		ok(count_entries(outside) == 1, "hostile .deb: nothing outside dest");
		free(hdeb);
		free(abs);
	}

	/* A real .deb. */
	const char *real = getenv("DISTILL_TEST_DEB");
	ok(real != NULL, "DISTILL_TEST_DEB names a real busybox-static .deb (t/unpack.t sets it)");
	if (real) {
		free(dest);
		dest = fresh_dest();
		int r = unpack_archive(real, dest);
		ok(r == 0, "%s unpacks: %s", real, r ? err_msg() : "");
		int m = mode_of(dest, "bin/busybox");
		ok(m >= 0 && S_ISREG(m) && (m & 0111), "bin/busybox is an executable file");
		r = tree_normalise(dest) == 0 && tree_hash(dest, &h) == 0;
		ok(r, "its tree normalises and hashes%s%s", r ? "" : ": ", r ? "" : err_msg());
	}

	free(dest);
	free(deb);
	fs_rm_rf(root);
	free(outside);
	free(target);
	free(root);
	return done_testing();
}
