//===- DumpTest.cpp - The raw listing and the C header --------------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// dumpRaw() prints what `bpftool btf dump file F` prints; dumpC() a header
// that C accepts, with the layout fixes bpftool 7.1 lacks unless asked to
// print exactly what it prints, and nothing at all for BTF C cannot
// declare.
//
//===----------------------------------------------------------------------===//

#include "btfkit/Dump.h"
#include "btfkit/Builder.h"

#include "TestSupport.h"

#include "gtest/gtest.h"

using namespace btfkit;
using namespace llvm;

namespace {

std::unique_ptr<BTF> makeTypes() {
  Builder B;
  uint32_t Int = B.addInt("int", 4, IntSigned);
  uint32_t Node = B.addStruct("node", 16, /*KindFlag=*/true);
  B.addMember("next", Node + 1, 0);
  B.addMember("flags", Int, 64, 3);
  B.addPtr(Node);
  uint32_t E = B.addEnum("color", 1, /*Signed=*/true);
  B.addEnumValue("RED", -1);
  B.addEnumValue("BLUE", 2);
  B.addTypedef("color_t", E);
  uint32_t P = B.addFuncProto(Int);
  B.addParam("n", Node + 1);
  B.addFunc("walk", P, FuncGlobal);
  return buildBTF(B, "t.btf");
}

const char *Preamble =
    "#ifndef __VMLINUX_H__\n"
    "#define __VMLINUX_H__\n"
    "\n"
    "#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n"
    "#pragma clang attribute push (__attribute__((preserve_access_index)), "
    "apply_to = record)\n"
    "#endif\n"
    "\n";
const char *Postamble = "#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n"
                        "#pragma clang attribute pop\n"
                        "#endif\n"
                        "\n"
                        "#endif /* __VMLINUX_H__ */\n";

std::string header(const BTF &B, const DumpCOptions &Opts = {}) {
  std::string S;
  raw_string_ostream OS(S);
  if (Error E = dumpC(B, OS, Opts))
    return "error: " + toString(std::move(E)) + "\noutput: " + S;
  return S;
}

TEST(DumpRaw, PrintsWhatBpftoolPrints) {
  auto T = makeTypes();
  ASSERT_TRUE(T);
  std::string S;
  raw_string_ostream OS(S);
  dumpRaw(*T, OS);
  EXPECT_EQ(S, "[1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED\n"
               "[2] STRUCT 'node' size=16 vlen=2\n"
               "\t'next' type_id=3 bits_offset=0\n"
               "\t'flags' type_id=1 bits_offset=64 bitfield_size=3\n"
               "[3] PTR '(anon)' type_id=2\n"
               "[4] ENUM 'color' encoding=SIGNED size=1 vlen=2\n"
               "\t'RED' val=-1\n"
               "\t'BLUE' val=2\n"
               "[5] TYPEDEF 'color_t' type_id=4\n"
               "[6] FUNC_PROTO '(anon)' ret_type_id=1 vlen=1\n"
               "\t'n' type_id=3\n"
               "[7] FUNC 'walk' type_id=6 linkage=global\n");
  std::string One;
  raw_string_ostream OneOS(One);
  dumpRawType(*T, 3, OneOS);
  EXPECT_EQ(One, "[3] PTR '(anon)' type_id=2");
}

TEST(DumpRaw, SplitListsItsOwnTypesOnly) {
  auto T = makeTypes();
  ASSERT_TRUE(T);
  Builder B(T.get());
  B.addVar("head", 3, VarGlobalAllocated);
  auto S = buildBTF(B, "m.ko");
  ASSERT_TRUE(S);
  std::string Out;
  raw_string_ostream OS(Out);
  dumpRaw(*S, OS);
  EXPECT_EQ(Out, "[8] VAR 'head' type_id=3, linkage=global\n");
}

TEST(DumpC, DeclaresTypesWithTheLayoutFixes) {
  auto T = makeTypes();
  ASSERT_TRUE(T);
  std::string Body = "struct node {\n"
                     "\tstruct node *next;\n"
                     "\tint flags: 3;\n"
                     "};\n"
                     "\n"
                     "enum color {\n"
                     "\tRED = -1,\n"
                     "\tBLUE = 2,\n"
                     "}";
  // A one-byte enum needs mode(byte); bpftool 7.1 leaves it out.
  EXPECT_EQ(header(*T), Preamble + Body +
                            " __attribute__((mode(byte)));\n\n"
                            "typedef enum color color_t;\n\n" +
                            Postamble);
  DumpCOptions Compat;
  Compat.BpftoolCompat = true;
  EXPECT_EQ(header(*T, Compat), Preamble + Body +
                                    ";\n\n"
                                    "typedef enum color color_t;\n\n" +
                                    Postamble);
}

TEST(DumpC, SplitDeclaresTheBaseTypesItNeeds) {
  Builder BB;
  uint32_t Int = BB.addInt("int", 4, IntSigned);
  uint32_t Pair = BB.addStruct("pair", 8);
  BB.addMember("a", Int, 0);
  BB.addMember("b", Int, 32);
  BB.addStruct("unused", 4);
  BB.addMember("u", Int, 0);
  auto Base = buildBTF(BB, "vmlinux");
  ASSERT_TRUE(Base);
  Builder SB(Base.get());
  SB.addStruct("holder", 8);
  SB.addMember("p", Pair, 0);
  auto Split = buildBTF(SB, "m.ko");
  ASSERT_TRUE(Split);
  std::string Pairs = "struct pair {\n\tint a;\n\tint b;\n};\n\n";
  std::string Holder = "struct holder {\n\tstruct pair p;\n};\n\n";
  std::string Unused = "struct unused {\n\tint u;\n};\n\n";
  EXPECT_EQ(header(*Split), Preamble + Pairs + Holder + Postamble);
  DumpCOptions All;
  All.IncludeBase = true;
  EXPECT_EQ(header(*Split, All),
            Preamble + Pairs + Unused + Holder + Postamble);
}

TEST(DumpC, RefusesWhatCCannotDeclareBeforePrinting) {
  Builder B;
  uint32_t S = B.addStruct("self", 8);
  B.addMember("again", S, 0);
  auto T = buildBTF(B, "self.btf");
  ASSERT_TRUE(T);
  std::string Out;
  raw_string_ostream OS(Out);
  Error E = dumpC(*T, OS);
  ASSERT_TRUE(bool(E));
  EXPECT_NE(toString(std::move(E)).find("self.btf"), std::string::npos);
  EXPECT_EQ(Out, "");
}

} // namespace
