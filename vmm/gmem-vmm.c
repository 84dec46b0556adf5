// SPDX-License-Identifier: GPL-2.0
/*
 * gmem-vmm: a small example VMM for guest_memfd.
 *
 * It creates a VM whose memory is a guest_memfd (KVM_CREATE_GUEST_MEMFD),
 * maps that memory into the VMM with mmap(), binds it to the VM with
 * KVM_SET_USER_MEMORY_REGION2 and runs a tiny guest.  The host writes a
 * message into guest memory; the guest copies it, upper-cased, to another
 * page and stops; the VMM then reads what the guest wrote.  Every step is
 * reported in plain words.
 *
 * Where the kernel offers GUEST_MEMFD_FLAG_NO_DIRECT_MAP, guest memory is
 * also removed from the host kernel's direct map, and the VMM shows what the
 * host kernel sees at the physical address of the message (through
 * /proc/kcore, which reads the direct map) beside what the VMM and the guest
 * see.
 *
 * Where the VM converts guest_memfd in place (KVM_SET_MEMORY_ATTRIBUTES2),
 * the VMM then makes the guest's answer page private and shared again, and
 * shows that the VMM cannot read the page while it is private and that the
 * contents are still there when it is shared again.
 *
 * Guest memory layout (guest physical addresses, one 2 MiB guest_memfd):
 *   0x1000  guest code
 *   0x2000  message written by the host
 *   0x3000  where the guest writes its answer
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <elf.h>
#include <linux/kvm.h>

#include "gmem-util.h"

#define MEM_SIZE	(2UL << 20)
#define CODE_GPA	0x1000UL
#define HOST_MSG_GPA	0x2000UL
#define GUEST_MSG_GPA	0x3000UL
#define DONE_PORT	0x10		/* x86: guest says "done" with OUT */
#define DONE_MMIO	0x10000000UL	/* arm64: guest says "done" with a store */

static const char host_msg[] = "hello from the host vmm";

static void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "gmem-vmm: ");
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(err));
	exit(1);
}

/*
 * The guest: copy the NUL-terminated string at HOST_MSG_GPA to GUEST_MSG_GPA,
 * upper-casing a-z, then signal completion.  Built into this binary for the
 * host's own architecture and copied into guest memory at CODE_GPA.
 */
#define HIDDEN __attribute__((visibility("hidden")))
extern const unsigned char guest_code[] HIDDEN;
extern const unsigned long guest_code_len HIDDEN;

#if defined(__x86_64__)
/* 16-bit real mode, flat: CS = DS = ES = 0. */
asm(".pushsection .rodata\n"
    ".globl guest_code, guest_code_len\n"
    ".hidden guest_code, guest_code_len\n"
    "guest_code:\n"
    ".code16\n"
    "	mov $0x2000, %si\n"
    "	mov $0x3000, %di\n"
    "1:	lodsb\n"
    "	cmp $'a', %al\n"
    "	jb 2f\n"
    "	cmp $'z', %al\n"
    "	ja 2f\n"
    "	sub $0x20, %al\n"
    "2:	stosb\n"
    "	test %al, %al\n"
    "	jnz 1b\n"
    "	out %al, $0x10\n"
    "	hlt\n"
    ".code64\n"
    "guest_code_end:\n"
    "	.balign 8\n"
    "guest_code_len:\n"
    "	.quad guest_code_end - guest_code\n"
    ".popsection\n");
#elif defined(__aarch64__)
/* EL1, MMU off. */
asm(".pushsection .rodata\n"
    ".globl guest_code, guest_code_len\n"
    ".hidden guest_code, guest_code_len\n"
    "guest_code:\n"
    "	mov x0, #0x2000\n"
    "	mov x1, #0x3000\n"
    "1:	ldrb w2, [x0], #1\n"
    "	sub w3, w2, #'a'\n"
    "	cmp w3, #25\n"
    "	b.hi 2f\n"
    "	sub w2, w2, #0x20\n"
    "2:	strb w2, [x1], #1\n"
    "	cbnz w2, 1b\n"
    "	mov x4, #0x10000000\n"
    "	str w2, [x4]\n"
    "3:	b 3b\n"
    "guest_code_end:\n"
    "	.balign 8\n"
    "guest_code_len:\n"
    "	.quad guest_code_end - guest_code\n"
    ".popsection\n");
#else
#error "gmem-vmm supports x86_64 and arm64"
#endif

/* Physical address of the VMM's page at @addr, from /proc/self/pagemap. */
static uint64_t virt_to_phys(void *addr)
{
	long psize = sysconf(_SC_PAGESIZE);
	uint64_t entry = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0 || pread(fd, &entry, sizeof(entry),
			    (uintptr_t)addr / psize * sizeof(entry)) != sizeof(entry))
		entry = 0;
	if (fd >= 0)
		close(fd);
	return (entry & ((1ULL << 55) - 1)) * psize;
}

