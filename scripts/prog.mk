# SPDX-License-Identifier: GPL-2.0
# Rules for the small userspace programs beside the kernel (vmm/, bench/).
# The including Makefile sets PROG; the program is PROG.c, built statically
# with warnings as errors, with common/ (shared helpers) on the include path:
#   make [CROSS_COMPILE=aarch64-linux-gnu-] [KHDR=<kernel O= dir>/usr/include] [O=<dir>]
# KHDR points at the exported uAPI headers of the gmem-next kernel, so that
# the program sees the series' new flags and ioctls.
GN_COMMON := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))../common)
CROSS_COMPILE ?=
CC := $(CROSS_COMPILE)gcc
O ?= .
CFLAGS ?= -O2
CFLAGS += -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
ifneq ($(KHDR),)
CPPFLAGS += -isystem $(KHDR)
endif
CPPFLAGS += -I$(GN_COMMON)
LDFLAGS += -static

all: $(O)/$(PROG)

$(O)/$(PROG): $(PROG).c $(wildcard $(GN_COMMON)/*.h) $(MAKEFILE_LIST)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $<

clean:
	rm -f $(O)/$(PROG)

.PHONY: all clean
