//===- LinkFile.cpp - The link step on one file ---------------------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Read once, merge, check, then write through stageELFSections and an
// atomic commit (OutputFile.h): whatever fails before the write leaves the
// file as it was.
//
//===----------------------------------------------------------------------===//

#include "LinkInternal.h"

#include "btfkit/BTFIds.h"
#include "btfkit/Error.h"
#include "btfkit/Reader.h"
#include "btfkit/ResolveBTFIds.h"
#include "btfkit/Writer.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/BinaryFormat/ELF.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SwapByteOrder.h"

using namespace btfkit;
using namespace btfkit::link;
using namespace llvm;

Expected<std::shared_ptr<const MemoryBuffer>>
btfkit::readLinkedFile(StringRef Path) {
  auto Buf = mapFile(Path);
  if (!Buf)
    return Buf.takeError();
  if (!looksLikeELF(arrayRefFromStringRef((*Buf)->getBuffer())))
    return makeError(Path,
                     "not an ELF file (the link step works on the linker's "
                     "output)",
                     ErrorKind::NotELF);
  return std::move(*Buf);
}

Expected<bool> btfkit::hasFragments(const MemoryBuffer &Linked) {
  auto Sec = findELFSection(Linked.getBufferIdentifier(),
                            arrayRefFromStringRef(Linked.getBuffer()),
                            FragmentSectionName);
  if (!Sec)
    return Sec.takeError();
  return Sec->has_value();
}

/// \p Items joined by ", ", the first three only unless \p All, then
/// ", ..." and \p More: the one-line summaries of the routes units took.
static void printFirstFew(raw_ostream &OS, ArrayRef<std::string> Items,
                          bool All, StringRef More) {
  for (size_t I = 0; I < Items.size(); ++I) {
    if (I == 3 && !All) {
      OS << ", ..." << More;
      return;
    }
    OS << (I ? ", " : "") << Items[I];
  }
}

Expected<std::optional<link::CheckedModule>>
link::mergeAndCheck(const MemoryBuffer &Linked, StringRef OutPath,
                    const LinkOptions &Opts, LinkReport &Report,
                    raw_ostream &OS) {
  StringRef InPath = Linked.getBufferIdentifier();
  LinkInput In{InPath.str(), arrayRefFromStringRef(Linked.getBuffer())};

  // Every module of a kernel build is linked over the same base: its
  // indexes come from the cache the plugin fills (IndexedBase.h).
  CheckedModule C;
  auto Base = loadLinkBase(Opts);
  if (!Base)
    return Base.takeError();
  C.Base = std::move(*Base);

  auto M =
      mergeFragments(In, C.Base.get(), Report, Opts.DwarfFallback, Opts.GccBTF);
  if (!M)
    return M.takeError();
  // Objects that carry no base: merged again over Kbuild's vmlinux, or
  // refused (LinkBase.cpp).
  if (!C.Base && !Opts.NoBase && needsBase(*M)) {
    auto Kbuild = loadKbuildBase(Opts, OS);
    if (!Kbuild)
      return Kbuild.takeError();
    if (!*Kbuild)
      return noBaseError(InPath, *M, Opts);
    C.Base = std::move(*Kbuild);
    Report = LinkReport();
    M = mergeFragments(In, C.Base.get(), Report, Opts.DwarfFallback,
                       Opts.GccBTF);
    if (!M)
      return M.takeError();
  }
  C.M = std::move(*M);
  // With --dwarf-fallback every unit without a fragment was encoded from
  // its DWARF (or the merge failed): nothing is missing. Where that route
  // was not asked for, one line says which units went that way (every
  // one with -v).
  if (Opts.DwarfFallback && Opts.Verbose && !Opts.AnnounceDwarfUnits)
    for (const std::string &U : Report.MissingUnits)
      OS << InPath << ": compile unit '" << U
         << "' has no btfkit fragment: encoded from its DWARF\n";
  if (Opts.DwarfFallback && Opts.AnnounceDwarfUnits &&
      !Report.MissingUnits.empty()) {
    OS << InPath << ": " << Report.MissingUnits.size() << " compile unit"
       << (Report.MissingUnits.size() == 1 ? "" : "s")
       << " without a btfkit fragment, encoded from DWARF: ";
    printFirstFew(OS, Report.MissingUnits, Opts.Verbose,
                  " (-v lists them all)");
    OS << '\n';
  }
  // The route GCC's -gbtf objects took: one line, as for the DWARF route.
  if (!Report.GccBlobs.empty()) {
    OS << InPath << ": " << Report.GccBlobs.size() << " BTF blob"
       << (Report.GccBlobs.size() == 1 ? "" : "s")
       << " of gcc -gbtf objects in .BTF, merged (byte offsets ";
    std::vector<std::string> Offsets;
    for (uint64_t Off : Report.GccBlobs)
      Offsets.push_back("0x" + utohexstr(Off, true));
    printFirstFew(OS, Offsets, Opts.Verbose, "");
    OS << ")\n";
  }
  if (!Opts.DwarfFallback && !Opts.NoMissingWarning)
    for (const std::string &U : Report.MissingUnits)
      Report.Warnings.push_back(
          InPath.str() + ": compile unit '" + U +
          "' has no btfkit fragment (built without the plugin, or "
          "assembly): its types and functions are not in the module's "
          "BTF (--dwarf-fallback encodes them from DWARF)");

  if (Error E = checkMergedBTF(C.M, OutPath, C.Base.get(), Opts, Report, OS))
    return std::move(E);

  // --fatal-warnings: the caller reports the warnings as errors; the file
  // is not written.
  if (Opts.FatalWarnings && !Report.Warnings.empty())
    return std::nullopt;
  return std::optional<CheckedModule>(std::move(C));
}

