//===- Error.cpp - Diagnostics that name their source ---------------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "btfkit/Error.h"

#include <unistd.h>

using namespace btfkit;
using namespace llvm;

namespace {
class BTFKitCategory : public std::error_category {
public:
  const char *name() const noexcept override { return "btfkit"; }
  std::string message(int Code) const override {
    switch (ErrorKind(Code)) {
    case ErrorKind::Malformed:
      return "malformed input";
    case ErrorKind::NotBTF:
      return "neither BTF nor ELF";
    case ErrorKind::NotELF:
      return "not an ELF file";
    case ErrorKind::NoSection:
      return "no such section";
    case ErrorKind::NotSplit:
      return "not split BTF";
    case ErrorKind::IO:
      return "cannot access the file";
    }
    return "unknown btfkit error";
  }
};
} // namespace

const std::error_category &btfkit::errorCategory() {
  static BTFKitCategory Category;
  return Category;
}

bool btfkit::isErrorKind(Error &E, ErrorKind Kind) {
  bool Found = false;
  E = handleErrors(std::move(E), [&](std::unique_ptr<StringError> SE) {
    std::error_code EC = SE->convertToErrorCode();
    Found |= EC.category() == errorCategory() && EC.value() == int(Kind);
    return Error(std::move(SE));
  });
  return Found;
}

std::string btfkit::errnoMessage(int Err) {
  return std::error_code(Err, std::generic_category()).message();
}

FileDescriptor::~FileDescriptor() {
  if (FD >= 0)
    ::close(FD);
}