/*
 * Read @len bytes at physical address @phys the way the host kernel sees
 * them: through /proc/kcore, i.e. through the kernel direct map.  Pages that
 * are not in the direct map read as zeroes.  Returns 0 on success.
 */
static int kcore_read(uint64_t phys, void *buf, size_t len)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	int fd, i, r = -1;

	fd = open("/proc/kcore", O_RDONLY);
	if (fd < 0)
		return -1;
	if (pread(fd, &eh, sizeof(eh), 0) != sizeof(eh))
		goto out;
	for (i = 0; i < eh.e_phnum; i++) {
		if (pread(fd, &ph, sizeof(ph), eh.e_phoff + i * eh.e_phentsize) != sizeof(ph))
			goto out;
		if (ph.p_type != PT_LOAD || ph.p_paddr == (Elf64_Addr)-1 ||
		    phys < ph.p_paddr || phys + len > ph.p_paddr + ph.p_memsz)
			continue;
		if (pread(fd, buf, len, ph.p_offset + phys - ph.p_paddr) == (ssize_t)len)
			r = 0;
		break;
	}
out:
	close(fd);
	return r;
}

static void show_host_kernel_view(int gmem, void *page, const char *what)
{
	char seen[sizeof(host_msg)];
	uint64_t phys = virt_to_phys(page);

	if (!phys || kcore_read(phys, seen, sizeof(seen))) {
		printf("  host kernel view: unavailable (needs root and /proc/kcore)\n");
		return;
	}
	seen[sizeof(seen) - 1] = 0;
	if (seen[0])
		printf("  host kernel (direct map, /proc/kcore) at 0x%llx %s: \"%s\"\n",
		       (unsigned long long)phys, what, seen);
	else
		printf("  host kernel (direct map, /proc/kcore) at 0x%llx %s: nothing (page not mapped)\n",
		       (unsigned long long)phys, what);
	printf("  fdinfo: %ld of %ld allocated pages are out of the direct map\n",
	       gmem_fdinfo(gmem, "gmem-no-direct-map"), gmem_fdinfo(gmem, "gmem-allocated"));
}

struct vm {
	int kvm, vm, vcpu, gmem;
	struct kvm_run *run;
	unsigned char *mem;	/* the VMM's mapping of the guest_memfd */
};

static sigjmp_buf probe_env;

static void on_sigbus(int sig __attribute__((unused)))
{
	siglongjmp(probe_env, 1);
}

/* Whether the VMM can read @p: private guest_memfd pages raise SIGBUS. */
static int vmm_can_read(volatile unsigned char *p)
{
	if (sigsetjmp(probe_env, 1))
		return 0;
	(void)*p;
	return 1;
}

static void convert_page(struct vm *v, uint64_t gpa, int private)
{
	struct kvm_memory_attributes2 attr = {
		.offset = gpa,
		.size = sysconf(_SC_PAGESIZE),
		.attributes = private ? KVM_MEMORY_ATTRIBUTE_PRIVATE : 0,
	};

	if (ioctl(v->gmem, KVM_SET_MEMORY_ATTRIBUTES2, &attr))
		die("KVM_SET_MEMORY_ATTRIBUTES2 (to %s) failed at offset 0x%llx",
		    private ? "private" : "shared", (unsigned long long)attr.error_offset);
}

static int check_cap(struct vm *v, long cap)
{
	int r = ioctl(v->vm, KVM_CHECK_EXTENSION, cap);

	return r < 0 ? 0 : r;
}

static void setup_vcpu(struct vm *v)
{
#if defined(__x86_64__)
	struct kvm_sregs sregs;
	struct kvm_regs regs = { .rip = CODE_GPA, .rflags = 0x2 };

	if (ioctl(v->vcpu, KVM_GET_SREGS, &sregs))
		die("KVM_GET_SREGS");
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	sregs.ds.base = 0;
	sregs.ds.selector = 0;
	sregs.es.base = 0;
	sregs.es.selector = 0;
	if (ioctl(v->vcpu, KVM_SET_SREGS, &sregs))
		die("KVM_SET_SREGS");
	if (ioctl(v->vcpu, KVM_SET_REGS, &regs))
		die("KVM_SET_REGS");
#else
	struct kvm_vcpu_init init;
	__u64 pc = CODE_GPA;
	struct kvm_one_reg reg = {
		.id = KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE |
		      KVM_REG_ARM_CORE_REG(regs.pc),
		.addr = (__u64)(unsigned long)&pc,
	};

	if (ioctl(v->vm, KVM_ARM_PREFERRED_TARGET, &init))
		die("KVM_ARM_PREFERRED_TARGET");
	if (ioctl(v->vcpu, KVM_ARM_VCPU_INIT, &init))
		die("KVM_ARM_VCPU_INIT");
	if (ioctl(v->vcpu, KVM_SET_ONE_REG, &reg))
		die("KVM_SET_ONE_REG(pc)");
#endif
}

