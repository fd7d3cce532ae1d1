//===- LinkInternal.h - The link step's pieces ------------------*- C++ -*-===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Declarations shared by the files of lib/Link; not a public interface.
//
//===----------------------------------------------------------------------===//

#ifndef BTFKIT_LIB_LINK_LINKINTERNAL_H
#define BTFKIT_LIB_LINK_LINKINTERNAL_H

#include "btfkit/Fragment.h"
#include "btfkit/IndexedBase.h"
#include "btfkit/Link.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Object/ObjectFile.h"

#include <deque>
#include <map>
#include <optional>

namespace btfkit {
namespace link {

/// One fragment of the linked file, loaded.
struct LoadedFragment {
  FragmentView View;
  /// "FILE:.BTF.btfkit[SOURCE]" for diagnostics.
  std::string Label;
  std::unique_ptr<BTF> Distilled; ///< null when the fragment has none
  std::unique_ptr<BTF> Types;     ///< over *Distilled, or standalone
};

/// Refuses fragments of different bases or of an incompatible producer,
/// naming their sources; warns about differing feature sets.
llvm::Error checkFragmentSet(llvm::ArrayRef<LoadedFragment> Frags,
                             llvm::StringRef Where, const BaseFingerprint *Base,
                             llvm::StringRef BasePath, LinkReport &Report);

/// The union of the fragments' distilled bases: one type per distinct
/// record (kind, flags, size, encoding, name), in an order consistent with
/// every fragment's (base id) order, ties broken by the record's key.
struct DistilledUnion {
  std::unique_ptr<BTF> Base;
  /// Per fragment: distilled id -> union id (index 0 unused).
  std::vector<std::vector<uint32_t>> Map;
};
llvm::Expected<DistilledUnion>
uniteDistilledBases(llvm::ArrayRef<LoadedFragment> Frags, llvm::StringRef Name);

/// The BTF of one object compiled with gcc -gbtf: one blob of the linked
/// file's concatenated .BTF, brought to the DWARF route's form (GccBTF.cpp).
struct GccUnitBTF {
  /// "FILE:.BTF[blob N at byte offset 0xOFF]" for diagnostics.
  std::string Label;
  uint64_t Offset = 0;
  std::unique_ptr<BTF> Types; ///< standalone
  unsigned NumFuncs = 0;
  unsigned NumVars = 0;
};

/// The blobs of \p Section (\p In's .BTF), each parsed and normalized; INT
/// names and enums GCC 12 loses follow \p Base when given. Errors name the
/// file, the section and the blob's byte offset.
llvm::Expected<std::vector<GccUnitBTF>>
readGccBlobs(const LinkInput &In, llvm::ArrayRef<uint8_t> Section,
             const IndexedBase *Base);

/// What the link step needs from the linked ELF besides the fragments.
struct ObjectInfo {
  /// Section name -> size (every section of the file).
  llvm::StringMap<uint64_t> SectionSizes;
  /// (section, symbol) -> (offset in section, size) in symbol-table order.
  std::map<std::pair<std::string, std::string>,
           std::deque<std::pair<uint64_t, uint64_t>>>
      Symbols;
  /// DW_AT_name of every compile unit of .debug_info, in order, and the
  /// unit's offset in .debug_info.
  std::vector<std::string> CompileUnits;
  std::vector<uint64_t> CompileUnitOffsets;
  bool HasDebugInfo = false;
  bool BigEndian = false;
};
llvm::Expected<ObjectInfo> readObjectInfo(const LinkInput &In);

/// \p In as an LLVM object file, refused unless it is ELF; the result's
/// getBinary() is an ELFObjectFileBase.
llvm::Expected<std::unique_ptr<llvm::object::ObjectFile>>
openLinkedELF(const LinkInput &In);

/// The base named by Opts.BasePath, or null. A file that is not a kernel's
/// BTF is an error saying what it is (KernelBase.h).
llvm::Expected<std::unique_ptr<IndexedBase>>
loadLinkBase(const LinkOptions &Opts);

/// Whether \p M, merged without a base, has types but an empty distilled
/// base: its objects carried no base of their own.
bool needsBase(const MergedModuleBTF &M);

/// Kbuild's $(objtree)/vmlinux (kbuildVmlinux()) loaded as the base when
/// it exists and Opts.NoBase is off; null otherwise. -v says it is used.
llvm::Expected<std::unique_ptr<IndexedBase>>
loadKbuildBase(const LinkOptions &Opts, llvm::raw_ostream &OS);

/// The error for \p M (of \p InPath), which needsBase() but has none.
llvm::Error noBaseError(llvm::StringRef InPath, const MergedModuleBTF &M,
                        const LinkOptions &Opts);

/// A module merged and checked, and the base it was merged over (null
/// when there is none: no --base, no Kbuild vmlinux, or --no-base).
struct CheckedModule {
  std::unique_ptr<IndexedBase> Base;
  MergedModuleBTF M;
};

/// What every writer of a link step's output does first: load the base,
/// merge the fragments (and with DwarfFallback the units without one; one
/// line to \p OS names them), check. std::nullopt when warnings were fatal:
/// \p Report holds them and nothing is to be written.
llvm::Expected<std::optional<CheckedModule>>
mergeAndCheck(const llvm::MemoryBuffer &Linked, llvm::StringRef OutPath,
              const LinkOptions &Opts, LinkReport &Report,
              llvm::raw_ostream &OS);

} // namespace link
} // namespace btfkit

#endif // BTFKIT_LIB_LINK_LINKINTERNAL_H
