//===- ElfWriter.cpp - Adding, replacing and removing ELF sections --------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The input is copied byte for byte to a temporary file next to the output,
// opened there with libelf (ELF_C_RDWR, the way pahole updates .BTF in
// place), edited, and renamed over the output. Editing a copy keeps every
// byte libelf does not rewrite: padding, and in linked files the bytes that
// segments map but no section covers.
//
// Section indices never change: relocation sections (sh_link, sh_info),
// symbols (st_shndx), groups and e_shstrndx all name sections by index, and
// renumbering would mean rewriting each of them. New sections are appended;
// a removed section stays in the table as an SHT_NULL entry with the empty
// name and no contents, which readelf, libbpf/bpftool and lld all skip.
//
// Two layouts:
// - Without program headers (ET_REL: objects, kernel modules) libelf lays
//   the file out again, so the output is as compact as the input.
// - With program headers (ET_EXEC, ET_DYN) file offsets are part of the
//   loaded image, so the file keeps its layout (ELF_F_LAYOUT): contents that
//   no longer fit where they were, new sections and a grown .shstrtab go at
//   the end of the file, followed by the section header table. Allocated
//   sections can be rewritten only in place (same size or smaller).
//
//===----------------------------------------------------------------------===//

#include "btfkit/Error.h"
#include "btfkit/Reader.h"
#include "btfkit/Writer.h"

#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/MemoryBuffer.h"

#include <gelf.h>
#include <libelf.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>

using namespace btfkit;
using namespace llvm;

namespace {

/// Alignment of sections this file adds (pahole's .BTF has 4; every BTF
/// record is made of 32-bit words).
constexpr uint64_t NewSectionAlign = 4;

struct ElfDeleter {
  void operator()(Elf *E) const { elf_end(E); }
};
using ElfHandle = std::unique_ptr<Elf, ElfDeleter>;

std::string libelfMessage() {
  int Code = elf_errno();
  const char *M = Code ? elf_errmsg(Code) : nullptr;
  return M ? M : "malformed ELF data";
}

bool initLibelf() {
  static const bool Ok = elf_version(EV_CURRENT) != EV_NONE;
  return Ok;
}

/// Copies \p Image into the fresh output \p Out and rewinds it, for libelf
/// to edit in place.
Error copyInto(OutputFile &Out, ArrayRef<uint8_t> Image) {
  if (Error E = Out.write(Image))
    return E;
  if (::lseek(Out.fd(), 0, SEEK_SET) != 0)
    return makeError(Out.path(), "cannot seek: " + Twine(std::strerror(errno)));
  return Error::success();
}

Error checkEditNames(StringRef Path, ArrayRef<SectionEdit> Edits) {
  StringMap<bool> Seen;
  for (const SectionEdit &Ed : Edits) {
    if (Ed.Name.empty())
      return makeError(Path, "a section edit has an empty section name");
    if (Ed.Name.find('\0') != std::string::npos)
      return makeError(Path, "section name with a NUL byte");
    if (!Seen.try_emplace(Ed.Name, true).second)
      return makeError(Path + ":" + Ed.Name, "section edited twice");
  }
  return Error::success();
}

/// The section-name table being extended: existing names (or suffixes of
/// them) are reused, others appended.
class NameTable {
public:
  explicit NameTable(StringRef Old) : Bytes(Old.str()) {
    if (Bytes.empty() || Bytes.back() != '\0')
      Bytes.push_back('\0');
  }
  uint32_t add(StringRef Name) {
    std::string Key = Name.str();
    Key.push_back('\0');
    size_t Pos = StringRef(Bytes).find(StringRef(Key.data(), Key.size()));
    if (Pos != StringRef::npos)
      return uint32_t(Pos);
    uint32_t Off = uint32_t(Bytes.size());
    Bytes += Key;
    return Off;
  }
  StringRef bytes() const { return Bytes; }

private:
  std::string Bytes;
};

/// One section of the file being edited.
struct SectionInfo {
  Elf_Scn *Scn = nullptr;
  GElf_Shdr Hdr = {};
  std::string Name;
};

/// Where empty data blocks point: libelf reads a block whose d_buf is null
/// as "use the section's raw contents from the file" (elf32_updatenull.c),
/// so emptying a section needs a non-null pointer.
static uint8_t EmptyData[1];

/// Sets \p Scn's contents to \p Data (not copied; must outlive elf_update).
Error setSectionData(Elf_Scn *Scn, ArrayRef<uint8_t> Data, uint64_t Align,
                     const Twine &Where) {
  Elf_Data *D = elf_getdata(Scn, nullptr);
  if (!D) {
    elf_errno(); // An empty section has no data: not an error.
    D = elf_newdata(Scn);
    if (!D)
      return makeError(Where, "cannot add contents: " + libelfMessage());
  }
  D->d_buf = Data.empty() ? EmptyData : const_cast<uint8_t *>(Data.data());
  D->d_size = Data.size();
  D->d_type = ELF_T_BYTE; // Bytes as given: no byte-order translation.
  D->d_off = 0;
  D->d_align = Align ? Align : 1;
  D->d_version = EV_CURRENT;
  // A freshly read section has a single data block; drop any others.
  while (Elf_Data *Next = elf_getdata(Scn, D)) {
    Next->d_size = 0;
    Next->d_buf = EmptyData;
    elf_flagdata(Next, ELF_C_SET, ELF_F_DIRTY);
  }
  elf_flagdata(D, ELF_C_SET, ELF_F_DIRTY);
  return Error::success();
}

/// The section editor behind rewriteELFSections.
class Rewriter {
public:
  Rewriter(StringRef InPath, Elf *E, ArrayRef<uint8_t> Image)
      : InPath(InPath), E(E), Image(Image), FileSize(Image.size()) {}

