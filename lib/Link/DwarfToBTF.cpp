//===- DwarfToBTF.cpp - DWARF compile units to standalone BTF -------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The DWARF side of what lib/Emit/DebugInfoToBTF.cpp does with IR metadata:
// the same rules (pahole 1.24's, with the plugin's documented differences),
// read from the DIEs clang wrote for the same source, so that an object
// built without the plugin contributes the types the plugin would have
// given it:
//
//  - every type DIE of the unit (pahole encodes its whole types table),
//    except clang's helper base types `__ARRAY_SIZE_TYPE__` and
//    `DW_ATE_*`, which no type refers to (the plugin never sees them);
//  - a FUNC for each out-of-line subprogram definition whose parameters
//    are all named and whose name is an STT_FUNC symbol of the linked file
//    (btf_encoder.c: btf_encoder__find_function; without any function
//    symbol, external ones), the first of a name in the unit winning. pahole
//    lets the first of a name in the module win (its `generated` flag),
//    and takes a function inlined everywhere when another object has a
//    symbol of its name; the plugin works per translation unit, and the
//    fallback does as the plugin, so that a module gives the same BTF
//    whichever of its objects were built with the plugin;
//  - a VAR for each unit-level variable at an address that is a sized
//    STT_OBJECT symbol of that name in .data..percpu (pahole compares both
//    address and name, since many DWARF variables sit at address 0).
//
// Types are given an id when first referred to and described from a work
// list, so deep or cyclic type graphs (or corrupt references) need no
// recursion.
//
//===----------------------------------------------------------------------===//

#include "DwarfToBTF.h"

#include "btfkit/Builder.h"
#include "btfkit/Encode.h"
#include "btfkit/Error.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/BinaryFormat/Dwarf.h"
#include "llvm/DebugInfo/DWARF/DWARFContext.h"
#include "llvm/DebugInfo/DWARF/DWARFDie.h"
#include "llvm/DebugInfo/DWARF/DWARFFormValue.h"
#include "llvm/DebugInfo/DWARF/DWARFUnit.h"
#include "llvm/Support/LEB128.h"

#include <deque>
#include <optional>

using namespace btfkit;
using namespace btfkit::link;
using namespace llvm;

namespace {

// Types are described first (ids reserved as the walk meets them), built
// at the end (Encode.h), as the plugin's converter does.
using Elem = EncodedElem;
using Entry = EncodedType;

class UnitEncoder {
public:
  UnitEncoder(DWARFUnit &U, std::string Label, const DwarfEncodeOptions &Opts,
              std::optional<IntNameMap> &IntNames, const DwarfSymbols &Syms,
              std::vector<std::string> &Warnings)
      : U(U), Label(std::move(Label)), Opts(Opts), IntNames(IntNames),
        Syms(Syms), Warnings(Warnings) {}

  Expected<DwarfUnitBTF> run();

private:
  bool has(unsigned F) const { return Opts.Features & F; }
  void warn(DWARFDie D, const Twine &Msg) {
    Warnings.push_back(
        (Label + ": DIE 0x" + utohexstr(D.getOffset(), true) + ": " + Msg)
            .str());
  }
  uint32_t add(Entry E) {
    Entries.push_back(std::move(E));
    return uint32_t(Entries.size());
  }
  Entry &entry(uint32_t Id) { return Entries[Id - 1]; }

  uint32_t typeId(DWARFDie D);
  uint32_t typeOf(DWARFDie D) {
    return typeId(D.getAttributeValueAsReferencedDie(dwarf::DW_AT_type));
  }
  uint32_t intType(StringRef Name, uint32_t Size, uint32_t Encoding);
  uint32_t baseType(DWARFDie D);
  uint32_t indexType() {
    if (!IndexTypeId)
      IndexTypeId = intType("int", 4, IntSigned);
    return IndexTypeId;
  }
  void describe(DWARFDie D, uint32_t Id);
  void describePointer(DWARFDie D, uint32_t Id);
  void describeStruct(DWARFDie D, uint32_t Id);
  void describeEnum(DWARFDie D, uint32_t Id);
  void describeArray(DWARFDie D, uint32_t Id);
  void describeProto(DWARFDie D, uint32_t Id, bool WithNames);
  void declTags(DWARFDie D, uint32_t Target, int32_t Component);
  void drain();

