//===- DwarfToBTF.cpp - DWARF compile units to standalone BTF -------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The DWARF side of what lib/Emit/DebugInfoToBTF.cpp does with IR metadata:
// the facts read from the DIEs clang wrote for the same source, handed to
// the same encoding policy (btfkit/EncodePolicy.h: pahole 1.24's rules,
// with the plugin's documented differences), so that an object built
// without the plugin contributes the types the plugin would have given it:
//
//  - every type DIE of the unit (pahole encodes its whole types table),
//    except clang's helper base types `__ARRAY_SIZE_TYPE__` and
//    `DW_ATE_*`, which no type refers to (the plugin never sees them);
//  - a FUNC for each out-of-line subprogram definition whose parameters
//    are all named and whose name is an STT_FUNC symbol of the linked file
//    (btf_encoder.c: btf_encoder__find_function; without any function
//    symbol, external ones), the first of a name in the module winning, as
//    in pahole (its `generated` flag; DwarfSymbols::claimFunction): of two
//    objects' static functions of one name only the first gets a FUNC.
//    A unit where such a function is inlined everywhere gives it its FUNC
//    if it comes first, as in pahole. The plugin works per translation
//    unit and keeps each unit's own functions with code (its fragments are
//    merged as they are), which only such a module shows;
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
#include "btfkit/EncodePolicy.h"
#include "btfkit/Error.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringExtras.h"
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

/// Walks one unit's DIEs and hands each type's facts to the encoding
/// policy (EncodePolicy.h), which builds the records, as the plugin's
/// converter does with IR metadata.
class UnitEncoder {
public:
  UnitEncoder(DWARFUnit &U, std::string Label, const EncodeOptions &Opts,
              std::optional<IntNameMap> &IntNames, DwarfSymbols &Syms,
              std::vector<std::string> &Warnings)
      : U(U), Label(std::move(Label)), Syms(Syms), Warnings(Warnings),
        Enc(Opts, IntNames ? &*IntNames : nullptr) {}

  Expected<DwarfUnitBTF> run();

private:
  bool has(unsigned F) const { return Enc.has(F); }
  void warn(DWARFDie D, const Twine &Msg) {
    Warnings.push_back(
        (Label + ": DIE 0x" + utohexstr(D.getOffset(), true) + ": " + Msg)
            .str());
  }
  /// The policy's warnings, about \p D.
  auto warner(DWARFDie D) {
    return [this, D](const Twine &Msg) { warn(D, Msg); };
  }

  uint32_t typeId(DWARFDie D);
  uint32_t typeOf(DWARFDie D) {
    return typeId(D.getAttributeValueAsReferencedDie(dwarf::DW_AT_type));
  }
  TagValues tags(DWARFDie D, StringRef Key);
  TagValues declTags(DWARFDie D) {
    return has(FeatDeclTag) ? tags(D, "btf_decl_tag") : TagValues();
  }
  void describe(DWARFDie D, uint32_t Id);
  void describeStruct(DWARFDie D, uint32_t Id);
  void describeEnum(DWARFDie D, uint32_t Id);
  void describeArray(DWARFDie D, uint32_t Id);
  void describeProto(DWARFDie D, uint32_t Id, bool WithNames);
  void drain();

  void encodeFunction(DWARFDie D);
  void encodeVariable(DWARFDie D);
  std::optional<uint64_t> variableAddress(DWARFDie D);

  DWARFUnit &U;
  bool ClangProducer = false;
  std::string Label;
  DwarfSymbols &Syms;
  std::vector<std::string> &Warnings;

