//===- btfkit/Error.h - Diagnostics that name their source ------*- C++ -*-===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Every user-facing error of btfkit names the file (and where it applies the
/// section or type id) it is about. These helpers build such errors so that
/// the wording stays uniform: "FILE: what is wrong".
///
//===----------------------------------------------------------------------===//

#ifndef BTFKIT_ERROR_H
#define BTFKIT_ERROR_H

#include "llvm/ADT/Twine.h"
#include "llvm/Support/Error.h"

namespace btfkit {

/// An error about \p Source (a file name, or "file:section").
inline llvm::Error makeError(const llvm::Twine &Source,
                             const llvm::Twine &Message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 (Source + ": " + Message).str());
}

} // namespace btfkit

#endif // BTFKIT_ERROR_H