  void encodeFunction(DWARFDie D);
  void encodeVariable(DWARFDie D);
  std::optional<uint64_t> variableAddress(DWARFDie D);

  DWARFUnit &U;
  bool ClangProducer = false;
  std::string Label;
  const DwarfEncodeOptions &Opts;
  std::optional<IntNameMap> &IntNames;
  const DwarfSymbols &Syms;
  std::vector<std::string> &Warnings;

  std::vector<Entry> Entries;           // type id = index + 1
  DenseMap<uint64_t, uint32_t> TypeIds; // DIE offset -> id
  EncodedInts Ints;
  std::deque<std::pair<DWARFDie, uint32_t>> Work;
  uint32_t IndexTypeId = 0;
  struct PerCPUVar {
    uint32_t Var;
    uint64_t Offset, Size;
  };
  std::vector<PerCPUVar> Vars;
  StringSet<> FuncsDone; // the first of a name wins, per unit as the plugin
  unsigned NumFuncs = 0;
};

} // namespace

static bool isTypeTag(dwarf::Tag T) {
  switch (T) {
  case dwarf::DW_TAG_base_type:
  case dwarf::DW_TAG_unspecified_type:
  case dwarf::DW_TAG_pointer_type:
  case dwarf::DW_TAG_reference_type:
  case dwarf::DW_TAG_rvalue_reference_type:
  case dwarf::DW_TAG_ptr_to_member_type:
  case dwarf::DW_TAG_typedef:
  case dwarf::DW_TAG_const_type:
  case dwarf::DW_TAG_volatile_type:
  case dwarf::DW_TAG_restrict_type:
  case dwarf::DW_TAG_atomic_type:
  case dwarf::DW_TAG_immutable_type:
  case dwarf::DW_TAG_LLVM_ptrauth_type:
  case dwarf::DW_TAG_structure_type:
  case dwarf::DW_TAG_union_type:
  case dwarf::DW_TAG_class_type:
  case dwarf::DW_TAG_enumeration_type:
  case dwarf::DW_TAG_array_type:
  case dwarf::DW_TAG_subroutine_type:
    return true;
  default:
    return false;
  }
}

static StringRef nameOf(DWARFDie D) {
  const char *N = D.getShortName();
  return N ? StringRef(N) : StringRef();
}

static uint64_t unsignedAttr(DWARFDie D, dwarf::Attribute A,
                             uint64_t Default = 0) {
  return dwarf::toUnsigned(D.find(A), Default);
}

//===----------------------------------------------------------------------===//
// Types
//===----------------------------------------------------------------------===//

uint32_t UnitEncoder::typeId(DWARFDie D) {
  // Qualifiers BTF has no kind for are transparent, as in the plugin
  // (_Atomic T is T). Bounded: a corrupt chain must not loop.
  for (unsigned Depth = 0; D && Depth < 64; ++Depth) {
    if (D.getTag() != dwarf::DW_TAG_atomic_type &&
        D.getTag() != dwarf::DW_TAG_LLVM_ptrauth_type)
      break;
    D = D.getAttributeValueAsReferencedDie(dwarf::DW_AT_type);
  }
  if (!D)
    return 0; // void
  auto It = TypeIds.find(D.getOffset());
  if (It != TypeIds.end())
    return It->second;
  dwarf::Tag T = D.getTag();
  uint32_t Id = 0;
  if (T == dwarf::DW_TAG_base_type) {
    Id = baseType(D);
  } else if (T == dwarf::DW_TAG_unspecified_type ||
             T == dwarf::DW_TAG_atomic_type ||
             T == dwarf::DW_TAG_LLVM_ptrauth_type || !isTypeTag(T)) {
    // unspecified_type is C++'s decltype(nullptr); the rest cannot be types
    // (a reference to something else is corrupt DWARF).
    if (T != dwarf::DW_TAG_unspecified_type)
      warn(D, Twine("a type reference to ") + dwarf::TagString(T) +
                  ", which has no BTF form; used as void");
    else
      warn(D, Twine("'") + nameOf(D) +
                  "' (DW_TAG_unspecified_type) has no BTF form; used as void");
  } else if (T == dwarf::DW_TAG_ptr_to_member_type) {
    warn(D, "a pointer to member (DW_TAG_ptr_to_member_type) has no BTF "
            "form; used as void");
  } else {
    Id = add(Entry());
    Work.emplace_back(D, Id);
  }
  TypeIds[D.getOffset()] = Id;
  return Id;
}

