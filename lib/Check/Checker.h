//===- Checker.h - Shared state of the kernel-rule validator ----*- C++ -*-===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The validator is split by the kernel's passes (kernel/bpf/btf.c): the
/// header and string section (CheckHeader.cpp), each record on its own
/// (CheckMeta.cpp), the resolve pass (CheckResolve.cpp) and the modifier
/// chains (CheckTypeTags.cpp). They share a Checker: the BTF, the options,
/// the rules of the release they judge by (KernelVersion.h), the issues
/// found so far, and the kernel's notions of names and kinds. A rule that
/// changed between releases asks Rules.has(), nothing else.
///
//===----------------------------------------------------------------------===//

#ifndef BTFKIT_LIB_CHECK_CHECKER_H
#define BTFKIT_LIB_CHECK_CHECKER_H

#include "btfkit/Validate.h"

#include "llvm/ADT/Twine.h"

namespace btfkit {
namespace check {

// The kernel's errno values for the verdicts it returns.
constexpr int EInval = -22;
constexpr int E2Big = -7;
constexpr int ELoop = -40;
constexpr int ENotSupp = -524;

// Limits of kernel/bpf/btf.c beyond the format's own (Format.h), the same
// in every release btfkit knows.
constexpr uint32_t MaxResolveDepth = 32;   // MAX_RESOLVE_DEPTH
constexpr uint32_t MaxBTFSize = 16u << 20; // BTF_MAX_SIZE, BPF_BTF_LOAD only
constexpr uint32_t KsymNameLen = 512;      // KSYM_NAME_LEN: longest name
constexpr uint32_t InfoMask = 0x9f00ffff;  // BTF_INFO_MASK, before WideInfo
constexpr uint32_t IntMask = 0x0fffffff;   // BTF_INT_MASK
constexpr unsigned KernelMaxKind = 19;     // BTF_KIND_MAX (ENUM64)

class Checker {
public:
  Checker(const BTF &B, const ValidateOptions &Opts)
      : B(B), Opts(Opts), Rules(Opts.Kernel) {}

  const BTF &B;
  const ValidateOptions &Opts;
  const KernelRules Rules;
  std::vector<ValidationIssue> Issues;

  /// True once an issue was found and the options say to stop there.
  bool stopped() const { return Opts.StopAtFirst && !Issues.empty(); }

  /// Records an issue about the header or string section.
  void reportBlob(ValidationPhase Phase, llvm::StringRef Rule,
                  const llvm::Twine &Detail = "", int Errno = EInval,
                  bool RefusedAtModuleLoad = true);
  /// Records an issue about type \p Id: "[Id] KIND 'name' <Where> Rule
  /// (<Detail>)". \p Where is what the kernel's log puts between the type
  /// and the rule (the member, section entry or values concerned).
  void reportType(ValidationPhase Phase, uint32_t Id, llvm::StringRef Rule,
                  const llvm::Twine &Where = "", int Errno = EInval,
                  const llvm::Twine &Detail = "");
  /// As reportType(), with the bare "[Id] Rule" the kernel prints when the
  /// record's kind or name cannot be trusted.
  void reportBare(uint32_t Id, llvm::StringRef Rule);

  /// "[Id] KIND 'name'", the name escaped and shortened for one line.
  std::string describe(uint32_t Id) const;
  /// A string of the chain for a message: quoted, escaped, shortened;
  /// "(anon)" for offset 0 as the kernel prints it.
  std::string quotedName(uint32_t Off) const;

  /// btf_name_offset_valid: within the chain's strings and the format's
  /// 24-bit limit.
  bool nameOffsetValid(uint32_t Off) const {
    return Off <= MaxNameOffset && B.hasStr(Off);
  }
  /// btf_name_valid_identifier: a letter, '_' or '.', then letters,
  /// digits, '_' or '.', at most KSYM_NAME_LEN characters. The offset must
  /// be valid.
  bool nameValid(uint32_t Off) const;
  /// btf_name_valid_section: the identifier test, or with
  /// PrintableSectionNames any printable characters, at most
  /// KSYM_NAME_LEN of them.
  bool sectionNameValid(uint32_t Off) const;
  /// "Linux 6.12", for messages.
  std::string kernelName() const { return "Linux " + Rules.version().str(); }
};

/// The kernel's kind predicates (btf.c, include/linux/btf.h). "Modifier"
/// there includes TYPEDEF and TYPE_TAG: anything whose size is that of the
/// type it names.
inline bool isKernelModifier(const Type &T) {
  return T.isModifier() || T.is(Kind::Typedef);
}

// The passes, in the order the kernel runs them.
void checkHeader(Checker &C);
void checkStrings(Checker &C);
void checkTypeSection(Checker &C);
void checkMetas(Checker &C);
void checkAllTypes(Checker &C);
void checkTypeTags(Checker &C);

} // namespace check
} // namespace btfkit

#endif // BTFKIT_LIB_CHECK_CHECKER_H
