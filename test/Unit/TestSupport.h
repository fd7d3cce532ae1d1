//===- TestSupport.h - Helpers for btfkit's unit tests ----------*- C++ -*-===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef BTFKIT_TEST_UNIT_TESTSUPPORT_H
#define BTFKIT_TEST_UNIT_TESTSUPPORT_H

#include "btfkit/Builder.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "gtest/gtest.h"

#include <algorithm>
#include <string>
#include <unistd.h>
#include <vector>

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

/// What \p B built, named \p Name; null (and the test failed) when it
/// does not load.
inline std::unique_ptr<btfkit::BTF> buildBTF(const btfkit::Builder &B,
                                             std::string Name) {
  auto R = B.build(std::move(Name));
  if (!R) {
    ADD_FAILURE() << llvm::toString(R.takeError());
    return nullptr;
  }
  return std::move(*R);
}

/// A fresh folder, removed with what it holds at the end of the test.
class TempDir {
public:
  TempDir() {
    EXPECT_FALSE(llvm::sys::fs::createUniqueDirectory("btfkit-test", Path));
  }
  ~TempDir() {
    // remove_directories leaves FIFOs (sys::fs::remove refuses anything but
    // files, folders and links), and then the folder: unlink them first.
    std::error_code EC;
    for (llvm::sys::fs::directory_iterator It(Path, EC), End; !EC && It != End;
         It.increment(EC))
      if (It->type() == llvm::sys::fs::file_type::fifo_file)
        ::unlink(It->path().c_str());
    llvm::sys::fs::remove_directories(Path);
  }
  /// The path of \p Name in the folder.
  std::string file(llvm::StringRef Name) const {
    llvm::SmallString<128> P(Path);
    llvm::sys::path::append(P, Name);
    return std::string(P);
  }
  /// The names of what the folder holds, sorted.
  std::vector<std::string> names() const {
    std::vector<std::string> Names;
    std::error_code EC;
    for (llvm::sys::fs::directory_iterator It(Path, EC), End; !EC && It != End;
         It.increment(EC))
      Names.push_back(llvm::sys::path::filename(It->path()).str());
    std::sort(Names.begin(), Names.end());
    return Names;
  }
  llvm::SmallString<128> Path;
};

#endif // BTFKIT_TEST_UNIT_TESTSUPPORT_H