uint32_t UnitEncoder::intType(StringRef Name, uint32_t Size,
                              uint32_t Encoding) {
  return Ints.get(Entries, IntNames ? &*IntNames : nullptr, Name, Size,
                  Encoding);
}

uint32_t UnitEncoder::baseType(DWARFDie D) {
  StringRef Name = nameOf(D);
  uint32_t Size = uint32_t(unsignedAttr(D, dwarf::DW_AT_byte_size));
  if (!Size)
    Size = uint32_t((unsignedAttr(D, dwarf::DW_AT_bit_size) + 7) / 8);
  unsigned Enc = unsigned(unsignedAttr(D, dwarf::DW_AT_encoding));
  BaseTypeForm F = baseTypeForm(Enc);
  if (F.How == BaseTypeForm::Float && has(FeatFloat)) {
    Entry E;
    E.K = Kind::Float;
    E.Name = Name.str();
    E.Word = Size;
    return add(std::move(E));
  }
  if (F.How == BaseTypeForm::Unsupported) {
    StringRef EncName = dwarf::AttributeEncodingString(Enc);
    warn(D, "base type '" + Name + "' (" +
                (EncName.empty() ? "encoding " + Twine(Enc) : Twine(EncName)) +
                ") has no BTF kind; encoded as an INT of its size");
  }
  return intType(Name, Size, F.IntEncoding);
}

void UnitEncoder::declTags(DWARFDie D, uint32_t Target, int32_t Component) {
  if (!has(FeatDeclTag))
    return;
  for (DWARFDie C : D.children()) {
    if (C.getTag() != dwarf::DW_TAG_LLVM_annotation ||
        nameOf(C) != "btf_decl_tag")
      continue;
    auto V = dwarf::toString(C.find(dwarf::DW_AT_const_value));
    if (!V) {
      warn(C, "btf_decl_tag annotation without a string value; ignored");
      continue;
    }
    Entry E;
    E.K = Kind::DeclTag;
    E.Name = *V;
    E.Word = Target;
    E.Component = Component;
    add(std::move(E));
  }
}

void UnitEncoder::drain() {
  while (!Work.empty()) {
    auto [D, Id] = Work.front();
    Work.pop_front();
    describe(D, Id);
  }
}

void UnitEncoder::describe(DWARFDie D, uint32_t Id) {
  switch (D.getTag()) {
  case dwarf::DW_TAG_pointer_type:
  case dwarf::DW_TAG_reference_type:
  case dwarf::DW_TAG_rvalue_reference_type:
    return describePointer(D, Id);
  case dwarf::DW_TAG_typedef: {
    uint32_t Target = typeOf(D);
    Entry &E = entry(Id);
    E.K = Kind::Typedef;
    E.Name = nameOf(D).str();
    E.Word = Target;
    declTags(D, Id, -1);
    return;
  }
  case dwarf::DW_TAG_const_type:
  case dwarf::DW_TAG_immutable_type:
  case dwarf::DW_TAG_volatile_type:
  case dwarf::DW_TAG_restrict_type: {
    uint32_t Target = typeOf(D);
    Entry &E = entry(Id);
    E.K = D.getTag() == dwarf::DW_TAG_volatile_type   ? Kind::Volatile
          : D.getTag() == dwarf::DW_TAG_restrict_type ? Kind::Restrict
                                                      : Kind::Const;
    E.Word = Target;
    return;
  }
  case dwarf::DW_TAG_structure_type:
  case dwarf::DW_TAG_union_type:
  case dwarf::DW_TAG_class_type:
    return describeStruct(D, Id);
  case dwarf::DW_TAG_enumeration_type:
    return describeEnum(D, Id);
  case dwarf::DW_TAG_array_type:
    return describeArray(D, Id);
  case dwarf::DW_TAG_subroutine_type:
    return describeProto(D, Id, /*WithNames=*/false);
  default:
    // typeId() queues only the tags above.
    llvm_unreachable("unexpected tag in the work list");
  }
}

