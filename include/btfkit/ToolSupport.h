//===- btfkit/ToolSupport.h - Shared front-end plumbing ---------*- C++ -*-===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
///
/// \file
/// What every btfkit tool does the same way: report an error as
/// "tool: error: FILE: problem" on one line, and pick the base for a BTF file
/// the way bpftool does (a module under /sys/kernel/btf is split over
/// /sys/kernel/btf/vmlinux).
///
//===----------------------------------------------------------------------===//

#ifndef BTFKIT_TOOLSUPPORT_H
#define BTFKIT_TOOLSUPPORT_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>

namespace btfkit {

/// Prints "<tool>: error: <message>" to stderr.
void reportError(llvm::StringRef Tool, llvm::Error E);
/// Prints "<tool>: warning: <message>" to stderr.
void reportWarning(llvm::StringRef Tool, const llvm::Twine &Message);

/// The base a tool should assume for \p Path when the user named none:
/// /sys/kernel/btf/vmlinux for the other files of /sys/kernel/btf, else "".
std::string implicitBaseFor(llvm::StringRef Path);

/// The running kernel's BTF, the default target of several tools.
constexpr const char *SysfsVmlinux = "/sys/kernel/btf/vmlinux";

} // namespace btfkit

#endif // BTFKIT_TOOLSUPPORT_H
