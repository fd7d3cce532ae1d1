//===- btfkit/Emit.h - Debug-info metadata to BTF ---------------*- C++ -*-===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Turns the debug-info metadata of an LLVM module (what clang -g attaches)
/// into BTF, the way pahole 1.24 turns the same object's DWARF into BTF:
/// every type of the compile units, a FUNC for each function that reaches
/// the object file, VARs for per-CPU variables (all globals with the
/// global_var feature). The compiler plugin (lib/Emit/Plugin.cpp) runs this
/// on each translation unit; it lives in the library so that tests and the
/// link step can use it without the plugin.
///
/// This library part uses LLVM's IR headers; front ends that do not handle
/// IR do not link it (it is not part of the `btfkit` interface target).
///
//===----------------------------------------------------------------------===//

#ifndef BTFKIT_EMIT_H
#define BTFKIT_EMIT_H

#include "btfkit/BTF.h"
#include "btfkit/Encode.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace llvm {
class Module;
} // namespace llvm

namespace btfkit {

/// What a conversion produced.
struct EmitResult {
  /// A standalone BTF blob (ids from 1), ready for serializeFragment().
  std::vector<uint8_t> Blob;
  /// The first compile unit's file name.
  std::string Source;
  unsigned NumTypes = 0;
  unsigned NumFuncs = 0;
  unsigned NumVars = 0;
  /// Things the user should hear about (unsupported types, ...).
  std::vector<std::string> Warnings;
};

/// True when \p M carries debug info with types (a compile unit with full
/// or limited debug info, not only line tables).
bool hasTypeDebugInfo(const llvm::Module &M);

/// Converts \p M's debug info by the encoding policy (EncodePolicy.h).
/// Fails only when the BTF would break the format's limits (and names the
/// type).
llvm::Expected<EmitResult> convertDebugInfo(const llvm::Module &M,
                                            const EncodeOptions &Opts);

} // namespace btfkit

#endif // BTFKIT_EMIT_H
