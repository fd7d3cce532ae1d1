//===- CheckMeta.cpp - The kernel's rules for each record -----------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// btf_check_all_metas / btf_check_meta and the per-kind check_meta
// callbacks: each record on its own, before any reference is followed. This is
// all the kernel checks of a type when it loads vmlinux or a module (together
// with the type-tag order), so every rule here is one that makes "failed to
// validate module [m] BTF: -22".
//
// Record bounds ("meta_left:N meta_needed:M") are not restated: BTF::parse
// has refused a record that does not fit.
//
//===----------------------------------------------------------------------===//

#include "Checker.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/MathExtras.h"

using namespace btfkit;
using namespace btfkit::check;
using namespace llvm;

namespace {

// One record's checks; each returns false at the first broken rule, as the
// kernel's check_meta callbacks do.
class MetaChecker {
public:
  MetaChecker(Checker &C, uint32_t Id) : C(C), Id(Id), T(C.B.type(Id)) {}
  bool run();

private:
  bool fail(const Twine &Rule, const Twine &Where = "", int Errno = EInval) {
    C.reportType(ValidationPhase::Meta, Id, Rule.str(), Where, Errno);
    return false;
  }
  static bool validTypeId(uint32_t Ref) { return Ref <= MaxType; }
  bool noVlen() { return T.vlen() == 0 || fail("vlen != 0"); }
  bool noKindFlag() {
    return !T.kindFlag() || fail("Invalid btf_info kind_flag");
  }
  // TYPE_TAG and DECL_TAG: attribute tags carry the kind flag from
  // TagKindFlag on.
  bool tagKindFlag() {
    return C.Rules.has(RuleChange::TagKindFlag) || noKindFlag();
  }
  // Required or optional identifier name.
  bool identifier(bool Required) {
    uint32_t N = T.nameOff();
    if (N == 0)
      return !Required || fail("Invalid name");
    return C.nameValid(N) || fail("Invalid name");
  }
  bool noName() { return T.nameOff() == 0 || fail("Invalid name"); }
  // DECL_TAG values and TYPE_TAG names: any non-empty string.
  bool nonEmptyName(StringRef Rule) {
    return !C.B.str(T.nameOff()).empty() || fail(Rule);
  }
  std::string member(unsigned I, const Member &M) const;

  bool checkInt();
  bool checkRef();
  bool checkArray();
  bool checkComposite();
  bool checkEnum();
  bool checkFwd();
  bool checkFunc();
  bool checkFuncProto();
  bool checkVar();
  bool checkDatasec();
  bool checkFloat();
  bool checkDeclTag();

  Checker &C;
  uint32_t Id;
  Type T;
};

} // namespace

// The kernel's member log line: "\tname type_id=T bits_offset=O", with the
// bitfield size first for kind-flag structs.
std::string MetaChecker::member(unsigned I, const Member &M) const {
  std::string S = "member #" + std::to_string(I) + " " +
                  C.quotedName(M.NameOff) +
                  " type_id=" + std::to_string(M.Type);
  if (T.kindFlag())
    S += " bitfield_size=" + std::to_string(memberBitfieldSize(M.Offset)) +
         " bits_offset=" + std::to_string(memberBitOffset(M.Offset));
  else
    S += " bits_offset=" + std::to_string(M.Offset);
  return S;
}

bool MetaChecker::run() {
  const CommonType &R = T.common();
  // btf_check_meta: the info word (before WideInfo: vlen up to 65535 and
  // 5 kind bits), the kind, the name offset, then the kind's own rules.
  if (!C.Rules.has(RuleChange::WideInfo) && (R.Info & ~InfoMask)) {
    C.reportBare(Id, "Invalid btf_info:" + utohexstr(R.Info, true));
    return false;
  }
  unsigned K = T.rawKind();
  if (K == 0 || K > KernelMaxKind) {
    C.reportBare(Id, "Invalid kind:" + std::to_string(K));
    return false;
  }
  if (!C.nameOffsetValid(R.NameOff)) {
    C.reportBare(Id, "Invalid name_offset:" + std::to_string(R.NameOff));
    return false;
  }
  switch (T.kind()) {
  case Kind::Int:
    return checkInt();
  case Kind::Ptr:
  case Kind::Typedef:
  case Kind::Volatile:
  case Kind::Const:
  case Kind::Restrict:
  case Kind::TypeTag:
    return checkRef();
  case Kind::Array:
    return checkArray();
  case Kind::Struct:
  case Kind::Union:
    return checkComposite();
  case Kind::Enum:
  case Kind::Enum64:
    return checkEnum();
  case Kind::Fwd:
    return checkFwd();
  case Kind::Func:
    return checkFunc();
  case Kind::FuncProto:
    return checkFuncProto();
  case Kind::Var:
    return checkVar();
  case Kind::Datasec:
    return checkDatasec();
  case Kind::Float:
    return checkFloat();
  case Kind::DeclTag:
    return checkDeclTag();
  case Kind::Unknown:
    break;
  }
  return true;
}

