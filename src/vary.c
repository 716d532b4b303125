#define _GNU_SOURCE
#include "vary.h"

#include "err.h"
#include "fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* Run argv (found on PATH); 0 when it exits 0, else -1 with the last
 * line of its output (or why it could not run) in why. */
static int run(char *const argv[], char *why, size_t size)
{
	int p[2];
	pid_t pid;
	int st = 0;
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0) {
		snprintf(why, size, "pipe: %s", strerror(errno));
		return -1;
	}
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	posix_spawn_file_actions_adddup2(&fa, p[1], 2);
	int e = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	if (e) {
		snprintf(why, size, "no %s on PATH (%s)", argv[0], strerror(e));
		close(p[0]);
		return -1;
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	ssize_t n = read(p[0], why, size - 1);
	close(p[0]);
	while (n > 0 && why[n - 1] == '\n')
		n--;
	why[n > 0 ? n : 0] = 0;
	char *last = strrchr(why, '\n');
	if (last)
		memmove(why, last + 1, strlen(last));
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (!why[0])
		snprintf(why, size, "%s failed", argv[0]);
	return -1;
}

/* The process that unmounts the view and removes its mountpoint when the
 * pipe it reads ends: at vary_end, or when distill dies however it dies.
 * A session of its own, so that a Ctrl-C at the terminal spares it.
 * Returns its pid, the pipe's write end in *fd; -1 when it cannot run. */
static pid_t start_guard(const char *view, int *fd)
{
	static const char script[] =
		"read x; { fusermount3 -u -z \"$0\" || umount -l \"$0\"; } 2>/dev/null && rmdir \"$0\"";
	char *argv[] = { "sh", "-c", (char *)script, (char *)view, NULL };
	int p[2];
	pid_t pid = -1;
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[0], 0);
	posix_spawnattr_init(&at);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSID);
	if (posix_spawnp(&pid, "sh", &fa, &at, argv, environ) != 0)
		pid = -1;
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	close(p[0]);
	if (pid < 0)
		close(p[1]);
	else
		*fd = p[1];
	return pid;
}

/* Mount the shuffled view of dir at dir + ".order", its guard (started
 * first: no moment when it is mounted unguarded) in v; NULL with why set
 * when that cannot be. */
static char *mount_view(struct vary *v, const char *dir, char *why, size_t size)
{
	char *view = fs_fmt("%s.order", dir);
	char *opts = geteuid() ? xstrdup("ro")
		: fs_fmt("ro,allow_other,uid=%lu,gid=%lu", sandbox_build_uid(&v->sb),
			 sandbox_build_gid(&v->sb));
	char *argv[] = { "disorderfs", "--shuffle-dirents=yes", "-o", opts, (char *)dir, view, NULL };
	struct stat a, b;
	int ok = 0;
	if (mkdir(view, 0700) < 0) {
		snprintf(why, size, "cannot create %s: %s", view, strerror(errno));
		goto out;
	}
	if ((v->guard = start_guard(view, &v->guard_fd)) < 0) {
		snprintf(why, size, "cannot start the process that unmounts %s", view);
		rmdir(view);
		goto out;
	}
	ok = run(argv, why, size) == 0;
	if (ok && (stat(dir, &a) < 0 || stat(view, &b) < 0 || a.st_dev == b.st_dev)) {
		snprintf(why, size, "disorderfs mounted nothing on %s", view);
		ok = 0;
	}
	if (!ok) {
		close(v->guard_fd);
		while (waitpid(v->guard, NULL, 0) < 0 && errno == EINTR)
			;
		rmdir(view);
	}
out:
	free(opts);
	if (!ok) {
		free(view);
		view = NULL;
	}
	return view;
}

/* The line that says what v changes and what it cannot. */
static char *describe(const struct vary *v, long cores, int jobs, const char *why)
{
	char *text = NULL;
	size_t len;
	FILE *f = open_memstream(&text, &len);
	fprintf(f, "varied: umask 0022->0002, TZ UTC->GMT-14, LC_ALL C.UTF-8->fr_CH.UTF-8, "
		   "-j%d->-j%d", jobs, v->jobs);
	if (v->sb.cpus)
		fprintf(f, ", nproc %ld->1", cores);
	if (v->sb.id_shift)
		fprintf(f, ", outside build uid +1");
	fprintf(f, ", store path%s", v->view ? ", directory order (disorderfs)" : "");
	fprintf(f, "; not varied: uid 0 inside (recipes build as root)");
	if (!v->sb.id_shift)
		fprintf(f, ", outside uid (an ordinary user can map only its own)");
	if (!v->sb.cpus)
		fprintf(f, ", nproc (one CPU)");
	if (!v->view)
		fprintf(f, ", directory order (%s)", why);
	fclose(f);
	return text;
}

struct vary *vary_begin(const char *dir, int first_jobs)
{
	struct vary *v = xmalloc(sizeof *v);
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	int jobs = first_jobs > 0 ? first_jobs : (int)cores;
	char why[512] = "";
	v->sb = (struct sandbox_vary){
		.umask = 0002, .tz = "GMT-14", .locale = "fr_CH.UTF-8",
		.cpus = cores > 1 ? 1 : 0, .id_shift = geteuid() == 0,
	};
	v->jobs = jobs > 1 ? 1 : 2;
	v->view = mount_view(v, dir, why, sizeof why);
	v->sb.plain_layers = v->view != NULL;
	v->text = describe(v, cores, jobs, why);
	return v;
}

int vary_end(struct vary *v)
{
	int r = 0, st = 0;
	if (!v)
		return 0;
	if (v->view) {
		close(v->guard_fd);
		while (waitpid(v->guard, &st, 0) < 0 && errno == EINTR)
			;
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			r = err("cannot unmount verify's disorderfs view %s: run "
				"fusermount3 -u %s && rmdir %s", v->view, v->view, v->view);
		free(v->view);
	}
	free(v->text);
	free(v);
	return r;
}
