//===- FuzzSupport.h - What btfkit's fuzzers share --------------*- C++ -*-===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The fixed base every fuzzer reads split input over (utils/fuzz/base.btf,
// the all-kinds listing, or $BTFKIT_FUZZ_BASE), what is done with every BTF
// that parses, and a minimal ELF object around a section's bytes, for the
// readers that take ELF files.
//
//===----------------------------------------------------------------------===//

#ifndef BTFKIT_UTILS_FUZZ_FUZZSUPPORT_H
#define BTFKIT_UTILS_FUZZ_FUZZSUPPORT_H

#include "btfkit/BTF.h"
#include "btfkit/IndexedBase.h"
#include "btfkit/Link.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <utility>
#include <vector>

namespace btfkit {
namespace fuzz {

/// The base, loaded by LLVMFuzzerInitialize() (FuzzSupport.cpp, shared by
/// every fuzzer), and the same file as the link step loads its base.
const BTF &fuzzBase();
const IndexedBase &fuzzIndexedBase();

/// Everything that reads a loaded BTF: the validator (all issues, both
/// modes), the raw and C dumpers.
void exerciseBTF(const BTF &B);

/// Everything that reads split BTF as a module's: the kernel's verdict on
/// the fuzz base and its renderings, when \p Split is over a distilled base;
/// distillation when it is over a full one.
void exerciseModule(const BTF &Split);

/// \p Image as the tools read a file (inspectFile, then BTFFile::load of
/// each of \p Sections), everything loaded exercised.
void exerciseFile(llvm::ArrayRef<uint8_t> Image,
                  llvm::ArrayRef<const char *> Sections);

/// The link step's merge of \p Image (mergeFragments) over \p Base (or
/// none), the result exercised as a module; \p Gcc says when the gcc
/// -gbtf blobs of its .BTF are merged.
void exerciseMerge(llvm::ArrayRef<uint8_t> Image, const IndexedBase *Base,
                   bool DwarfFallback, GccBTFMode Gcc = GccBTFMode::Never);

/// \p Image's .BTF_ids (its BTF_ID() symbols) resolved over \p Types, as
/// the link step writes it (resolveBTFIdsOver).
void exerciseBTFIds(llvm::ArrayRef<uint8_t> Image, const BTF &Types);

/// An ELF64 little-endian relocatable object holding \p Sections (name,
/// contents), each SHT_PROGBITS, and .shstrtab.
std::vector<uint8_t>
wrapInELF(llvm::ArrayRef<std::pair<llvm::StringRef, llvm::ArrayRef<uint8_t>>>
              Sections);

} // namespace fuzz
} // namespace btfkit

#endif // BTFKIT_UTILS_FUZZ_FUZZSUPPORT_H
