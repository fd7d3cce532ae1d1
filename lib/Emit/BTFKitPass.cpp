//===- BTFKitPass.cpp - Debug info to a BTF fragment in the object --------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "BTFKitPass.h"

#include "btfkit/Config.h"
#include "btfkit/Emit.h"
#include "btfkit/EmitFragment.h"
#include "btfkit/Fragment.h"
#include "btfkit/IndexedBase.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/DebugInfoMetadata.h"
#include "llvm/IR/DiagnosticInfo.h"
#include "llvm/IR/DiagnosticPrinter.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/SwapByteOrder.h"
#include "llvm/Transforms/Utils/ModuleUtils.h"

#include <memory>
#include <mutex>

using namespace btfkit;
using namespace llvm;

/// Bases loaded by this process, by path: lld's LTO backends (threads)
/// and a compiler handling several modules share one load.
static std::mutex CacheLock;
static StringMap<std::shared_ptr<IndexedBase>> &baseCache() {
  static StringMap<std::shared_ptr<IndexedBase>> Cache;
  return Cache;
}

static Expected<std::shared_ptr<IndexedBase>>
loadBase(StringRef Path, const std::optional<std::string> &CacheDir) {
  std::lock_guard<std::mutex> Guard(CacheLock);
  auto It = baseCache().find(Path);
  if (It != baseCache().end())
    return It->second;
  auto BOrErr = IndexedBase::load(Path, baseIndexCacheDir(CacheDir));
  if (!BOrErr)
    return BOrErr.takeError();
  std::shared_ptr<IndexedBase> L = std::move(*BOrErr);
  baseCache()[Path] = L;
  return L;
}

bool btfkit::isLTOPreLinkModule(const Module &M) {
  return M.getModuleFlag("ThinLTO") || M.getModuleFlag("EnableSplitLTOUnit");
}

namespace {
/// A plugin diagnostic: clang reports it as "error: btfkit: ..." (or
/// warning) under -Wbackend-plugin; lld prints it likewise.
class BTFKitDiagnostic : public DiagnosticInfo {
public:
  BTFKitDiagnostic(const Twine &Msg, DiagnosticSeverity Sev)
      : DiagnosticInfo(kind(), Sev), Msg(Msg) {}
  void print(DiagnosticPrinter &DP) const override { DP << "btfkit: " << Msg; }

private:
  static int kind() {
    static const int K = getNextAvailablePluginDiagnosticKind();
    return K;
  }
  const Twine &Msg;
};
} // namespace

static void diagnose(Module &M, const Twine &Msg, DiagnosticSeverity Sev) {
  M.getContext().diagnose(BTFKitDiagnostic(Msg, Sev));
}