  /// Applies \p Edits to the ELF in memory.
  Error run(ArrayRef<SectionEdit> Edits);
  /// Writes the result to \p FD, the file the ELF was opened from.
  Error write(int FD, StringRef OutPath);

private:
  Error readSections();
  Error checkRemovable(size_t Index, ArrayRef<bool> Removing);
  bool symbolUsedByRelocations(size_t SymTab, size_t Sym,
                               ArrayRef<bool> Removing);
  Error checkNoRelocations(size_t Index, ArrayRef<bool> Removing);
  void removeSection(size_t Index);
  Error updateShdr(size_t Index);
  using Ranges = std::vector<std::pair<uint64_t, uint64_t>>;
  Ranges coveredRanges(); // what the headers describe, as [begin, end)
  Error restoreGaps(int FD, StringRef OutPath);
  std::string where(size_t Index) const {
    return (Twine(InPath) + ":" + Sections[Index].Name).str();
  }
  std::string where(StringRef Name) const {
    return (Twine(InPath) + ":" + Name).str();
  }

  std::string InPath;
  Elf *E;
  ArrayRef<uint8_t> Image; // the input, as read
  uint64_t FileSize;
  Ranges OldCovered;
  struct SymbolRef {
    Elf_Data *Syms, *Xndx;
    size_t Index;
  };
  std::vector<SymbolRef> SymbolsToClear;
  // Per symbol table: the symbols relocations that stay use.
  std::map<size_t, DenseSet<uint32_t>> UsedSymbols;
  GElf_Ehdr Ehdr = {};
  size_t ShStrNdx = 0;
  size_t PhNum = 0;
  bool KeepLayout = false;
  std::vector<SectionInfo> Sections; // by index; [0] is the null entry
  std::string NewNames;              // the grown .shstrtab, kept alive
};

Error Rewriter::readSections() {
  if (!gelf_getehdr(E, &Ehdr))
    return makeError(InPath, "bad ELF header: " + libelfMessage());
  if (Ehdr.e_shoff == 0)
    return makeError(InPath, "has no section header table");
  if (Ehdr.e_shoff > FileSize ||
      FileSize - Ehdr.e_shoff < uint64_t(Ehdr.e_shnum) * Ehdr.e_shentsize)
    return makeError(InPath, "truncated: the section header table at offset " +
                                 Twine(Ehdr.e_shoff) +
                                 " runs past the end of the file (" +
                                 Twine(FileSize) + " bytes)");
  size_t ShNum = 0;
  if (elf_getshdrnum(E, &ShNum) != 0)
    return makeError(InPath, "bad section count: " + libelfMessage());
  if (ShNum == 0)
    return makeError(InPath, "has no section header table");
  if (elf_getshdrstrndx(E, &ShStrNdx) != 0 || ShStrNdx == 0 ||
      ShStrNdx >= ShNum)
    return makeError(InPath, "has no section name table");
  if (elf_getphdrnum(E, &PhNum) != 0)
    return makeError(InPath, "bad program header count: " + libelfMessage());
  KeepLayout = PhNum != 0 || Ehdr.e_type != ET_REL;

  Sections.resize(ShNum);
  for (size_t I = 0; I < ShNum; ++I) {
    SectionInfo &S = Sections[I];
    S.Scn = elf_getscn(E, I);
    if (!S.Scn || !gelf_getshdr(S.Scn, &S.Hdr))
      return makeError(InPath, "cannot read section header " + Twine(I) + ": " +
                                   libelfMessage());
    if (I == 0)
      continue;
    const char *N = elf_strptr(E, ShStrNdx, S.Hdr.sh_name);
    if (!N)
      return makeError(InPath, "section " + Twine(I) +
                                   " has a bad name offset " +
                                   Twine(S.Hdr.sh_name));
    S.Name = N;
    if (S.Hdr.sh_type != SHT_NOBITS && S.Hdr.sh_type != SHT_NULL &&
        (S.Hdr.sh_offset > FileSize ||
         FileSize - S.Hdr.sh_offset < S.Hdr.sh_size))
      return makeError(where(I), "truncated: contents at offset " +
                                     Twine(S.Hdr.sh_offset) + " (" +
                                     Twine(S.Hdr.sh_size) +
                                     " bytes) run past the end of the file");
    // Without a kept layout libelf may move any section, so it must hold
    // every section's contents before writing (it then writes them all).
    if (!KeepLayout && S.Hdr.sh_type != SHT_NOBITS &&
        S.Hdr.sh_type != SHT_NULL && S.Hdr.sh_size &&
        !elf_getdata(S.Scn, nullptr))
      return makeError(where(I),
                       "cannot read section contents: " + libelfMessage());
  }
  if (KeepLayout)
    OldCovered = coveredRanges();
  return Error::success();
}

Rewriter::Ranges Rewriter::coveredRanges() {
  Ranges R;
  GElf_Ehdr H;
  if (!gelf_getehdr(E, &H))
    return R;
  R.push_back({0, H.e_ehsize});
  R.push_back({H.e_phoff, H.e_phoff + uint64_t(PhNum) * H.e_phentsize});
  size_t ShNum = 0;
  elf_getshdrnum(E, &ShNum);
  R.push_back({H.e_shoff, H.e_shoff + uint64_t(ShNum) * H.e_shentsize});
  for (size_t I = 1; I < ShNum; ++I) {
    GElf_Shdr S;
    Elf_Scn *Scn = elf_getscn(E, I);
    if (Scn && gelf_getshdr(Scn, &S) && S.sh_type != SHT_NOBITS &&
        S.sh_type != SHT_NULL)
      R.push_back({S.sh_offset, S.sh_offset + S.sh_size});
  }
  return R;
}

// libelf fills the space between the sections it writes with zeros. In a
// linked file some of that space belongs to segments (a linker's trap-fill
// between code sections, say): every byte that neither the old nor the new
// headers describe is put back as it was.
Error Rewriter::restoreGaps(int FD, StringRef OutPath) {
  Ranges All = coveredRanges();
  All.insert(All.end(), OldCovered.begin(), OldCovered.end());
  llvm::sort(All);
  uint64_t Pos = 0;
  auto Restore = [&](uint64_t From, uint64_t To) -> Error {
    To = std::min(To, FileSize);
    if (From >= To)
      return Error::success();
    ssize_t N = ::pwrite(FD, Image.data() + From, To - From, off_t(From));
    if (N != ssize_t(To - From))
      return makeError(OutPath, "cannot write: " + Twine(std::strerror(errno)));
    return Error::success();
  };
  for (auto [Begin, End] : All) {
    if (Begin > Pos)
      if (Error Err = Restore(Pos, Begin))
        return Err;
    Pos = std::max(Pos, End);
  }
  return Restore(Pos, FileSize);
}

Error Rewriter::write(int FD, StringRef OutPath) {
  off_t Size = elf_update(E, ELF_C_WRITE);
  if (Size < 0)
    return makeError(OutPath, "cannot write: " + libelfMessage());
  if (KeepLayout)
    return restoreGaps(FD, OutPath);
  // libelf grows the file but never shrinks it; a compacted object must not
  // keep the old tail.
  if (uint64_t(Size) < FileSize && ::ftruncate(FD, Size) != 0)
    return makeError(OutPath,
                     "cannot truncate: " + Twine(std::strerror(errno)));
  return Error::success();
}

/// Relocation sections that patch section \p Index.
static bool isRelocationSectionFor(const GElf_Shdr &H, size_t Index) {
  return (H.sh_type == SHT_REL || H.sh_type == SHT_RELA) && H.sh_info == Index;
}

Error Rewriter::checkNoRelocations(size_t Index, ArrayRef<bool> Removing) {
  for (size_t J = 1; J < Sections.size(); ++J)
    if (isRelocationSectionFor(Sections[J].Hdr, Index) && !Removing[J])
      return makeError(where(Index),
                       "cannot replace a section that relocation section " +
                           Sections[J].Name +
                           " applies to (remove that one too)");
  return Error::success();
}

bool Rewriter::symbolUsedByRelocations(size_t SymTab, size_t Sym,
                                       ArrayRef<bool> Removing) {
  auto [It, New] = UsedSymbols.try_emplace(SymTab);
  if (New) {
    for (size_t J = 1; J < Sections.size(); ++J) {
      const GElf_Shdr &H = Sections[J].Hdr;
      if ((H.sh_type != SHT_REL && H.sh_type != SHT_RELA) ||
          H.sh_link != SymTab || Removing[J] || !H.sh_entsize)
        continue;
      Elf_Data *D = elf_getdata(Sections[J].Scn, nullptr);
      for (size_t K = 0; D && K < H.sh_size / H.sh_entsize; ++K) {
        GElf_Rela R;
        GElf_Rel RR;
        if (H.sh_type == SHT_RELA && gelf_getrela(D, int(K), &R))
          It->second.insert(uint32_t(GELF_R_SYM(R.r_info)));
        else if (H.sh_type == SHT_REL && gelf_getrel(D, int(K), &RR))
          It->second.insert(uint32_t(GELF_R_SYM(RR.r_info)));
      }
    }
  }
  return It->second.count(uint32_t(Sym));
}

Error Rewriter::checkRemovable(size_t Index, ArrayRef<bool> Removing) {
  const GElf_Shdr &H = Sections[Index].Hdr;
  if (Index == ShStrNdx)
    return makeError(where(Index), "cannot remove the section name table");
  if (KeepLayout && (H.sh_flags & SHF_ALLOC))
    return makeError(where(Index), "cannot remove an allocated section from "
                                   "a linked file (segments map it)");
  for (size_t J = 1; J < Sections.size(); ++J) {
    if (Removing[J] || J == Index)
      continue;
    const SectionInfo &O = Sections[J];
    if (O.Hdr.sh_link == Index && O.Hdr.sh_type != SHT_NULL)
      return makeError(where(Index),
                       "cannot remove: section " + O.Name + " links to it");
    if (O.Hdr.sh_type != SHT_SYMTAB && O.Hdr.sh_type != SHT_DYNSYM)
      continue;
    // A symbol defined in the section would point at a hole.
    Elf_Data *Syms = elf_getdata(O.Scn, nullptr);
    Elf_Data *Xndx = nullptr;
    for (size_t K = 1; K < Sections.size(); ++K)
      if (Sections[K].Hdr.sh_type == SHT_SYMTAB_SHNDX &&
          Sections[K].Hdr.sh_link == J)
        Xndx = elf_getdata(Sections[K].Scn, nullptr);
    size_t Count = O.Hdr.sh_entsize ? O.Hdr.sh_size / O.Hdr.sh_entsize : 0;
    for (size_t K = 0; Syms && K < Count; ++K) {
      GElf_Sym Sym;
      Elf32_Word Shndx = 0;
      if (!gelf_getsymshndx(Syms, Xndx, int(K), &Sym, &Shndx))
        break;
      size_t SymSec = Sym.st_shndx == SHN_XINDEX ? Shndx : Sym.st_shndx;
      if (Sym.st_shndx != SHN_UNDEF && Sym.st_shndx != SHN_ABS &&
          Sym.st_shndx != SHN_COMMON && SymSec == Index) {
        // A section symbol no remaining relocation uses (ld -r keeps one
        // for every section) is cleared with the section.
        if (GELF_ST_TYPE(Sym.st_info) == STT_SECTION &&
            !symbolUsedByRelocations(J, K, Removing)) {
          SymbolsToClear.push_back({Syms, Xndx, K});
          continue;
        }
        const char *SymName = elf_strptr(E, O.Hdr.sh_link, Sym.st_name);
        std::string What =
            GELF_ST_TYPE(Sym.st_info) == STT_SECTION
                ? "its section symbol"
                : "symbol '" + std::string(SymName ? SymName : "") + "'";
        return makeError(where(Index), "cannot remove: " + What + " (" +
                                           O.Name + " entry " + Twine(K) +
                                           ") would point at nothing");
      }
    }
  }
  return Error::success();
}

void Rewriter::removeSection(size_t Index) {
  GElf_Shdr &H = Sections[Index].Hdr;
  if (Elf_Data *D = elf_getdata(Sections[Index].Scn, nullptr)) {
    D->d_buf = EmptyData;
    D->d_size = 0;
    D->d_align = 1;
    elf_flagdata(D, ELF_C_SET, ELF_F_DIRTY);
  }
  elf_errno(); // A section without contents has no data block.
  // libelf writes sections in offset order and fills the space before each
  // from the end of the previous one: an empty section at offset 0 would
  // have it zero the headers. Kept where it was, it only clears its bytes.
  uint64_t Offset = H.sh_offset;
  H = GElf_Shdr();
  if (KeepLayout)
    H.sh_offset = Offset;
}

Error Rewriter::updateShdr(size_t Index) {
  if (!gelf_update_shdr(Sections[Index].Scn, &Sections[Index].Hdr))
    return makeError(where(Index),
                     "cannot update the section header: " + libelfMessage());
  elf_flagshdr(Sections[Index].Scn, ELF_C_SET, ELF_F_DIRTY);
  return Error::success();
}

Error Rewriter::run(ArrayRef<SectionEdit> Edits) {
  if (Error Err = readSections())
    return Err;

  // Match edits to sections.
  StringMap<size_t> ByName;
  for (size_t I = 1; I < Sections.size(); ++I) {
    if (Sections[I].Hdr.sh_type == SHT_NULL)
      continue;
    auto [It, New] = ByName.try_emplace(Sections[I].Name, I);
    (void)It;
    if (!New) {
      for (const SectionEdit &Ed : Edits)
        if (Ed.Name == Sections[I].Name)
          return makeError(where(I), "several sections have this name");
    }
  }
  SmallVector<bool, 64> Removing(Sections.size(), false);
  std::vector<const SectionEdit *> Replacing(Sections.size(), nullptr);
  std::vector<const SectionEdit *> Adding;
  for (const SectionEdit &Ed : Edits) {
    auto It = ByName.find(Ed.Name);
    if (It == ByName.end()) {
      if (Ed.Data) // Removing a section that is not there: nothing to do.
        Adding.push_back(&Ed);
      continue;
    }
    if (Ed.Data)
      Replacing[It->second] = &Ed;
    else
      Removing[It->second] = true;
  }
  // Relocation sections go with the section they patch.
  for (size_t I = 1; I < Sections.size(); ++I)
    if (Removing[I])
      for (size_t J = 1; J < Sections.size(); ++J)
        if (isRelocationSectionFor(Sections[J].Hdr, I))
          Removing[J] = true;

  for (size_t I = 1; I < Sections.size(); ++I) {
    if (Removing[I] && Replacing[I])
      return makeError(where(I), "a section cannot be replaced and removed");
    if (Removing[I])
      if (Error Err = checkRemovable(I, Removing))
        return Err;
    if (Replacing[I])
      if (Error Err = checkNoRelocations(I, Removing))
        return Err;
  }

  for (const SymbolRef &S : SymbolsToClear) {
    // Not a null (undefined) entry: the kernel resolves every undefined
    // symbol of a module past entry 0 by name, and an unnamed one fails the
    // load ("Unknown symbol  (err -2)", seen on Debian's 6.12). An unnamed
    // local absolute symbol is left alone by the kernel, modpost and lld.
    GElf_Sym Inert = {};
    Inert.st_info = GELF_ST_INFO(STB_LOCAL, STT_NOTYPE);
    Inert.st_shndx = SHN_ABS;
    if (!gelf_update_symshndx(S.Syms, S.Xndx, int(S.Index), &Inert, 0))
      return makeError(InPath, "cannot clear symbol " + Twine(S.Index) + ": " +
                                   libelfMessage());
    elf_flagdata(S.Syms, ELF_C_SET, ELF_F_DIRTY);
    if (S.Xndx)
      elf_flagdata(S.Xndx, ELF_C_SET, ELF_F_DIRTY);
  }

  // Grow the name table first: the edits below must not read old names.
  // (Sections grows below: no references into it are kept.)
  Sections.reserve(Sections.size() + Adding.size());
  SectionInfo &StrSec = Sections[ShStrNdx];
  Elf_Data *StrData = elf_getdata(StrSec.Scn, nullptr);
  if (!StrData && StrSec.Hdr.sh_size)
    return makeError(where(ShStrNdx),
                     "cannot read the section name table: " + libelfMessage());
  NameTable Names(StrData ? StringRef(static_cast<const char *>(StrData->d_buf),
                                      StrData->d_size)
                          : StringRef());
  std::vector<uint32_t> NewNameOffs;
  for (const SectionEdit *Ed : Adding)
    NewNameOffs.push_back(Names.add(Ed->Name));
  bool NamesGrew = Names.bytes().size() != (StrData ? StrData->d_size : 0);

  // Where appended contents go when the layout is kept: after everything
  // the file holds, except an old section header table at its very end,
  // which is rewritten anyway.
  uint64_t End = FileSize;
  uint64_t ShTableSize = uint64_t(Sections.size()) * Ehdr.e_shentsize;
  if (KeepLayout && Ehdr.e_shoff + ShTableSize == FileSize) {
    uint64_t ContentEnd = Ehdr.e_phoff + uint64_t(PhNum) * Ehdr.e_phentsize;
    for (const SectionInfo &S : Sections)
      if (S.Hdr.sh_type != SHT_NOBITS)
        ContentEnd = std::max(ContentEnd, S.Hdr.sh_offset + S.Hdr.sh_size);
    if (ContentEnd <= Ehdr.e_shoff)
      End = ContentEnd;
  }
  auto Append = [&](uint64_t Size, uint64_t Align) {
    uint64_t Off = alignTo(End, Align ? Align : 1);
    End = Off + Size;
    return Off;
  };

  for (size_t I = 1; I < Sections.size(); ++I) {
    SectionInfo &S = Sections[I];
    if (Removing[I]) {
      removeSection(I);
    } else if (Replacing[I]) {
      ArrayRef<uint8_t> Data = *Replacing[I]->Data;
      bool Fits = S.Hdr.sh_type != SHT_NOBITS && Data.size() <= S.Hdr.sh_size;
      if (KeepLayout && (S.Hdr.sh_flags & SHF_ALLOC) && !Fits)
        return makeError(where(I),
                         "cannot grow an allocated section of a linked file (" +
                             Twine(Data.size()) + " bytes for " +
                             Twine(S.Hdr.sh_size) + ")");
      if (Error Err = setSectionData(S.Scn, Data, S.Hdr.sh_addralign, where(I)))
        return Err;
      if (S.Hdr.sh_type == SHT_NOBITS)
        S.Hdr.sh_type = SHT_PROGBITS;
      S.Hdr.sh_flags &= ~uint64_t(SHF_COMPRESSED);
      S.Hdr.sh_size = Data.size();
      if (KeepLayout && !Fits)
        S.Hdr.sh_offset = Append(Data.size(), S.Hdr.sh_addralign);
    } else {
      continue;
    }
    if (Error Err = updateShdr(I))
      return Err;
  }

  for (size_t K = 0; K < Adding.size(); ++K) {
    const SectionEdit &Ed = *Adding[K];
    Elf_Scn *Scn = elf_newscn(E);
    if (!Scn)
      return makeError(where(Ed.Name),
                       "cannot add section: " + libelfMessage());
    Sections.push_back({Scn, GElf_Shdr(), Ed.Name});
    size_t I = Sections.size() - 1;
    if (!gelf_getshdr(Scn, &Sections[I].Hdr))
      return makeError(where(I), "cannot add section: " + libelfMessage());
    if (Error Err = setSectionData(Scn, *Ed.Data, NewSectionAlign, where(I)))
      return Err;
    GElf_Shdr &H = Sections[I].Hdr;
    H.sh_name = NewNameOffs[K];
    H.sh_type = SHT_PROGBITS;
    H.sh_addralign = NewSectionAlign;
    H.sh_size = Ed.Data->size();
    if (KeepLayout)
      H.sh_offset = Append(H.sh_size, NewSectionAlign);
    if (Error Err = updateShdr(I))
      return Err;
  }

  if (NamesGrew) {
    NewNames = Names.bytes().str();
    ArrayRef<uint8_t> Bytes(reinterpret_cast<const uint8_t *>(NewNames.data()),
                            NewNames.size());
    if (Error Err = setSectionData(StrSec.Scn, Bytes, 1, where(ShStrNdx)))
      return Err;
    if (KeepLayout && NewNames.size() > StrSec.Hdr.sh_size)
      StrSec.Hdr.sh_offset = Append(NewNames.size(), 1);
    StrSec.Hdr.sh_size = NewNames.size();
    if (Error Err = updateShdr(ShStrNdx))
      return Err;
  }

  if (KeepLayout) {
    elf_flagelf(E, ELF_C_SET, ELF_F_LAYOUT);
    // With the ELF marked dirty libelf writes the whole table from the
    // section descriptors: left clean, it writes the table it read, which
    // has no room for added sections (elf32_updatefile.c).
    elf_flagelf(E, ELF_C_SET, ELF_F_DIRTY);
    Ehdr.e_shoff = Append(0, gelf_getclass(E) == ELFCLASS64 ? 8 : 4);
    if (!gelf_update_ehdr(E, &Ehdr))
      return makeError(InPath,
                       "cannot update the ELF header: " + libelfMessage());
  }
  return Error::success();
}

} // namespace