  TypeEncoder Enc;
  DenseMap<uint64_t, uint32_t> TypeIds; // DIE offset -> id
  std::deque<std::pair<DWARFDie, uint32_t>> Work;
  std::vector<SectionVar> PerCPUVars;
  /// Abstract instances (DIE offsets) with an out-of-line copy in the unit.
  DenseSet<uint64_t> OutOfLine;
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
    uint32_t Size = uint32_t(unsignedAttr(D, dwarf::DW_AT_byte_size));
    if (!Size)
      Size = uint32_t((unsignedAttr(D, dwarf::DW_AT_bit_size) + 7) / 8);
    Id = Enc.encodeBaseType(nameOf(D), Size,
                            unsigned(unsignedAttr(D, dwarf::DW_AT_encoding)),
                            warner(D));
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
    Id = Enc.reserve();
    Work.emplace_back(D, Id);
  }
  TypeIds[D.getOffset()] = Id;
  return Id;
}

/// The string values of \p D's DW_TAG_LLVM_annotation children named \p Key
/// ("btf_decl_tag", "btf_type_tag"), in order.
TagValues UnitEncoder::tags(DWARFDie D, StringRef Key) {
  TagValues Values;
  for (DWARFDie C : D.children()) {
    if (C.getTag() != dwarf::DW_TAG_LLVM_annotation || nameOf(C) != Key)
      continue;
    if (auto V = dwarf::toString(C.find(dwarf::DW_AT_const_value)))
      Values.push_back(*V);
    else
      warn(C, Key + " annotation without a string value; ignored");
  }
  return Values;
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
  case dwarf::DW_TAG_rvalue_reference_type: {
    // clang 19 hangs the btf_type_tag attributes of the pointee on the
    // pointer, in source order.
    uint32_t Target = typeOf(D);
    Enc.encodePointer(Id, Target,
                      has(FeatTypeTag) ? tags(D, "btf_type_tag") : TagValues());
    return;
  }
  case dwarf::DW_TAG_typedef: {
    uint32_t Target = typeOf(D);
    Enc.encodeTypedef(Id, nameOf(D), Target, declTags(D));
    return;
  }
  case dwarf::DW_TAG_const_type:
  case dwarf::DW_TAG_immutable_type:
  case dwarf::DW_TAG_volatile_type:
  case dwarf::DW_TAG_restrict_type: {
    uint32_t Target = typeOf(D);
    Enc.encodeQualifier(Id, D.getTag(), Target);
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
  CompositeFacts F;
  F.Name = nameOf(D);
  F.IsUnion = D.getTag() == dwarf::DW_TAG_union_type;
  F.Declaration = dwarf::toUnsigned(D.find(dwarf::DW_AT_declaration), 0);
  // Data members only: static members (DWARF 4 marks them external or
  // declarations; DWARF 5 makes them variables), bases and methods are
  // skipped, as pahole's type__for_each_data_member does.
  SmallVector<DWARFDie, 16> Members;
  if (!F.Declaration)
    for (DWARFDie C : D.children())
      if (C.getTag() == dwarf::DW_TAG_member &&
          !dwarf::toUnsigned(C.find(dwarf::DW_AT_external), 0) &&
          !dwarf::toUnsigned(C.find(dwarf::DW_AT_declaration), 0))
        Members.push_back(C);
  F.ByteSize = uint32_t(unsignedAttr(D, dwarf::DW_AT_byte_size));
  F.NumMembers = Members.size();
  bool LE = U.getContext().isLittleEndian();
  auto Member = [&](size_t I) {
    DWARFDie M = Members[I];
    MemberFacts MF;
    MF.Name = nameOf(M);
    MF.Type = typeOf(M);
    std::optional<uint64_t> Off = memberBitOffset(M, LE);
    if (!Off)
      warn(M, "member '" + nameOf(M) + "' of '" + nameOf(D) +
                  "' has a location that is not a constant offset; "
                  "offset 0 used");
    MF.BitOffset = Off.value_or(0);
    if (auto BS = M.find(dwarf::DW_AT_bit_size))
      MF.BitfieldSize = uint32_t(BS->getAsUnsignedConstant().value_or(0));
    MF.DeclTags = declTags(M);
    return MF;
  };
  F.DeclTags = declTags(D);
  Enc.encodeComposite(Id, F, Member, warner(D));
}

void UnitEncoder::describeEnum(DWARFDie D, uint32_t Id) {
  EnumFacts F;
  F.Name = nameOf(D);
  F.ByteSize = uint32_t(unsignedAttr(D, dwarf::DW_AT_byte_size));
  // The underlying type says how the enumerators' constants read (clang
  // writes them with DW_FORM_dataN of the smallest size, signed or not as
  // the underlying type is).
  if (DWARFDie B = D.getAttributeValueAsReferencedDie(dwarf::DW_AT_type)) {
    for (unsigned Depth = 0;
         B && B.getTag() != dwarf::DW_TAG_base_type && Depth < 16; ++Depth)
      B = B.getAttributeValueAsReferencedDie(dwarf::DW_AT_type);
    if (B) {
      unsigned Ate = unsigned(unsignedAttr(B, dwarf::DW_AT_encoding));
      F.BaseSigned =
          Ate == dwarf::DW_ATE_signed || Ate == dwarf::DW_ATE_signed_char;
    }
  }
  for (DWARFDie C : D.children()) {
    if (C.getTag() != dwarf::DW_TAG_enumerator)
      continue;
    auto V = C.find(dwarf::DW_AT_const_value);
    if (!V) {
      warn(C, "enumerator '" + nameOf(C) + "' has no value; 0 used");
      continue;
    }
    EnumeratorFacts EF;
    EF.Name = nameOf(C);
    EF.Unsigned =
        V->getForm() == dwarf::DW_FORM_udata ||
        (V->getForm() != dwarf::DW_FORM_sdata && !F.BaseSigned.value_or(true));
    EF.Value = EF.Unsigned ? V->getAsUnsignedConstant().value_or(0)
                           : uint64_t(V->getAsSignedConstant().value_or(0));
    F.Values.push_back(EF);
  }
  Enc.encodeEnum(Id, F, warner(D));
}

/// A subrange's bound or count as a signed number, when it is a constant
/// (a reference or an expression is a variable bound).
static std::optional<int64_t> signedBound(std::optional<DWARFFormValue> V) {
  if (!V)
    return std::nullopt;
  if (V->getForm() == dwarf::DW_FORM_sdata)
    return V->getAsSignedConstant();
  if (auto U = V->getAsUnsignedConstant())
    return int64_t(*U);
  return std::nullopt;
}

void UnitEncoder::describeArray(DWARFDie D, uint32_t Id) {
  ArrayFacts F;
  F.ElemType = typeOf(D);
  for (DWARFDie C : D.children()) {
    if (C.getTag() != dwarf::DW_TAG_subrange_type)
      continue;
    int64_t Count = 0;
    if (auto CountAttr = C.find(dwarf::DW_AT_count)) {
      Count = signedBound(CountAttr).value_or(0);
    } else if (auto Up = signedBound(C.find(dwarf::DW_AT_upper_bound))) {
      int64_t Lo = signedBound(C.find(dwarf::DW_AT_lower_bound)).value_or(0);
      Count = *Up - Lo + 1;
    }
    F.Counts.push_back(Count);
  }
  // Only clang's DWARF leaves arrays of qualified elements unqualified; a
  // GCC unit already has the qualified form. Bounded: a corrupt chain must
  // not loop.
  F.ClangForm = ClangProducer;
  for (DWARFDie Q = D.getAttributeValueAsReferencedDie(dwarf::DW_AT_type);
       Q && F.ElemQualifiers.size() < 64;
       Q = Q.getAttributeValueAsReferencedDie(dwarf::DW_AT_type)) {
    std::optional<Kind> K = qualifierKind(Q.getTag());
    if (!K)
      break;
    F.ElemQualifiers.push_back(*K);
  }
  Enc.encodeArray(Id, F);
}

void UnitEncoder::describeProto(DWARFDie D, uint32_t Id, bool WithNames) {
  uint32_t Ret = typeOf(D);
  SmallVector<ParamFacts, 8> Params;
  for (DWARFDie C : D.children()) {
    ParamFacts P;
    if (C.getTag() == dwarf::DW_TAG_formal_parameter) {
      if (WithNames)
        P.Name = nameOf(C);
      P.Type = typeOf(C);
    } else if (C.getTag() == dwarf::DW_TAG_unspecified_parameters) {
      P.Unspecified = true;
    } else {
      continue;
    }
    Params.push_back(P);
  }
  Enc.encodeProto(Id, Ret, Params, warner(D));
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
  // A function inlined everywhere in this unit has only an abstract
  // instance. pahole encodes it all the same when the linked file has a
  // function symbol of its name (another object's out-of-line copy of a
  // static function of that name: minix's truncate() in itree_v1.c and
  // itree_v2.c), the first unit of the name winning; without a symbol
  // table it takes external functions only, which have code of their own.
  // An abstract instance whose out-of-line copy is in this unit stands for
  // that copy where it is: pahole meets the function there first (its
  // FUNCs follow the unit's first DIE of each name), and GCC puts the
  // concrete copies of partly inlined functions after all the others.
  if (!D.find(dwarf::DW_AT_low_pc) && !D.find(dwarf::DW_AT_ranges) &&
      !OutOfLine.contains(D.getOffset()) && Syms.Functions.empty())
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
  // Once per module, as pahole (DwarfSymbols::claimFunction).
  if (!Syms.claimFunction(Name))
    return;
  // Each FUNC has its own FUNC_PROTO with the parameter names.
  FuncFacts F;
  F.Name = Name;
  F.Proto = Enc.reserve();
  describeProto(Src, F.Proto, /*WithNames=*/true);
  F.DeclTags = declTags(Src);
  for (DWARFDie C : Src.children())
    if (C.getTag() == dwarf::DW_TAG_formal_parameter)
      F.ParamDeclTags.push_back(declTags(C));
  Enc.encodeFunc(F);
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
  VarFacts F;
  F.Name = Name;
  F.Type = Type;
  F.External = dwarf::toUnsigned(Decl.find(dwarf::DW_AT_external), 0);
  F.DeclTags = declTags(D);
  uint32_t Id = Enc.encodeVar(F);
  PerCPUVars.push_back({Id, Sym->first, Sym->second});
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
  for (DWARFDie C : CU.children())
    if (C.getTag() == dwarf::DW_TAG_subprogram &&
        (C.find(dwarf::DW_AT_low_pc) || C.find(dwarf::DW_AT_ranges)))
      if (DWARFDie O =
              C.getAttributeValueAsReferencedDie(dwarf::DW_AT_abstract_origin))
        OutOfLine.insert(O.getOffset());
  for (DWARFDie C : CU.children()) {
    if (C.getTag() == dwarf::DW_TAG_subprogram)
      encodeFunction(C);
    else if (C.getTag() == dwarf::DW_TAG_variable)
      encodeVariable(C);
    drain();
  }
  Enc.encodeDatasec(".data..percpu", std::move(PerCPUVars), warner(CU));

  Builder B;
  if (Error E = Enc.build(B, Label))
    return E;
  auto Built = B.build(Label);
  if (!Built)
    return Built.takeError();
  R.Types = std::move(*Built);
  R.NumFuncs = Enc.numFuncs();
  R.NumVars = Enc.numVars();
  return R;
}

Expected<DwarfUnitBTF>
link::encodeDwarfUnit(DWARFUnit &U, std::string Label,
                      const EncodeOptions &Opts,
                      std::optional<IntNameMap> &IntNames, DwarfSymbols &Syms,
                      std::vector<std::string> &Warnings) {
  return UnitEncoder(U, std::move(Label), Opts, IntNames, Syms, Warnings).run();
}