PreservedAnalyses BTFKitPass::run(Module &M, ModuleAnalysisManager &) {
  if (Opts.Where == PassOptions::Compile && isLTOPreLinkModule(M))
    return PreservedAnalyses::all(); // the link's LTO pipeline does it
  if (M.getNamedGlobal(FragmentGlobalName))
    return PreservedAnalyses::all(); // already done (plugin loaded twice)

  StringRef Source = M.getSourceFileName();
  if (!hasTypeDebugInfo(M)) {
    diagnose(M,
             Source + ": no debug info with types (compile with -g); no BTF "
                      "fragment written",
             DS_Warning);
    return PreservedAnalyses::all();
  }

  EncodeOptions EOpts;
  if (!Opts.Features.empty()) {
    auto F = parseFeatures(Opts.Features, Opts.FeaturesOrigin);
    if (!F) {
      diagnose(M, toString(F.takeError()), DS_Error);
      return PreservedAnalyses::all();
    }
    EOpts.Features = *F;
  }

  const DataLayout &DL = M.getDataLayout();
  if (DL.isLittleEndian() != sys::IsLittleEndianHost) {
    diagnose(M,
             Source + ": the target's byte order differs from the host's; "
                      "cross-endian BTF is not supported, no fragment "
                      "written",
             DS_Warning);
    return PreservedAnalyses::all();
  }

  std::shared_ptr<IndexedBase> Base;
  if (!Opts.BasePath.empty()) {
    auto BOrErr = loadBase(Opts.BasePath, Opts.CacheDir);
    if (!BOrErr) {
      diagnose(M,
               "cannot use the base BTF given by " + Opts.BaseOrigin + ": " +
                   toString(BOrErr.takeError()),
               DS_Error);
      return PreservedAnalyses::all();
    }
    Base = *BOrErr;
    if (Opts.Verbose)
      diagnose(M,
               Opts.BaseOrigin + "=" + Opts.BasePath + ": base index cache: " +
                   (Base->cacheStatus().empty() ? StringRef("off")
                                                : Base->cacheStatus()),
               DS_Remark);
    unsigned PtrSize = DL.getPointerSize();
    if (Base->longSize() && Base->longSize() != PtrSize) {
      diagnose(M,
               Opts.BaseOrigin + "=" + Opts.BasePath + ": the base's long is " +
                   Twine(Base->longSize()) +
                   " bytes but this target's "
                   "pointers are " +
                   Twine(PtrSize) + ": a base of another architecture",
               DS_Error);
      return PreservedAnalyses::all();
    }
    if (Base->btf().wasByteSwapped()) {
      diagnose(M,
               Opts.BaseOrigin + "=" + Opts.BasePath +
                   ": the base BTF has the other byte order: a base of "
                   "another architecture",
               DS_Error);
      return PreservedAnalyses::all();
    }
  }

  Expected<EmitResult> R = [&]() -> Expected<EmitResult> {
    if (!Base)
      return convertDebugInfo(M, EOpts);
    EOpts.NamingBase = &Base->btf();
    EOpts.NamingBaseInts = Base->intIds();
    EOpts.QualifiedArrays = Base->qualifiedArrays();
    return convertDebugInfo(M, EOpts);
  }();
  if (!R) {
    diagnose(M, toString(R.takeError()), DS_Error);
    return PreservedAnalyses::all();
  }
  for (const std::string &W : R->Warnings)
    diagnose(M, Source + ": " + W, DS_Warning);

  // With a base, the types go out deduplicated against it, over the
  // distilled base, with the embedded-type tags; without one, standalone.
  SplitFragment Split;
  if (Base) {
    auto SOrErr =
        makeSplitFragment(R->Blob, Base->btf(), Source, Base->dedupIndex());
    if (!SOrErr) {
      diagnose(M,
               "cannot deduplicate against the base BTF given by " +
                   Opts.BaseOrigin + "=" + Opts.BasePath + ": " +
                   toString(SOrErr.takeError()),
               DS_Error);
      return PreservedAnalyses::all();
    }
    Split = std::move(*SOrErr);
  }

  FragmentManifest Man;
  Man.Producer = "btfkit " BTFKIT_VERSION;
  Man.Compiler = "LLVM " LLVM_VERSION_STRING;
  Man.Source = R->Source.empty() ? Source.str() : R->Source;
  Man.Features = featuresString(EOpts.Features);
  // An LTO link's merged module holds every object's compile unit: list
  // them, so the link step does not take them for objects without a
  // fragment (lib/Link, "unit=" in docs/FragmentFormat.md).
  if (M.debug_compile_units_begin() != M.debug_compile_units_end() &&
      std::next(M.debug_compile_units_begin()) != M.debug_compile_units_end())
    for (const DICompileUnit *CU : M.debug_compile_units())
      Man.Units.push_back(CU->getFilename().str());
  if (Base)
    Man.Base = Base->fingerprint();
  std::vector<uint8_t> Bytes =
      Base ? serializeFragment(Man, Split.DistilledBase, Split.Types,
                               Split.EmbeddedTags)
           : serializeFragment(Man, {}, R->Blob, {});

  // A private constant (no symbol) in a section of its own, marked
  // !exclude: ELF SHF_EXCLUDE and not SHF_ALLOC, so a partial link (ld -r,
  // which is how Kbuild makes a .ko) keeps and concatenates the fragments,
  // a final link drops them, and a module loader never allocates them.
  LLVMContext &Ctx = M.getContext();
  Constant *Init = ConstantDataArray::get(Ctx, ArrayRef<uint8_t>(Bytes));
  auto *GV =
      new GlobalVariable(M, Init->getType(), /*isConstant=*/true,
                         GlobalValue::PrivateLinkage, Init, FragmentGlobalName);
  GV->setSection(FragmentSectionName);
  GV->setAlignment(Align(4));
  GV->setMetadata(LLVMContext::MD_exclude, MDNode::get(Ctx, {}));
  appendToCompilerUsed(M, {GV});
  return PreservedAnalyses::none();
}