/// The linked file's .BTF_ids resolved over its new BTF, or none when it
/// has no BTF_ID() symbols. Kbuild's resolve_btfids wrote ids of the BTF
/// pahole had made (or zeros, without a vmlinux), which the new .BTF
/// numbers otherwise: Linux 6.11 and later resolve a module's ids over its
/// own BTF and .BTF.base and relocate them with it, so the link step does
/// the same (ResolveBTFIds.h). A big-endian file keeps its section, with a
/// warning.
static Expected<std::optional<std::vector<uint8_t>>>
resolvedBTFIds(const LinkInput &In, const MergedModuleBTF &M,
               LinkReport &Report) {
  using Result = std::optional<std::vector<uint8_t>>;
  auto Ids = readBTFIds(In.Path, In.Image);
  if (!Ids)
    return Ids.takeError();
  if (!*Ids || (*Ids)->Symbols.empty())
    return Result();
  std::string Where = In.Path + ":" + BTFIdsSectionName;
  if (!(*Ids)->LittleEndian) {
    Report.Warnings.push_back(Where + ": left as linked: btfkit resolves the "
                                      "ids of little-endian objects only");
    return Result();
  }
  auto Out = resolveBTFIdsOver(**Ids, *M.Split, Where, Report.Warnings);
  if (!Out)
    return Out.takeError();
  return Result(std::move(*Out));
}

Expected<LinkReport>
btfkit::linkModuleBTF(std::shared_ptr<const MemoryBuffer> Linked,
                      StringRef OutPath, const LinkOptions &Opts,
                      raw_ostream &OS) {
  LinkReport Report;
  auto C = link::mergeAndCheck(*Linked, OutPath, Opts, Report, OS);
  if (!C)
    return C.takeError();
  if (!*C)
    return Report;
  MergedModuleBTF *M = &(*C)->M;
  ArrayRef<uint8_t> Image = arrayRefFromStringRef(Linked->getBuffer());
  LinkInput In{Linked->getBufferIdentifier().str(), Image};

  // BTF goes into the file in the file's byte order (the merge read the
  // file as ELF already, so its identification bytes are there).
  bool BigEndian = In.Image[ELF::EI_DATA] == ELF::ELFDATA2MSB;
  bool Swap = BigEndian == sys::IsLittleEndianHost;
  std::vector<SectionEdit> Edits;
  Edits.push_back({BTFSectionName, serializeBTF(*M->Split, Swap)});
  Edits.push_back({BTFBaseSectionName, serializeBTF(*M->DistilledBase, Swap)});
  Edits.push_back({FragmentSectionName, std::nullopt});
  size_t WarningsBefore = Report.Warnings.size();
  auto Ids = resolvedBTFIds(In, *M, Report);
  if (!Ids)
    return Ids.takeError();
  if (Opts.FatalWarnings && Report.Warnings.size() != WarningsBefore)
    return Report;
  if (*Ids)
    Edits.push_back({BTFIdsSectionName, std::move(**Ids)});
  auto Out = stageELFSections(*Linked, OutPath, Edits, Opts.OutputMode);
  if (!Out)
    return Out.takeError();
  if (Error E = Out->commit())
    return std::move(E);
  Report.Written = true;
  return Report;
}
