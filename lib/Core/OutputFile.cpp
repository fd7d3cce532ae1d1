//===- OutputFile.cpp - Outputs written whole or not at all ---------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The order of a commit is what makes it crash-safe: the data reaches the
// disk (fsync) before the rename makes it the output, and the folder is
// flushed after, so that the rename itself survives a power cut. A killed
// process never renames, and its temporary file is found later by its
// name, and known to be abandoned because nobody holds its lock.
//
//===----------------------------------------------------------------------===//

#include "btfkit/OutputFile.h"

#include "btfkit/Error.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Signals.h"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <mutex>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace btfkit;
using namespace llvm;

namespace {

constexpr const char *TempInfix = ".btfkit-tmp";
/// A temporary file unchanged for this long and unlocked is abandoned.
constexpr std::chrono::seconds StaleAfter(60);

/// The folder of \p Path, "." for a bare name.
std::string folderOf(StringRef Path) {
  StringRef Dir = sys::path::parent_path(Path);
  return Dir.empty() ? "." : Dir.str();
}

/// Flushes the folder \p Dir so that a rename in it is durable. Folders
/// that cannot be opened or flushed (some network file systems) are left:
/// the file itself is on the disk already.
void syncFolder(StringRef Dir) {
  SmallString<256> Z(Dir);
  int FD = ::open(Z.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (FD < 0)
    return;
  (void)::fsync(FD);
  ::close(FD);
}

/// Runs removeStaleTemporaries() once per folder and process.
void cleanFolderOnce(StringRef Dir) {
  static std::mutex M;
  static StringSet<> Done;
  {
    std::lock_guard<std::mutex> G(M);
    if (!Done.insert(Dir).second)
      return;
  }
  removeStaleTemporaries(Dir);
}

Error writeAll(int FD, ArrayRef<uint8_t> Data, StringRef Path) {
  const uint8_t *P = Data.data();
  size_t Left = Data.size();
  while (Left) {
    ssize_t N = ::write(FD, P, Left);
    if (N < 0 && errno == EINTR)
      continue;
    if (N <= 0)
      return makeError(Path,
                       "cannot write: " + errnoMessage(N < 0 ? errno : ENOSPC),
                       ErrorKind::IO);
    P += N;
    Left -= size_t(N);
  }
  return Error::success();
}

} // namespace

bool btfkit::isNonRegularFile(StringRef Path) {
  sys::fs::file_status St;
  return !sys::fs::status(Path, St) && sys::fs::exists(St) &&
         St.type() != sys::fs::file_type::regular_file;
}

std::string btfkit::temporaryNameModel(StringRef Path) {
  return (Path + TempInfix + "%%%%%%").str();
}

Expected<int> btfkit::lockTemporary(StringRef TempPath) {
  SmallString<256> Z(TempPath);
  int FD = ::open(Z.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (FD < 0)
    return makeError(TempPath, "cannot open: " + errnoMessage(errno));
  if (::flock(FD, LOCK_EX | LOCK_NB) != 0) {
    int Err = errno;
    ::close(FD);
    return makeError(TempPath, "cannot lock: " + errnoMessage(Err));
  }
  return FD;
}

unsigned btfkit::removeStaleTemporaries(StringRef Folder) {
  unsigned Removed = 0;
  std::error_code EC;
  auto Now = std::chrono::system_clock::now();
  for (sys::fs::directory_iterator It(Folder, EC), End; !EC && It != End;
       It.increment(EC)) {
    // OUT.btfkit-tmpXXXXXX, and the temporary files of a program that
    // writes such a name itself (lld: OUT.btfkit-tmpXXXXXX.tmpYYYYYYY).
    StringRef Name = sys::path::filename(It->path());
    size_t At = Name.rfind(TempInfix);
    if (At == StringRef::npos)
      continue;
    StringRef Tail = Name.substr(At + std::strlen(TempInfix));
    if (Tail.size() < 6 ||
        (Tail.size() > 6 && !Tail.substr(6).starts_with(".tmp")))
      continue;
    SmallString<256> Z(It->path());
    int FD = ::open(Z.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (FD < 0)
      continue;
    struct stat St, Again;
    bool Abandoned = ::fstat(FD, &St) == 0 && S_ISREG(St.st_mode) &&
                     St.st_uid == ::geteuid() &&
                     Now - std::chrono::system_clock::from_time_t(St.st_mtime) >
                         StaleAfter &&
                     ::flock(FD, LOCK_EX | LOCK_NB) == 0;
    // The name must still be the file just examined.
    if (Abandoned && ::lstat(Z.c_str(), &Again) == 0 &&
        Again.st_dev == St.st_dev && Again.st_ino == St.st_ino &&
        ::unlink(Z.c_str()) == 0)
      ++Removed;
    ::close(FD);
  }
  return Removed;
}

Expected<OutputFile> OutputFile::create(StringRef Path, SpecialOutput Special,
                                        bool Batch) {
  cleanFolderOnce(folderOf(Path));
  OutputFile F;
  F.Path = Path.str();
  F.Special = Special;
  F.Batch = Batch;
  SmallString<256> Temp;
  if (std::error_code EC =
          sys::fs::createUniqueFile(temporaryNameModel(Path), F.FD, Temp))
    return makeError(Path, "cannot create a temporary file: " + EC.message(),
                     ErrorKind::IO);
  F.TempPath = std::string(Temp);
  // Marks the file as in use (removeStaleTemporaries), and removes it when
  // the process is interrupted by a signal it can handle.
  if (::flock(F.FD, LOCK_EX | LOCK_NB) != 0) {
    int Err = errno;
    F.discard();
    return makeError(Path,
                     "cannot lock the temporary file: " + errnoMessage(Err));
  }
  if (!Batch)
    sys::RemoveFileOnSignal(F.TempPath);
  return std::move(F);
}

OutputFile::OutputFile(OutputFile &&O)
    : Path(std::move(O.Path)), TempPath(std::move(O.TempPath)), FD(O.FD),
      Special(O.Special), Batch(O.Batch) {
  O.FD = -1;
  O.TempPath.clear();
}

OutputFile &OutputFile::operator=(OutputFile &&O) {
  if (this != &O) {
    discard();
    Path = std::move(O.Path);
    TempPath = std::move(O.TempPath);
    FD = O.FD;
    Special = O.Special;
    Batch = O.Batch;
    O.FD = -1;
    O.TempPath.clear();
  }
  return *this;
}

OutputFile::~OutputFile() { discard(); }

void OutputFile::discard() {
  if (!TempPath.empty()) {
    sys::fs::remove(TempPath);
    if (!Batch)
      sys::DontRemoveFileOnSignal(TempPath);
    TempPath.clear();
  }
  if (FD >= 0) {
    ::close(FD);
    FD = -1;
  }
}

Error OutputFile::write(ArrayRef<uint8_t> Data) {
  return writeAll(FD, Data, Path);
}

bool OutputFile::writesInto() const {
  return Special == SpecialOutput::WriteInto && isNonRegularFile(Path);
}

Error OutputFile::commit(std::optional<unsigned> Mode) {
  bool Durable = !Batch;
  if (writesInto()) {
    // Copy into the device or pipe; it has no folder entry to flush.
    std::vector<uint8_t> Bytes;
    uint8_t Chunk[1 << 16];
    for (off_t Off = 0;;) {
      ssize_t N = ::pread(FD, Chunk, sizeof(Chunk), Off);
      if (N < 0 && errno == EINTR)
        continue;
      if (N < 0)
        return makeError(Path,
                         "cannot read back the output: " + errnoMessage(errno));
      if (N == 0)
        break;
      Bytes.insert(Bytes.end(), Chunk, Chunk + N);
      Off += N;
    }
    SmallString<256> Z(Path);
    int Out = ::open(Z.c_str(), O_WRONLY | O_CLOEXEC);
    if (Out < 0)
      return makeError(Path, "cannot open for writing: " + errnoMessage(errno));
    Error E = writeAll(Out, Bytes, Path);
    ::close(Out);
    discard();
    return E;
  }
  if (Durable && ::fsync(FD) != 0)
    return makeError(Path, "cannot write: " + errnoMessage(errno),
                     ErrorKind::IO);
  if (Mode && ::fchmod(FD, *Mode) != 0)
    return makeError(Path, "cannot set the file mode: " + errnoMessage(errno));
  if (std::error_code EC = sys::fs::rename(TempPath, Path))
    return makeError(Path, "cannot replace: " + EC.message(), ErrorKind::IO);
  if (!Batch)
    sys::DontRemoveFileOnSignal(TempPath);
  TempPath.clear();
  if (Durable)
    syncFolder(folderOf(Path));
  ::close(FD);
  FD = -1;
  return Error::success();
}

Error OutputSet::add(StringRef Path, ArrayRef<uint8_t> Data) {
  auto F = OutputFile::create(Path, SpecialOutput::WriteInto, Batch);
  if (!F)
    return F.takeError();
  if (Error E = F->write(Data))
    return E;
  Files.push_back(std::move(*F));
  return Error::success();
}

Error OutputSet::commit() {
  // Devices and pipes first: writing into them is what can still fail for
  // want of space (/dev/full), and no file has been replaced yet.
  for (bool Into : {true, false})
    for (OutputFile &F : Files)
      if (F.writesInto() == Into)
        if (Error E = F.commit()) {
          Files.clear(); // discards the outputs not committed yet
          return E;
        }
  Files.clear();
  return Error::success();
}

Error btfkit::syncFolderContents(StringRef Folder) {
  SmallString<256> Z(Folder);
  int FD = ::open(Z.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (FD < 0)
    return makeError(Folder, "cannot open: " + errnoMessage(errno),
                     ErrorKind::IO);
  int Rc = ::syncfs(FD);
  int Err = errno;
  if (Rc == 0)
    (void)::fsync(FD);
  ::close(FD);
  if (Rc != 0)
    return makeError(Folder, "cannot flush to the disk: " + errnoMessage(Err),
                     ErrorKind::IO);
  return Error::success();
}
