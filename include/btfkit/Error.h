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

#include <string>
#include <system_error>

namespace btfkit {

/// What kind of problem an error reports, for the callers that act on it
/// (a linker drop-in leaves a file that is not ELF alone, but fails on a
/// broken one). Most errors are Malformed input; the message says the rest.
enum class ErrorKind {
  Malformed = 1, ///< the input breaks a rule (the default)
  NotBTF,        ///< neither raw BTF nor an ELF file
  NotELF,        ///< not an ELF file where one is needed
  NoSection,     ///< an ELF file without the section asked for
  NotSplit,      ///< BTF that is not split where split BTF is needed
  IO,            ///< the file cannot be opened, read or written
};

/// The category of btfkit's error codes (ErrorKind).
const std::error_category &errorCategory();

/// An error about \p Source (a file name, or "file:section") of kind
/// \p Kind.
inline llvm::Error makeError(const llvm::Twine &Source,
                             const llvm::Twine &Message,
                             ErrorKind Kind = ErrorKind::Malformed) {
  return llvm::createStringError(std::error_code(int(Kind), errorCategory()),
                                 (Source + ": " + Message).str());
}

/// True when \p E (left as it was) is a btfkit error of kind \p Kind, or
/// joins one.
bool isErrorKind(llvm::Error &E, ErrorKind Kind);

/// The system's words for \p Err (an errno value), for messages.
std::string errnoMessage(int Err);

/// An open file descriptor, closed when this goes out of scope: the
/// readers open files with flags LLVM's file API does not take
/// (O_NOFOLLOW, O_NONBLOCK).
class FileDescriptor {
public:
  explicit FileDescriptor(int FD) : FD(FD) {}
  FileDescriptor(const FileDescriptor &) = delete;
  FileDescriptor &operator=(const FileDescriptor &) = delete;
  ~FileDescriptor();
  int get() const { return FD; }

private:
  int FD;
};

} // namespace btfkit

#endif // BTFKIT_ERROR_H
