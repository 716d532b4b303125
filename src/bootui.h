/* bootui: what distill boot tells its user and decides for them.
 *
 * Between the command line and boot.c: the command's own options
 * (struct cli's opts) become a struct boot_opts, checked before anything
 * is built; when the Scheme side has built a machine, the accelerator is
 * chosen (KVM when boot_kvm_usable says it really runs guests, else TCG,
 * unless --accel says), the choice and the forwarded ports are printed on
 * stderr, a --state file is prepared, QEMU runs, and its outcome is
 * printed as one line.  No Guile here: the glue's %boot calls bootui_run. */
#ifndef DISTILL_BOOTUI_H
#define DISTILL_BOOTUI_H

#include "boot.h"
#include "cli.h"

/* distill boot's options are well-formed: 0, or -1 with err() (a usage
 * error). */
int bootui_check(const struct cli *c);

/* Run the machine SPEC with the options of c, as distill boot: the exit
 * status (0, BOOT_EXIT_*, EXIT_SYSTEM), the outcome printed; -1 with err()
 * when c is not distill boot (only it runs machines). */
int bootui_run(const struct cli *c, const struct boot_spec *spec);

#endif
