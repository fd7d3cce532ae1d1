//===- GenBTF.h - btf-resolve-btfids's Linux 7.x command lines --*- C++ -*-===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef BTFKIT_TOOLS_RESOLVEBTFIDS_GENBTF_H
#define BTFKIT_TOOLS_RESOLVEBTFIDS_GENBTF_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

/// True for the command lines of Linux 7.x's scripts/gen-btf.sh:
/// `--btf FILE` (resolve the detached BTF) or `--patch_btfids FILE`.
bool isGenBTFCommandLine(llvm::ArrayRef<const char *> Args);

/// Runs such a command line; returns the exit status.
int runGenBTF(llvm::ArrayRef<const char *> Args);

/// The text of --help.
void printHelp(llvm::StringRef Tool);

#endif // BTFKIT_TOOLS_RESOLVEBTFIDS_GENBTF_H
