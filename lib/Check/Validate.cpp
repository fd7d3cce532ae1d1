//===- Validate.cpp - The kernel's BTF rules ------------------------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "btfkit/Validate.h"
#include "btfkit/Error.h"

using namespace btfkit;
using namespace llvm;

std::vector<ValidationIssue> btfkit::validate(const BTF &B,
                                              const ValidateOptions &Opts) {
  // Placeholder until the validator lands: no issues.
  return {};
}

Error btfkit::checkValid(const BTF &B) {
  std::vector<ValidationIssue> Issues = validate(B);
  if (Issues.empty())
    return Error::success();
  return makeError(B.name(), Issues.front().Message);
}
