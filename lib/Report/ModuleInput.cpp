//===- ModuleInput.cpp - A module as distributions ship it ----------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "btfkit/ModuleInput.h"
#include "btfkit/Error.h"
#include "btfkit/Reader.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <algorithm>

using namespace btfkit;
using namespace llvm;

const char *btfkit::moduleFormName(ModuleForm F) {
  switch (F) {
  case ModuleForm::Resilient:
    return "resilient";
  case ModuleForm::Classic:
    return "classic";
  case ModuleForm::Distilled:
    return "distilled";
  }
  return "unknown";
}

VerdictClass btfkit::classifyVerdict(const ModuleVerdict &V) {
  if (V.garbled())
    return VerdictClass::Garbled;
  return V.loads() ? VerdictClass::Loads : VerdictClass::Refused;
}

const char *btfkit::verdictClassName(VerdictClass C) {
  switch (C) {
  case VerdictClass::Loads:
    return "loads";
  case VerdictClass::Refused:
    return "refused";
  case VerdictClass::Garbled:
    return "garbled";
  }
  return "unknown";
}

/// Whether the module is resilient split BTF (an ELF with .BTF.base, a
/// btfkit object's fragment, raw split over a distilled base) or classic.
static Expected<bool> isResilient(const MemoryBuffer &Contents,
                                  bool HasDistilledBase) {
  auto C = inspectFile(Contents);
  if (!C)
    return C.takeError();
  StringRef Path = Contents.getBufferIdentifier();
  if (C->Format == BTFFile::Raw)
    return HasDistilledBase;
  if (C->HasBTF)
    return C->HasBaseSection;
  if (!C->NumFragments)
    return makeError(Path,
                     "no .BTF section: the module carries no BTF (give it "
                     "BTF with btf-link --dwarf-fallback --base=VMLINUX, or "
                     "build it with the btfkit plugin)",
                     ErrorKind::NoSection);
  // An object the btfkit plugin compiled: its fragment is read like a
  // module's .BTF + .BTF.base (Fragment.h). The relocator computes which
  // distilled composites are embedded itself, by the rule the fragment's
  // embedded-type tags were made with (embeddedBaseComposites()).
  if (C->NumFragments == 1 && !C->NumFragmentsWithBase)
    return makeError(Path, "its btfkit fragment was compiled without a "
                           "base BTF: the types are standalone, there is "
                           "nothing to relocate (compile it with "
                           "BTFKIT_BASE=VMLINUX)");
  return true; // several fragments: BTFFile::load says what to do
}

/// Loads \p Contents as split BTF over \p Base (null: its own .BTF.base).
static Expected<std::unique_ptr<BTFFile>>
loadSplit(const std::shared_ptr<const MemoryBuffer> &Contents, const BTF *Base,
          bool UseEmbeddedBase) {
  LoadOptions LO;
  LO.Base = Base;
  LO.UseEmbeddedBase = UseEmbeddedBase;
  auto F = BTFFile::load(Contents, LO);
  if (!F)
    return F.takeError();
  if (!F->btf().isSplit())
    return makeError(Contents->getBufferIdentifier(),
                     "the .BTF section is not split BTF: a module's BTF is "
                     "split over its kernel's (relink it with btf-link "
                     "--base=VMLINUX); a kernel's BTF is a target, named "
                     "with --base-btf=",
                     ErrorKind::NotSplit);
  return std::make_unique<BTFFile>(std::move(*F));
}

/// The module's name in the kernel's messages.
static std::string kernelName(const ModuleInput &M) {
  return moduleKernelName(M.path(),
                          arrayRefFromStringRef(M.contents()->getBuffer()));
}

