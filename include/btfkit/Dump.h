//===- btfkit/Dump.h - Printing BTF ------------------------------*- C++ -*-===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Text forms of a BTF: the raw listing (byte-identical to bpftool 7.1's
/// `bpftool btf dump file F [--base-btf B]`) and a C header (as
/// `bpftool btf dump ... format c` prints it).
///
//===----------------------------------------------------------------------===//

#ifndef BTFKIT_DUMP_H
#define BTFKIT_DUMP_H

#include "btfkit/BTF.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

namespace btfkit {

/// Prints the types \p B defines (not its base's), one entry per type.
void dumpRaw(const BTF &B, llvm::raw_ostream &OS);

/// Prints one type as dumpRaw() does, without the trailing newline.
void dumpRawType(const BTF &B, uint32_t Id, llvm::raw_ostream &OS);

/// Choices of the C header output (docs/DumpC.md).
struct DumpCOptions {
  /// For split BTF: declare every type of the base too, as bpftool does,
  /// instead of only the base types the split's own types need.
  bool IncludeBase = false;
  /// Print exactly what bpftool 7.1 (libbpf 1.1) prints, including its
  /// layout slips, instead of fixing them: no `mode(byte)` / `mode(word)`
  /// attribute on enums whose size C would not otherwise pick, no
  /// `__attribute__((packed))` on unions that need it (docs/DumpC.md).
  bool BpftoolCompat = false;
};

/// Prints a C header declaring every type \p B defines, in an order that
/// compiles: forward declarations where a pointer suffices, complete types
/// before they are embedded, anonymous types inline. Fails, before printing
/// anything, on types C cannot declare (a struct that embeds itself by
/// value, a function type that returns itself, unknown kinds).
llvm::Error dumpC(const BTF &B, llvm::raw_ostream &OS,
                  const DumpCOptions &Opts = DumpCOptions());

} // namespace btfkit

#endif // BTFKIT_DUMP_H
