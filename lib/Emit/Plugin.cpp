//===- Plugin.cpp - The pass plugin's entry point and options -------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Loaded by clang-19, or clang-22 when built against LLVM 22
// (-fpass-plugin=btfkit-plugin.so; with
// -Xclang -load -Xclang btfkit-plugin.so as well when -mllvm options are
// given, since -fpass-plugin loads too late for them) and by ld.lld-19/-22
// (--load-pass-plugin=btfkit-plugin.so, options through the environment
// only). See docs/Plugin.md.
//
//===----------------------------------------------------------------------===//

#include "BTFKitPass.h"

#include "btfkit/Config.h"
#include "btfkit/LLVMCompat.h" // PassPlugin.h, wherever this LLVM has it

#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <cstdlib>

using namespace btfkit;
using namespace llvm;

static cl::opt<std::string>
    BaseOpt("btfkit-base", cl::value_desc("file"),
            cl::desc("btfkit: the base BTF (raw BTF, vmlinux ELF or "
                     "/sys/kernel/btf/vmlinux) the module's BTF is for; "
                     "default $BTFKIT_BASE"));
static cl::opt<std::string> FeaturesOpt(
    "btfkit-features", cl::value_desc("list"),
    cl::desc("btfkit: BTF features as pahole's --btf_features (var, "
             "global_var, float, decl_tag, type_tag, enum64, consistent_func, "
             "optimized_func, decl_tag_kfuncs, reproducible_build; default, "
             "all, none; -name removes); default $BTFKIT_FEATURES or "
             "Kbuild's for Linux 6.1"));

static cl::opt<std::string> CacheDirOpt(
    "btfkit-cache-dir", cl::value_desc("dir"),
    cl::desc("btfkit: where to keep the base BTF's index between "
             "compilations (\"off\": nowhere); default $BTFKIT_CACHE_DIR, "
             "else $XDG_CACHE_HOME/btfkit or ~/.cache/btfkit"));
static cl::opt<bool> VerboseOpt(
    "btfkit-verbose",
    cl::desc("btfkit: remark how the base was loaded (also BTFKIT_VERBOSE=1; "
             "clang shows it with -Rremark-backend-plugin)"));

/// True when this process is a linker (lld): there, the optimizer-last
/// point belongs to a ThinLTO backend, whose module still carries the
/// pre-link flags but must get its fragment.
static bool hostIsLinker() {
  SmallString<256> Exe;
  if (sys::fs::real_path("/proc/self/exe", Exe))
    return false;
  StringRef Name = sys::path::filename(Exe);
  return Name.contains("lld") || Name.starts_with("ld");
}

static PassOptions options(PassOptions::Phase Where) {
  PassOptions O;
  O.Where = Where;
  if (!BaseOpt.empty()) {
    O.BasePath = BaseOpt;
    O.BaseOrigin = "-btfkit-base";
  } else if (const char *E = std::getenv("BTFKIT_BASE"); E && *E) {
    O.BasePath = E;
    O.BaseOrigin = "BTFKIT_BASE";
  }
  if (CacheDirOpt.getNumOccurrences()) // else baseIndexCacheDir()'s default
    O.CacheDir = CacheDirOpt;
  const char *V = std::getenv("BTFKIT_VERBOSE");
  O.Verbose = VerboseOpt || (V && *V && StringRef(V) != "0");
  if (!FeaturesOpt.empty()) {
    O.Features = FeaturesOpt;
    O.FeaturesOrigin = "-btfkit-features";
  } else if (const char *E = std::getenv("BTFKIT_FEATURES"); E && *E) {
    O.Features = E;
    O.FeaturesOrigin = "BTFKIT_FEATURES";
  }
  return O;
}

static void registerCallbacks(PassBuilder &PB) {
  // The optimizer-last point runs at every level, -O0 included (LLVM 19 and
  // 22's buildO0DefaultPipeline invoke it), after inlining and dead-code
  // removal have settled which functions reach the object.
  registerOptimizerLastCallback(PB, [](ModulePassManager &MPM,
                                       OptimizationLevel) {
    MPM.addPass(BTFKitPass(
        options(hostIsLinker() ? PassOptions::Link : PassOptions::Compile)));
  });
  // lld's full LTO: the merged module of all inputs.
  PB.registerFullLinkTimeOptimizationLastEPCallback(
      [](ModulePassManager &MPM, OptimizationLevel) {
        MPM.addPass(BTFKitPass(options(PassOptions::Link)));
      });
  // opt-19 -load-pass-plugin=... -passes=btfkit
  PB.registerPipelineParsingCallback(
      [](StringRef Name, ModulePassManager &MPM,
         ArrayRef<PassBuilder::PipelineElement>) {
        if (Name != "btfkit")
          return false;
        MPM.addPass(BTFKitPass(options(PassOptions::Explicit)));
        return true;
      });
}

extern "C" LLVM_ATTRIBUTE_WEAK PassPluginLibraryInfo llvmGetPassPluginInfo() {
  return {LLVM_PLUGIN_API_VERSION, "btfkit", BTFKIT_VERSION, registerCallbacks};
}
