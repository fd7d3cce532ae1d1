//===- btfkit/ResolveBTFIds.h - Linux 7.x resolve_btfids --------*- C++ -*-===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
///
/// \file
/// What Linux 7.x's resolve_btfids (tools/bpf/resolve_btfids/main.c, run by
/// scripts/gen-btf.sh) makes of a module's detached BTF:
///
///   resolve_btfids [--distill_base] --btf_base vmlinux --btf X.BTF.1 X.ko
///
/// reads the split BTF X.BTF.1 over vmlinux, distills its base with
/// --distill_base (libbpf's btf__distill_base(), Distill.h), sorts the
/// split types by name (libbpf's btf__permute(); anonymous types first,
/// ties in id order), resolves the BTF_ID() symbols of X.ko's .BTF_ids over
/// the result, sorts every set, and writes X.BTF, X.BTF.base (distilled
/// only) and X.BTF_ids (only when X.ko has a .BTF_ids section and a symbol
/// table). The blobs are byte for byte the real tool's: libbpf's header
/// (32 bytes for the BTF libbpf builds, the input's for the input), the
/// types in the new order, the strings as they were.
///
//===----------------------------------------------------------------------===//

#ifndef BTFKIT_RESOLVEBTFIDS_H
#define BTFKIT_RESOLVEBTFIDS_H

#include "btfkit/BTF.h"
#include "btfkit/BTFIds.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace btfkit {

struct ResolvedModule {
  /// X.BTF: the split BTF, sorted by name.
  std::vector<uint8_t> Split;
  /// X.BTF.base: the distilled base, with DistillBase.
  std::optional<std::vector<uint8_t>> Base;
  /// X.BTF_ids: the object's .BTF_ids with its ids resolved, when it has
  /// that section and symbols over it.
  std::optional<std::vector<uint8_t>> Ids;
  /// resolve_btfids's warnings (unresolved symbols, names found more than
  /// once), full sentences naming the object and the symbol.
  std::vector<std::string> Warnings;
};

/// Runs resolve_btfids's module path on \p Split (split BTF over the full
/// vmlinux BTF, pahole's detached output) for the object \p Image at
/// \p ObjPath. Errors name the file: a big-endian object, a set that runs
/// past the section, a kfunc with KF_IMPLICIT_ARGS (whose BTF the real tool
/// rewrites; btfkit does not), BTF that cannot be distilled.
llvm::Expected<ResolvedModule>
resolveModuleBTFIds(llvm::StringRef ObjPath, llvm::ArrayRef<uint8_t> Image,
                    const BTF &Split, bool DistillBase);

/// \p Ids's words with every BTF_ID() symbol resolved over \p Types (its
/// base's types and its own, in id order, the first of a name and kind
/// winning) and every set's count written and its entries sorted:
/// resolve_btfids's symbols_resolve(), symbols_patch() and sets_patch(),
/// which Linux 6.11 and later run over a module's own BTF when it has a
/// .BTF.base (the kernel relocates the ids with the BTF). Unresolved names
/// and names found twice go to \p Warnings, full sentences starting with
/// \p Where (the object and section). Errors: a big-endian object, a set
/// that runs past the section, a kfunc with KF_IMPLICIT_ARGS.
llvm::Expected<std::vector<uint8_t>>
resolveBTFIdsOver(const BTFIdsSection &Ids, const BTF &Types,
                  llvm::StringRef Where, std::vector<std::string> &Warnings);

/// The split types of \p Split in libbpf's name order (resolve_btfids's
/// sort_btf_by_name()): old ids, new position by new position.
std::vector<uint32_t> typesByName(const BTF &Split);

} // namespace btfkit

#endif // BTFKIT_RESOLVEBTFIDS_H
