//===- EmitBase.cpp - The base BTF of a compilation -----------------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Every compilation of a kernel module loads the base once, so this is the
// plugin's fixed cost per object (issue 5: at most 5 ms for a 100k-type
// vmlinux). It is the reader's (map, structural checks), one hash over the
// type and string sections for the fingerprint, and a look at the first
// INTs; everything indexed by name is built later, for what the unit needs
// (the converter's IntNameMap on its first lookup, DedupBase::createFor).
// utils/bench/plugin-base-bench.cpp measures each part.
//
//===----------------------------------------------------------------------===//

#include "btfkit/EmitFragment.h"

#include "btfkit/Error.h"
#include "btfkit/Reader.h"

using namespace btfkit;
using namespace llvm;

EmitBase::EmitBase(std::unique_ptr<BTF> B) : Base(std::move(B)) {}

Expected<std::unique_ptr<EmitBase>> EmitBase::load(StringRef Path) {
  auto BOrErr = loadBaseBTF(Path);
  if (!BOrErr)
    return BOrErr.takeError();
  if ((*BOrErr)->isSplit())
    return makeError(Path, "is split BTF, not a base");
  std::unique_ptr<EmitBase> L(new EmitBase(std::move(*BOrErr)));
  L->Fingerprint = fingerprintBTF(*L->Base);
  // The kernel's long is pointer-sized on every architecture it runs on.
  // The C base types come first in a vmlinux BTF (they are the first types
  // its compile units mention), so this stops within a few ids; a base
  // without a long costs one pass.
  for (uint32_t Id = 1; Id < L->Base->endId(); ++Id) {
    Type T = L->Base->type(Id);
    if (!T.is(Kind::Int))
      continue;
    std::string Canon = canonicalIntName(T.name());
    if (Canon == "long" || Canon == "ulong") {
      L->LongSize = T.size();
      break;
    }
  }
  return L;
}
