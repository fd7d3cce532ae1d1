/* Kernel types the sample module uses, defined exactly as Debian's Linux
   6.1.0-50-amd64 BTF has them (btf-dump --format=c of the bundled base), so
   that the module's copies deduplicate against that base. Between the
   6.1.0-47 and 6.1.0-50 stable updates struct genl_multicast_group shrank
   from 18 to 17 bytes and struct kvm_mmio_fragment grew from 24 to 32: a
   module that embeds them by value is only right for one of the two. */
#ifndef SAMPLE_KERNEL_TYPES_H
#define SAMPLE_KERNEL_TYPES_H

typedef unsigned char __u8;
typedef unsigned int __u32;
typedef long long unsigned int __u64;
typedef __u8 u8;
typedef __u32 u32;
typedef __u64 u64;
typedef u64 gpa_t;

struct list_head {
  struct list_head *next;
  struct list_head *prev;
};

struct genl_multicast_group {
  char name[16];
  u8 flags;
};

struct kvm_mmio_fragment {
  gpa_t gpa;
  void *data;
  u64 val;
  unsigned int len;
};

struct sk_buff; /* used through pointers only: any size will do */

#define __percpu_var __attribute__((section(".data..percpu")))

#endif
