/*
 * kvm.c - open /dev/kvm, check what it offers, create a VM, give it memory (chapter 1).
 *
 * Every call here is one ioctl on the system fd or the VM fd, in the order a VMM must
 * make them. Each failure gets a sentence saying what was being done and what to try.
 */
#include "kvm.h"

#include "error.h"
#include "hostcpu.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* Set when the last kvm__open found no usable KVM device (for kvm__explain_nested). */
static int open_failed;

/* The capabilities chapter 1 cannot do without, with the name the kernel header gives. */
static const struct {
    int cap;
    const char *name;
} required_caps[] = {
    {KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY"},
    {KVM_CAP_SET_TSS_ADDR, "KVM_CAP_SET_TSS_ADDR"},
};

void kvm__explain_nested(FILE *out, const char *program, int chapter)
{
    if (open_failed)
        fprintf(out,
                "%s: without a usable KVM here, 'make chapter-%d' runs %s in the nested "
                "machine, a real KVM inside QEMU's emulator (the book: \"How the code is "
                "organised\")\n",
                program, chapter, program);
}

/* [open-errors] */
void kvm__explain_open_error(int err)
{
    if (err == ENOENT || err == ENODEV || err == ENXIO)
        error__hint("is the kvm module loaded? try 'modprobe kvm_intel' or 'modprobe kvm_amd'; "
                    "if that fails, enable VT-x/AMD-V in the firmware setup");
    else if (err == EACCES || err == EPERM)
        error__hint("is your user in group kvm? 'sudo adduser $USER kvm', then log in again");
}
/* [open-errors] */

/* [api-version] */
int kvm__check_api_version(int version)
{
    if (version < 0)
        return error__errno("KVM_GET_API_VERSION");
    if (version != KVM_API_VERSION)
        return error__set("KVM API version is %d, stepvm needs %d (kernel and headers disagree)",
                          version, KVM_API_VERSION);
    return 0;
}
/* [api-version] */

/* [hw-virt] */
/* Returns 0 when the CPU has VT-x or AMD-V, which KVM is meant to run on; otherwise dev
 * is a KVM done in software, and -1 with the error saying so. */
static int check_hw_virt(const char *dev)
{
    if (hostcpu__virt())
        return 0;
    return error__set("%s works, but this CPU reports neither VT-x nor AMD-V: it is a KVM "
                      "done in software (such as kvm_pvm), which runs only guests built for "
                      "it; stepvm needs KVM on the CPU's virtualization extensions",
                      dev);
}
/* [hw-virt] */

/* [check-caps] */
static int check_capabilities(int sys_fd)
{
    for (size_t i = 0; i < sizeof(required_caps) / sizeof(required_caps[0]); i++) {
        int ret = ioctl(sys_fd, KVM_CHECK_EXTENSION, required_caps[i].cap);
        if (ret < 0)
            return error__errno("KVM_CHECK_EXTENSION %s", required_caps[i].name);
        if (ret == 0)
            return error__set("KVM lacks capability %s (%d): this kernel is too old for stepvm",
                              required_caps[i].name, required_caps[i].cap);
    }
    return 0;
}
/* [check-caps] */

/* [init] */
int kvm__open(const char *dev)
{
    int fd = open(dev, O_RDWR | O_CLOEXEC);

    open_failed = 1;
    if (fd < 0) {
        int err = errno;
        error__errno("open %s", dev);
        kvm__explain_open_error(err);
        return -1;
    }
    if (kvm__check_api_version(ioctl(fd, KVM_GET_API_VERSION, 0)) < 0 || check_hw_virt(dev) < 0) {
        close(fd);
        return -1;
    }
    open_failed = 0;
    return fd;
}

int kvm__init(struct kvm *kvm, const char *dev)
{
    kvm->vm_fd = -1;
    kvm->sys_fd = kvm__open(dev);
    if (kvm->sys_fd < 0)
        return -1;
    if (check_capabilities(kvm->sys_fd) < 0)
        goto err_close_sys;
    kvm->vcpu_mmap_size = ioctl(kvm->sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (kvm->vcpu_mmap_size < 0) {
        error__errno("KVM_GET_VCPU_MMAP_SIZE");
        goto err_close_sys;
    }
    kvm->vm_fd = ioctl(kvm->sys_fd, KVM_CREATE_VM, 0);
    if (kvm->vm_fd < 0) {
        error__errno("KVM_CREATE_VM");
        goto err_close_sys;
    }
    /* Intel CPUs without "unrestricted guest" run real mode through a TSS KVM keeps
     * in three guest pages; put them where no RAM will be, as QEMU does. */
    if (ioctl(kvm->vm_fd, KVM_SET_TSS_ADDR, KVM_TSS_ADDR) < 0) {
        error__errno("KVM_SET_TSS_ADDR 0x%x", KVM_TSS_ADDR);
        goto err_close_vm;
    }
    return 0;

err_close_vm:
    close(kvm->vm_fd);
    kvm->vm_fd = -1;
err_close_sys:
    close(kvm->sys_fd);
    kvm->sys_fd = -1;
    return -1;
}
/* [init] */

int kvm__usable(const char *dev)
{
    int fd = kvm__open(dev);

    if (fd < 0)
        return 0;
    close(fd);
    return 1;
}

/* [set-memory] */
int kvm__set_memory(struct kvm *kvm, uint32_t slot, uint64_t gpa, void *host, size_t size,
                    uint32_t flags)
{
    struct kvm_userspace_memory_region region = {
        .slot = slot,
        .flags = flags,
        .guest_phys_addr = gpa,
        .memory_size = size,
        .userspace_addr = (uint64_t)(uintptr_t)host,
    };

    if (ioctl(kvm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
        return error__errno("KVM_SET_USER_MEMORY_REGION slot %u at 0x%llx (%zu bytes)", slot,
                            (unsigned long long)gpa, size);
    return 0;
}
/* [set-memory] */

void kvm__exit(struct kvm *kvm)
{
    if (kvm->vm_fd >= 0)
        close(kvm->vm_fd);
    if (kvm->sys_fd >= 0)
        close(kvm->sys_fd);
    kvm->vm_fd = kvm->sys_fd = -1;
}
