//===- btfkit/Validate.h - The kernel's BTF rules ---------------*- C++ -*-===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Checks a BTF the way the kernel checks BTF it is given (kernel/bpf/btf.c:
/// btf_parse_hdr, btf_check_all_metas, btf_check_all_types and the per-kind
/// checks), for a base BTF and for split BTF over a base, by the rules of
/// the release named in the options (KernelVersion.h; the newest known by
/// default). A BTF that passes is one that kernel would accept; a failure
/// carries the kernel's wording
/// ("Invalid name", "Invalid member bits_offset", "Loop detected", ...)
/// together with the type id, its kind and name, so it can be matched to
/// what dmesg says when a module's BTF is refused ("failed to validate module
/// [x] BTF: -22").
///
//===----------------------------------------------------------------------===//

#ifndef BTFKIT_VALIDATE_H
#define BTFKIT_VALIDATE_H

#include "btfkit/BTF.h"
#include "btfkit/KernelVersion.h"

#include <string>
#include <vector>

namespace btfkit {

/// Which of the kernel's passes a rule belongs to, in the order the kernel
/// runs them (btf_parse: btf_parse_hdr, btf_parse_str_sec,
/// btf_parse_type_sec = btf_check_all_metas + btf_check_all_types, then
/// btf_check_type_tags).
enum class ValidationPhase {
  Header,   ///< btf_parse_hdr, btf_check_sec_info, size limit
  Strings,  ///< btf_parse_str_sec
  Meta,     ///< btf_check_meta: each record on its own
  Resolve,  ///< btf_check_all_types: sizes and references resolved
  TypeTags, ///< btf_check_type_tags
};

/// One broken rule.
struct ValidationIssue {
  /// The type the rule is about; 0 for the header or string section.
  uint32_t TypeId = 0;
  /// The kernel's message for the rule, e.g. "Invalid name".
  std::string Rule;
  /// The whole line: "[12] STRUCT 'foo' member 'bar' type_id=3
  /// bits_offset=8 Invalid member bits_offset".
  std::string Message;
  ValidationPhase Phase = ValidationPhase::Meta;
  /// What the kernel's parse returns for it: -EINVAL (-22) for most rules,
  /// -ENOTSUPP (-524) for an unsupported version, flags or int encoding,
  /// -E2BIG (-7) for an unsupported header or an oversized blob, -ELOOP
  /// (-40) for over-long modifier chains.
  int Errno = -22;
  /// True when the kernel refuses this BTF as vmlinux or module BTF
  /// (btf_parse_module: "failed to validate module [m] BTF: <Errno>").
  /// False for the rules only BPF_BTF_LOAD applies (the resolve pass, the
  /// 16 MiB limit) and for limits the kernel merely logs.
  bool RefusedAtModuleLoad = true;
};

struct ValidateOptions {
  /// Stop at the first issue, as the kernel does. Otherwise collect all
  /// (issues after the first may be consequences of it).
  bool StopAtFirst = true;
  /// Also run the resolve pass (btf_check_all_types) and the BTF_MAX_SIZE
  /// limit, which the kernel applies to BTF loaded with BPF_BTF_LOAD but not
  /// to vmlinux or module BTF. Clear it to predict exactly whether a
  /// module's BTF loads.
  bool ResolveTypes = true;
  /// sizeof(void *) of the target kernel (the size of a PTR member).
  uint32_t PointerSize = 8;
  /// The release whose rules apply.
  KernelVersion Kernel = KernelVersion::newest();
};

/// Checks the types \p B defines (its base is taken as already valid).
std::vector<ValidationIssue> validate(const BTF &B,
                                      const ValidateOptions &Opts = {});

/// validate() as an llvm::Error naming \p B's file: success, or the first
/// issue under \p Kernel's rules.
llvm::Error checkValid(const BTF &B,
                       KernelVersion Kernel = KernelVersion::newest());

/// The module-load checks of one blob by \p Kernel (btf_parse_module:
/// header, strings, per-record checks; no resolve pass): the issues it
/// refuses a module for, the first being the one it stops at.
std::vector<ValidationIssue> moduleLoadIssues(const BTF &B,
                                              KernelVersion Kernel);

} // namespace btfkit

#endif // BTFKIT_VALIDATE_H
