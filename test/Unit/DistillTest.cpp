//===- DistillTest.cpp - Distilled ids and a module's .BTF_ids ------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "btfkit/Distill.h"
#include "btfkit/Builder.h"
#include "btfkit/DistillModule.h"

#include "TestSupport.h"

#include "llvm/Support/Endian.h"

#include "gtest/gtest.h"

using namespace btfkit;

namespace {

/// vmlinux: [1] int, [2] struct dev, [3] typedef u32t, [4] struct gone,
/// [5] FUNC_PROTO, [6] FUNC vm_fn.
std::unique_ptr<BTF> makeBase() {
  Builder B;
  uint32_t Int = B.addInt("int", 4, IntSigned);
  B.addStruct("dev", 4);
  B.addMember("x", Int, 0);
  B.addTypedef("u32t", Int);
  B.addStruct("gone", 4);
  B.addMember("y", Int, 0);
  uint32_t Proto = B.addFuncProto(Int);
  B.addFunc("vm_fn", Proto, FuncGlobal);
  auto R = B.build("vmlinux");
  EXPECT_TRUE(bool(R));
  return std::move(*R);
}

/// The module: [7] struct m_priv {dev; u32t}, [8] FUNC_PROTO, [9] FUNC m_a,
/// [10] FUNC m_b.
std::unique_ptr<BTF> makeModule(const BTF &Base) {
  Builder B(&Base);
  B.addStruct("m_priv", 8);
  B.addMember("d", 2, 0);
  B.addMember("n", 3, 32);
  uint32_t Proto = B.addFuncProto(1);
  B.addFunc("m_a", Proto, FuncStatic);
  B.addFunc("m_b", Proto, FuncStatic);
  auto R = B.build("m.ko");
  EXPECT_TRUE(bool(R));
  return std::move(*R);
}

TEST(Distill, NewIdSaysWhereEachTypeWent) {
  auto Base = makeBase();
  auto Mod = makeModule(*Base);
  auto D = distill(*Mod);
  ASSERT_EXPECTED(D);
  // Distilled base: [1] int, [2] dev. Split: [3] m_priv, [4] proto, [5]
  // m_a, [6] m_b, then the moved typedef [7].
  ASSERT_EQ(D->Base->endId(), 3u);
  EXPECT_EQ(D->newId(0), 0u);
  EXPECT_EQ(D->newId(1), 1u);
  EXPECT_EQ(D->newId(2), 2u);
  EXPECT_EQ(D->newId(3), 7u);
  EXPECT_EQ(D->newId(4), std::nullopt); // not needed by the module
  EXPECT_EQ(D->newId(6), std::nullopt); // a FUNC never goes to the base
  EXPECT_EQ(D->newId(7), 3u);
  EXPECT_EQ(D->newId(10), 6u);
  EXPECT_EQ(D->newId(11), std::nullopt); // past the input
  EXPECT_EQ(D->Split->type(7).name(), "u32t");
  EXPECT_EQ(D->Split->type(5).name(), "m_a");
}

/// A .BTF_ids image in \p Order from host-order words.
std::vector<uint8_t> words(std::initializer_list<uint32_t> Ws,
                           llvm::endianness Order) {
  std::vector<uint8_t> Out(Ws.size() * 4);
  size_t At = 0;
  for (uint32_t W : Ws) {
    llvm::support::endian::write32(Out.data() + At, W, Order);
    At += 4;
  }
  return Out;
}

BTFIdSymbol sym(BTFIdSymbol::SymbolKind K, const char *Name, uint64_t Off) {
  BTFIdSymbol S;
  S.Kind = K;
  S.Name = Name;
  S.Symbol = std::string("__BTF_ID__") + Name;
  S.Offset = Off;
  return S;
}

void translatesIn(llvm::endianness Order) {
  auto Base = makeBase();
  auto Mod = makeModule(*Base);
  auto D = distill(*Mod);
  ASSERT_EXPECTED(D);
  // A list: dev, gone, m_b; a set8 declaring m_b (0x2), vm_fn (0x3), m_a
  // (0x5), u32t (0x9), sorted by old id: u32t 3, vm_fn 6, m_a 9, m_b 10.
  std::vector<uint8_t> Data = words({2, 4, 10,                 //
                                     4, 1,                     // set8
                                     3, 9, 6, 3, 9, 5, 10, 2}, //
                                    Order);
  BTFIdsSection Ids;
  Ids.Data = Data;
  Ids.LittleEndian = Order == llvm::endianness::little;
  Ids.Symbols = {sym(BTFIdSymbol::Struct, "dev", 0),
                 sym(BTFIdSymbol::Struct, "gone", 4),
                 sym(BTFIdSymbol::Func, "m_b", 8),
                 sym(BTFIdSymbol::Set8, "kfuncs", 12),
                 sym(BTFIdSymbol::Func, "m_b", 20),
                 sym(BTFIdSymbol::Func, "vm_fn", 28),
                 sym(BTFIdSymbol::Func, "m_a", 36),
                 sym(BTFIdSymbol::Typedef, "u32t", 44)};
  std::vector<std::string> Warnings;
  auto Out = translateBTFIds("m.ko", Ids, *Mod, *D, Warnings);
  ASSERT_EXPECTED(Out);
  EXPECT_EQ(*Out, words({2, 0, 6, 4, 1, 0, 3, 5, 5, 6, 2, 7, 9}, Order));
  ASSERT_EQ(Warnings.size(), 2u);
  EXPECT_NE(Warnings[0].find("__BTF_ID__gone held [4] STRUCT 'gone', which "
                             "the distilled base does not carry"),
            std::string::npos)
      << Warnings[0];
  EXPECT_NE(Warnings[1].find("__BTF_ID__vm_fn held [6] FUNC 'vm_fn'"),
            std::string::npos)
      << Warnings[1];
}

TEST(Distill, BTFIdsFollowTheNewNumbering) {
  translatesIn(llvm::endianness::little);
}

TEST(Distill, BTFIdsKeepTheFilesByteOrder) {
  translatesIn(llvm::endianness::big);
}

TEST(Distill, BTFIdsSetPastTheSectionIsAnError) {
  auto Base = makeBase();
  auto Mod = makeModule(*Base);
  auto D = distill(*Mod);
  ASSERT_EXPECTED(D);
  std::vector<uint8_t> Data = words({3, 9, 10}, llvm::endianness::little);
  BTFIdsSection Ids;
  Ids.Data = Data;
  Ids.Symbols = {sym(BTFIdSymbol::Set, "plain", 0)};
  std::vector<std::string> Warnings;
  auto Out = translateBTFIds("m.ko", Ids, *Mod, *D, Warnings);
  ASSERT_FALSE(bool(Out));
  EXPECT_EQ(llvm::toString(Out.takeError()),
            "m.ko:.BTF_ids: __BTF_ID__plain counts 3 entries of 4 bytes from "
            "offset 4, past the end of the section (12 bytes)");
}

} // namespace
