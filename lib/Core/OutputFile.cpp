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
// A batch output is an unnamed file (O_TMPFILE) until its commit links it
// at its name: one folder operation instead of a create and a rename, no
// name to lock or clean up (a killed writer's unnamed files vanish with
// it). Where the name is taken, the file is linked at a temporary name and
// renamed over it, as above; where unnamed files are not supported, batch
// outputs are named temporary files.
//
//===----------------------------------------------------------------------===//

#include "btfkit/OutputFile.h"

#include "btfkit/Error.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Signals.h"

#include <atomic>
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

/// Cleared for the rest of the process when the file system or the kernel
/// refuses to create or to link an unnamed file: the batch outputs after
/// it are named temporary files.
std::atomic<bool> UnnamedFiles{true};
/// Cleared when linkat(AT_EMPTY_PATH) is refused (it needs
/// CAP_DAC_READ_SEARCH before Linux 6.10): /proc/self/fd links the same.
std::atomic<bool> LinkEmptyPath{true};

/// Gives the unnamed file \p FD the name \p Path. Returns 0 or an errno
/// (EEXIST: the name is taken).
int linkUnnamed(int FD, const char *Path) {
  if (LinkEmptyPath.load(std::memory_order_relaxed)) {
    if (::linkat(FD, "", AT_FDCWD, Path, AT_EMPTY_PATH) == 0)
      return 0;
    if (errno != EPERM && errno != ENOENT)
      return errno;
  }
  char Proc[32];
  std::snprintf(Proc, sizeof(Proc), "/proc/self/fd/%d", FD);
  if (::linkat(AT_FDCWD, Proc, AT_FDCWD, Path, AT_SYMLINK_FOLLOW) != 0)
    return errno;
  LinkEmptyPath.store(false, std::memory_order_relaxed);
  return 0;
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

/// The bytes written so far to the output file \p FD (open for reading).
Expected<std::vector<uint8_t>> readBack(int FD, StringRef Path) {
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
      return Bytes;
    Bytes.insert(Bytes.end(), Chunk, Chunk + N);
    Off += N;
  }
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
  std::string Folder = folderOf(Path);
  cleanFolderOnce(Folder);
  OutputFile F;
  F.Path = Path.str();
  F.Special = Special;
  F.Batch = Batch;
  if (Batch && UnnamedFiles.load(std::memory_order_relaxed)) {
    F.FD = ::open(Folder.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0666);
    F.Unnamed = F.FD >= 0;
    if (F.Unnamed)
      return std::move(F);
    // EOPNOTSUPP (the file system), EISDIR (the kernel: before 3.11); any
    // other failure is met again below, and reported as it always was.
    if (errno == EOPNOTSUPP || errno == EISDIR)
      UnnamedFiles.store(false, std::memory_order_relaxed);
  }
  return createNamed(std::move(F));
}

Expected<OutputFile> OutputFile::createNamed(OutputFile F) {
  StringRef Path = F.Path;
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
  if (!F.Batch)
    sys::RemoveFileOnSignal(F.TempPath);
  return std::move(F);
}

OutputFile::OutputFile(OutputFile &&O)
    : Path(std::move(O.Path)), TempPath(std::move(O.TempPath)), FD(O.FD),
      Special(O.Special), Batch(O.Batch), Unnamed(O.Unnamed) {
  O.FD = -1;
  O.Unnamed = false;
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
    Unnamed = O.Unnamed;
    O.FD = -1;
    O.Unnamed = false;
    O.TempPath.clear();
  }
  return *this;
}

OutputFile::~OutputFile() { discard(); }

void OutputFile::discard() {
  Unnamed = false; // an unnamed file vanishes as it is closed
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
  return commitAs(writesInto(), Mode);
}

Error OutputFile::commitAs(bool Into, std::optional<unsigned> Mode) {
  bool Durable = !Batch;
  if (Into) {
    // Copy into the device or pipe; it has no folder entry to flush.
    auto Bytes = readBack(FD, Path);
    if (!Bytes)
      return Bytes.takeError();
    SmallString<256> Z(Path);
    int Out = ::open(Z.c_str(), O_WRONLY | O_CLOEXEC);
    if (Out < 0)
      return makeError(Path, "cannot open for writing: " + errnoMessage(errno));
    Error E = writeAll(Out, *Bytes, Path);
    ::close(Out);
    discard();
    return E;
  }
  if (Durable && ::fsync(FD) != 0)
    return makeError(Path, "cannot write: " + errnoMessage(errno),
                     ErrorKind::IO);
  if (Mode && ::fchmod(FD, *Mode) != 0)
    return makeError(Path, "cannot set the file mode: " + errnoMessage(errno));
  if (Unnamed) {
    SmallString<256> Z(Path);
    int Err = linkUnnamed(FD, Z.c_str());
    if (!Err) {
      Unnamed = false;
      ::close(FD);
      FD = -1;
      return Error::success();
    }
    if (Error E = Err == EEXIST ? nameTemporarily() : nameByCopy())
      return E;
  }
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

Error OutputFile::nameTemporarily() {
  // Locked first, as a named temporary file is from its creation.
  if (::flock(FD, LOCK_EX | LOCK_NB) != 0)
    return makeError(Path,
                     "cannot lock the temporary file: " + errnoMessage(errno));
  SmallString<256> Temp;
  int Err = EEXIST;
  for (unsigned Try = 0; Err == EEXIST && Try < 128; ++Try) {
    sys::fs::createUniquePath(temporaryNameModel(Path), Temp,
                              /*MakeAbsolute=*/false);
    Err = linkUnnamed(FD, Temp.c_str());
  }
  if (Err)
    return makeError(Path,
                     "cannot create a temporary file: " + errnoMessage(Err),
                     ErrorKind::IO);
  TempPath = std::string(Temp);
  Unnamed = false;
  return Error::success();
}

Error OutputFile::nameByCopy() {
  // The file system took the unnamed file but gives it no name (linkat
  // refused; /proc not mounted): this output and the next ones are named
  // temporary files.
  UnnamedFiles.store(false, std::memory_order_relaxed);
  auto Bytes = readBack(FD, Path);
  if (!Bytes)
    return Bytes.takeError();
  struct stat St;
  if (::fstat(FD, &St) != 0)
    return makeError(Path, "cannot stat the output: " + errnoMessage(errno));
  OutputFile Named;
  Named.Path = Path;
  Named.Special = Special;
  Named.Batch = Batch;
  auto F = createNamed(std::move(Named));
  if (!F)
    return F.takeError();
  if (Error E = F->write(*Bytes))
    return E;
  if (::fchmod(F->FD, St.st_mode & 07777) != 0)
    return makeError(Path, "cannot set the file mode: " + errnoMessage(errno));
  *this = std::move(*F);
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
  // want of space (/dev/full), and no file has been replaced yet. Each name
  // is looked at once.
  SmallVector<bool, 4> Into;
  for (const OutputFile &F : Files)
    Into.push_back(F.writesInto());
  for (bool Pass : {true, false})
    for (size_t I = 0; I < Files.size(); ++I)
      if (Into[I] == Pass)
        if (Error E = Files[I].commitAs(Pass, std::nullopt)) {
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
