/* Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
 *
 * The guest's module loader for the real-kernel suite, linked statically
 * into its initramfs. busybox's insmod cannot pass finit_module's flags;
 * this does, so a module of another build of the same series loads on
 * Debian kernels (CONFIG_MODULE_FORCE_LOAD=y), and unloads without waiting.
 *
 *   modload load FILE     finit_module(FILE, "", IGNORE_MODVERSIONS|IGNORE_VERMAGIC)
 *   modload unload NAME   delete_module(NAME, O_NONBLOCK)
 *
 * Prints "ok" or "errno N NAME" and exits 0 or 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef MODULE_INIT_IGNORE_MODVERSIONS
#define MODULE_INIT_IGNORE_MODVERSIONS 1
#define MODULE_INIT_IGNORE_VERMAGIC 2
#endif

static int report(long Rc) {
  if (Rc == 0) {
    puts("ok");
    return 0;
  }
  int E = errno;
  printf("errno %d %s\n", E, strerrorname_np(E) ? strerrorname_np(E) : "?");
  return 1;
}

int main(int Argc, char **Argv) {
  if (Argc == 3 && strcmp(Argv[1], "load") == 0) {
    int Fd = open(Argv[2], O_RDONLY | O_CLOEXEC);
    if (Fd < 0)
      return report(-1);
    return report(syscall(SYS_finit_module, Fd, "",
                          MODULE_INIT_IGNORE_MODVERSIONS |
                              MODULE_INIT_IGNORE_VERMAGIC));
  }
  if (Argc == 3 && strcmp(Argv[1], "unload") == 0)
    return report(syscall(SYS_delete_module, Argv[2], O_NONBLOCK));
  fprintf(stderr, "usage: modload load FILE | modload unload NAME\n");
  return 2;
}
