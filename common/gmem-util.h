/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the programs beside the kernel (vmm/, bench/).
 */
#ifndef GMEM_UTIL_H
#define GMEM_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The value of the "key:<space>value" line of @path, or -1. */
static inline long file_key_value(const char *path, const char *key)
{
	size_t len = strlen(key);
	char line[256];
	long val = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, len) && line[len] == ':')
			val = strtol(line + len + 1, NULL, 0);
	}
	fclose(f);
	return val;
}

/* One "key:\tvalue" line of the fdinfo of our file descriptor @fd, or -1. */
static inline long gmem_fdinfo(int fd, const char *key)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	return file_key_value(path, key);
}

#endif /* GMEM_UTIL_H */
