//===- LinkDetached.cpp - The link step as Linux 7.x's pahole step --------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Linux 7.x's scripts/gen-btf.sh asks pahole for the module's BTF as a
// file (--btf_encode_detached=X.BTF.1): classic split BTF over vmlinux,
// which resolve_btfids then distills, sorts and hands to objcopy. The link
// step's result is split over its distilled base; relocated onto the full
// base and deduplicated against it, it becomes that classic split BTF. A module ld.lld-btf already
// merged gives its .BTF the same way, and loses .BTF and .BTF.base: objcopy
// --add-section would otherwise add second ones.
//
//===----------------------------------------------------------------------===//

#include "LinkInternal.h"
#include "btfkit/Dedup.h"
#include "btfkit/Error.h"
#include "btfkit/Reader.h"
#include "btfkit/Relocate.h"
#include "btfkit/Writer.h"

#include "llvm/ADT/StringExtras.h"

using namespace btfkit;
using namespace llvm;

/// \p Split (over a distilled base) as classic split BTF over \p Base,
/// as pahole writes it: relocated onto the base, then deduplicated against
/// it, so that the types distillation had moved into the split (pointers,
/// prototypes, anonymous types of the base) are the base's own again. An
/// in-tree module, which gen-btf.sh does not distill, keeps this BTF.
static Expected<std::vector<uint8_t>>
overFullBase(const BTF &Split, const IndexedBase &Base, StringRef Module) {
  RelocateOptions RO;
  RO.Name = Module.str();
  auto R = relocate(Split, Base.relocationIndex(), RO);
  if (!R)
    return R.takeError();
  if (!R->relocated())
    return makeError(Module, "its BTF does not relocate onto its own base "
                             "(distilled type '" +
                                 R->Failures.front().Name +
                                 "' is not mapped): this is a btfkit bug");
  const DedupBase *Index = Base.dedupIndex();
  std::unique_ptr<DedupBase> Own;
  if (!Index) {
    Own = DedupBase::createFor(Base.btf(), *R->Split);
    Index = Own.get();
  }
  return dedupToBlob(*R->Split, DedupOptions(), Index);
}

Expected<LinkReport>
btfkit::linkModuleDetachedBTF(std::shared_ptr<const MemoryBuffer> Linked,
                              StringRef DetachedPath, const LinkOptions &Opts,
                              raw_ostream &OS) {
  LinkReport Report;
  StringRef Module = Linked->getBufferIdentifier();
  if (Opts.BasePath.empty())
    return makeError(Module, "no base (--btf_base): detached BTF (" +
                                 DetachedPath +
                                 ") is split over the kernel's vmlinux");
  auto Has = hasFragments(*Linked);
  if (!Has)
    return Has.takeError();
  auto Merged = findELFSection(
      Module, arrayRefFromStringRef(Linked->getBuffer()), BTFBaseSectionName);
  if (!Merged)
    return Merged.takeError();

  if (!*Has && *Merged) {
    // Linked by ld.lld-btf, which merged and checked it already. The base
    // is loaded and checked as every link step's is (LinkBase.cpp).
    auto Base = link::loadLinkBase(Opts);
    if (!Base)
      return Base.takeError();
    auto File = BTFFile::load(Linked);
    if (!File)
      return File.takeError();
    auto Blob = overFullBase(File->btf(), **Base, Module);
    if (!Blob)
      return Blob.takeError();
    if (Error E = writeFileAtomically(DetachedPath, *Blob))
      return std::move(E);
    std::vector<SectionEdit> Edits{{BTFSectionName, std::nullopt},
                                   {BTFBaseSectionName, std::nullopt}};
    auto Out = stageELFSections(*Linked, Module, Edits, Opts.OutputMode);
    if (!Out)
      return Out.takeError();
    if (Error E = Out->commit())
      return std::move(E);
    Report.Written = true;
    return Report;
  }

  auto C = link::mergeAndCheck(*Linked, Module, Opts, Report, OS);
  if (!C)
    return C.takeError();
  if (!*C)
    return Report;
  auto Blob = overFullBase(*(*C)->M.Split, *(*C)->Base, Module);
  if (!Blob)
    return Blob.takeError();
  if (Error E = writeFileAtomically(DetachedPath, *Blob))
    return std::move(E);
  Report.Written = true;
  return Report;
}