void UnitEncoder::describePointer(DWARFDie D, uint32_t Id) {
  uint32_t Target = typeOf(D);
  // clang 19 hangs the btf_type_tag attributes of the pointee on the
  // pointer, in source order: "int __a __b *" is PTR -> __b -> __a -> int,
  // as the plugin and pahole 1.24 encode it.
  for (DWARFDie C : D.children()) {
    if (C.getTag() != dwarf::DW_TAG_LLVM_annotation ||
        nameOf(C) != "btf_type_tag" || !has(FeatTypeTag))
      continue;
    auto V = dwarf::toString(C.find(dwarf::DW_AT_const_value));
    if (!V) {
      warn(C, "btf_type_tag annotation without a string value; ignored");
      continue;
    }
    Entry E;
    E.K = Kind::TypeTag;
    E.Name = *V;
    E.Word = Target;
    Target = add(std::move(E));
  }
  Entry &E = entry(Id);
  E.K = Kind::Ptr;
  E.Word = Target;
}

/// A member's bit offset from the start of its struct: DWARF 5's
/// DW_AT_data_bit_offset, or DW_AT_data_member_location (a constant or a
/// DW_OP_plus_uconst expression), adjusted by DWARF 2-4's DW_AT_bit_offset
/// for bitfields (counted from the storage unit's most significant bit).
static std::optional<uint64_t> memberBitOffset(DWARFDie M, bool LittleEndian) {
  if (auto V = M.find(dwarf::DW_AT_data_bit_offset))
    return V->getAsUnsignedConstant();
  uint64_t Bytes = 0;
  if (auto V = M.find(dwarf::DW_AT_data_member_location)) {
    if (auto C = V->getAsUnsignedConstant()) {
      Bytes = *C;
    } else if (auto B = V->getAsBlock()) {
      if (B->empty() || (*B)[0] != dwarf::DW_OP_plus_uconst)
        return std::nullopt;
      unsigned N = 0;
      const char *Err = nullptr;
      Bytes = decodeULEB128(B->data() + 1, &N, B->data() + B->size(), &Err);
      if (Err)
        return std::nullopt;
    } else {
      return std::nullopt;
    }
  }
  uint64_t Bits = Bytes * 8;
  if (auto BO = M.find(dwarf::DW_AT_bit_offset)) {
    uint64_t BitOff = BO->getAsUnsignedConstant().value_or(0);
    uint64_t BitSize = unsignedAttr(M, dwarf::DW_AT_bit_size);
    uint64_t Storage = unsignedAttr(M, dwarf::DW_AT_byte_size);
    if (!Storage)
      Storage =
          unsignedAttr(M.getAttributeValueAsReferencedDie(dwarf::DW_AT_type),
                       dwarf::DW_AT_byte_size);
    if (LittleEndian)
      Bits += Storage * 8 - BitOff - BitSize;
    else
      Bits += BitOff;
  }
  return Bits;
}

void UnitEncoder::describeStruct(DWARFDie D, uint32_t Id) {
  bool IsUnion = D.getTag() == dwarf::DW_TAG_union_type;
  auto MakeFwd = [&] {
    Entry &E = entry(Id);
    E.K = Kind::Fwd;
    E.Name = nameOf(D).str();
    E.KindFlag = IsUnion;
  };
  if (dwarf::toUnsigned(D.find(dwarf::DW_AT_declaration), 0)) {
    MakeFwd();
    return;
  }
  // Data members only: static members (DWARF 4 marks them external or
  // declarations; DWARF 5 makes them variables), bases and methods are
  // skipped, as pahole's type__for_each_data_member does.
  SmallVector<DWARFDie, 16> Members;
  for (DWARFDie C : D.children())
    if (C.getTag() == dwarf::DW_TAG_member &&
        !dwarf::toUnsigned(C.find(dwarf::DW_AT_external), 0) &&
        !dwarf::toUnsigned(C.find(dwarf::DW_AT_declaration), 0))
      Members.push_back(C);
  if (Members.size() > MaxVlen) {
    warn(D, "struct '" + nameOf(D) + "' has " + Twine(Members.size()) +
                " members, more than BTF can hold; encoded as a forward "
                "declaration");
    MakeFwd();
    return;
  }
  bool LE = U.getContext().isLittleEndian();
  bool KindFlag = false;
  std::vector<Elem> Elems;
  for (DWARFDie M : Members) {
    Elem El;
    El.Name = nameOf(M).str();
    El.A = typeOf(M);
    std::optional<uint64_t> Off = memberBitOffset(M, LE);
    if (!Off) {
      warn(M, "member '" + nameOf(M) + "' of '" + nameOf(D) +
                  "' has a location that is not a constant offset; "
                  "offset 0 used");
      Off = 0;
    }
    El.B = uint32_t(*Off);
    if (auto BS = M.find(dwarf::DW_AT_bit_size)) {
      El.C = uint32_t(BS->getAsUnsignedConstant().value_or(0));
      KindFlag = true;
    }
    Elems.push_back(std::move(El));
  }
  Entry &E = entry(Id);
  E.K = IsUnion ? Kind::Union : Kind::Struct;
  E.Name = nameOf(D).str();
  E.Word = uint32_t(unsignedAttr(D, dwarf::DW_AT_byte_size));
  E.KindFlag = KindFlag;
  E.Elems = std::move(Elems);
  declTags(D, Id, -1);
  for (size_t I = 0; I < Members.size(); ++I)
    declTags(Members[I], Id, int32_t(I));
}

