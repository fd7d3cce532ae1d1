//===- BTFKitPass.h - The plugin's module pass -------------------*- C++
//-*-===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The pass that converts a module's debug info to BTF and writes the
/// fragment (btfkit/Fragment.h) into the module as a constant in section
/// .BTF.btfkit, kept through codegen and excluded from final links.
///
//===----------------------------------------------------------------------===//

#ifndef BTFKIT_LIB_EMIT_BTFKITPASS_H
#define BTFKIT_LIB_EMIT_BTFKITPASS_H

#include "llvm/IR/PassManager.h"

#include <optional>
#include <string>

namespace btfkit {

struct PassOptions {
  /// The base BTF file ("" for none) and where the setting came from
  /// ("-btfkit-base" or "BTFKIT_BASE"), for diagnostics.
  std::string BasePath;
  std::string BaseOrigin;
  /// The base index cache directory (BaseIndexCache.h): unset for the
  /// default, "" or "off" for none.
  std::optional<std::string> CacheDir;
  /// Say how the base index cache was used, in a remark (clang prints
  /// it under -Rremark-backend-plugin).
  bool Verbose = false;
  /// The feature list ("" for the defaults) and its origin.
  std::string Features;
  std::string FeaturesOrigin;
  /// Where in which pipeline the pass runs.
  enum Phase {
    /// A compile's optimizer-last point: an LTO pre-link compile defers.
    Compile,
    /// A linker's LTO pipeline (full LTO's last point, or a ThinLTO
    /// backend): always emits.
    Link,
    /// Named explicitly (opt -passes=btfkit): always emits.
    Explicit,
  } Where = Compile;
};

class BTFKitPass : public llvm::PassInfoMixin<BTFKitPass> {
public:
  explicit BTFKitPass(PassOptions Opts) : Opts(std::move(Opts)) {}
  llvm::PreservedAnalyses run(llvm::Module &M, llvm::ModuleAnalysisManager &);
  static bool isRequired() { return true; } // also at -O0 and optnone

private:
  PassOptions Opts;
};

/// True for a module an LTO pre-link compile hands to the linker as
/// bitcode (clang's "ThinLTO" / "EnableSplitLTOUnit" module flags).
bool isLTOPreLinkModule(const llvm::Module &M);

/// The name of the symbol-less global that holds the fragment.
constexpr const char *FragmentGlobalName = "__btfkit_fragment";

} // namespace btfkit

#endif // BTFKIT_LIB_EMIT_BTFKITPASS_H
