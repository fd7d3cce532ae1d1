//===- btfkit/LLVMCompat.h - LLVM 19 and 22 from one source -----*- C++ -*-===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The differences between the LLVM releases btfkit builds against (19 and
/// 22, chosen by CMake's BTFKIT_LLVM_VERSION), kept here so that no other
/// file tests LLVM_VERSION_MAJOR. Each entry says which LLVM change made it
/// necessary. Header only: it adds no library to its users.
///
//===----------------------------------------------------------------------===//

#ifndef BTFKIT_LLVMCOMPAT_H
#define BTFKIT_LLVMCOMPAT_H

#include "llvm/Config/llvm-config.h"

// The pass plugin interface (PassPluginLibraryInfo, LLVM_PLUGIN_API_VERSION,
// llvmGetPassPluginInfo) moved from llvm/Passes to llvm/Plugins, a library of
// its own, in LLVM 22 (llvm-project f54df0d09e19, "[LLVM][NFC] Move
// PassPlugin from Passes to separate library"). The plugin API itself is
// unchanged: version 2, and PassPluginLibraryInfo's new last member
// (PreCodeGenCallback) defaults to null.
#if LLVM_VERSION_MAJOR >= 22
#include "llvm/Plugins/PassPlugin.h"
#else
#include "llvm/Passes/PassPlugin.h"
#endif
#include "llvm/Passes/PassBuilder.h"

namespace btfkit {

/// Registers \p Callback (void(ModulePassManager &, OptimizationLevel)) at
/// PassBuilder's optimizer-last extension point. LLVM 20 gave that point's
/// callbacks a third parameter, the ThinOrFullLTOPhase the pipeline is
/// built for (llvm-project PR 100953, "Extend the function signature of
/// callback for optimizer pipeline extension point"); the plugin runs in
/// every phase alike, as under LLVM 19, so the phase is not passed on.
template <typename CallbackT>
void registerOptimizerLastCallback(llvm::PassBuilder &PB, CallbackT Callback) {
#if LLVM_VERSION_MAJOR >= 20
  PB.registerOptimizerLastEPCallback(
      [Callback](llvm::ModulePassManager &MPM, llvm::OptimizationLevel Level,
                 llvm::ThinOrFullLTOPhase) { Callback(MPM, Level); });
#else
  PB.registerOptimizerLastEPCallback(Callback);
#endif
}

} // namespace btfkit

#endif // BTFKIT_LLVMCOMPAT_H