void UnitEncoder::describeEnum(DWARFDie D, uint32_t Id) {
  uint32_t Size = uint32_t(unsignedAttr(D, dwarf::DW_AT_byte_size));
  if (Size == 0)
    Size = 4; // a forward-declared enum, as pahole
  // The underlying type says how the enumerators' constants read (clang
  // writes them with DW_FORM_dataN of the smallest size, signed or not as
  // the underlying type is).
  std::optional<bool> BaseSigned;
  if (DWARFDie B = D.getAttributeValueAsReferencedDie(dwarf::DW_AT_type)) {
    for (unsigned Depth = 0;
         B && B.getTag() != dwarf::DW_TAG_base_type && Depth < 16; ++Depth)
      B = B.getAttributeValueAsReferencedDie(dwarf::DW_AT_type);
    if (B) {
      unsigned Enc = unsigned(unsignedAttr(B, dwarf::DW_AT_encoding));
      BaseSigned =
          Enc == dwarf::DW_ATE_signed || Enc == dwarf::DW_ATE_signed_char;
    }
  }
  bool Is64 = Size > 4 && has(FeatEnum64);
  Entry E;
  E.K = Is64 ? Kind::Enum64 : Kind::Enum;
  E.Name = nameOf(D).str();
  E.Word = Size;
  bool AnyNegative = false;
  for (DWARFDie C : D.children()) {
    if (C.getTag() != dwarf::DW_TAG_enumerator)
      continue;
    auto V = C.find(dwarf::DW_AT_const_value);
    if (!V) {
      warn(C, "enumerator '" + nameOf(C) + "' has no value; 0 used");
      continue;
    }
    bool Unsigned =
        V->getForm() == dwarf::DW_FORM_udata ||
        (V->getForm() != dwarf::DW_FORM_sdata && !BaseSigned.value_or(true));
    int64_t S = 0;
    if (Unsigned)
      S = int64_t(V->getAsUnsignedConstant().value_or(0));
    else
      S = V->getAsSignedConstant().value_or(0);
    Elem El;
    El.Name = nameOf(C).str();
    El.Value = uint64_t(S);
    if (!Unsigned && S < 0)
      AnyNegative = true;
    if (!Is64 && Size > 4) // no enum64: the low 32 bits, as pahole
      El.Value = uint32_t(S);
    E.Elems.push_back(std::move(El));
  }
  if (E.Elems.size() > MaxVlen) {
    warn(D, "enum '" + nameOf(D) + "' has too many values for BTF; kept " +
                Twine(MaxVlen));
    E.Elems.resize(MaxVlen);
  }
  // As the plugin: a 4-byte ENUM is signed when a value is negative
  // (libbpf's btf__add_enum_value()), an ENUM64 when its underlying type is.
  if (Is64)
    E.KindFlag = BaseSigned.value_or(false);
  else
    E.KindFlag = Size <= 4 && AnyNegative;
  entry(Id) = std::move(E);
}

