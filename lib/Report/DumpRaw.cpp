//===- DumpRaw.cpp - bpftool-compatible raw listing -----------------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The listing reproduces bpftool 7.1 (Linux 6.1 tools/bpf/bpftool/btf.c)
// exactly, quirks included, so that users can diff our output against
// bpftool's and hash it the same way: vlen is printed and walked as a
// 16-bit value, ENUM64 values carry a LL/ULL suffix, DATASEC entries name
// the variable they point at when the id is in range.
//
//===----------------------------------------------------------------------===//

#include "btfkit/Dump.h"

#include "llvm/Support/Format.h"

using namespace btfkit;
using namespace llvm;

static StringRef nameOrAnon(const BTF &B, uint32_t Off) {
  if (Off == 0)
    return "(anon)";
  return B.hasStr(Off) ? B.str(Off) : StringRef("(invalid)");
}

static const char *varLinkageName(uint32_t L) {
  switch (L) {
  case VarStatic:
    return "static";
  case VarGlobalAllocated:
    return "global";
  case VarGlobalExtern:
    return "extern";
  default:
    return "(unknown)";
  }
}

static const char *funcLinkageName(uint32_t L) {
  switch (L) {
  case FuncStatic:
    return "static";
  case FuncGlobal:
    return "global";
  case FuncExtern:
    return "extern";
  default:
    return "(unknown)";
  }
}

/// A tag's kind flag (an attribute tag, pahole's `attributes`) as btf-asm
/// reads it back. bpftool prints nothing for it, which would make the two
/// kinds of tag look alike; it is printed only when set, so listings of
/// BTF without attribute tags stay bpftool's.
static void printTagKindFlag(const Type &T, raw_ostream &OS) {
  if (T.kindFlag())
    OS << " kind_flag=1";
}

void btfkit::dumpRawType(const BTF &B, uint32_t Id, raw_ostream &OS) {
  Type T = B.type(Id);
  OS << '[' << Id << "] " << kindName(T.rawKind()) << " '"
     << nameOrAnon(B, T.nameOff()) << '\'';
  uint16_t Vlen = uint16_t(T.vlen());
  switch (T.kind()) {
  case Kind::Int:
    OS << " size=" << T.size() << " bits_offset=" << T.intOffset()
       << " nr_bits=" << T.intBits()
       << " encoding=" << intEncodingName(T.intEncoding());
    break;
  case Kind::Ptr:
  case Kind::Const:
  case Kind::Volatile:
  case Kind::Restrict:
  case Kind::Typedef:
    OS << " type_id=" << T.typeId();
    break;
  case Kind::TypeTag:
    OS << " type_id=" << T.typeId();
    printTagKindFlag(T, OS);
    break;
  case Kind::Array: {
    const ArrayInfo &A = T.array();
    OS << " type_id=" << A.Type << " index_type_id=" << A.IndexType
       << " nr_elems=" << A.NElems;
    break;
  }
  case Kind::Struct:
  case Kind::Union:
    OS << " size=" << T.size() << " vlen=" << Vlen;
    for (const Member &M : T.members().take_front(Vlen)) {
      OS << "\n\t'" << nameOrAnon(B, M.NameOff) << "' type_id=" << M.Type
         << " bits_offset=" << T.memberBitOffset(M);
      if (uint32_t BitSize = T.memberBitfieldSize(M))
        OS << " bitfield_size=" << BitSize;
    }
    break;
  case Kind::Enum:
    OS << " encoding=" << (T.kindFlag() ? "SIGNED" : "UNSIGNED")
       << " size=" << T.size() << " vlen=" << Vlen;
    for (const EnumValue &E : T.enumValues().take_front(Vlen)) {
      OS << "\n\t'" << nameOrAnon(B, E.NameOff) << "' val=";
      if (T.kindFlag())
        OS << E.Val;
      else
        OS << uint32_t(E.Val);
    }
    break;
  case Kind::Enum64:
    OS << " encoding=" << (T.kindFlag() ? "SIGNED" : "UNSIGNED")
       << " size=" << T.size() << " vlen=" << Vlen;
    for (const Enum64Value &E : T.enum64Values().take_front(Vlen)) {
      uint64_t V = (uint64_t(E.ValHi32) << 32) | E.ValLo32;
      OS << "\n\t'" << nameOrAnon(B, E.NameOff) << "' val=";
      if (T.kindFlag())
        OS << int64_t(V) << "LL";
      else
        OS << V << "ULL";
    }
    break;
  case Kind::Fwd:
    OS << " fwd_kind=" << (T.kindFlag() ? "union" : "struct");
    break;
  case Kind::Func:
    OS << " type_id=" << T.typeId() << " linkage=" << funcLinkageName(Vlen);
    break;
  case Kind::FuncProto:
    OS << " ret_type_id=" << T.typeId() << " vlen=" << Vlen;
    for (const Param &P : T.params().take_front(Vlen))
      OS << "\n\t'" << nameOrAnon(B, P.NameOff) << "' type_id=" << P.Type;
    break;
  case Kind::Var:
    OS << " type_id=" << T.typeId()
       << ", linkage=" << varLinkageName(T.varLinkage());
    break;
  case Kind::Datasec:
    OS << " size=" << T.size() << " vlen=" << Vlen;
    for (const VarSecInfo &V : T.secInfos().take_front(Vlen)) {
      OS << "\n\ttype_id=" << V.Type << " offset=" << V.Offset
         << " size=" << V.Size;
      if (B.hasId(V.Type)) {
        Type VT = B.type(V.Type);
        OS << " (" << kindName(VT.rawKind()) << " '"
           << nameOrAnon(B, VT.nameOff()) << "')";
      }
    }
    break;
  case Kind::Float:
    OS << " size=" << T.size();
    break;
  case Kind::DeclTag:
    OS << " type_id=" << T.typeId()
       << " component_idx=" << T.declTagComponent();
    printTagKindFlag(T, OS);
    break;
  default:
    break;
  }
}

void btfkit::dumpRaw(const BTF &B, raw_ostream &OS) {
  for (uint32_t Id = B.firstId(), E = B.endId(); Id < E; ++Id) {
    dumpRawType(B, Id, OS);
    OS << '\n';
  }
}
