//===- btfkit/Reader.h - Loading BTF from files -----------------*- C++ -*-===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Opens a file that holds BTF and tells what it holds: a raw BTF blob (a
/// dump, or /sys/kernel/btf/*), or an ELF object of either class and byte
/// order with a .BTF section (vmlinux, a module, an object) and possibly a
/// .BTF.base distilled base. The file is mapped, not copied.
///
//===----------------------------------------------------------------------===//

#ifndef BTFKIT_READER_H
#define BTFKIT_READER_H

#include "btfkit/BTF.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace btfkit {

constexpr const char *BTFSectionName = ".BTF";
constexpr const char *BTFBaseSectionName = ".BTF.base";
/// Section names that select one blob of an object's btfkit fragment
/// (Fragment.h): its types (what ".BTF" gives), its distilled base (what
/// ".BTF.base" gives), and its embedded-type tags (split over both).
constexpr const char *FragmentTypesView = ".BTF.btfkit:types";
constexpr const char *FragmentDistilledBaseView = ".BTF.btfkit:distilled-base";
constexpr const char *FragmentEmbeddedTagsView = ".BTF.btfkit:embedded-tags";

struct LoadOptions {
  /// The base the loaded BTF is split over (raw split BTF, or a module's
  /// .BTF when its .BTF.base is not to be used). Owned by the caller.
  const BTF *Base = nullptr;
  /// For an ELF with a .BTF.base section and no Base above: load .BTF as
  /// split over that distilled base.
  bool UseEmbeddedBase = true;
  /// The ELF section to load as the BTF itself. ".BTF.base" loads the
  /// distilled base alone.
  std::string Section = BTFSectionName;
};

/// What one file holds, kept mapped for as long as this object lives.
class BTFFile {
public:
  enum FileFormat { Raw, ELF };

  /// Reads \p Path (mapFile) and loads what it holds.
  static llvm::Expected<BTFFile> load(llvm::StringRef Path,
                                      const LoadOptions &Opts = {});
  /// Loads what \p Contents holds (its identifier names the file in
  /// messages): a tool that looks at one input in several ways reads it
  /// once, so that a pipe works as well as a file.
  static llvm::Expected<BTFFile>
  load(std::shared_ptr<const llvm::MemoryBuffer> Contents,
       const LoadOptions &Opts = {});

  BTFFile(BTFFile &&) = default;
  BTFFile &operator=(BTFFile &&) = default;
  ~BTFFile();

  const std::string &path() const { return Path; }
  FileFormat format() const { return Format; }
  /// The loaded BTF (the requested section).
  const BTF &btf() const { return *Main; }
  /// The .BTF.base the BTF is split over, when the file provided it.
  const BTF *embeddedBase() const { return EmbeddedBase.get(); }
  /// True when the ELF file has a .BTF.base section (used or not).
  bool hasBaseSection() const { return HasBaseSection; }
  /// Gives up ownership of the BTF; the file stays mapped as long as the
  /// BTF lives (and the embedded base, which is returned through \p Base).
  /// Null for a fragment's embedded-tags view (split over two blobs).
  std::unique_ptr<BTF> takeBTF(std::unique_ptr<BTF> *Base = nullptr);

private:
  BTFFile() = default;
  llvm::Error loadFragment(llvm::ArrayRef<uint8_t> Section,
                           const LoadOptions &Opts,
                           std::shared_ptr<const void> KeepAlive);

  std::string Path;
  FileFormat Format = Raw;
  bool HasBaseSection = false;
  std::unique_ptr<BTF> EmbeddedBase;
  /// The fragment's types under an embedded-tags view.
  std::unique_ptr<BTF> FragmentTypes;
  std::unique_ptr<BTF> Main;
};

/// What a file holds, told from its sections without reading its BTF
/// (inspectFile()).
struct FileContents {
  BTFFile::FileFormat Format = BTFFile::Raw;
  /// ELF: a .BTF section, and a .BTF.base section.
  bool HasBTF = false;
  bool HasBaseSection = false;
  /// ELF without .BTF: the btfkit fragments of an object not linked yet
  /// (Fragment.h), and how many of them carry a distilled base.
  unsigned NumFragments = 0;
  unsigned NumFragmentsWithBase = 0;
};

