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

/// Prints a C header declaring every type \p B defines, in an order that
/// compiles: forward declarations where a pointer suffices, complete types
/// before they are embedded, anonymous types inline.
llvm::Error dumpC(const BTF &B, llvm::raw_ostream &OS);

} // namespace btfkit

#endif // BTFKIT_DUMP_H
