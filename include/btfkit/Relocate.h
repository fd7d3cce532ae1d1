//===- btfkit/Relocate.h - Relocating split BTF onto a new base -*- C++ -*-===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
///
/// \file
/// relocate() does what the kernel does when it loads a module that carries
/// a .BTF.base (kernel/bpf/btf_relocate.c, the same code as libbpf's
/// btf__relocate()): it maps every type of the distilled base to one type
/// of the target base, then rewrites the split BTF over the target, its
/// type ids and string offsets shifted. The verdict (relocates or not) and
/// the result are the kernel's; see docs/Relocation.md for the rules.
///
/// Beyond the kernel, which stops at the first problem, the result lists
/// every distilled type that cannot be mapped, with the reason, the target
/// types that were considered, and for a size mismatch the split members
/// that embed the type by value. One failure is flagged as the one the
/// kernel reports.
///
//===----------------------------------------------------------------------===//

#ifndef BTFKIT_RELOCATE_H
#define BTFKIT_RELOCATE_H

#include "btfkit/BTF.h"
#include "btfkit/BaseIndex.h"

#include "llvm/Support/Error.h"

#include <memory>
#include <string>
#include <vector>

namespace btfkit {

/// Why a distilled type found no target type.
enum class RelocFailureKind {
  /// The target has no INT/FLOAT/ENUM/ENUM64/FWD/STRUCT/UNION of that name.
  NoSuchName,
  /// Types of that name exist, but none of a kind the distilled type
  /// matches (e.g. a FWD of the other kind, a STRUCT where an ENUM is
  /// wanted).
  KindMismatch,
  /// Types of that name and kind exist, none of the required size (an
  /// embedded or duplicate-named composite, an INT, FLOAT or ENUM).
  SizeMismatch,
  /// An INT of that name and size with another encoding (signedness,
  /// char, bool).
  EncodingMismatch,
  /// More than one target type matches: the kernel cannot choose.
  Ambiguous,
};

/// "no-such-name", "kind-mismatch", ... (the JSON spelling).
inline const char *relocFailureKindName(RelocFailureKind K) {
  switch (K) {
  case RelocFailureKind::NoSuchName:
    return "no-such-name";
  case RelocFailureKind::KindMismatch:
    return "kind-mismatch";
  case RelocFailureKind::SizeMismatch:
    return "size-mismatch";
  case RelocFailureKind::EncodingMismatch:
    return "encoding-mismatch";
  case RelocFailureKind::Ambiguous:
    return "ambiguous";
  }
  return "unknown";
}

/// A target type that was looked at for a failing distilled type.
struct RelocCandidate {
  uint32_t Id = 0;
  Kind K = Kind::Unknown;
  uint32_t Size = 0;
  bool KindFlag = false;
  uint32_t IntEncoding = 0;
};

/// One distilled type that could not be mapped.
struct RelocFailure {
  uint32_t DistilledId = 0; ///< id in the distilled base
  std::string Name;
  Kind K = Kind::Unknown;
  uint32_t Size = 0;
  bool KindFlag = false;
  uint32_t IntEncoding = 0; ///< INT only
  RelocFailureKind Reason = RelocFailureKind::NoSuchName;
  /// Embedded by value in some split STRUCT/UNION (size must match).
  bool Embedded = false;
  /// The members that embed it, e.g. "struct hello_priv.dev" (split
  /// composite, then member; anonymous ones as "struct (anon)[id]").
  std::vector<std::string> EmbeddedBy;
  /// Target types of the same name: for Ambiguous the matching ones, else
  /// all that were considered.
  std::vector<RelocCandidate> Candidates;
  /// This is the failure the kernel reports ("distilled base BTF type ...
  /// is not mapped", or "... has multiple candidates"); exactly one failure
  /// of a failed relocation has it.
  bool KernelReports = false;
};

struct RelocateOptions {
  /// Name the relocated BTF carries in diagnostics.
  std::string Name;
  /// Build the relocated BTF on success. Off to predict only.
  bool BuildOutput = true;
  /// Gather EmbeddedBy paths and candidate lists for failures.
  bool Explain = true;
};

struct RelocateResult {
  /// The split BTF over the target base; null when relocation failed (or
  /// BuildOutput was off).
  std::unique_ptr<BTF> Split;
  /// Every unmappable distilled type, ascending distilled ids. Empty on
  /// success.
  std::vector<RelocFailure> Failures;
  /// Distilled id -> target id (0 where unmapped).
  std::vector<uint32_t> BaseMap;

  bool relocated() const { return Failures.empty(); }
  /// The failure the kernel would report, or null.
  const RelocFailure *kernelFailure() const {
    for (const RelocFailure &F : Failures)
      if (F.KernelReports)
        return &F;
    return nullptr;
  }
};

/// The STRUCT/UNION a member of type \p Id holds by value: \p Id followed
/// through TYPEDEF, CONST, VOLATILE, RESTRICT, TYPE_TAG and ARRAY element
/// types (a PTR ends the chain); 0 when the chain ends at anything else.
/// Any id of \p B's chain.
uint32_t compositeHeldByValue(const BTF &B, uint32_t Id);

/// Which composites of \p Split's base are *embedded*: held by value by a
/// member of one of Split's own STRUCT/UNION types (the kernel's
/// btf_mark_embedded_composite_type_ids()). Indexed by base id, size
/// Split.firstId(); 1 for embedded ones. relocate() requires an equal size
/// of exactly these, and the compiler plugin tags exactly these in its
/// fragments (EmitFragment.h).
std::vector<uint8_t> embeddedBaseComposites(const BTF &Split);

/// Relocates \p Split, split BTF over a distilled base, onto \p Target.
/// A relocation that fails is a result, not an error; an Error means the
/// input cannot be resilient split BTF at all, and names the file and type:
/// the split is not split, its base is split itself, the distilled base has
/// a kind other than INT/FLOAT/ENUM/FWD/STRUCT/UNION or an anonymous type,
/// the split holds a kind whose type ids cannot be rewritten, or a split
/// string offset points into the distilled base's strings but not at the
/// name of a distilled type (a .BTF.base that does not belong to the .BTF).
llvm::Expected<RelocateResult> relocate(const BTF &Split,
                                        const BaseIndex &Target,
                                        const RelocateOptions &Opts = {});

} // namespace btfkit

#endif // BTFKIT_RELOCATE_H
