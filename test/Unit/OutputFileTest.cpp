//===- OutputFileTest.cpp - Outputs whole or not at all; inputs read once -===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "btfkit/OutputFile.h"
#include "btfkit/Reader.h"

#include "TestSupport.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "gtest/gtest.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utime.h>

#include <ctime>

using namespace btfkit;
using namespace llvm;

namespace {

std::string contents(StringRef Path) {
  auto Buf = MemoryBuffer::getFile(Path);
  return Buf ? (*Buf)->getBuffer().str() : "<unreadable>";
}

/// Whether \p Dir's file system creates unnamed files (O_TMPFILE): batch
/// outputs are such files there.
bool hasUnnamedFiles(StringRef Dir) {
  int FD = ::open(Dir.str().c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
  if (FD < 0)
    return false;
  ::close(FD);
  return true;
}

void touch(StringRef Path, time_t Age) {
  int FD = ::open(Path.str().c_str(), O_CREAT | O_WRONLY, 0644);
  ASSERT_GE(FD, 0);
  ::close(FD);
  struct utimbuf T;
  T.actime = T.modtime = std::time(nullptr) - Age;
  ASSERT_EQ(::utime(Path.str().c_str(), &T), 0);
}

TEST(OutputFileTest, NothingReplacesTheOutputBeforeCommit) {
  TempDir D;
  std::string Out = D.file("m.ko");
  touch(Out, 0);
  {
    auto F = OutputFile::create(Out);
    ASSERT_EXPECTED(F);
    ASSERT_NO_ERROR(F->write({'n', 'e', 'w'}));
    EXPECT_EQ(contents(Out), "");
    EXPECT_EQ(D.names().size(), 2u); // the output and the temporary file
    // Destroyed uncommitted, as a failing tool leaves it.
  }
  EXPECT_EQ(D.names(), std::vector<std::string>{"m.ko"});
  auto F = OutputFile::create(Out);
  ASSERT_EXPECTED(F);
  ASSERT_NO_ERROR(F->write({'n', 'e', 'w'}));
  ASSERT_NO_ERROR(F->commit(0640));
  EXPECT_EQ(contents(Out), "new");
  EXPECT_EQ(D.names(), std::vector<std::string>{"m.ko"});
  sys::fs::file_status St;
  ASSERT_FALSE(sys::fs::status(Out, St));
  EXPECT_EQ(unsigned(St.permissions()) & 0777, 0640u);
}

TEST(OutputFileTest, ReplaceNeverWritesIntoWhatStandsAtTheName) {
  // A cache entry's name may hold a symlink another user planted, to a
  // device or one of the victim's files: it is replaced, never followed.
  TempDir D;
  std::string Victim = D.file("victim");
  std::string Entry = D.file("base-1.idx");
  touch(Victim, 0);
  ASSERT_FALSE(sys::fs::create_link(Victim, Entry));
  auto F = OutputFile::create(Entry, SpecialOutput::Replace);
  ASSERT_EXPECTED(F);
  ASSERT_NO_ERROR(F->write({'i', 'd', 'x'}));
  ASSERT_NO_ERROR(F->commit());
  EXPECT_EQ(contents(Victim), "");
  EXPECT_EQ(contents(Entry), "idx");
  sys::fs::file_status St;
  ASSERT_FALSE(sys::fs::status(Entry, St, /*follow=*/false));
  EXPECT_EQ(St.type(), sys::fs::file_type::regular_file);
}

TEST(OutputFileTest, StaleTemporariesGoLockedOrFreshOnesStay) {
  TempDir D;
  std::string Old = D.file("a.ko.btfkit-tmpAAAAAA");
  std::string Fresh = D.file("b.ko.btfkit-tmpBBBBBB");
  std::string Held = D.file("c.ko.btfkit-tmpCCCCCC");
  std::string Other = D.file("d.ko.tmpDDDDDD"); // not ours
  touch(Old, 3600);
  touch(Fresh, 0);
  touch(Held, 3600);
  touch(Other, 3600);
  // Another writer at work holds its temporary file's lock.
  auto Lock = lockTemporary(Held);
  ASSERT_EXPECTED(Lock);
  EXPECT_EQ(removeStaleTemporaries(D.Path), 1u);
  EXPECT_EQ(D.names(), (std::vector<std::string>{"b.ko.btfkit-tmpBBBBBB",
                                                 "c.ko.btfkit-tmpCCCCCC",
                                                 "d.ko.tmpDDDDDD"}));
  // The lock is the writer's: a second holder cannot take it.
  auto Again = lockTemporary(Held);
  EXPECT_FALSE(bool(Again));
  consumeError(Again.takeError());
  ::close(*Lock);
  EXPECT_EQ(removeStaleTemporaries(D.Path), 1u);
  EXPECT_EQ(D.names().size(), 2u);
}

TEST(OutputFileTest, OutputSetWritesAllOrNone) {
  TempDir D;
  OutputSet Outs;
  ASSERT_NO_ERROR(Outs.add(D.file("base.btf"), {1, 2}));
  ASSERT_NO_ERROR(Outs.add("/dev/full", {3, 4}));
  Error E = Outs.commit();
  ASSERT_TRUE(bool(E));
  EXPECT_NE(toString(std::move(E)).find("/dev/full: cannot write"),
            std::string::npos);
  EXPECT_TRUE(D.names().empty());
}

TEST(OutputFileTest, BatchOutputsHaveNoNameUntilCommitted) {
  // Unnamed where the file system allows: nothing in the folder until the
  // commit links the file at its name, and nothing when it is dropped.
  TempDir D;
  std::string Out = D.file("m.btf");
  bool Unnamed = hasUnnamedFiles(D.Path);
  {
    auto F = OutputFile::create(Out, SpecialOutput::WriteInto, /*Batch=*/true);
    ASSERT_EXPECTED(F);
    EXPECT_EQ(F->tempPath().empty(), Unnamed);
    ASSERT_NO_ERROR(F->write({'o', 'l', 'd'}));
    EXPECT_EQ(D.names().size(), Unnamed ? 0u : 1u);
  }
  EXPECT_TRUE(D.names().empty());
  auto F = OutputFile::create(Out, SpecialOutput::WriteInto, /*Batch=*/true);
  ASSERT_EXPECTED(F);
  ASSERT_NO_ERROR(F->write({'n', 'e', 'w'}));
  ASSERT_NO_ERROR(F->commit(0640));
  EXPECT_EQ(contents(Out), "new");
  EXPECT_EQ(D.names(), std::vector<std::string>{"m.btf"});
  sys::fs::file_status St;
  ASSERT_FALSE(sys::fs::status(Out, St));
  EXPECT_EQ(unsigned(St.permissions()) & 0777, 0640u);
}

TEST(OutputFileTest, BatchOutputsReplaceTheFileAtTheirName) {
  // The name is taken: the new file replaces the old one whole (another
  // name of the old file keeps the old bytes), and no temporary is left.
  TempDir D;
  std::string Out = D.file("m.btf");
  std::string Other = D.file("other-name");
  {
    auto Old = OutputFile::create(Out);
    ASSERT_EXPECTED(Old);
    ASSERT_NO_ERROR(Old->write({'o', 'l', 'd'}));
    ASSERT_NO_ERROR(Old->commit());
  }
  ASSERT_FALSE(sys::fs::create_hard_link(Out, Other));
  auto F = OutputFile::create(Out, SpecialOutput::WriteInto, /*Batch=*/true);
  ASSERT_EXPECTED(F);
  ASSERT_NO_ERROR(F->write({'n', 'e', 'w'}));
  ASSERT_NO_ERROR(F->commit());
  EXPECT_EQ(contents(Out), "new");
  EXPECT_EQ(contents(Other), "old");
  EXPECT_EQ(D.names(), (std::vector<std::string>{"m.btf", "other-name"}));
}

TEST(OutputFileTest, BatchOutputSetWritesAllOrNone) {
  TempDir D;
  OutputSet Outs;
  Outs.setBatch(true);
  ASSERT_NO_ERROR(Outs.add(D.file("m.btf"), {1, 2}));
  ASSERT_NO_ERROR(Outs.add("/dev/full", {3, 4}));
  Error E = Outs.commit();
  ASSERT_TRUE(bool(E));
  EXPECT_NE(toString(std::move(E)).find("/dev/full: cannot write"),
            std::string::npos);
  EXPECT_TRUE(D.names().empty());
  // Into a device that takes them, the bytes arrive and the file is made.
  ASSERT_NO_ERROR(Outs.add(D.file("m.btf"), {1, 2}));
  ASSERT_NO_ERROR(Outs.add("/dev/null", {3, 4}));
  ASSERT_NO_ERROR(Outs.commit());
  EXPECT_EQ(contents(D.file("m.btf")), "\x01\x02");
}

TEST(InputTest, StreamsAreReadToTheirEndOnceAndBounded) {
  TempDir D;
  // A FIFO with no writer is empty at once, not waited on.
  std::string Fifo = D.file("fifo");
  ASSERT_EQ(::mkfifo(Fifo.c_str(), 0600), 0);
  auto F = mapFile(Fifo);
  ASSERT_FALSE(bool(F));
  EXPECT_NE(toString(F.takeError()).find("a FIFO with nothing to read"),
            std::string::npos);
  // A device without end stops at the limit.
  auto Z = mapFile("/dev/zero");
  ASSERT_FALSE(bool(Z));
  EXPECT_NE(toString(Z.takeError()).find("more than 512 MiB"),
            std::string::npos);
  // A pipe with a writer gives its bytes.
  int P[2];
  ASSERT_EQ(::pipe(P), 0);
  ASSERT_EQ(::write(P[1], "\x9f\xeb", 2), 2);
  ::close(P[1]);
  auto Buf = mapFile("/dev/fd/" + std::to_string(P[0]));
  ::close(P[0]);
  ASSERT_EXPECTED(Buf);
  EXPECT_EQ((*Buf)->getBuffer(), "\x9f\xeb");
}

TEST(InputTest, RenamedBufferSharesTheBytes) {
  std::shared_ptr<const MemoryBuffer> B(
      MemoryBuffer::getMemBufferCopy("abc", "tmp-name"));
  auto R = renameBuffer(B, "out.ko");
  EXPECT_EQ(R->getBufferIdentifier(), "out.ko");
  EXPECT_EQ(R->getBufferStart(), B->getBufferStart());
  B.reset();
  EXPECT_EQ(R->getBuffer(), "abc");
}

} // namespace