Expected<OutputFile> btfkit::stageELFSections(const MemoryBuffer &In,
                                              StringRef OutPath,
                                              ArrayRef<SectionEdit> Edits,
                                              std::optional<unsigned> Mode,
                                              bool Batch) {
  StringRef InPath = In.getBufferIdentifier();
  if (Error Err = checkEditNames(InPath, Edits))
    return std::move(Err);
  if (!initLibelf())
    return makeError(InPath, "libelf initialization failed");
  ArrayRef<uint8_t> Image = arrayRefFromStringRef(In.getBuffer());
  if (Image.size() < 4 || std::memcmp(Image.data(),
                                      "\x7f"
                                      "ELF",
                                      4) != 0)
    return makeError(InPath, "not an ELF file");

  Expected<OutputFile> Out =
      OutputFile::create(OutPath, SpecialOutput::WriteInto, Batch);
  if (!Out)
    return Out.takeError();
  if (Error Err = copyInto(*Out, Image))
    return std::move(Err);
  ElfHandle E(elf_begin(Out->fd(), ELF_C_RDWR, nullptr));
  if (!E || elf_kind(E.get()) != ELF_K_ELF)
    return makeError(InPath, "not a valid ELF file (" + libelfMessage() + ")");
  Rewriter R(InPath, E.get(), Image);
  if (Error Err = R.run(Edits))
    return std::move(Err);
  if (Error Err = R.write(Out->fd(), OutPath))
    return std::move(Err);
  E.reset();
  // The output keeps the input's mode (a linked module's, an executable's
  // x bits); an input read from a pipe has none to give.
  sys::fs::file_status Status;
  if (!Mode && !sys::fs::status(InPath, Status) &&
      Status.type() == sys::fs::file_type::regular_file)
    Mode = unsigned(Status.permissions()) & 0777;
  if (Mode && ::fchmod(Out->fd(), *Mode) != 0)
    return makeError(OutPath, "cannot set the file mode: " +
                                  Twine(std::strerror(errno)));
  return Out;
}

