//===- TestSupport.h - Helpers for btfkit's unit tests ----------*- C++ -*-===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef BTFKIT_TEST_UNIT_TESTSUPPORT_H
#define BTFKIT_TEST_UNIT_TESTSUPPORT_H

#include "llvm/Support/Error.h"
#include "gtest/gtest.h"

/// Asserts that an llvm::Expected holds a value; prints the error if not.
/// (Debian ships no LLVMTestingSupport, so no ASSERT_THAT_EXPECTED.)
#define ASSERT_EXPECTED(E)                                                     \
  ASSERT_TRUE(static_cast<bool>(E)) << llvm::toString((E).takeError())
/// Asserts that an llvm::Error is success; prints it if not.
#define ASSERT_NO_ERROR(Err)                                                   \
  do {                                                                         \
    llvm::Error E_ = (Err);                                                    \
    ASSERT_FALSE(static_cast<bool>(E_)) << llvm::toString(std::move(E_));      \
  } while (0)

#endif // BTFKIT_TEST_UNIT_TESTSUPPORT_H
