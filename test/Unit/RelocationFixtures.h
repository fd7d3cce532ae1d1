//===- RelocationFixtures.h - A kernel and modules to relocate --*- C++ -*-===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The target base and the failing module that the relocation and the
// verdict tests share, so that both speak of the same ids.
//
//===----------------------------------------------------------------------===//

#ifndef BTFKIT_TEST_UNIT_RELOCATIONFIXTURES_H
#define BTFKIT_TEST_UNIT_RELOCATIONFIXTURES_H

#include "TestSupport.h"

#include "btfkit/BTF.h"
#include "btfkit/Builder.h"

#include "llvm/ADT/STLFunctionalExtras.h"

#include <memory>

namespace btfkit {
namespace unittest {

/// The kernel the modules are relocated onto.
inline std::unique_ptr<BTF> makeTarget(std::string Name = "vmlinux") {
  Builder B;
  B.addInt("int", 4, IntSigned);         // 1
  B.addInt("char", 1, 0);                // 2
  B.addStruct("device", 752);            // 3
  B.addStruct("list_head", 16);          // 4
  B.addStruct("dup", 8);                 // 5
  B.addStruct("dup", 8);                 // 6
  B.addUnion("u", 8);                    // 7
  B.addEnum64("mode", 8);                // 8
  B.addFloat("double", 8);               // 9
  B.addFwd("opaque", /*IsUnion=*/false); // 10
  B.addTypedef("dev_t", 1);              // 11
  return buildBTF(B, std::move(Name));
}

/// A module: its split BTF and the distilled base it is split over.
struct Module {
  std::unique_ptr<BTF> Dist, Split;
  explicit operator bool() const { return Dist && Split; }
};

/// A module whose distilled base is what \p AddBaseTypes adds and whose
/// split holds one pointer to the first of them: relocation maps each of
/// them, none held by value.
inline Module pointerModule(llvm::function_ref<void(Builder &)> AddBaseTypes,
                            std::string Name = "m.ko") {
  Module M;
  Builder DB;
  AddBaseTypes(DB);
  M.Dist = buildBTF(DB, Name + ":.BTF.base");
  if (!M.Dist)
    return M;
  Builder SB(M.Dist.get());
  SB.addPtr(1);
  M.Split = buildBTF(SB, Name + ":.BTF");
  return M;
}

/// A module that relocates onto makeTarget(): a split struct holding the
/// distilled `device` (752 bytes, as there) by value, and an int.
inline Module goodModule(std::string Name = "good.ko") {
  Module M;
  Builder DB;
  DB.addInt("int", 4, IntSigned);
  DB.addStruct("device", 752);
  M.Dist = buildBTF(DB, Name + ":.BTF.base");
  if (!M.Dist)
    return M;
  Builder SB(M.Dist.get());
  SB.addStruct("good_priv", 756);
  SB.addMember("dev", 2, 0);
  SB.addMember("n", 1, 752 * 8);
  M.Split = buildBTF(SB, Name + ":.BTF");
  return M;
}

/// A module whose distilled base has one type that fails on makeTarget()
/// for each reason, and a split struct that embeds `device` by value.
inline Module failingModule(bool WithAmbiguity) {
  Module M;
  Builder DB;
  DB.addInt("int", 4, IntSigned);  // 1 maps
  DB.addStruct("device", 744);     // 2 embedded, target has 752
  DB.addInt("char", 1, IntSigned); // 3 target's char is unsigned
  DB.addFloat("mode", 8);          // 4 target has only ENUM64 mode
  DB.addStruct("gone", 4);         // 5 target has none
  if (WithAmbiguity)
    DB.addStruct("dup", 8); // 6 target has two of size 8
  M.Dist = buildBTF(DB, "hello.ko:.BTF.base");
  if (!M.Dist)
    return M;
  Builder SB(M.Dist.get());
  uint32_t Arr = SB.addArray(2, 1, 2);
  SB.addStruct("hello_priv", 2 * 744 + 4);
  SB.addMember("devs", Arr, 0);
  SB.addMember("x", 1, 2 * 744 * 8);
  SB.addStruct(/*anonymous*/ "", 744);
  SB.addMember("", 2, 0);
  M.Split = buildBTF(SB, "hello.ko:.BTF");
  return M;
}

} // namespace unittest
} // namespace btfkit

#endif // BTFKIT_TEST_UNIT_RELOCATIONFIXTURES_H