Error btfkit::rewriteELFSections(StringRef InPath, StringRef OutPath,
                                 ArrayRef<SectionEdit> Edits) {
  auto In = mapFile(InPath);
  if (!In)
    return In.takeError();
  auto Out = stageELFSections(**In, OutPath, Edits);
  if (!Out)
    return Out.takeError();
  return Out->commit();
}

Expected<OutputFile> btfkit::stageNewELF(StringRef OutPath,
                                         ArrayRef<SectionEdit> Sections,
                                         uint16_t Machine) {
  if (Error Err = checkEditNames(OutPath, Sections))
    return std::move(Err);
  for (const SectionEdit &S : Sections)
    if (!S.Data)
      return makeError(OutPath + ":" + S.Name, "a new section needs contents");
  if (!initLibelf())
    return makeError(OutPath, "libelf initialization failed");

  Expected<OutputFile> Out = OutputFile::create(OutPath);
  if (!Out)
    return Out.takeError();
  ElfHandle E(elf_begin(Out->fd(), ELF_C_WRITE, nullptr));
  if (!E || !gelf_newehdr(E.get(), ELFCLASS64))
    return makeError(OutPath, "cannot create an ELF file: " + libelfMessage());

  NameTable Names("");
  auto AddSection = [&](StringRef Name, ArrayRef<uint8_t> Data, uint32_t Type,
                        uint64_t Align) -> Expected<size_t> {
    Elf_Scn *Scn = elf_newscn(E.get());
    GElf_Shdr H;
    if (!Scn || !gelf_getshdr(Scn, &H))
      return makeError(OutPath + ":" + Name,
                       "cannot add section: " + libelfMessage());
    if (Error Err = setSectionData(Scn, Data, Align, OutPath + ":" + Name))
      return Err;
    H.sh_name = Names.add(Name);
    H.sh_type = Type;
    H.sh_addralign = Align;
    if (!gelf_update_shdr(Scn, &H))
      return makeError(OutPath + ":" + Name,
                       "cannot add section: " + libelfMessage());
    return elf_ndxscn(Scn);
  };
  for (const SectionEdit &S : Sections)
    if (Expected<size_t> I =
            AddSection(S.Name, *S.Data, SHT_PROGBITS, NewSectionAlign);
        !I)
      return I.takeError();
  // The name table names itself: its own name goes in before its bytes
  // are taken.
  Names.add(".shstrtab");
  std::string NameBytes = Names.bytes().str();
  ArrayRef<uint8_t> NameData(
      reinterpret_cast<const uint8_t *>(NameBytes.data()), NameBytes.size());
  Expected<size_t> StrNdx =
      AddSection(".shstrtab", NameData, SHT_STRTAB, /*Align=*/1);
  if (!StrNdx)
    return StrNdx.takeError();

  GElf_Ehdr Eh;
  if (!gelf_getehdr(E.get(), &Eh))
    return makeError(OutPath, "cannot create an ELF file: " + libelfMessage());
  Eh.e_ident[EI_DATA] = ELFDATA2LSB;
  Eh.e_ident[EI_VERSION] = EV_CURRENT;
  Eh.e_ident[EI_OSABI] = ELFOSABI_NONE;
  Eh.e_type = ET_REL;
  Eh.e_machine = Machine;
  Eh.e_version = EV_CURRENT;
  Eh.e_shstrndx = uint16_t(*StrNdx);
  if (!gelf_update_ehdr(E.get(), &Eh))
    return makeError(OutPath, "cannot create an ELF file: " + libelfMessage());
  if (elf_update(E.get(), ELF_C_WRITE) < 0)
    return makeError(OutPath, "cannot write: " + libelfMessage());
  E.reset();
  return Out;
}

Error btfkit::createELFWithSections(StringRef OutPath,
                                    ArrayRef<SectionEdit> Sections,
                                    uint16_t Machine) {
  auto Out = stageNewELF(OutPath, Sections, Machine);
  if (!Out)
    return Out.takeError();
  return Out->commit();
}
