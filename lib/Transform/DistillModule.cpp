//===- DistillModule.cpp - A module file made resilient -------------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "btfkit/DistillModule.h"
#include "btfkit/Error.h"

#include "llvm/ADT/StringExtras.h"

using namespace btfkit;
using namespace llvm;

std::vector<SectionEdit> DistilledModule::takeSectionEdits() {
  std::vector<SectionEdit> Edits = {{BTFSectionName, std::move(SplitBlob)},
                                    {BTFBaseSectionName, std::move(BaseBlob)}};
  if (BTFIds)
    Edits.push_back({BTFIdsSectionName, std::move(*BTFIds)});
  return Edits;
}

Expected<DistilledModule>
btfkit::distillModule(std::shared_ptr<const MemoryBuffer> Contents,
                      const BTF &Base, StringRef BaseName) {
  std::string Input = Contents->getBufferIdentifier().str();
  LoadOptions Opts;
  Opts.Base = &Base;
  Opts.UseEmbeddedBase = false;
  auto FileOrErr = BTFFile::load(Contents, Opts);
  if (!FileOrErr)
    return FileOrErr.takeError();
  BTFFile &File = *FileOrErr;
  if (File.hasBaseSection())
    return makeError(Input, "already has a .BTF.base section: its .BTF is "
                            "split over that distilled base, not over " +
                                BaseName);
  DistilledModule M;
  M.Format = File.format();
  // Written in the input's byte order.
  bool Swap = File.btf().wasByteSwapped();
  std::optional<BTFIdsSection> Ids;
  if (M.Format == BTFFile::ELF) {
    auto Read =
        readBTFIds(Input, arrayRefFromStringRef(Contents->getBuffer()));
    if (!Read)
      return Read.takeError();
    Ids = std::move(*Read);
  }
  if (!Ids) {
    // Nothing holds the old ids: the new split is written as distill made
    // it, not loaded back (a distribution's thousands of modules in a
    // batch; most have no .BTF_ids).
    auto B = distillBlobs(File.btf());
    if (!B)
      return B.takeError();
    M.BaseBlob = std::move(B->Base);
    M.SplitBlob = std::move(B->Split);
    if (Swap) {
      byteSwapBlob(M.BaseBlob);
      byteSwapBlob(M.SplitBlob);
    }
    return M;
  }
  auto D = distill(File.btf());
  if (!D)
    return D.takeError();
  M.BaseBlob = serializeBTF(*D->Base, Swap);
  M.SplitBlob = serializeBTF(*D->Split, Swap);
  auto NewIds = translateBTFIds(Input, *Ids, File.btf(), *D, M.Warnings);
  if (!NewIds)
    return NewIds.takeError();
  M.BTFIds = std::move(*NewIds);
  return M;
}
