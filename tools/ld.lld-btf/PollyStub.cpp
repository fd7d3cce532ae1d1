//===- PollyStub.cpp - Polly's registration, when libPolly.a is absent ---===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Debian builds LLVM 19 and 22 with Polly as a static extension
// (LLVMConfigExtensions.cmake: LLVM_STATIC_EXTENSIONS Polly), so
// libLLVMLTO.a calls getPollyPluginInfo() to register Polly's passes in the
// LTO pipeline (llvm/Support/Extension.def). libPolly.a itself is in
// libpolly-N-dev, which a kernel build has no use for: the kernel's LTO
// never runs Polly. Without that package, ld.lld-btf registers no Polly
// passes instead (CMakeLists.txt chooses).
//
//===----------------------------------------------------------------------===//

#include "btfkit/LLVMCompat.h" // PassPlugin.h, wherever this LLVM has it

#include "llvm/Config/llvm-config.h"

llvm::PassPluginLibraryInfo getPollyPluginInfo() {
  return {LLVM_PLUGIN_API_VERSION, "Polly (not linked into ld.lld-btf)",
          LLVM_VERSION_STRING, [](llvm::PassBuilder &) {}};
}