Expected<ModuleInput>
ModuleInput::load(std::shared_ptr<const MemoryBuffer> Contents,
                  const ModuleInputOptions &Opts) {
  ModuleInput M;
  M.Path = Contents->getBufferIdentifier().str();
  M.Contents = Contents;
  auto Resilient = isResilient(*Contents, Opts.DistilledBase != nullptr);
  if (!Resilient)
    return Resilient.takeError();
  if (*Resilient) {
    auto F = loadSplit(Contents, Opts.DistilledBase, /*UseEmbeddedBase=*/true);
    if (!F)
      return F.takeError();
    M.File = std::move(*F);
    M.Judge = std::make_unique<ModuleJudge>(
        ModuleJudge::resilient(M.Path, M.File->btf(), kernelName(M)));
    return M;
  }
  ModuleJudge Classic = ModuleJudge::classic(M.Path, Contents);
  if (!Opts.BuiltAgainst) {
    M.Form = ModuleForm::Classic;
    M.Judge = std::make_unique<ModuleJudge>(std::move(Classic));
    return M;
  }

  // If shipped resilient: first as the kernel it was built for reads it,
  // then distilled over that kernel as btf-distill does.
  M.Form = ModuleForm::Distilled;
  assert(Opts.BuiltAgainstIndex && "the built-against kernel needs an index");
  RelocateOptions RO;
  RO.BuildOutput = false;
  auto AsBuilt =
      Classic.on(Opts.BuiltAgainstName, *Opts.BuiltAgainst,
                 *Opts.BuiltAgainstIndex, Opts.BuiltAgainstKernel, RO);
  if (!AsBuilt)
    return AsBuilt.takeError();
  if (classifyVerdict(*AsBuilt) != VerdictClass::Loads) {
    M.AsBuilt = std::make_unique<ModuleVerdict>(std::move(*AsBuilt));
    return M;
  }
  auto F = loadSplit(Contents, Opts.BuiltAgainst, /*UseEmbeddedBase=*/false);
  if (!F)
    return F.takeError();
  M.File = std::move(*F);
  auto D = distill(M.File->btf());
  if (!D)
    return makeError(M.Path, "cannot be distilled over " +
                                 Opts.BuiltAgainstName + ": " +
                                 toString(D.takeError()));
  M.Distilled = std::move(*D);
  M.Judge = std::make_unique<ModuleJudge>(
      ModuleJudge::resilient(M.Path, *M.Distilled.Split, kernelName(M)));
  return M;
}

const BTF *ModuleInput::resilientSplit() const {
  if (Form == ModuleForm::Distilled)
    return Distilled.Split.get();
  if (Form == ModuleForm::Resilient)
    return &File->btf();
  return nullptr;
}

Expected<ModuleVerdict> ModuleInput::on(StringRef TargetName, const BTF &Target,
                                        const BaseIndex &Index,
                                        KernelVersion Kernel,
                                        const RelocateOptions &RO) const {
  if (AsBuilt)
    return *AsBuilt;
  return Judge->on(TargetName, Target, Index, Kernel, RO);
}

StringRef btfkit::moduleNameOf(StringRef Path) {
  StringRef Name = sys::path::filename(Path);
  for (StringRef Ext : {".xz", ".zst", ".gz", ".lz4"})
    if (Name.consume_back(Ext))
      break;
  return sys::path::stem(Name);
}

/// A file a folder search takes as a module.
static bool isModuleFileName(StringRef Name) {
  for (StringRef Ext : {".xz", ".zst", ".gz"})
    if (Name.consume_back(Ext))
      return Name.ends_with(".ko");
  return Name.ends_with(".ko") || Name.ends_with(".btf");
}

Expected<std::vector<std::string>>
btfkit::findModuleFiles(ArrayRef<std::string> Paths) {
  std::vector<std::string> Files;
  StringSet<> Seen;
  auto Add = [&](StringRef P) {
    if (Seen.insert(P).second)
      Files.push_back(P.str());
  };
  for (const std::string &P : Paths) {
    if (!sys::fs::is_directory(P)) {
      Add(P); // read (and its errors reported) with the modules
      continue;
    }
    std::vector<std::string> Found;
    std::error_code EC;
    for (sys::fs::recursive_directory_iterator I(P, EC, /*follow=*/false), E;
         I != E && !EC; I.increment(EC)) {
      if (!isModuleFileName(sys::path::filename(I->path())))
        continue;
      // Links to files count; links to folders are not followed.
      ErrorOr<sys::fs::basic_file_status> St = I->status();
      if (St && St->type() == sys::fs::file_type::symlink_file) {
        sys::fs::file_status Target;
        if (!sys::fs::status(I->path(), Target, /*follow=*/true))
          St = Target;
      }
      if (St && St->type() == sys::fs::file_type::regular_file)
        Found.push_back(I->path());
    }
    if (EC)
      return makeError(P, "cannot search the folder: " + EC.message(),
                       ErrorKind::IO);
    llvm::sort(Found);
    for (const std::string &F : Found)
      Add(F);
  }
  return Files;
}