void UnitEncoder::describeArray(DWARFDie D, uint32_t Id) {
  uint32_t ElemId = typeOf(D);
  // One ARRAY of all elements for any number of dimensions, as pahole and
  // the plugin write it; a dimension without a constant count (flexible
  // array member, VLA) has none.
  uint64_t Total = 1;
  for (DWARFDie C : D.children()) {
    if (C.getTag() != dwarf::DW_TAG_subrange_type)
      continue;
    auto Signed =
        [](std::optional<DWARFFormValue> V) -> std::optional<int64_t> {
      if (!V)
        return std::nullopt;
      if (V->getForm() == dwarf::DW_FORM_sdata)
        return V->getAsSignedConstant();
      if (auto U = V->getAsUnsignedConstant())
        return int64_t(*U);
      return std::nullopt; // a reference or an expression: variable
    };
    int64_t Count = 0;
    if (auto CountAttr = C.find(dwarf::DW_AT_count)) {
      Count = Signed(CountAttr).value_or(0);
    } else if (auto Up = Signed(C.find(dwarf::DW_AT_upper_bound))) {
      int64_t Lo = Signed(C.find(dwarf::DW_AT_lower_bound)).value_or(0);
      Count = *Up - Lo + 1;
    }
    uint32_t N = Count > 0 ? uint32_t(std::min<int64_t>(Count, UINT32_MAX)) : 0;
    Total = uint32_t(Total * N); // pahole multiplies in uint32_t
  }
  Entry E;
  E.K = Kind::Array;
  E.X = ElemId;
  E.Y = indexType();
  E.Z = uint32_t(Total);
  // Over a GCC-built base, the array carries its element's qualifiers too,
  // as in GCC's DWARF (the plugin's convertArray() does the same).
  SmallVector<Kind, 2> Hoisted;
  if (Opts.QualifiedArrays && ClangProducer)
    for (DWARFDie Q = D.getAttributeValueAsReferencedDie(dwarf::DW_AT_type); Q;
         Q = Q.getAttributeValueAsReferencedDie(dwarf::DW_AT_type)) {
      std::optional<Kind> K = qualifierKind(Q.getTag());
      if (!K)
        break;
      Hoisted.push_back(*K);
    }
  describeQualifiedArray(Entries, Id, std::move(E), Hoisted);
}

void UnitEncoder::describeProto(DWARFDie D, uint32_t Id, bool WithNames) {
  uint32_t Ret = typeOf(D);
  std::vector<Elem> Params;
  for (DWARFDie C : D.children()) {
    if (C.getTag() == dwarf::DW_TAG_formal_parameter) {
      Elem P;
      if (WithNames)
        P.Name = nameOf(C).str();
      P.A = typeId(C.getAttributeValueAsReferencedDie(dwarf::DW_AT_type));
      Params.push_back(std::move(P));
    } else if (C.getTag() == dwarf::DW_TAG_unspecified_parameters) {
      Params.push_back(Elem()); // "...": a last nameless void parameter
    }
  }
  if (Params.size() > MaxVlen) {
    warn(D, "prototype with " + Twine(Params.size()) +
                " parameters, more than BTF can hold; truncated");
    Params.resize(MaxVlen);
  }
  Entry &E = entry(Id);
  E.K = Kind::FuncProto;
  E.Word = Ret;
  E.Elems = std::move(Params);
}

//===----------------------------------------------------------------------===//
// Functions and variables
//===----------------------------------------------------------------------===//

/// The DIE that describes \p D's source declaration: a concrete
/// out-of-line instance refers to its abstract instance, a C++ definition
/// to its declaration.
static DWARFDie origin(DWARFDie D) {
  for (unsigned Depth = 0; Depth < 8; ++Depth) {
    DWARFDie O =
        D.getAttributeValueAsReferencedDie(dwarf::DW_AT_abstract_origin);
    if (!O)
      O = D.getAttributeValueAsReferencedDie(dwarf::DW_AT_specification);
    if (!O)
      break;
    D = O;
  }
  return D;
}