bool MetaChecker::checkInt() {
  // btf_int_check_meta; an INT's name is not checked.
  if (!noVlen() || !noKindFlag())
    return false;
  uint32_t Data = T.intData();
  if (Data & ~IntMask)
    return fail("Invalid int_data:" + utohexstr(Data, true));
  uint32_t Bits = intBits(Data) + intOffset(Data);
  if (Bits > 128)
    return fail("nr_bits exceeds 128", "bits_offset=" + Twine(intOffset(Data)) +
                                           " nr_bits=" + Twine(intBits(Data)));
  if ((Bits + 7) / 8 > T.size())
    return fail("nr_bits exceeds type_size",
                "size=" + Twine(T.size()) + " nr_bits=" + Twine(Bits));
  uint32_t Enc = intEncoding(Data);
  if (Enc && Enc != IntSigned && Enc != IntChar && Enc != IntBool)
    return fail("Unsupported encoding", "encoding=" + Twine(Enc), ENotSupp);
  return true;
}

bool MetaChecker::checkRef() {
  // btf_ref_type_check_meta: PTR, TYPEDEF, the modifiers and TYPE_TAG.
  if (!noVlen() || !(T.is(Kind::TypeTag) ? tagKindFlag() : noKindFlag()))
    return false;
  if (!validTypeId(T.typeId()))
    return fail("Invalid type_id", "type_id=" + Twine(T.typeId()));
  if (T.is(Kind::Typedef))
    return identifier(/*Required=*/true);
  if (T.is(Kind::TypeTag))
    return nonEmptyName("Invalid name");
  return noName();
}

bool MetaChecker::checkArray() {
  const ArrayInfo &A = T.array();
  if (!noName() || !noVlen() || !noKindFlag())
    return false;
  if (T.common().SizeOrType) // unused by ARRAY
    return fail("size != 0");
  // Neither the element nor the index can be void.
  if (!A.Type || !validTypeId(A.Type))
    return fail("Invalid elem", "type_id=" + Twine(A.Type));
  if (!A.IndexType || !validTypeId(A.IndexType))
    return fail("Invalid index", "index_type_id=" + Twine(A.IndexType));
  return true;
}

bool MetaChecker::checkComposite() {
  // btf_struct_check_meta (STRUCT and UNION).
  if (!identifier(/*Required=*/false))
    return false;
  bool IsUnion = T.is(Kind::Union);
  uint32_t LastOffset = 0;
  unsigned I = 0;
  for (const Member &M : T.members()) {
    if (!C.nameOffsetValid(M.NameOff))
      return fail("Invalid member name_offset:" + Twine(M.NameOff),
                  member(I, M));
    if (M.NameOff && !C.nameValid(M.NameOff))
      return fail("Invalid name", member(I, M));
    // A member cannot be void.
    if (!M.Type || !validTypeId(M.Type))
      return fail("Invalid type_id", member(I, M));
    uint32_t Offset = T.memberBitOffset(M);
    if (IsUnion && Offset)
      return fail("Invalid member bits_offset", member(I, M));
    // Offsets may repeat: the last member can be a flexible array.
    if (LastOffset > Offset)
      return fail("Invalid member bits_offset", member(I, M));
    if ((Offset >> 3) + !!(Offset & 7) > T.size())
      return fail("Member bits_offset exceeds its struct size", member(I, M));
    LastOffset = Offset;
    ++I;
  }
  return true;
}

bool MetaChecker::checkEnum() {
  // btf_enum_check_meta / btf_enum64_check_meta; the kind flag is the
  // signedness and free.
  if (T.size() > 8 || !isPowerOf2_32(T.size()))
    return fail("Unexpected size", "size=" + Twine(T.size()));
  if (!identifier(/*Required=*/false))
    return false;
  bool Is64 = T.is(Kind::Enum64);
  uint32_t N = T.vlen();
  for (uint32_t I = 0; I < N; ++I) {
    uint32_t NameOff =
        Is64 ? T.enum64Values()[I].NameOff : T.enumValues()[I].NameOff;
    std::string Where = "enumerator #" + std::to_string(I);
    if (!C.nameOffsetValid(NameOff))
      return fail("Invalid name_offset:" + Twine(NameOff), Where);
    Where += " " + C.quotedName(NameOff);
    // Enumerators must be named.
    if (!NameOff || !C.nameValid(NameOff))
      return fail("Invalid name", Where);
  }
  return true;
}

