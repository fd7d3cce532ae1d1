//===- EmitTest.cpp - Debug-info metadata to BTF --------------------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The plugin's converter on a module as clang -g gives it (reduced): the
// types, a FUNC per function that gets a symbol, VARs by the features.
//
//===----------------------------------------------------------------------===//

#include "btfkit/Emit.h"
#include "btfkit/Dump.h"

#include "TestSupport.h"

#include "llvm/AsmParser/Parser.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/SourceMgr.h"

#include "gtest/gtest.h"

using namespace btfkit;
using namespace llvm;

namespace {

/// struct point { int x, y; }; struct point origin;
/// int area(struct point *p) { ... }
const char *PointIR = R"(
source_filename = "p.c"
target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-unknown-linux-gnu"
%struct.point = type { i32, i32 }
@origin = global %struct.point zeroinitializer, align 4, !dbg !0
define i32 @area(ptr %p) !dbg !10 {
  ret i32 0
}
!llvm.dbg.cu = !{!2}
!llvm.module.flags = !{!20, !21}
!0 = !DIGlobalVariableExpression(var: !1, expr: !DIExpression())
!1 = distinct !DIGlobalVariable(name: "origin", scope: !2, file: !3, line: 2, type: !5, isLocal: false, isDefinition: true)
!2 = distinct !DICompileUnit(language: DW_LANG_C11, file: !3, producer: "clang", isOptimized: true, runtimeVersion: 0, emissionKind: KIND, globals: !4)
!3 = !DIFile(filename: "p.c", directory: "/tmp")
!4 = !{!0}
!5 = distinct !DICompositeType(tag: DW_TAG_structure_type, name: "point", file: !3, line: 1, size: 64, elements: !6)
!6 = !{!7, !9}
!7 = !DIDerivedType(tag: DW_TAG_member, name: "x", scope: !5, file: !3, line: 1, baseType: !8, size: 32)
!8 = !DIBasicType(name: "int", size: 32, encoding: DW_ATE_signed)
!9 = !DIDerivedType(tag: DW_TAG_member, name: "y", scope: !5, file: !3, line: 1, baseType: !8, size: 32, offset: 32)
!10 = distinct !DISubprogram(name: "area", scope: !3, file: !3, line: 3, type: !11, scopeLine: 3, flags: DIFlagPrototyped, spFlags: DISPFlagDefinition, unit: !2, retainedNodes: !14)
!11 = !DISubroutineType(types: !12)
!12 = !{!8, !13}
!13 = !DIDerivedType(tag: DW_TAG_pointer_type, baseType: !5, size: 64)
!14 = !{!15}
!15 = !DILocalVariable(name: "p", arg: 1, scope: !10, file: !3, line: 3, type: !13)
!20 = !{i32 7, !"Dwarf Version", i32 5}
!21 = !{i32 2, !"Debug Info Version", i32 3}
)";

std::unique_ptr<Module> parse(LLVMContext &Ctx, StringRef EmissionKind) {
  std::string IR = PointIR;
  IR.replace(IR.find("KIND"), 4, EmissionKind.str());
  SMDiagnostic Diag;
  auto M = parseAssemblyString(IR, Diag, Ctx);
  if (!M)
    ADD_FAILURE() << Diag.getMessage().str();
  return M;
}

std::string rawListing(const EmitResult &R) {
  auto B = BTF::parse(R.Blob, nullptr, "p.btf");
  if (!B)
    return toString(B.takeError());
  std::string S;
  raw_string_ostream OS(S);
  dumpRaw(**B, OS);
  return S;
}

TEST(Emit, OnlyFullDebugInfoHasTypes) {
  LLVMContext Ctx;
  auto Full = parse(Ctx, "FullDebug");
  auto Lines = parse(Ctx, "LineTablesOnly");
  ASSERT_TRUE(Full && Lines);
  EXPECT_TRUE(hasTypeDebugInfo(*Full));
  EXPECT_FALSE(hasTypeDebugInfo(*Lines));
  Module Bare("bare", Ctx);
  EXPECT_FALSE(hasTypeDebugInfo(Bare));
}

TEST(Emit, TypesAndFunctionsAsPaholeEncodesThem) {
  LLVMContext Ctx;
  auto M = parse(Ctx, "FullDebug");
  ASSERT_TRUE(M);
  auto R = convertDebugInfo(*M, EncodeOptions());
  ASSERT_EXPECTED(R);
  EXPECT_EQ(R->Source, "p.c");
  EXPECT_EQ(R->NumFuncs, 1u);
  // A global that is not per-CPU gets no VAR by default (pahole 1.24).
  EXPECT_EQ(R->NumVars, 0u);
  EXPECT_TRUE(R->Warnings.empty());
  // In DWARF's order (the variable's type first), FUNCs static as pahole
  // writes every one.
  EXPECT_EQ(rawListing(*R),
            "[1] STRUCT 'point' size=8 vlen=2\n"
            "\t'x' type_id=2 bits_offset=0\n"
            "\t'y' type_id=2 bits_offset=32\n"
            "[2] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED\n"
            "[3] PTR '(anon)' type_id=1\n"
            "[4] FUNC_PROTO '(anon)' ret_type_id=2 vlen=1\n"
            "\t'p' type_id=3\n"
            "[5] FUNC 'area' type_id=4 linkage=static\n");

  EncodeOptions All;
  All.Features = DefaultFeatures | FeatGlobalVar;
  auto G = convertDebugInfo(*M, All);
  ASSERT_EXPECTED(G);
  EXPECT_EQ(G->NumVars, 1u);
  std::string L = rawListing(*G);
  EXPECT_EQ(L.substr(L.find("[6]")),
            "[6] VAR 'origin' type_id=1, linkage=global\n"
            "[7] DATASEC '.bss' size=8 vlen=1\n"
            "\ttype_id=6 offset=0 size=8 (VAR 'origin')\n");
}

} // namespace
