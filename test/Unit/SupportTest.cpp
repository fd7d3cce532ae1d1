//===- SupportTest.cpp - Errors, tool plumbing and the format's names -----===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Error.h's kinds survive joining and are read without consuming the
// error; ToolSupport.h reports on one line and picks bpftool's implicit
// base; Format.h spells kinds and encodings as bpftool does.
//
//===----------------------------------------------------------------------===//

#include "btfkit/Error.h"
#include "btfkit/Format.h"
#include "btfkit/ToolSupport.h"

#include "TestSupport.h"

#include "gtest/gtest.h"

#include <cerrno>

using namespace btfkit;
using namespace llvm;

namespace {

TEST(Error, KindsAreFoundAndTheErrorKept) {
  Error E = makeError("m.ko", "no .BTF section", ErrorKind::NoSection);
  EXPECT_TRUE(isErrorKind(E, ErrorKind::NoSection));
  EXPECT_FALSE(isErrorKind(E, ErrorKind::NotELF));
  // Still there, message intact.
  EXPECT_EQ(toString(std::move(E)), "m.ko: no .BTF section");

  Error Joined = joinErrors(makeError("a", "bad"),
                            makeError("b", "not ELF", ErrorKind::NotELF));
  EXPECT_TRUE(isErrorKind(Joined, ErrorKind::NotELF));
  EXPECT_TRUE(isErrorKind(Joined, ErrorKind::Malformed));
  EXPECT_FALSE(isErrorKind(Joined, ErrorKind::IO));
  EXPECT_EQ(toString(std::move(Joined)), "a: bad\nb: not ELF");

  Error Foreign = createStringError(inconvertibleErrorCode(), "other");
  EXPECT_FALSE(isErrorKind(Foreign, ErrorKind::Malformed));
  consumeError(std::move(Foreign));
  Error Success = Error::success();
  EXPECT_FALSE(isErrorKind(Success, ErrorKind::Malformed));
  EXPECT_FALSE(bool(Success));

  EXPECT_EQ(errnoMessage(ENOENT), "No such file or directory");
}

TEST(ToolSupport, ReportsOnOneLine) {
  ::testing::internal::CaptureStderr();
  reportError("btf-dump", makeError("x.btf", "truncated header"));
  reportWarning("btf-dump", "x.btf: odd");
  EXPECT_EQ(::testing::internal::GetCapturedStderr(),
            "btf-dump: error: x.btf: truncated header\n"
            "btf-dump: warning: x.btf: odd\n");
}

TEST(ToolSupport, ModulesUnderSysfsAreSplitOverVmlinux) {
  EXPECT_EQ(implicitBaseFor("/sys/kernel/btf/nf_tables"), SysfsVmlinux);
  EXPECT_EQ(implicitBaseFor("/sys/kernel/btf/vmlinux"), "");
  EXPECT_EQ(implicitBaseFor("/tmp/nf_tables.btf"), "");
  EXPECT_EQ(implicitBaseFor("nf_tables"), "");
}

TEST(Format, SpellsKindsAndEncodingsAsBpftool) {
  EXPECT_STREQ(kindName(unsigned(Kind::FuncProto)), "FUNC_PROTO");
  EXPECT_STREQ(kindName(unsigned(Kind::Enum64)), "ENUM64");
  EXPECT_STREQ(kindName(MaxKnownKind + 1), "UNKNOWN");
  EXPECT_STREQ(intEncodingName(0), "(none)");
  EXPECT_STREQ(intEncodingName(IntSigned), "SIGNED");
  EXPECT_STREQ(intEncodingName(IntChar), "CHAR");
  EXPECT_STREQ(intEncodingName(IntBool), "BOOL");
  EXPECT_STREQ(intEncodingName(IntSigned | IntChar), "UNKN");

  KindLayout L;
  ASSERT_TRUE(knownKindLayout(unsigned(Kind::Struct), L));
  EXPECT_EQ(L.InfoSize, 0u);
  EXPECT_EQ(L.ElemSize, sizeof(Member));
  ASSERT_TRUE(knownKindLayout(unsigned(Kind::Int), L));
  EXPECT_EQ(L.InfoSize, 4u);
  EXPECT_EQ(L.ElemSize, 0u);
  EXPECT_FALSE(knownKindLayout(MaxKnownKind + 1, L));

  uint32_t Info = makeInfo(Kind::Union, 3, true);
  EXPECT_EQ(infoKind(Info), unsigned(Kind::Union));
  EXPECT_EQ(infoVlen(Info), 3u);
  EXPECT_TRUE(infoKindFlag(Info));
  uint32_t Data = makeIntData(IntSigned, 2, 30);
  EXPECT_EQ(intEncoding(Data), IntSigned);
  EXPECT_EQ(intOffset(Data), 2u);
  EXPECT_EQ(intBits(Data), 30u);
}

} // namespace
