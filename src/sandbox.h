/* sandbox: run one build hermetically, in-process (no helper binary).
 *
 * The child gets new mount, pid, net, ipc, uts and (where the kernel has
 * it) cgroup namespaces, and a user namespace.  Its root is an overlay of
 * the read-only input layers with a writable upper directory, entered by
 * pivot_root; /out is a bind mount of a host directory that the caller
 * then captures; /dev holds only null, zero, full, random, urandom
 * (read-only binds: usable, not changeable), std links and a tmpfs shm;
 * /proc is fresh, with sys, sysrq-trigger, irq, bus and fs read-only;
 * /tmp is a tmpfs; the network has only loopback, up.
 *
 * Who the build is: uid and gid 0 inside, no supplementary groups.  For
 * an ordinary caller they map to the caller.  When the caller is root
 * they map to an unprivileged build id (root's first subordinate id in
 * /etc/subuid and /etc/subgid, else 2147418112): pid 1 then sets up the
 * mounts as root in namespaces that stay owned by the host's user
 * namespace, each layer idmapped so the store's files appear owned by
 * root inside, and enters the build's user namespace last.  So a build
 * run by root is not host root, and cannot change its own mounts.
 * The caller must own the scratch and out directories; as root the
 * sandbox gives upper, work and out to the build id, and the caller's
 * capture takes them back (tree_normalise).
 *
 * pid 1 is distill's own fork, never exec'd: it is non-dumpable (the
 * build cannot read its /proc/1/environ, fds or memory, nor ptrace it),
 * its copy of the caller's environment strings is zeroed, it dies with
 * its parent, and it closes the error pipe once /build is started.  The
 * build joins a session keyring of its own.  Layers, upper and work reach
 * the overlay as /proc/self/fd paths, so mountinfo names no store path
 * in the overlay's options (the /out bind and the log fd still show
 * their host paths).
 *
 * The build: hostname "distill", umask 022, no new privileges, stdin
 * /dev/null, stdout and stderr into the log fd, and an environment of
 * exactly: PATH=/usr/bin:/bin:/usr/sbin:/sbin, HOME=/tmp, TMPDIR=/tmp,
 * LC_ALL=C.UTF-8, TZ=UTC, SOURCE_DATE_EPOCH=0, plus MAKEFLAGS when a
 * jobserver is given.  The program run is /build with no arguments,
 * from cwd "/"; every fd but 0, 1, 2 and the jobserver's is closed.
 * The sandbox's init (pid 1) ends when /build ends, which makes the kernel
 * kill every other process of the build.  A spec's vary (distill verify's
 * second build) changes the umask, TZ, LC_ALL, the CPUs the build may
 * run on and, as root, the outside build id (the next one up); its layers
 * may then come from a FUSE mount that shows them owned by that id, and
 * are not idmapped.  A timeout kills it all and is
 * reported as such.  Where the kernel refuses a namespace or overlay,
 * sandbox_preflight() says why and how to allow it; nothing falls back
 * to a weaker sandbox. */
#ifndef DISTILL_SANDBOX_H
#define DISTILL_SANDBOX_H

#include <stddef.h>
#include <sys/types.h>

/* What distill verify's second build changes (owned by the caller). */
struct sandbox_vary {
	mode_t umask;		/* instead of 022 */
	const char *tz;		/* TZ instead of UTC */
	const char *locale;	/* LC_ALL instead of C.UTF-8 */
	int cpus;		/* run on the first cpus CPUs only; 0: all */
	int id_shift;		/* as root: build as the build id + id_shift */
	int plain_layers;	/* as root: the layers already show the
				 * build id as owner; no idmap */
};

struct sandbox_spec {
	/* Overlay lower layers, top first: each a directory that becomes part
	 * of "/".  Never written. */
	const char *const *layers;
	size_t nlayers;
	/* Scratch directory owned by this build (created by the caller, empty);
	 * the sandbox makes upper/, work/ and root/ inside it. */
	const char *scratch;
	/* Host directory mounted read-write at /out (exists, empty). */
	const char *out;
	/* fd that receives the build's stdout and stderr. */
	int log_fd;
	/* Seconds before everything is killed; 0 for none. */
	unsigned timeout;
	/* GNU make jobserver to pass down, or -1: read and write fds and the
	 * MAKEFLAGS value to set (e.g. " -j2 --jobserver-auth=3,4"). */
	int js_read, js_write;
	const char *makeflags;
	/* NULL, or what to change from the fixed values above. */
	const struct sandbox_vary *vary;
};

/* The outside ids builds run as when distill runs as root, shifted by
 * vary's id_shift (none without vary). */
unsigned long sandbox_build_uid(const struct sandbox_vary *vary);
unsigned long sandbox_build_gid(const struct sandbox_vary *vary);

struct sandbox_result {
	int status;	/* exit status of /build (0-255), or 128+signal */
	int timed_out;	/* 1 if the timeout killed it */
	double seconds;	/* wall time */
};

/* Check once per process that the kernel lets us do all of the above, by
 * setting up a real sandbox (without running anything) on an empty layer
 * in a temporary directory under scratch_parent, which must be on the
 * store's filesystem; 0, or -1 with err() set to the cause and the fix.
 * The fix appended to the kernel's refusal is one of:
 *   unprivileged user namespaces are disabled (kernel.unprivileged_userns_clone
 *   = 0); as root, run `sysctl -w kernel.unprivileged_userns_clone=1` and put
 *   `kernel.unprivileged_userns_clone = 1` in /etc/sysctl.d/ to keep it
 *
 *   user namespaces are disabled (user.max_user_namespaces = 0); as root,
 *   run `sysctl -w user.max_user_namespaces=10000` and put
 *   `user.max_user_namespaces = 10000` in /etc/sysctl.d/ to keep it
 *
 *   AppArmor restricts unprivileged user namespaces
 *   (kernel.apparmor_restrict_unprivileged_userns = 1); as root, run
 *   `sysctl -w kernel.apparmor_restrict_unprivileged_userns=0` (and put it
 *   in /etc/sysctl.d/), or give distill an AppArmor profile with the
 *   `userns,` rule
 *
 *   the kernel refused: a container's seccomp policy or a security module
 *   may forbid user namespaces; run distill where unprivileged user
 *   namespaces are allowed
 *
 *   distill needs overlayfs in a user namespace with 'lowerdir+' (Linux 6.8
 *   or later), and the store on a filesystem overlayfs accepts as upper
 *   layer (ext4, xfs, btrfs, tmpfs; not NFS or another overlay) */
int sandbox_preflight(const char *scratch_parent);

/* Run /build; blocks until it ends or times out.  Returns 0 with *res
 * filled (whatever the build's status), or -1 with err() set when the
 * sandbox itself could not be set up (a missing layer, a refused mount,
 * no /build...); that message also goes to log_fd.  At most 500 layers.
 * Leaves upper/ and work/ in scratch for the caller to remove. */
int sandbox_run(const struct sandbox_spec *spec, struct sandbox_result *res);

#endif
