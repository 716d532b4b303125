#define _GNU_SOURCE
#include "bootui.h"
#include "err.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The options of c into o (zeroed first; boot_opts_free frees it). */
static int options(const struct cli *c, struct boot_opts *o)
{
	memset(o, 0, sizeof *o);
	for (int i = 0; i < c->nopts; i++)
		if (boot_set_option(o, c->opts[i].name, c->opts[i].value) < 0)
			return -1;
	return 0;
}

int bootui_check(const struct cli *c)
{
	struct boot_opts o;
	int r = options(c, &o);
	boot_opts_free(&o);
	return r;
}

/* --accel, else KVM when it really runs guests here, else TCG (saying
 * why; always for another architecture's machine); the choice and the
 * forwards on stderr. */
static const char *accelerator(const struct boot_opts *o, const struct boot_spec *s)
{
	const char *accel = o->accel;
	if (s->arch && strcmp(s->arch, "x86_64")) {
		if (accel && !strcmp(accel, "kvm"))
			fprintf(stderr, "distill: --accel kvm: KVM runs x86_64 machines here, not %s\n",
				s->arch);
		accel = "tcg";
	} else if (!accel) {
		accel = boot_kvm_usable() ? "kvm" : "tcg";
		if (!strcmp(accel, "tcg"))
			fprintf(stderr, "distill: KVM is not usable: %s\n", err_msg());
	}
	fprintf(stderr, "distill: booting with %s\n",
		strcmp(accel, "kvm") ? "TCG (emulation, slower than KVM)" : "KVM");
	for (size_t i = 0; i < o->nfwd; i++)
		fprintf(stderr, "distill: forwarding 127.0.0.1:%u to the guest's port %u\n",
			o->fwd[i].host, o->fwd[i].guest);
	return accel;
}

int bootui_run(const struct cli *c, const struct boot_spec *s)
{
	if (strcmp(c->command, "boot"))
		return err("only distill boot runs machines");
	struct boot_opts o;
	char **argv = NULL;
	if (options(c, &o) == 0) {
		const char *accel = accelerator(&o, s);
		if (o.state && !s->disk)
			err("--state keeps a disk's writes, and this machine has no disk");
		else if (!o.state || boot_state_prepare(s->disk, o.state, NULL) == 0)
			argv = boot_qemu_argv(s, &o, accel);
	}
	int r = argv ? boot_run(NULL, argv, &o, STDOUT_FILENO) : -1;
	if (r < 0) {
		fprintf(stderr, "distill: error: %s\n", err_msg());
		r = EXIT_SYSTEM;
	} else if (r > 0) {
		fprintf(stderr, "distill: %s\n", err_msg());
	}
	boot_argv_free(argv);
	boot_opts_free(&o);
	return r;
}
