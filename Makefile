# SPDX-License-Identifier: GPL-2.0
# gmem-next: build, boot and test the guest_memfd patch series.
# `make help` lists the targets.  Every target is a short script in scripts/.

ARCH ?= x86_64
S := scripts
SHELL := /bin/bash

.PHONY: help deps tree tree-path export export-check checkpatch kernel selftests \
	vmm test run check check-debug stress bisect-check cross-check bench clean

help:
	@echo "gmem-next targets:"
	@echo "  make run            build the x86_64 kernel, boot it and run the example VMM"
	@echo "  make check          every check: checkpatch, series applies, maple tree tests,"
	@echo "                      x86_64 and arm64 build, KVM selftests in both booted kernels"
	@echo "  make check-debug    selftests on KASAN/lockdep/DEBUG_VM/kmemleak kernels"
	@echo "  make stress         long seeded random runs (tests/stress.list) on both arches"
	@echo "  make bisect-check   build every patch of the series in turn (both arches)"
	@echo "  make cross-check    compile the series' mm/lib/kernel/KVM changes for riscv and s390"
	@echo "  make bench          guest_memfd benchmarks in the booted kernel (a report)"
	@echo "  make deps           install host packages, fetch linux-source-7.3"
	@echo "  make tree           create/update the kernel work tree (base + patches/)"
	@echo "  make tree-path      print the work tree's path"
	@echo "  make export         write the work tree's commits back to patches/"
	@echo "  make export-check   fail if patches/ differs from the work tree"
	@echo "  make checkpatch     scripts/checkpatch.pl --strict on every patch"
	@echo "  make kernel ARCH=a  build the kernel (ARCH=x86_64|arm64)"
	@echo "  make selftests ARCH=a  build the KVM selftests"
	@echo "  make vmm ARCH=a     build the example VMM"
	@echo "  make test ARCH=a    kernel + selftests + boot + the test list (the develop loop)"
	@echo "  make clean          remove build output (keeps downloads, ccache and the tree)"

deps:
	@$(S)/deps.sh

tree: deps
	@$(S)/tree.sh

tree-path:
	@. $(S)/lib.sh; echo "$$GN_TREE"

export:
	@$(S)/export.sh

export-check:
	@$(S)/export.sh --check

checkpatch:
	@$(S)/checkpatch.sh

kernel:
	@$(S)/build-kernel.sh $(ARCH)

selftests:
	@$(S)/build-selftests.sh $(ARCH)

vmm:
	@$(S)/build-vmm.sh $(ARCH)

test: tree
	@$(S)/test.sh $(ARCH)

run: tree
	@$(S)/run.sh

check: tree
	@$(S)/check.sh

check-debug: tree
	@$(S)/check.sh --debug

stress: tree
	@for a in $(or $(ARCHES),x86_64 arm64); do $(S)/test.sh $$a "" $(CURDIR)/tests/stress.list || exit 1; done

bisect-check: tree
	@$(S)/bisect-check.sh

cross-check: tree
	@$(S)/cross-check.sh

bench: tree
	@$(S)/bench.sh

clean:
	@. $(S)/lib.sh; rm -rf "$$GN_BUILD"; echo "removed $$GN_BUILD"
