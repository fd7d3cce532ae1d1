//===- FragmentFixtures.h - Units, fragments and linked files ---*- C++ -*-===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// What the compiler plugin hands the link step, made without a compiler: a
// kernel's BTF, translation units' standalone BTF as the converter gives
// it, their fragments (makeSplitFragment), and ELF files holding them.
//
//===----------------------------------------------------------------------===//

#ifndef BTFKIT_TEST_UNIT_FRAGMENTFIXTURES_H
#define BTFKIT_TEST_UNIT_FRAGMENTFIXTURES_H

#include "TestSupport.h"

#include "btfkit/Builder.h"
#include "btfkit/EmitFragment.h"
#include "btfkit/Encode.h"
#include "btfkit/Fragment.h"
#include "btfkit/Link.h"
#include "btfkit/Reader.h"
#include "btfkit/Writer.h"

#include "llvm/Support/MemoryBuffer.h"

namespace btfkit {
namespace unittest {

/// A kernel: int (1), struct device (2, DeviceSize bytes), struct
/// list_head (3), a pointer to device (4).
inline std::vector<uint8_t> kernelBlob(uint32_t DeviceSize = 16) {
  Builder B;
  uint32_t Int = B.addInt("int", 4, IntSigned);
  uint32_t Dev = B.addStruct("device", DeviceSize);
  B.addMember("x", Int, 0);
  B.addStruct("list_head", 16);
  B.addMember("a", Int, 0);
  B.addPtr(Dev);
  return B.serialize();
}

/// What the plugin's converter gives for one unit (standalone, ids from
/// 1): int and struct device as the kernel has them, the unit's own struct
/// \p Own holding device by value or through a pointer, a struct shared
/// by every unit, and with \p PerCPU a per-CPU variable \p Own_count.
inline std::vector<uint8_t> unitBlob(llvm::StringRef Own, bool ByValue,
                                     bool PerCPU = false) {
  Builder B;
  uint32_t Int = B.addInt("int", 4, IntSigned);
  uint32_t Dev = B.addStruct("device", 16);
  B.addMember("x", Int, 0);
  if (ByValue) {
    B.addStruct(Own, 20);
    B.addMember("dev", Dev, 0);
    B.addMember("n", Int, 128);
  } else {
    uint32_t Ptr = B.addPtr(Dev);
    B.addStruct(Own, 8);
    B.addMember("dev", Ptr, 0);
  }
  B.addStruct("shared", 4);
  B.addMember("x", Int, 0);
  if (PerCPU) {
    uint32_t Var = B.addVar((Own + "_count").str(), Int, VarGlobalAllocated);
    B.addDatasec(".data..percpu", 4);
    B.addSecInfo(Var, 0, 4);
  }
  return B.serialize();
}

/// The fragment of \p Unit compiled against \p Base by \p Producer.
inline std::vector<uint8_t> fragmentOf(llvm::ArrayRef<uint8_t> Unit,
                                       const BTF &Base, llvm::StringRef Source,
                                       std::string Producer = linkProducer()) {
  auto F = makeSplitFragment(Unit, Base, Source);
  if (!F) {
    ADD_FAILURE() << llvm::toString(F.takeError());
    return {};
  }
  FragmentManifest M;
  M.Producer = std::move(Producer);
  M.Compiler = "LLVM test";
  M.Source = Source.str();
  M.Features = featuresString(DefaultFeatures);
  M.Base = fingerprintBTF(Base);
  return serializeFragment(M, F->DistilledBase, F->Types, F->EmbeddedTags);
}

/// An ELF object at \p Dir/\p Name holding \p Sections, read back.
inline std::shared_ptr<const llvm::MemoryBuffer>
objectWith(const TempDir &Dir, llvm::StringRef Name,
           llvm::ArrayRef<SectionEdit> Sections) {
  std::string Path = Dir.file(Name);
  if (llvm::Error E = createELFWithSections(Path, Sections)) {
    ADD_FAILURE() << llvm::toString(std::move(E));
    return nullptr;
  }
  auto Buf = mapFile(Path);
  if (!Buf) {
    ADD_FAILURE() << llvm::toString(Buf.takeError());
    return nullptr;
  }
  return std::move(*Buf);
}

/// \p Frags concatenated, as `ld -r` leaves them in .BTF.btfkit.
inline std::vector<uint8_t>
concatenated(llvm::ArrayRef<std::vector<uint8_t>> Frags) {
  std::vector<uint8_t> Out;
  for (const std::vector<uint8_t> &F : Frags)
    Out.insert(Out.end(), F.begin(), F.end());
  return Out;
}

} // namespace unittest
} // namespace btfkit

#endif // BTFKIT_TEST_UNIT_FRAGMENTFIXTURES_H
