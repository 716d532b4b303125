/* Unit tests for mirror: mirror:// URLs and the Debian archives found in
 * apt's sources. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fetch.h"
#include "fsutil.h"
#include "mirror.h"
#include "tap.h"

static void put(const char *dir, const char *name, const char *text)
{
	char *p = fs_join(dir, name);
	FILE *f = fopen(p, "w");
	fputs(text, f);
	fclose(f);
	free(p);
}

/* The list as one string, entries separated by spaces. */
static char *joined(char **v, const size_t *np)
{
	size_t n = *np;	/* read after the call that made v has set it */
	char *s = xstrdup("");
	for (size_t i = 0; i < n; i++) {
		char *t = fs_fmt("%s%s%s", s, i ? " " : "", v[i]);
		free(s);
		s = t;
	}
	fs_free_words(v, n);
	return s;
}

int main(void)
{
	char tmpl[] = "/tmp/distill-mirror-XXXXXX";
	char *apt = mkdtemp(tmpl);
	char *d = fs_join(apt, "sources.list.d");
	mkdir(d, 0755);
	size_t n;

	char *s = joined(mirror_apt_debian(apt, &n), &n);
	is_str(s, "", "no sources: no Debian archive");
	free(s);

	put(apt, "sources.list",
	    "# deb http://commented.example/debian bookworm main\n"
	    "deb http://one.example/debian bookworm main\n"
	    "deb-src [arch=amd64 signed-by=/k.gpg] http://two.example/debian/ bookworm main\n"
	    "deb http://one.example/debian-security bookworm-security main\n"
	    "deb http://one.example/debian bookworm-updates main\n"
	    "deb [ trusted=yes ] http://three.example/mirror/debian bookworm main\n");
	put(d, "a.sources",
	    "Types: deb\nURIs: http://four.example/debian\nSuites: bookworm\n\n"
	    "Types: deb deb-src\nURIs: http://five.example/debian-security http://six.example/debian\n"
	    "Suites: bookworm\n\n"
	    "Types: deb\nEnabled: no\nURIs: http://disabled.example/debian\n\n"
	    "Types: deb\nURIs: http://seven.example/debian");
	put(d, "a2.sources",
	    "Types: deb\nURIs: http://folded1.example/debian\n"
	    "# a comment inside the field\n"
	    "  http://folded2.example/debian\n\thttp://folded3.example/debian-security\n"
	    "\thttp://folded4.example/debian\nSuites: bookworm\n"
	    "  more-suites\n\n"
	    "Types: deb\nURIs:\n http://folded-disabled.example/debian\nEnabled: no\n");
	put(d, "b.sources.disabled", "Types: deb\nURIs: http://ignored.example/debian\n");
	put(d, "c.list", "deb https://eight.example/debian bookworm main");
	s = joined(mirror_apt_debian(apt, &n), &n);
	is_str(s, "http://one.example/debian http://two.example/debian http://three.example/mirror/debian "
	       "http://four.example/debian http://six.example/debian http://seven.example/debian "
	       "http://folded1.example/debian http://folded2.example/debian "
	       "http://folded4.example/debian https://eight.example/debian",
	       "one-line and deb822 sources (URIs on one line or folded over several), each "
	       "Debian archive once, in order; no security archive, no disabled stanza, no "
	       "other files");
	free(s);

	const char *url = "mirror://debian/pool/main/s/skalibs/skalibs_2.13.1.1.orig.tar.gz";
	unsetenv("DISTILL_MIRROR_DEBIAN");
	s = joined(mirror_expand(url, apt, &n), &n);
	ok(n == 10 && !strncmp(s, "http://one.example/debian/pool/main/s/skalibs/skalibs_2.13.1.1.orig.tar.gz "
			       "http://two.example/debian/pool/main/s/", 100),
	   "mirror://debian/PATH: PATH on each archive apt knows (%s)", s);
	free(s);

	setenv("DISTILL_MIRROR_DEBIAN", " http://env.example/d/ file:///srv/debian ", 1);
	s = joined(mirror_expand(url, apt, &n), &n);
	is_str(s, "http://env.example/d/pool/main/s/skalibs/skalibs_2.13.1.1.orig.tar.gz "
	       "file:///srv/debian/pool/main/s/skalibs/skalibs_2.13.1.1.orig.tar.gz",
	       "$DISTILL_MIRROR_DEBIAN wins over apt's sources");
	free(s);

	setenv("DISTILL_MIRROR_GNU_ALPHA", "http://gnu.example/", 1);
	s = joined(mirror_expand("mirror://gnu-alpha/hello/hello-2.10.tar.gz", apt, &n), &n);
	is_str(s, "http://gnu.example/hello/hello-2.10.tar.gz", "another mirror: its variable, upper case, _ for -");
	free(s);

	s = joined(mirror_expand("mirror://nobody/x.tar.gz", apt, &n), &n);
	is_str(s, "mirror://nobody/x.tar.gz", "a mirror with no base URL: the URL itself (fetching it says why)");
	free(s);

	s = joined(mirror_expand("https://example.org/a.tar.gz", apt, &n), &n);
	is_str(s, "https://example.org/a.tar.gz", "other URLs are left alone");
	free(s);

	fs_rm_rf(apt);
	free(d);
	return done_testing();
}
