//===- DumpCLayout.cpp - Size and alignment of BTF types in C -------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The rules are libbpf's (tools/lib/bpf/btf.c: determine_ptr_size,
// btf__resolve_size, btf__align_of; btf_dump.c: btf_is_struct_packed), so
// that the padding and packed decisions of the C output are bpftool's.
// Unlike libbpf, alignments are memoized (vmlinux asks for the same ones
// many times) and a struct that embeds itself gets alignment 1 instead of
// recursing forever.
//
//===----------------------------------------------------------------------===//

#include "DumpCImpl.h"

#include "llvm/ADT/StringSwitch.h"

#include <algorithm>

using namespace btfkit;
using namespace btfkit::dumpc;
using namespace llvm;

// libbpf guesses the pointer size from the first 4- or 8-byte INT spelled
// as some `long`.
static bool isLongName(StringRef Name) {
  return StringSwitch<bool>(Name)
      .Cases("long", "long int", "int long", "unsigned long", "long unsigned",
             true)
      .Cases("unsigned long int", "unsigned int long", "long unsigned int",
             "long int unsigned", "int unsigned long", "int long unsigned",
             true)
      .Default(false);
}

CLayout::CLayout(const BTF &B) : B(B), AlignMemo(B.endId(), Unknown) {
  for (uint32_t Id = 1, End = B.endId(); Id < End; ++Id) {
    Type T = B.type(Id);
    if (T.is(Kind::Int) && (T.size() == 4 || T.size() == 8) &&
        isLongName(T.name())) {
      PtrSize = T.size();
      break;
    }
  }
}

unsigned CLayout::alignOf(uint32_t Id) { return computeAlign(Id, 0); }

unsigned CLayout::computeAlign(uint32_t Id, unsigned Depth) {
  if (AlignMemo[Id] != Unknown && AlignMemo[Id] != InProgress)
    return AlignMemo[Id];
  // Re-entered while computing (a struct that embeds itself), or nested
  // beyond reason: no alignment can be inferred, claim none.
  if (AlignMemo[Id] == InProgress || Depth > MaxNesting)
    return 1;
  Type T = B.type(Id);
  unsigned Align = 0;
  switch (T.kind()) {
  case Kind::Int:
  case Kind::Enum:
  case Kind::Enum64:
  case Kind::Float:
    Align = std::min<uint32_t>(PtrSize, T.size());
    break;
  case Kind::Ptr:
    Align = PtrSize;
    break;
  case Kind::Typedef:
  case Kind::Volatile:
  case Kind::Const:
  case Kind::Restrict:
  case Kind::TypeTag:
    Align = T.typeId() ? computeAlign(T.typeId(), Depth + 1) : 0;
    break;
  case Kind::Array:
    Align = T.array().Type ? computeAlign(T.array().Type, Depth + 1) : 0;
    break;
  case Kind::Struct:
  case Kind::Union: {
    AlignMemo[Id] = InProgress;
    unsigned MaxAlign = 1;
    bool Packed = false;
    for (const Member &M : T.members()) {
      unsigned A = M.Type ? computeAlign(M.Type, Depth + 1) : 0;
      if (A == 0) {
        MaxAlign = 0; // a member without alignment: the struct has none
        break;
      }
      MaxAlign = std::max(MaxAlign, A);
      // A member off its natural alignment: the struct must be packed. The
      // raw offset word is the bit offset when the member is no bitfield.
      if (T.memberBitfieldSize(M) == 0 && M.Offset % (8 * A) != 0) {
        Packed = true;
        break;
      }
    }
    if (Packed || (MaxAlign && T.size() % MaxAlign != 0))
      Align = 1;
    else
      Align = MaxAlign;
    break;
  }
  default:
    break;
  }
  AlignMemo[Id] = uint8_t(std::min(Align, 0xfdu));
  return AlignMemo[Id];
}

int64_t CLayout::resolveSize(uint32_t Id) const {
  // libbpf's MAX_RESOLVE_DEPTH: longer modifier chains have no size.
  constexpr unsigned MaxResolveDepth = 32;
  uint64_t NElems = 1;
  int64_t Size = -1;
  for (unsigned I = 0; I < MaxResolveDepth && Id != 0; ++I) {
    Type T = B.type(Id);
    switch (T.kind()) {
    case Kind::Int:
    case Kind::Struct:
    case Kind::Union:
    case Kind::Enum:
    case Kind::Enum64:
    case Kind::Datasec:
    case Kind::Float:
      Size = T.size();
      break;
    case Kind::Ptr:
      Size = PtrSize;
      break;
    case Kind::Typedef:
    case Kind::Volatile:
    case Kind::Const:
    case Kind::Restrict:
    case Kind::Var:
    case Kind::DeclTag:
    case Kind::TypeTag:
      Id = T.typeId();
      continue;
    case Kind::Array:
      if (NElems && T.array().NElems > UINT32_MAX / NElems)
        return -1;
      NElems *= T.array().NElems;
      Id = T.array().Type;
      continue;
    default:
      return -1;
    }
    break;
  }
  if (Size < 0)
    return -1;
  if (NElems && uint64_t(Size) > UINT32_MAX / NElems)
    return -1;
  return int64_t(NElems) * Size;
}

bool CLayout::isStructPacked(const Type &T) {
  unsigned MaxAlign = 1;
  for (const Member &M : T.members()) {
    unsigned A = M.Type ? alignOf(M.Type) : 0;
    if (A && T.memberBitfieldSize(M) == 0 && M.Offset % (8 * A) != 0)
      return true;
    MaxAlign = std::max(MaxAlign, A);
  }
  // The size of a struct that is not packed is a multiple of its
  // alignment.
  return T.size() % MaxAlign != 0;
}