bool MetaChecker::checkFwd() {
  // btf_fwd_check_meta; the kind flag says struct or union.
  if (!noVlen())
    return false;
  if (T.common().SizeOrType) // unused by FWD
    return fail("type != 0");
  return identifier(/*Required=*/true);
}

bool MetaChecker::checkFunc() {
  // btf_func_check_meta; vlen is the linkage, and the kernel takes only
  // static and global (not extern).
  if (!identifier(/*Required=*/true))
    return false;
  if (T.vlen() > FuncGlobal)
    return fail("Invalid func linkage", "linkage=" + Twine(T.vlen()));
  return noKindFlag();
}

bool MetaChecker::checkFuncProto() {
  // Parameters are checked in the resolve pass (btf_func_proto_check).
  return noName() && noKindFlag();
}

bool MetaChecker::checkVar() {
  if (!noVlen() || !noKindFlag() || !identifier(/*Required=*/true))
    return false;
  if (!T.typeId() || !validTypeId(T.typeId()))
    return fail("Invalid type_id", "type_id=" + Twine(T.typeId()));
  uint32_t L = T.varLinkage();
  if (L != VarStatic && L != VarGlobalAllocated)
    return fail("Linkage not supported", "linkage=" + Twine(L));
  return true;
}

bool MetaChecker::checkDatasec() {
  if (!T.size())
    return fail("size == 0");
  if (!noKindFlag())
    return false;
  if (!T.nameOff() || !C.sectionNameValid(T.nameOff()))
    return fail("Invalid name");
  uint64_t LastEnd = 0, Sum = 0;
  unsigned I = 0;
  for (const VarSecInfo &V : T.secInfos()) {
    std::string Where = "entry #" + std::to_string(I++) +
                        " type_id=" + std::to_string(V.Type) +
                        " offset=" + std::to_string(V.Offset) +
                        " size=" + std::to_string(V.Size);
    if (!V.Type || !validTypeId(V.Type))
      return fail("Invalid type_id", Where);
    if (V.Offset < LastEnd || V.Offset >= T.size())
      return fail("Invalid offset", Where);
    if (!V.Size || V.Size > T.size())
      return fail("Invalid size", Where);
    LastEnd = uint64_t(V.Offset) + V.Size;
    if (LastEnd > T.size())
      return fail("Invalid offset+size", Where);
    Sum += V.Size;
  }
  if (T.size() < Sum)
    return fail("Invalid btf_info size",
                "size=" + Twine(T.size()) + " entries=" + Twine(Sum));
  return true;
}

bool MetaChecker::checkFloat() {
  if (!noVlen() || !noKindFlag())
    return false;
  uint32_t S = T.size();
  if (S != 2 && S != 4 && S != 8 && S != 12 && S != 16)
    return fail("Invalid type_size", "size=" + Twine(S));
  return true;
}

bool MetaChecker::checkDeclTag() {
  if (!nonEmptyName("Invalid value") || !noVlen() || !tagKindFlag())
    return false;
  if (T.declTagComponent() < -1)
    return fail("Invalid component_idx",
                "component_idx=" + Twine(T.declTagComponent()));
  return true;
}

void btfkit::check::checkMetas(Checker &C) {
  const BTF &B = C.B;
  for (uint32_t Id = B.firstId(), End = B.endId(); Id < End; ++Id) {
    MetaChecker(C, Id).run();
    if (C.stopped())
      return;
  }
  // btf_add_type: the kernel's type table stops at BTF_MAX_TYPE entries
  // (void included). The kernel logs this and drops the types beyond
  // instead of failing, which leaves them unusable.
  if (B.endId() > MaxType) {
    ValidationIssue I;
    I.TypeId = MaxType;
    I.Rule = "Exceeded max num of types";
    I.Phase = ValidationPhase::Meta;
    I.RefusedAtModuleLoad = false;
    I.Message = "[" + std::to_string(MaxType) + "] " + I.Rule + " (" +
                std::to_string(B.endId() - 1) + " ids, at most " +
                std::to_string(MaxType - 1) + ")";
    C.Issues.push_back(std::move(I));
  }
}