void UnitEncoder::encodeFunction(DWARFDie D) {
  if (dwarf::toUnsigned(D.find(dwarf::DW_AT_declaration), 0))
    return;
  // Code of its own in this object (an out-of-line instance), as the
  // plugin requires a symbol in the translation unit: a function inlined
  // everywhere has only an abstract instance, and another object's symbol
  // of the same name is not its.
  if (!D.find(dwarf::DW_AT_low_pc) && !D.find(dwarf::DW_AT_ranges))
    return;
  DWARFDie Src = origin(D);
  StringRef Name = nameOf(Src);
  if (Name.empty())
    return;
  // Every parameter named (pahole's has_arg_names), read where the source
  // prototype is.
  for (DWARFDie C : Src.children())
    if (C.getTag() == dwarf::DW_TAG_formal_parameter && nameOf(C).empty())
      return;
  if (Syms.Functions.empty()) {
    if (!dwarf::toUnsigned(Src.findRecursively(dwarf::DW_AT_external), 0))
      return;
  } else if (!Syms.Functions.count(Name)) {
    return;
  }
  if (!FuncsDone.insert(Name).second)
    return;
  // Each FUNC has its own FUNC_PROTO with the parameter names.
  uint32_t Proto = add(Entry());
  describeProto(Src, Proto, /*WithNames=*/true);
  Entry E;
  E.K = Kind::Func;
  E.Name = Name.str();
  E.Word = Proto;
  E.X = FuncStatic; // pahole marks every FUNC static
  uint32_t Id = add(std::move(E));
  ++NumFuncs;
  declTags(Src, Id, -1);
  int32_t Index = 0;
  for (DWARFDie C : Src.children())
    if (C.getTag() == dwarf::DW_TAG_formal_parameter)
      declTags(C, Id, Index++);
}

/// The address of a variable whose location is a plain address
/// (DW_OP_addr, or DWARF 5's DW_OP_addrx into .debug_addr), which is what
/// makes it a global for pahole. Relocations are applied to .debug_addr;
/// an in-expression DW_OP_addr (DWARF 4) reads as written, so the caller
/// checks the name too.
std::optional<uint64_t> UnitEncoder::variableAddress(DWARFDie D) {
  auto Loc = D.find(dwarf::DW_AT_location);
  if (!Loc)
    return std::nullopt;
  auto Block = Loc->getAsBlock();
  if (!Block || Block->empty())
    return std::nullopt;
  const uint8_t *P = Block->data(), *End = P + Block->size();
  uint8_t Op = *P++;
  if (Op == dwarf::DW_OP_addr) {
    unsigned Size = U.getAddressByteSize();
    if (size_t(End - P) < Size)
      return std::nullopt;
    uint64_t V = 0;
    bool LE = U.getContext().isLittleEndian();
    for (unsigned I = 0; I < Size; ++I)
      V |= uint64_t(P[LE ? I : Size - 1 - I]) << (8 * I);
    return V;
  }
  if (Op == dwarf::DW_OP_addrx || Op == dwarf::DW_OP_GNU_addr_index) {
    unsigned N = 0;
    const char *Err = nullptr;
    uint64_t Index = decodeULEB128(P, &N, End, &Err);
    if (Err)
      return std::nullopt;
    if (auto A = U.getAddrOffsetSectionItem(uint32_t(Index)))
      return A->Address;
    return std::nullopt;
  }
  return std::nullopt;
}

void UnitEncoder::encodeVariable(DWARFDie D) {
  if (!has(FeatVar))
    return;
  DWARFDie Spec =
      D.getAttributeValueAsReferencedDie(dwarf::DW_AT_specification);
  if (dwarf::toUnsigned(D.find(dwarf::DW_AT_declaration), 0) && !Spec)
    return;
  std::optional<uint64_t> Addr = variableAddress(D);
  if (!Addr)
    return; // not a global
  StringRef Name = nameOf(D);
  auto It = Syms.PerCPU.find(Name);
  if (Name.empty() || It == Syms.PerCPU.end())
    return;
  // The symbol of this name at this address; a DW_OP_addr in a relocatable
  // file reads as written (0 or an addend), so then the name decides.
  const std::pair<uint64_t, uint64_t> *Sym = nullptr;
  for (const auto &S : It->second)
    if (S.first == *Addr)
      Sym = &S;
  if (!Sym && It->second.size() == 1)
    Sym = &It->second.front();
  if (!Sym)
    return;
  DWARFDie Decl = Spec ? Spec : D;
  uint32_t Type = typeOf(Decl);
  if (!Type) {
    warn(D, "per-CPU variable '" + Name + "' has type void; left out");
    return;
  }
  Entry E;
  E.K = Kind::Var;
  E.Name = Name.str();
  E.Word = Type;
  E.X = dwarf::toUnsigned(Decl.find(dwarf::DW_AT_external), 0)
            ? VarGlobalAllocated
            : VarStatic;
  uint32_t Id = add(std::move(E));
  declTags(D, Id, -1);
  Vars.push_back({Id, Sym->first, Sym->second});
}

