#include "events.h"

#include <stdarg.h>
#include <stdio.h>

void sim_say(const char *format, ...)
{
	va_list args;

	va_start(args, format);
	vprintf(format, args);
	va_end(args);
	putchar('\n');
	fflush(stdout);
}