/* Run the vCPU until the guest signals completion; false on anything else. */
static int run_guest(struct vm *v)
{
	for (int i = 0; i < 16; i++) {
		if (ioctl(v->vcpu, KVM_RUN, 0) && errno != EINTR)
			die("KVM_RUN");
		switch (v->run->exit_reason) {
#if defined(__x86_64__)
		case KVM_EXIT_IO:
			if (v->run->io.port == DONE_PORT)
				return 1;
			break;
		case KVM_EXIT_HLT:
			return 0;
#else
		case KVM_EXIT_MMIO:
			if (v->run->mmio.phys_addr == DONE_MMIO)
				return 1;
			break;
#endif
		case KVM_EXIT_INTR:
			continue;
		default:
			break;
		}
		printf("  guest stopped unexpectedly: exit reason %u\n", v->run->exit_reason);
		return 0;
	}
	return 0;
}

/*
 * Make the guest's answer page private and shared again, in place, and show
 * who can see it.  Returns 0 if every step did what it should.
 */
static int show_conversion(struct vm *v, const char *answer)
{
	struct sigaction sa = { .sa_handler = on_sigbus };

	if (!(check_cap(v, KVM_CAP_GUEST_MEMFD_MEMORY_ATTRIBUTES) &
	      KVM_MEMORY_ATTRIBUTE_PRIVATE)) {
		printf("  in-place conversion: not supported for this VM\n");
		return 0;
	}
	sigaction(SIGBUS, &sa, NULL);

	convert_page(v, GUEST_MSG_GPA, 1);
	printf("  converted the answer page to private, in place (KVM_SET_MEMORY_ATTRIBUTES2)\n");
	if (vmm_can_read(v->mem + GUEST_MSG_GPA)) {
		printf("  FAILED: the VMM can still read the private page\n");
		return 1;
	}
	printf("  VMM reading it: SIGBUS (a private page is the guest's alone)\n");
	printf("  fdinfo: %ld shared and %ld private pages allocated, private in %ld range(s)\n",
	       gmem_fdinfo(v->gmem, "gmem-shared"), gmem_fdinfo(v->gmem, "gmem-private"),
	       gmem_fdinfo(v->gmem, "gmem-private-ranges"));

	convert_page(v, GUEST_MSG_GPA, 0);
	if (!vmm_can_read(v->mem + GUEST_MSG_GPA) ||
	    memcmp(v->mem + GUEST_MSG_GPA, answer, strlen(answer) + 1)) {
		printf("  FAILED: the page lost its contents or stayed private\n");
		return 1;
	}
	printf("  converted it back to shared: the VMM reads \"%s\" again, kept in place\n",
	       (char *)v->mem + GUEST_MSG_GPA);
	return 0;
}

