#include "venus_command.h"

#include <string.h>

const char *venus_class_name(enum venus_class cls)
{
	switch (cls) {
	case VENUS_READ: return "read";
	case VENUS_SETTING: return "setting";
	case VENUS_DANGEROUS: return "dangerous";
	}
	return "unknown";
}

bool venus_type_is_first_generation(const char *type)
{
	static const char *const prefixes[] = {"HMG", "VNSE3", "VNSA", "VNSD"};
	if (!type)
		return false;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strncmp(type, prefixes[i], strlen(prefixes[i])) == 0)
			return true;
	return false;
}