//===----------------------------------------------------------------------===//
// Driver
//===----------------------------------------------------------------------===//

static bool isHelperBaseType(DWARFDie D) {
  // clang's DWARF-only base types: the index type of array bounds, and the
  // types of DW_OP_convert; no type of the program refers to them, and the
  // plugin, which reads IR metadata, never sees them (docs/Plugin.md).
  StringRef Name = nameOf(D);
  return Name == "__ARRAY_SIZE_TYPE__" || Name.starts_with("DW_ATE_");
}

Expected<DwarfUnitBTF> UnitEncoder::run() {
  DwarfUnitBTF R;
  DWARFDie CU = U.getUnitDIE(/*ExtractUnitDIEOnly=*/false);
  R.Name = CU ? dwarf::toString(CU.find(dwarf::DW_AT_name), "") : "";
  R.Offset = U.getOffset();
  R.Label = Label;
  // Only clang's DWARF leaves arrays of qualified elements unqualified; a
  // GCC unit already has the base's form.
  ClangProducer =
      CU && StringRef(dwarf::toString(CU.find(dwarf::DW_AT_producer), ""))
                .contains("clang");
  // Split DWARF: the types are in a .dwo file the link step does not read
  // (nor does pahole).
  if (CU.getTag() == dwarf::DW_TAG_skeleton_unit ||
      CU.find({dwarf::DW_AT_dwo_name, dwarf::DW_AT_GNU_dwo_name}))
    warn(CU, Twine("split DWARF (the unit's types are in ") +
                 dwarf::toString(CU.find({dwarf::DW_AT_dwo_name,
                                          dwarf::DW_AT_GNU_dwo_name}),
                                 "a .dwo file") +
                 "): not encoded");

  // Every type of the unit, in DIE order (the order pahole meets them).
  for (const DWARFDebugInfoEntry &Entry : U.dies()) {
    DWARFDie D(&U, &Entry);
    dwarf::Tag T = D.getTag();
    if (!isTypeTag(T))
      continue;
    if (T == dwarf::DW_TAG_base_type && isHelperBaseType(D))
      continue;
    typeId(D);
  }
  drain();
  for (DWARFDie C : CU.children()) {
    if (C.getTag() == dwarf::DW_TAG_subprogram)
      encodeFunction(C);
    else if (C.getTag() == dwarf::DW_TAG_variable)
      encodeVariable(C);
    drain();
  }
  if (!Vars.empty()) {
    llvm::stable_sort(Vars, [](const PerCPUVar &A, const PerCPUVar &B) {
      return A.Offset < B.Offset;
    });
    Entry E;
    E.K = Kind::Datasec;
    E.Name = ".data..percpu";
    E.Word = uint32_t(Vars.back().Offset + Vars.back().Size);
    for (const PerCPUVar &V : Vars) {
      Elem El;
      El.A = V.Var;
      El.B = uint32_t(V.Offset);
      El.C = uint32_t(V.Size);
      E.Elems.push_back(std::move(El));
    }
    if (E.Elems.size() > MaxVlen)
      E.Elems.resize(MaxVlen);
    add(std::move(E));
  }

  Builder B;
  if (Error E = addEncodedTypes(B, Entries, Label))
    return E;
  auto Built = B.build(Label);
  if (!Built)
    return Built.takeError();
  R.Types = std::move(*Built);
  R.NumFuncs = NumFuncs;
  R.NumVars = unsigned(Vars.size());
  return R;
}

Expected<DwarfUnitBTF> link::encodeDwarfUnit(
    DWARFUnit &U, std::string Label, const DwarfEncodeOptions &Opts,
    std::optional<IntNameMap> &IntNames, const DwarfSymbols &Syms,
    std::vector<std::string> &Warnings) {
  return UnitEncoder(U, std::move(Label), Opts, IntNames, Syms, Warnings).run();
}
