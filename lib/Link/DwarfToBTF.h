//===- DwarfToBTF.h - BTF for compile units without a fragment -*- C++ -*-===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The link step's --dwarf-fallback: objects of the linked file that carry
// no btfkit fragment (built without the plugin, assembly with -g) are
// encoded from their DWARF, the way pahole 1.24 encodes a module with the
// flags Kbuild gives it for Linux 6.1 (--btf_gen_floats), and with the
// plugin's conventions where the two differ (docs/Plugin.md), so that
// their types deduplicate against the plugin's and the base's. Each unit
// becomes standalone BTF, merged like a standalone fragment.
//
//===----------------------------------------------------------------------===//

#ifndef BTFKIT_LIB_LINK_DWARFTOBTF_H
#define BTFKIT_LIB_LINK_DWARFTOBTF_H

#include "btfkit/BTF.h"
#include "btfkit/Encode.h"
#include "btfkit/Link.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace llvm {
class DWARFUnit;
} // namespace llvm

namespace btfkit {
namespace link {

/// The BTF of one compile unit.
struct DwarfUnitBTF {
  /// DW_AT_name of the unit, and "FILE:.debug_info[NAME@0xOFFSET]" for
  /// diagnostics.
  std::string Name;
  std::string Label;
  uint64_t Offset = 0;
  /// Standalone BTF: types, FUNCs, per-CPU VARs and their DATASEC (offsets
  /// from the linked file's symbols; the merge rebuilds it anyway).
  std::unique_ptr<BTF> Types;
  unsigned NumFuncs = 0;
  unsigned NumVars = 0;
};

/// What the linked file's symbol table says about functions and per-CPU
/// variables (what pahole 1.24 collects before encoding).
struct DwarfSymbols {
  /// Names of the defined STT_FUNC symbols.
  llvm::StringSet<> Functions;
  /// Sized STT_OBJECT symbols of .data..percpu: name -> (section offset,
  /// size).
  llvm::StringMap<std::vector<std::pair<uint64_t, uint64_t>>> PerCPU;

  /// Claims \p Name's function for a FUNC: true the first time in the
  /// module. pahole marks a function symbol as generated once it encodes
  /// it, so of two objects' static functions of one name (minix's
  /// itree_v1.c and itree_v2.c each define free_branches) only the first
  /// unit's gets a FUNC; both routes encoding a module's units from its
  /// objects follow that.
  bool claimFunction(llvm::StringRef Name) {
    return Claimed.insert(Name).second;
  }

private:
  llvm::StringSet<> Claimed;
};

/// The linked file's symbols as the DWARF route reads them (DwarfUnits.cpp);
/// the GCC route keeps the same functions and variables.
llvm::Expected<DwarfSymbols> readDwarfSymbols(const LinkInput &In);

/// Encodes one compile unit whose DIEs read without error (DwarfToBTF.cpp).
/// \p Label names it in diagnostics; \p IntNames (when set) gives INTs
/// the base's spelling.
llvm::Expected<DwarfUnitBTF>
encodeDwarfUnit(llvm::DWARFUnit &U, std::string Label,
                const EncodeOptions &Opts, std::optional<IntNameMap> &IntNames,
                DwarfSymbols &Syms, std::vector<std::string> &Warnings);

/// Encodes the compile units of \p In's .debug_info at \p UnitOffsets
/// (DwarfUnits.cpp); every unit's header and unit DIE must read.
/// Unsupported DWARF is a warning (appended to \p Warnings, naming the
/// file, the unit and the DIE offset) and encoded as void; DWARF the
/// reader cannot parse is an error naming the file and the section.
llvm::Expected<std::vector<DwarfUnitBTF>>
encodeDwarfUnits(const LinkInput &In, llvm::ArrayRef<uint64_t> UnitOffsets,
                 const EncodeOptions &Opts, std::vector<std::string> &Warnings);

} // namespace link
} // namespace btfkit

#endif // BTFKIT_LIB_LINK_DWARFTOBTF_H
