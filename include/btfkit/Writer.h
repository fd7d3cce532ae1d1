//===- btfkit/Writer.h - Writing BTF to files -------------------*- C++ -*-===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Raw BTF blobs and ELF sections out. Every writer replaces its output
/// atomically (a temporary file renamed over the target), so a failure
/// never leaves a half-written file behind.
///
//===----------------------------------------------------------------------===//

#ifndef BTFKIT_WRITER_H
#define BTFKIT_WRITER_H

#include "btfkit/BTF.h"
#include "btfkit/OutputFile.h"
#include "btfkit/TypeWalk.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"

#include <optional>
#include <string>
#include <vector>

namespace btfkit {

/// The header of a blob laid out the one way btfkit writes BTF (pahole's
/// too): the header, the types, the layout section when \p WithLayout
/// (LayoutLen bytes), the strings. Every writer of a blob takes its header
/// from here.
Header blobHeader(uint32_t TypeLen, uint32_t StrLen, bool WithLayout = false,
                  uint32_t LayoutLen = 0, uint8_t Flags = 0);

/// A whole blob in host byte order: blobHeader() and the sections after it.
/// \p Layouts, when given, makes a layout section (the 32-byte header).
std::vector<uint8_t>
assembleBTF(llvm::ArrayRef<uint8_t> Types, llvm::StringRef Strings,
            std::optional<llvm::ArrayRef<KindLayout>> Layouts = std::nullopt,
            uint8_t Flags = 0);

/// The layout section a blob made of \p B's types carries: \p B's own when
/// \p B is a base BTF that has one. Split BTF carries none, whatever its
/// input had: pahole writes none into split BTF, and libbpf and the kernel
/// take the base's.
std::optional<llvm::ArrayRef<KindLayout>> layoutSectionFor(const BTF &B);

/// \p Classic (a classic-header blob as blobHeader() lays it out) with the
/// layout section layoutSectionFor(\p From) gives, if any: how dedup and
/// concatenation keep a base BTF's layout section.
std::vector<uint8_t> withLayoutSectionOf(std::vector<uint8_t> Classic,
                                         const BTF &From);

/// The blob of the types and strings \p B defines (not its base's): header,
/// types, layout section (layoutSectionFor()), strings. Host byte order, or
/// the other one with \p ByteSwap.
std::vector<uint8_t> serializeBTF(const BTF &B, bool ByteSwap = false);

/// \p Blob (a module's BTF as serializeBTF() writes it: classic header)
/// with the header of the module's own .BTF, \p Module, as the kernel
/// shows it in /sys/kernel/btf/<module>: the kernel relocates the types in
/// place and keeps the header the module carried, its length and the
/// layout words (Linux 7.x's resolve_btfids writes a 32-byte header with
/// an empty layout section). \p Blob as it is when \p Module's header is
/// the classic one or describes a layout section.
std::vector<uint8_t> withModuleHeader(std::vector<uint8_t> Blob,
                                      const Header &Module);

/// Turns \p Blob, a whole blob in host byte order as assembleBTF() lays it
/// out, into the other byte order in place.
void byteSwapBlob(llvm::MutableArrayRef<uint8_t> Blob);

/// A classic-header blob of \p B's own types and strings, in host byte
/// order, for rewriting its records in place (serializeRemapped()).
std::vector<uint8_t> copyOwnTypesAndStrings(const BTF &B);

/// \p B's own types and strings with every type id slot rewritten to
/// MapId(id) (void included) and every nonzero name offset to
/// MapStr(offset): how a split BTF moves onto another base (the plugin's
/// unit over its base, relocation onto a kernel). The result is meant for
/// BTF::parseOwned() over the new base.
template <typename IdFn, typename StrFn>
std::vector<uint8_t> serializeRemapped(const BTF &B, IdFn &&MapId,
                                       StrFn &&MapStr) {
  std::vector<uint8_t> Blob = copyOwnTypesAndStrings(B);
  uint8_t *TypeData = Blob.data() + ClassicHeaderSize;
  for (uint32_t Id = B.firstId(); Id < B.endId(); ++Id) {
    auto *Rec = reinterpret_cast<CommonType *>(TypeData + B.typeOffset(Id));
    visitTypeSlots(Rec, [&](uint32_t &Ref) { Ref = MapId(Ref); });
    visitNameSlots(Rec, [&](uint32_t &Off) {
      if (Off)
        Off = MapStr(Off);
    });
  }
  return Blob;
}

/// Writes \p Data to \p Path through a temporary file in the same folder,
/// flushed to the disk and renamed over it (OutputFile.h). Errors name
/// \p Path.
llvm::Error
writeFileAtomically(llvm::StringRef Path, llvm::ArrayRef<uint8_t> Data,
                    SpecialOutput Special = SpecialOutput::WriteInto);

/// One change to an ELF file's sections.
struct SectionEdit {
  std::string Name;
  /// The new contents; std::nullopt removes the section.
  std::optional<std::vector<uint8_t>> Data;
};

/// Copies the ELF file \p InPath to \p OutPath (which may be the same path)
/// with \p Edits applied: a named section that exists is replaced or
/// removed, one that does not is added (type SHT_PROGBITS, not allocated,
/// alignment 4, like pahole's .BTF); removing an absent one does nothing.
/// Everything else is kept as it was, and the output keeps the input's
/// file mode. Works on ELF32/ELF64 of either byte order; contents are
/// written as given, so BTF must already be in the file's byte order.
///
/// Section indices never change (relocations, symbols and groups name
/// sections by index): new sections are appended, and a removed section
/// becomes an SHT_NULL entry with the empty name and no contents. Its
/// relocation sections go with it, and so do section symbols no remaining
/// relocation uses; a section other symbols are defined in, or that another
/// section links to, cannot be removed. A section that relocations patch
/// cannot be replaced unless its relocation section is removed too.
///
/// Objects (ET_REL, kernel modules) are laid out afresh. Linked files
/// (program headers) keep their layout and every byte segments map: new or
/// grown contents and the section header table go at the end, and an
/// allocated section can only be rewritten in place (no larger) or not at
/// all. Errors name the file and the section.
llvm::Error rewriteELFSections(llvm::StringRef InPath, llvm::StringRef OutPath,
                               llvm::ArrayRef<SectionEdit> Edits);

/// The same on \p In, the input already read (its identifier names it in
/// messages), written to \p OutPath with file mode \p Mode (by default the
/// input's, when it names a regular file) and left for the caller to
/// commit: a tool writing several outputs commits them together
/// (OutputSet). \p Batch: one of thousands of outputs (OutputFile::create).
llvm::Expected<OutputFile>
stageELFSections(const llvm::MemoryBuffer &In, llvm::StringRef OutPath,
                 llvm::ArrayRef<SectionEdit> Edits,
                 std::optional<unsigned> Mode = std::nullopt,
                 bool Batch = false);

/// Writes a new minimal ELF relocatable object (ELF64, little-endian,
/// x86-64 unless \p Machine says otherwise) holding just \p Sections (each
/// SHT_PROGBITS, alignment 4, in the order given) and .shstrtab. Every
/// section needs contents. Like every writer here, it replaces \p OutPath
/// atomically.
llvm::Error createELFWithSections(llvm::StringRef OutPath,
                                  llvm::ArrayRef<SectionEdit> Sections,
                                  uint16_t Machine = 62 /*EM_X86_64*/);

/// The same, left for the caller to commit (OutputSet).
llvm::Expected<OutputFile> stageNewELF(llvm::StringRef OutPath,
                                       llvm::ArrayRef<SectionEdit> Sections,
                                       uint16_t Machine = 62 /*EM_X86_64*/);

} // namespace btfkit

#endif // BTFKIT_WRITER_H
