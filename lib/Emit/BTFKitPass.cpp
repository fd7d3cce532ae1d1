//===- BTFKitPass.cpp - Debug info to a BTF fragment in the object --------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "BTFKitPass.h"

#include "btfkit/Emit.h"
#include "btfkit/Fragment.h"
#include "btfkit/Reader.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/DiagnosticInfo.h"
#include "llvm/IR/DiagnosticPrinter.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/SwapByteOrder.h"
#include "llvm/Transforms/Utils/ModuleUtils.h"

#include <memory>
#include <mutex>

#ifndef BTFKIT_VERSION
#define BTFKIT_VERSION "unknown"
#endif

using namespace btfkit;
using namespace llvm;

namespace {

/// A base BTF loaded once per process and shared by every module the
/// process compiles (lld's LTO backends run in threads).
struct LoadedBase {
  std::unique_ptr<BTF> Base;
  BaseFingerprint Fingerprint;
  /// The size of the base's C long (0 when it has none): the pointer size
  /// of the architecture it was built for.
  uint32_t LongSize = 0;
  std::mutex NamesLock;
  std::unique_ptr<IntNameMap> Names;
};

} // namespace

static std::mutex CacheLock;
static StringMap<std::shared_ptr<LoadedBase>> &baseCache() {
  static StringMap<std::shared_ptr<LoadedBase>> Cache;
  return Cache;
}

static Expected<std::shared_ptr<LoadedBase>> loadBase(StringRef Path) {
  std::lock_guard<std::mutex> Guard(CacheLock);
  auto It = baseCache().find(Path);
  if (It != baseCache().end())
    return It->second;
  auto BOrErr = loadBaseBTF(Path);
  if (!BOrErr)
    return BOrErr.takeError();
  auto L = std::make_shared<LoadedBase>();
  L->Base = std::move(*BOrErr);
  L->Fingerprint = fingerprintBTF(*L->Base);
  // The kernel's long is pointer-sized on every architecture it runs on.
  // The early ids hold the base C types; a full scan is only needed for
  // a base without a long, which then costs one pass.
  for (uint32_t Id = 1; Id < L->Base->endId(); ++Id) {
    btfkit::Type T = L->Base->type(Id);
    if (!T.is(Kind::Int))
      continue;
    std::string Canon = canonicalIntName(T.name());
    if (Canon == "long" || Canon == "ulong") {
      L->LongSize = T.size();
      break;
    }
  }
  L->Names = std::make_unique<IntNameMap>(*L->Base);
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

  EmitOptions EOpts;
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

  std::shared_ptr<LoadedBase> Base;
  if (!Opts.BasePath.empty()) {
    auto BOrErr = loadBase(Opts.BasePath);
    if (!BOrErr) {
      diagnose(M,
               "cannot use the base BTF given by " + Opts.BaseOrigin + ": " +
                   toString(BOrErr.takeError()),
               DS_Error);
      return PreservedAnalyses::all();
    }
    Base = *BOrErr;
    unsigned PtrSize = DL.getPointerSize();
    if (Base->LongSize && Base->LongSize != PtrSize) {
      diagnose(M,
               Opts.BaseOrigin + "=" + Opts.BasePath + ": the base's long is " +
                   Twine(Base->LongSize) +
                   " bytes but this target's "
                   "pointers are " +
                   Twine(PtrSize) + ": a base of another architecture",
               DS_Error);
      return PreservedAnalyses::all();
    }
    if (Base->Base->wasByteSwapped()) {
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
    // The conversion borrows the shared name index; serialize its use.
    std::lock_guard<std::mutex> Guard(Base->NamesLock);
    EOpts.NamingBase = Base->Base.get();
    return convertDebugInfo(M, EOpts);
  }();
  if (!R) {
    diagnose(M, toString(R.takeError()), DS_Error);
    return PreservedAnalyses::all();
  }
  for (const std::string &W : R->Warnings)
    diagnose(M, Source + ": " + W, DS_Warning);

  // Until the base is deduplicated and distilled here, the types go out
  // standalone: the manifest's base fingerprint still says which base the
  // INT names follow and which base the link step must use.
  FragmentManifest Man;
  Man.Producer = "btfkit " BTFKIT_VERSION;
  Man.Compiler = "LLVM " LLVM_VERSION_STRING;
  Man.Source = R->Source.empty() ? Source.str() : R->Source;
  Man.Features = featuresString(EOpts.Features);
  if (Base)
    Man.Base = Base->Fingerprint;
  std::vector<uint8_t> Bytes = serializeFragment(Man, {}, R->Blob, {});

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
