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
/// checks), for a base BTF and for split BTF over a base. A BTF that passes
/// is one the kernel would accept; a failure carries the kernel's wording
/// ("Invalid name", "Invalid member bits_offset", "Loop detected", ...)
/// together with the type id, its kind and name, so it can be matched to
/// what dmesg says when a module's BTF is refused ("failed to validate module
/// [x] BTF: -22").
///
//===----------------------------------------------------------------------===//

#ifndef BTFKIT_VALIDATE_H
#define BTFKIT_VALIDATE_H

#include "btfkit/BTF.h"

#include <string>
#include <vector>

namespace btfkit {

/// One broken rule.
struct ValidationIssue {
  /// The type the rule is about; 0 for the header or string section.
  uint32_t TypeId = 0;
  /// The kernel's message for the rule, e.g. "Invalid name".
  std::string Rule;
  /// The whole line: "[12] STRUCT 'foo' member 'bar': Invalid member".
  std::string Message;
};

struct ValidateOptions {
  /// Stop at the first issue, as the kernel does. Otherwise collect all
  /// (issues after the first may be consequences of it).
  bool StopAtFirst = true;
};

/// Checks the types \p B defines (its base is taken as already valid).
std::vector<ValidationIssue> validate(const BTF &B,
                                      const ValidateOptions &Opts = {});

/// validate() as an llvm::Error naming \p B's file: success, or the first
/// issue.
llvm::Error checkValid(const BTF &B);

} // namespace btfkit

#endif // BTFKIT_VALIDATE_H
