//===- btfkit/KernelVersion.h - Which kernel's BTF rules --------*- C++ -*-===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The kernel's BTF rules (kernel/bpf/btf.c) change between releases: 6.9
/// takes any printable DATASEC name, 6.15 a kind flag on TYPE_TAG and
/// DECL_TAG (pahole's `attributes`), 7.x a layout section, 24-bit vlens
/// and modifiers in any order. A KernelVersion names a release; its
/// KernelRules say which of those changes it has, from one table of the
/// changes and the release that brought each (docs/Validation.md). The
/// validator asks the rules, never the version, so that a rule has one
/// condition and every release gets it right.
///
//===----------------------------------------------------------------------===//

#ifndef BTFKIT_KERNELVERSION_H
#define BTFKIT_KERNELVERSION_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>

namespace btfkit {

/// A Linux release: major and minor number ("6.12").
struct KernelVersion {
  unsigned Major = 0;
  unsigned Minor = 0;

  constexpr KernelVersion() = default;
  constexpr KernelVersion(unsigned Major, unsigned Minor)
      : Major(Major), Minor(Minor) {}

  /// The first two numbers of a version or release string: "6.12",
  /// "6.12.117", "7.2.13+deb14-amd64", "6.18.44-fc-v1252". None when
  /// \p Text does not start with "N.N".
  static std::optional<KernelVersion> parse(llvm::StringRef Text);
  /// parse() for a command-line value: an error naming \p Option and the
  /// value when it is not a version, or older than the oldest known.
  static llvm::Expected<KernelVersion> parseOption(llvm::StringRef Option,
                                                   llvm::StringRef Text);

  /// The oldest and the newest release whose kernel/bpf/btf.c btfkit was
  /// checked against (older ones are refused, newer ones get the newest
  /// rules).
  static constexpr KernelVersion oldest() { return {6, 1}; }
  static constexpr KernelVersion newest() { return {7, 2}; }
  /// The running kernel's (uname), if it can be read.
  static std::optional<KernelVersion> running();
  /// The rules to judge a target by when the user named none: the running
  /// kernel's when \p TargetPath is one of its /sys/kernel/btf files, else
  /// the target's own \p Release when it tells one (a vmlinux or vmlinuz
  /// does: KernelImage.h), else the newest.
  static KernelVersion forTarget(llvm::StringRef TargetPath,
                                 llvm::StringRef Release = "");
  /// The release a tool's command line names: \p Value (given with the
  /// option \p Option), else $BTFKIT_KERNEL_VERSION, else for the Kbuild
  /// drop-ins (\p InKbuild) Kbuild's $KERNELVERSION, the tree being built;
  /// none when nothing names one. An error names the option or variable
  /// and the value.
  static llvm::Expected<std::optional<KernelVersion>>
  fromToolOptions(llvm::StringRef Option,
                  const std::optional<std::string> &Value,
                  bool InKbuild = false);
  /// An explicit version if given, else forTarget().
  static KernelVersion orForTarget(std::optional<KernelVersion> Explicit,
                                   llvm::StringRef TargetPath,
                                   llvm::StringRef Release = "") {
    return Explicit ? *Explicit : forTarget(TargetPath, Release);
  }

  /// "6.12".
  std::string str() const;

  friend bool operator==(KernelVersion A, KernelVersion B) {
    return A.Major == B.Major && A.Minor == B.Minor;
  }
  friend bool operator!=(KernelVersion A, KernelVersion B) { return !(A == B); }
  friend bool operator<(KernelVersion A, KernelVersion B) {
    return std::tie(A.Major, A.Minor) < std::tie(B.Major, B.Minor);
  }
  friend bool operator>=(KernelVersion A, KernelVersion B) { return !(A < B); }
};

/// KernelVersion::fromToolOptions() for a tool's llvm::cl::opt<std::string>
/// (the option's own name in messages).
template <typename StringOpt>
llvm::Expected<std::optional<KernelVersion>>
kernelVersionOption(const StringOpt &Opt) {
  std::optional<std::string> Value;
  if (Opt.getNumOccurrences())
    Value = Opt;
  return KernelVersion::fromToolOptions("--" + Opt.ArgStr.str(), Value);
}

/// A rule of kernel/bpf/btf.c that changed in a release btfkit knows.
enum class RuleChange {
  /// btf_name_valid_section: a DATASEC name may hold any printable
  /// character, not only those of an identifier.
  PrintableSectionNames,
  /// btf_parse_module parses the module's .BTF.base (distilled base) and
  /// relocates the .BTF onto vmlinux; before, .BTF.base was ignored.
  DistilledBase,
  /// btf_ref_type_check_meta / btf_decl_tag_check_meta: TYPE_TAG and
  /// DECL_TAG may carry the kind flag (attribute tags).
  TagKindFlag,
  /// struct btf_header grows to 32 bytes: layout_off/layout_len place a
  /// layout section, counted by btf_check_sec_info; the string section
  /// need not end the blob when the header is the long one.
  LayoutSection,
  /// BTF_INFO_MASK is gone: vlen takes 24 bits and the kind 7, so a vlen
  /// past 65535 is fine and a kind past ENUM64 is "Invalid kind".
  WideInfo,
  /// btf_check_type_tags became btf_check_modifier_chain_length: modifiers
  /// and TYPE_TAGs may come in any order; the chain limit stays.
  AnyModifierOrder,
};

/// One row of the table of changes.
struct RuleChangeInfo {
  RuleChange Change;
  /// The first release that has it.
  KernelVersion Since;
  /// What changed, in a few words.
  const char *What;
  /// How the release was established (commit, or what was read).
  const char *Source;
};

/// The table, oldest change first.
llvm::ArrayRef<RuleChangeInfo> ruleChanges();
/// The first release that has \p C.
KernelVersion firstWith(RuleChange C);

/// The BTF rules of one release.
class KernelRules {
public:
  explicit KernelRules(KernelVersion V = KernelVersion::newest());

  KernelVersion version() const { return V; }
  bool has(RuleChange C) const;

  /// sizeof(struct btf_header): header bytes past it must be zero.
  uint32_t headerSize() const {
    return has(RuleChange::LayoutSection) ? 32 : 24;
  }

private:
  KernelVersion V;
};

} // namespace btfkit

#endif // BTFKIT_KERNELVERSION_H