int main(void)
{
	struct kvm_create_guest_memfd gmem = {
		.size = MEM_SIZE,
		.flags = GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED,
	};
	struct kvm_userspace_memory_region2 slot = {
		.slot = 0,
		.flags = KVM_MEM_GUEST_MEMFD,
		.guest_phys_addr = 0,
		.memory_size = MEM_SIZE,
		.guest_memfd_offset = 0,
	};
	size_t code_len = guest_code_len;
	char answer[sizeof(host_msg)];
	struct vm v;
	int mmap_size, flags;

	v.kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (v.kvm < 0)
		die("open /dev/kvm");
	v.vm = ioctl(v.kvm, KVM_CREATE_VM, 0);
	if (v.vm < 0)
		die("KVM_CREATE_VM");
	if (!check_cap(&v, KVM_CAP_GUEST_MEMFD) || !check_cap(&v, KVM_CAP_USER_MEMORY2)) {
		errno = EOPNOTSUPP;
		die("this kernel has no guest_memfd");
	}
	flags = check_cap(&v, KVM_CAP_GUEST_MEMFD_FLAGS);
	printf("gmem-vmm: KVM guest_memfd example VMM\n");
	printf("  kernel supports guest_memfd flags 0x%x:%s%s%s\n", flags,
	       flags & GUEST_MEMFD_FLAG_MMAP ? " MMAP" : "",
	       flags & GUEST_MEMFD_FLAG_INIT_SHARED ? " INIT_SHARED" : "",
	       flags & GUEST_MEMFD_FLAG_NO_DIRECT_MAP ? " NO_DIRECT_MAP" : "");
	if (flags & GUEST_MEMFD_FLAG_NO_DIRECT_MAP)
		gmem.flags |= GUEST_MEMFD_FLAG_NO_DIRECT_MAP;

	v.gmem = ioctl(v.vm, KVM_CREATE_GUEST_MEMFD, &gmem);
	if (v.gmem < 0)
		die("KVM_CREATE_GUEST_MEMFD");
	printf("  created a %lu MiB guest_memfd (MMAP | INIT_SHARED%s): fd %d\n",
	       MEM_SIZE >> 20,
	       gmem.flags & GUEST_MEMFD_FLAG_NO_DIRECT_MAP ? " | NO_DIRECT_MAP" : "", v.gmem);

	v.mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, v.gmem, 0);
	if (v.mem == MAP_FAILED)
		die("mmap guest_memfd");
	memcpy(v.mem + CODE_GPA, guest_code, code_len);
	strcpy((char *)v.mem + HOST_MSG_GPA, host_msg);
	printf("  host wrote \"%s\" at guest address 0x%lx through its mapping\n",
	       host_msg, HOST_MSG_GPA);
	show_host_kernel_view(v.gmem, v.mem + HOST_MSG_GPA, "(the same page)");

	slot.userspace_addr = (__u64)(unsigned long)v.mem;
	slot.guest_memfd = v.gmem;
	if (ioctl(v.vm, KVM_SET_USER_MEMORY_REGION2, &slot))
		die("KVM_SET_USER_MEMORY_REGION2");

	v.vcpu = ioctl(v.vm, KVM_CREATE_VCPU, 0);
	if (v.vcpu < 0)
		die("KVM_CREATE_VCPU");
	mmap_size = ioctl(v.kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	v.run = mmap(NULL, mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, v.vcpu, 0);
	if (v.run == MAP_FAILED)
		die("mmap kvm_run");
	setup_vcpu(&v);

	if (!run_guest(&v)) {
		printf("  FAILED: the guest did not finish\n");
		return 1;
	}
	printf("  guest ran %zu bytes of code from guest_memfd and signalled completion\n",
	       code_len);
	printf("  guest wrote \"%s\" at guest address 0x%lx; the host read it through its mapping\n",
	       (char *)v.mem + GUEST_MSG_GPA, GUEST_MSG_GPA);
	for (size_t i = 0; i < sizeof(host_msg); i++) {
		char c = host_msg[i];

		if (c >= 'a' && c <= 'z')
			c -= 0x20;
		if (v.mem[GUEST_MSG_GPA + i] != (unsigned char)c) {
			printf("  FAILED: byte %zu is 0x%02x, expected 0x%02x\n",
			       i, v.mem[GUEST_MSG_GPA + i], (unsigned char)c);
			return 1;
		}
	}
	printf("  OK: the guest saw what the host wrote, and the host sees what the guest wrote\n");

	memcpy(answer, v.mem + GUEST_MSG_GPA, sizeof(answer));
	if (show_conversion(&v, answer))
		return 1;

	/*
	 * An I/O buffer: give the guest's answer page its direct map back, as a
	 * VMM would for pages the guest shares for I/O, so that kernel I/O
	 * (O_DIRECT, vhost, io_uring) can use it.
	 */
	if (gmem.flags & GUEST_MEMFD_FLAG_NO_DIRECT_MAP) {
		struct kvm_gmem_direct_map dm = {
			.offset = GUEST_MSG_GPA,
			.size = sysconf(_SC_PAGESIZE),
			.flags = KVM_GMEM_DIRECT_MAP_PRESENT,
		};

		if (ioctl(v.gmem, KVM_GMEM_SET_DIRECT_MAP, &dm))
			die("KVM_GMEM_SET_DIRECT_MAP");
		printf("  restored the direct map of the page at 0x%lx (an I/O buffer):\n",
		       GUEST_MSG_GPA);
		show_host_kernel_view(v.gmem, v.mem + GUEST_MSG_GPA, "(the answer page)");
		show_host_kernel_view(v.gmem, v.mem + HOST_MSG_GPA, "(the message page)");
	}

	/* Give the memory back: it returns to the direct map when freed. */
	munmap(v.mem, MEM_SIZE);
	if (fallocate(v.gmem, FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE, 0, MEM_SIZE))
		die("fallocate(PUNCH_HOLE)");
	printf("  after punching a hole over all of it: %ld pages allocated, %ld out of the direct map\n",
	       gmem_fdinfo(v.gmem, "gmem-allocated"), gmem_fdinfo(v.gmem, "gmem-no-direct-map"));
	return 0;
}
