//===- btfkit/OutputFile.h - Outputs written whole or not at all -*- C++
//-*-===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
///
/// \file
/// How every btfkit output reaches the disk: written to a temporary file in
/// the output's folder, flushed to the disk, renamed over the output. A
/// reader of the output (make, the kernel's module loader, a concurrent
/// compilation reading a cache entry) sees the old file or the complete new
/// one, never a part, whatever kills the writer and when.
///
/// A batch output (one of thousands, OutputFile::create()'s Batch) is an
/// unnamed file (O_TMPFILE) linked at its name when committed; where the
/// name is taken or the file system has no unnamed files, it is a named
/// temporary file like the others.
///
/// A temporary file is named after its output (OUT.btfkit-tmpXXXXXX) and
/// locked (flock) for as long as its writer holds it. A writer killed
/// before it renamed leaves one behind; removeStaleTemporaries(), run once
/// per folder by every writer, removes those that no process holds and
/// that have not changed for a minute (a linker that writes a temporary
/// name itself has it for a moment before it can lock it, and leaves its
/// own temporaries, OUT.btfkit-tmpXXXXXX.tmpYYYYYYY, when killed).
///
//===----------------------------------------------------------------------===//

#ifndef BTFKIT_OUTPUTFILE_H
#define BTFKIT_OUTPUTFILE_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <optional>
#include <string>
#include <vector>

namespace btfkit {

/// What to do when the output path already names something that is not a
/// regular file.
enum class SpecialOutput {
  /// Write into it (-o /dev/null, /dev/stdout, a FIFO a reader waits on):
  /// renaming would replace the device node or pipe with a file.
  WriteInto,
  /// Replace the name (a cache entry: whatever stands at its name, a
  /// symlink, a FIFO, a device, is never opened, only renamed over).
  Replace,
};

/// One output being written. Discarded (the temporary file removed) unless
/// commit() succeeds.
class OutputFile {
public:
  /// Creates the temporary file for \p Path (mode 0666 less the umask).
  /// \p Batch: one of thousands of outputs (batch distill): an unnamed file
  /// in the output's folder where the file system has them (nothing to
  /// register for signals or to lock, nothing left when killed), and, in
  /// commit(), no per-file flush. A named temporary file of a batch is not
  /// registered for signals either (LLVM's registry is a list searched on
  /// every removal): a killed batch's are left to removeStaleTemporaries().
  static llvm::Expected<OutputFile>
  create(llvm::StringRef Path, SpecialOutput Special = SpecialOutput::WriteInto,
         bool Batch = false);

  OutputFile(OutputFile &&O);
  OutputFile &operator=(OutputFile &&O);
  ~OutputFile();

  /// The output, and the temporary file standing in for it until commit()
  /// (empty for an unnamed file).
  const std::string &path() const { return Path; }
  const std::string &tempPath() const { return TempPath; }
  /// The temporary file, open for reading and writing.
  int fd() const { return FD; }

  /// Appends \p Data. Errors name the output.
  llvm::Error write(llvm::ArrayRef<uint8_t> Data);

  /// Flushes the file to the disk, gives it \p Mode when set, renames it
  /// over the output (links an unnamed file at a free name) and flushes the
  /// folder, so that after a crash the output is the old file or the new
  /// one. For a special output under WriteInto the contents are copied into
  /// it instead. For a Batch output the flushes are left to the caller (a
  /// batch of thousands of outputs flushes once: syncFolderContents()); the
  /// rename or link still makes the output whole or absent for every
  /// reader.
  llvm::Error commit(std::optional<unsigned> Mode = std::nullopt);

  /// True when commit() will copy into the output rather than rename over
  /// it (a device or pipe under WriteInto).
  bool writesInto() const;

  /// Removes the temporary file (also what destruction does).
  void discard();

private:
  friend class OutputSet;
  OutputFile() = default;
  /// The named temporary file for \p F's output.
  static llvm::Expected<OutputFile> createNamed(OutputFile F);
  /// commit(), \p Into saying whether the output is written into.
  llvm::Error commitAs(bool Into, std::optional<unsigned> Mode);
  /// An unnamed file whose name is taken: linked at a temporary name, to
  /// be renamed over it.
  llvm::Error nameTemporarily();
  /// An unnamed file that cannot be linked: copied into a named temporary
  /// file.
  llvm::Error nameByCopy();

  std::string Path, TempPath;
  int FD = -1;
  SpecialOutput Special = SpecialOutput::WriteInto;
  bool Batch = false;
  bool Unnamed = false; // O_TMPFILE, not linked yet
};

/// Several outputs of one command, committed together after all were
/// written: a failure while writing any (a full disk) leaves every output as
/// it was.
class OutputSet {
public:
  /// Adds an output written and ready to commit.
  void add(OutputFile F) { Files.push_back(std::move(F)); }
  /// Writes \p Data as the output \p Path.
  llvm::Error add(llvm::StringRef Path, llvm::ArrayRef<uint8_t> Data);
  /// Commits every output: devices and pipes first, then files in the
  /// order added. On failure the outputs not committed yet are discarded.
  llvm::Error commit();
  /// The outputs of one module of a batch (OutputFile::create()'s Batch).
  void setBatch(bool On) { Batch = On; }

private:
  std::vector<OutputFile> Files;
  bool Batch = false;
};

/// Flushes to the disk every file written in the file system that holds
/// \p Folder (syncfs), and \p Folder itself: the one flush of a batch
/// committed without (OutputSet::setBatch()).
llvm::Error syncFolderContents(llvm::StringRef Folder);

/// Removes the temporary files that killed writers left in \p Folder (see
/// the file comment). Returns how many it removed. Every OutputFile runs it
/// once per folder and process.
unsigned removeStaleTemporaries(llvm::StringRef Folder);

/// True when \p Path exists and is not a regular file (following symlinks:
/// -o /dev/stdout, a FIFO, a device): outputs there are written into, not
/// renamed over (SpecialOutput::WriteInto).
bool isNonRegularFile(llvm::StringRef Path);

/// The temporary-file name pattern for \p Path: its name, ".btfkit-tmp",
/// six random characters.
std::string temporaryNameModel(llvm::StringRef Path);

/// Holds the lock that marks \p TempPath as in use by this process (for a
/// temporary file that another program wrote, such as lld's output). The
/// returned descriptor keeps it; close it to release.
llvm::Expected<int> lockTemporary(llvm::StringRef TempPath);

} // namespace btfkit

#endif // BTFKIT_OUTPUTFILE_H
