//===- ToolSupport.cpp - Shared front-end plumbing ------------------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "btfkit/ToolSupport.h"

#include "llvm/Support/Path.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

using namespace btfkit;
using namespace llvm;

void btfkit::reportError(StringRef Tool, Error E) {
  handleAllErrors(std::move(E), [&](const ErrorInfoBase &EI) {
    WithColor::error(errs(), Tool) << EI.message() << '\n';
  });
}

void btfkit::reportWarning(StringRef Tool, const Twine &Message) {
  WithColor::warning(errs(), Tool) << Message << '\n';
}

std::string btfkit::implicitBaseFor(StringRef Path) {
  StringRef Dir = sys::path::parent_path(Path);
  if (Dir == "/sys/kernel/btf" && sys::path::filename(Path) != "vmlinux")
    return SysfsVmlinux;
  return "";
}
