#!/bin/sh
# kvm-usable.sh - exits 0 when the KVM device ($STEPVM_KVM_DEV, else /dev/kvm) is a
# character device this user may read and write, on a CPU with VT-x or AMD-V (without them
# it is a KVM done in software, such as kvm_pvm, which cannot run stepvm's guests as a CPU
# would; see common/hostcpu.h). The one quick check every script makes
# before it decides to run on KVM here or in the nested machine. (The test suites go one
# step further and create a VM: a device that passes here and refuses a VM is caught there.)
dev=${STEPVM_KVM_DEV:-/dev/kvm}
[ -c "$dev" ] && [ -r "$dev" ] && [ -w "$dev" ] && grep -qwE 'vmx|svm' /proc/cpuinfo
