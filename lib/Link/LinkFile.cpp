//===- LinkFile.cpp - The link step on one file ---------------------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Read, merge, check, then write through rewriteELFSections, which replaces
// the output atomically: whatever fails before the write leaves the file as
// it was.
//
//===----------------------------------------------------------------------===//

#include "LinkInternal.h"

#include "btfkit/Error.h"
#include "btfkit/Reader.h"
#include "btfkit/Writer.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SwapByteOrder.h"

using namespace btfkit;
using namespace btfkit::link;
using namespace llvm;

static Expected<std::unique_ptr<MemoryBuffer>> readELF(StringRef Path) {
  auto Buf = MemoryBuffer::getFile(Path, /*IsText=*/false,
                                   /*RequiresNullTerminator=*/false);
  if (!Buf)
    return makeError(Path, "cannot open: " + Buf.getError().message());
  if (!looksLikeELF(arrayRefFromStringRef((*Buf)->getBuffer())))
    return makeError(Path, "not an ELF file (the link step works on the "
                           "linker's output)");
  return std::move(*Buf);
}

Expected<bool> btfkit::hasFragments(StringRef Path) {
  auto Buf = readELF(Path);
  if (!Buf)
    return Buf.takeError();
  auto Sec = findELFSection(Path, arrayRefFromStringRef((*Buf)->getBuffer()),
                            FragmentSectionName);
  if (!Sec)
    return Sec.takeError();
  return Sec->has_value();
}

Expected<LinkReport> btfkit::linkModuleBTF(StringRef InPath, StringRef OutPath,
                                           const LinkOptions &Opts,
                                           raw_ostream &OS) {
  LinkReport Report;
  auto Buf = readELF(InPath);
  if (!Buf)
    return Buf.takeError();
  LinkInput In{InPath.str(), arrayRefFromStringRef((*Buf)->getBuffer())};

  std::unique_ptr<BTF> Base;
  if (!Opts.BasePath.empty()) {
    auto B = loadBaseBTF(Opts.BasePath);
    if (!B)
      return B.takeError();
    Base = std::move(*B);
  }

  auto M = mergeFragments(In, Base.get(), Report);
  if (!M)
    return M.takeError();
  for (const std::string &U : Report.MissingUnits)
    if (!Opts.NoMissingWarning)
      Report.Warnings.push_back(
          InPath.str() + ": compile unit '" + U +
          "' has no btfkit fragment (built without the plugin, or "
          "assembly): its types and functions are not in the module's "
          "BTF" +
          (Opts.DwarfFallback ? " (--dwarf-fallback is not implemented yet)"
                              : ""));

  if (Error E = checkMergedBTF(*M, OutPath, Base.get(), Opts, Report, OS))
    return E;

  // --fatal-warnings: the caller reports the warnings as errors; the file
  // is not written.
  if (Opts.FatalWarnings && !Report.Warnings.empty())
    return Report;

  // BTF goes into the file in the file's byte order.
  auto Info = readObjectInfo(In);
  if (!Info)
    return Info.takeError();
  bool Swap = Info->BigEndian == sys::IsLittleEndianHost;
  std::vector<SectionEdit> Edits;
  Edits.push_back({BTFSectionName, serializeBTF(*M->Split, Swap)});
  Edits.push_back({BTFBaseSectionName, serializeBTF(*M->DistilledBase, Swap)});
  Edits.push_back({FragmentSectionName, std::nullopt});
  if (Error E = rewriteELFSections(InPath, OutPath, Edits))
    return E;
  Report.Written = true;
  return Report;
}
