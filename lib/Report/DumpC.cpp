//===- DumpC.cpp - BTF as a C header --------------------------------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The header bpftool 7.1 prints for `bpftool btf dump file F format c`
// (tools/bpf/bpftool/btf.c, dump_btf_c): a guard, the
// preserve_access_index pragma that makes every struct CO-RE relocatable
// in BPF programs, then each type in id order with the definitions it
// needs before it (DumpCOrder.cpp, DumpCEmit.cpp).
//
// Split BTF: bpftool dumps every id of the chain, the base's too. By
// default only the split's own ids are requested here; the base types they
// need are still declared (the ordering walk follows references into the
// base, as libbpf's btf_dump__dump_type() does for any id), so the header
// compiles on its own. DumpCOptions::IncludeBase gives bpftool's listing.
//
// The whole header is ordered, then printed into memory and written at
// once: an error leaves no partial output.
//
//===----------------------------------------------------------------------===//

#include "DumpCImpl.h"

#include "btfkit/Dump.h"

#include "llvm/ADT/SmallString.h"

#include <numeric>

using namespace btfkit;
using namespace btfkit::dumpc;
using namespace llvm;

Error btfkit::dumpC(const BTF &B, raw_ostream &OS, const DumpCOptions &Opts) {
  uint32_t First = Opts.IncludeBase ? 1 : B.firstId();
  std::vector<uint32_t> Roots(B.endId() - First);
  std::iota(Roots.begin(), Roots.end(), First);

  SmallString<0> Buf;
  raw_svector_ostream Out(Buf);
  CDumper D(B, Out, Opts);
  if (Error E = D.order(Roots))
    return E;

  Out << "#ifndef __VMLINUX_H__\n"
         "#define __VMLINUX_H__\n"
         "\n"
         "#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n"
         "#pragma clang attribute push "
         "(__attribute__((preserve_access_index)), apply_to = record)\n"
         "#endif\n\n";
  if (Error E = D.emit())
    return E;
  Out << "#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n"
         "#pragma clang attribute pop\n"
         "#endif\n"
         "\n"
         "#endif /* __VMLINUX_H__ */\n";
  OS << Buf;
  return Error::success();
}
