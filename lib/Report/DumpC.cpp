//===- DumpC.cpp - BTF as a C header --------------------------------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "btfkit/Dump.h"
#include "btfkit/Error.h"

using namespace btfkit;
using namespace llvm;

Error btfkit::dumpC(const BTF &B, raw_ostream &OS) {
  return makeError(B.name(), "C output is not implemented yet");
}