/// Tells what \p Contents holds: raw BTF, or an ELF file and its BTF
/// sections. Errors name the file (neither BTF nor ELF, a broken ELF or
/// fragment section).
llvm::Expected<FileContents> inspectFile(const llvm::MemoryBuffer &Contents);

/// The bytes of section \p Name of the ELF image \p Image, or std::nullopt
/// when it has none. Errors name \p Path.
llvm::Expected<std::optional<llvm::ArrayRef<uint8_t>>>
findELFSection(llvm::StringRef Path, llvm::ArrayRef<uint8_t> Image,
               llvm::StringRef Name);

/// The name the kernel knows a module by (struct module's name, printed
/// as "[name]" in its messages): the `name=` entry of an ELF module's
/// .modinfo, else the file name up to its first dot with '-' as '_', as
/// Kbuild names modules.
std::string moduleKernelName(llvm::StringRef Path,
                             llvm::ArrayRef<uint8_t> Image);

/// True for data that starts like BTF (either byte order).
bool looksLikeRawBTF(llvm::ArrayRef<uint8_t> Data);
/// True for data that starts like an ELF file.
bool looksLikeELF(llvm::ArrayRef<uint8_t> Data);

/// One complete BTF blob of a section that may hold several: `ld -r`
/// concatenates the .BTF sections of objects compiled with `gcc -gbtf`,
/// each a standalone blob with its own header and strings.
struct BlobSpan {
  uint64_t Offset = 0; ///< byte offset in the section
  llvm::ArrayRef<uint8_t> Data;
};

/// The blobs of \p Section, found by walking their headers (either byte
/// order): a blob ends at hdr_len + max(type_off + type_len, str_off +
/// str_len) (and the layout section's end, in a 32-byte header). Zero bytes
/// up to the next 8-byte boundary after a blob are alignment padding a
/// linker may put between input sections, and are skipped. Errors name
/// \p Label and the byte offset of the blob at fault (truncated header,
/// bad magic or version, a section running past the end). The headers
/// alone are read: each blob is to be parsed as BTF by the caller.
llvm::Expected<std::vector<BlobSpan>>
splitBTFBlobs(llvm::ArrayRef<uint8_t> Section, llvm::StringRef Label);

/// Loads a file as a base BTF (not split): raw BTF or the .BTF of an ELF
/// (vmlinux). Convenience for the many tools that take --base-btf.
llvm::Expected<std::unique_ptr<BTF>> loadBaseBTF(llvm::StringRef Path);

/// The most btfkit reads from an input that is not a regular file (a pipe,
/// a FIFO, a device): such inputs have no size to check first, and some
/// (/dev/zero) no end.
constexpr uint64_t MaxStreamInputSize = uint64_t(512) << 20;

/// The contents of \p Path as every reader gets them, in one read: small
/// regular files read, others mapped (sysfs files read whole); pipes, FIFOs
/// and devices read to their end, up to MaxStreamInputSize. Opening never
/// waits for a FIFO's writer: without one it reads as empty, an error.
/// Directories and empty streams are errors. "-" reads the standard input
/// (named "<stdin>" in messages). \p Populate asks the kernel to
/// map every page at once, for callers that will read them all.
llvm::Expected<std::shared_ptr<const llvm::MemoryBuffer>>
mapFile(llvm::StringRef Path, bool Populate = true);

/// \p Contents under another name (for messages), sharing its bytes: a file
/// read under a temporary name that stands for another (ld.lld-btf reads
/// lld's output before it becomes the output).
std::shared_ptr<const llvm::MemoryBuffer>
renameBuffer(std::shared_ptr<const llvm::MemoryBuffer> Contents,
             llvm::StringRef Name);

} // namespace btfkit

#endif // BTFKIT_READER_H
