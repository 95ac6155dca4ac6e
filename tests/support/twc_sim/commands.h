/* commands: the test's script on stdin, one command a line, each answered "ok" or "error <reason>". */
#ifndef TWC_SIM_COMMANDS_H
#define TWC_SIM_COMMANDS_H

#include <stdint.h>

#include "sim.h"

/* line: one line without its newline; it is cut into words in place. Blank lines are skipped. */
void sim_run_command(struct sim *sim, char *line, int64_t now_us);

#endif
