//===- DebugInfoToBTF.cpp - Debug-info metadata to BTF --------------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The converter mirrors what pahole 1.24 (btf_encoder.c) makes of the DWARF
// that clang writes for the same module, with the differences listed in
// docs/Plugin.md (the helper base types DWARF needs for DW_OP_convert and
// array bounds are not types of the program and are left out).
// Multi-dimensional arrays are flattened as pahole does, so that structs
// holding them deduplicate against pahole-made bases.
//
// Types get their id when first reached and are filled in afterwards, so
// recursion through pointers, members and prototypes needs no fix-ups; the
// records are handed to a Builder in id order at the end.
//
//===----------------------------------------------------------------------===//

#include "btfkit/Builder.h"
#include "btfkit/Emit.h"
#include "btfkit/Error.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/BinaryFormat/Dwarf.h"
#include "llvm/IR/DataLayout.h"
#include "llvm/IR/DebugInfo.h"
#include "llvm/IR/DebugInfoMetadata.h"
#include "llvm/IR/DebugProgramInstruction.h"
#include "llvm/IR/Function.h"
#include "llvm/IR/GlobalAlias.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/Module.h"

#include <deque>
#include <optional>

using namespace btfkit;
using namespace llvm;

namespace {

// Types are described first (ids reserved as the walk meets them), built
// at the end (Encode.h).
using Elem = EncodedElem;
using Entry = EncodedType;

constexpr uint32_t BTFIntSigned = IntSigned;
constexpr uint32_t BTFIntBool = IntBool;

class Converter {
public:
  Converter(const Module &M, const EmitOptions &Opts)
      : M(M), Opts(Opts), DL(M.getDataLayout()) {
    if (Opts.NamingBase)
      IntNames.emplace(*Opts.NamingBase, Opts.NamingBaseInts);
  }

  Expected<EmitResult> run();

private:
  bool has(unsigned F) const { return Opts.Features & F; }
  void warn(const Twine &Msg) { Warnings.push_back(Msg.str()); }
  StringRef keep(std::string S) {
    Owned.push_back(std::move(S));
    return Owned.back();
  }

  uint32_t reserve() {
    Entries.emplace_back();
    return uint32_t(Entries.size());
  }
  uint32_t add(Entry E) {
    Entries.push_back(std::move(E));
    return uint32_t(Entries.size());
  }
  Entry &entry(uint32_t Id) { return Entries[Id - 1]; }

  uint32_t typeId(const DIType *T);
  uint32_t convertBasic(const DIBasicType *T);
  uint32_t intType(StringRef Name, uint32_t Size, uint32_t Encoding);
  uint32_t convertDerived(const DIDerivedType *T);
  uint32_t convertComposite(const DICompositeType *T);
  uint32_t convertStruct(const DICompositeType *T);
  uint32_t convertEnum(const DICompositeType *T);
  uint32_t convertArray(const DICompositeType *T);
  uint32_t convertProto(const DISubroutineType *T,
                        ArrayRef<const DILocalVariable *> Args);
  uint32_t indexType();
  void declTags(DINodeArray Annotations, uint32_t Target, int32_t Component);

  void convertFunctions();
  bool signatureChanged(const Function &F, const DISubroutineType *Ty);
  void collectKfuncs();
  void convertVariables();

  const Module &M;
  const EmitOptions &Opts;
  const DataLayout &DL;
  std::optional<IntNameMap> IntNames;
  std::vector<Entry> Entries; // type id = index + 1
  DenseMap<const DIType *, uint32_t> TypeIds;
  EncodedInts Ints;
  uint32_t IndexTypeId = 0;
  std::deque<std::string> Owned;
  std::vector<std::string> Warnings;
  StringSet<> Kfuncs;
  unsigned NumFuncs = 0, NumVars = 0;
};

} // namespace

//===----------------------------------------------------------------------===//
// Types
//===----------------------------------------------------------------------===//

uint32_t Converter::typeId(const DIType *T) {
  if (!T)
    return 0;
  auto It = TypeIds.find(T);
  if (It != TypeIds.end())
    return It->second;
  uint32_t Id = 0;
  if (auto *B = dyn_cast<DIBasicType>(T))
    Id = convertBasic(B);
  else if (auto *D = dyn_cast<DIDerivedType>(T))
    Id = convertDerived(D);
  else if (auto *C = dyn_cast<DICompositeType>(T))
    Id = convertComposite(C);
  else if (auto *S = dyn_cast<DISubroutineType>(T))
    Id = convertProto(S, {});
  else
    warn("debug-info type '" + T->getName() + "' (" +
         dwarf::TagString(T->getTag()) + ") has no BTF form; used as void");
  TypeIds[T] = Id;
  return Id;
}

uint32_t Converter::intType(StringRef Name, uint32_t Size, uint32_t Encoding) {
  return Ints.get(Entries, IntNames ? &*IntNames : nullptr, Name, Size,
                  Encoding);
}

uint32_t Converter::convertBasic(const DIBasicType *T) {
  uint32_t Size = uint32_t((T->getSizeInBits() + 7) / 8);
  StringRef Name = T->getName();
  BaseTypeForm F = baseTypeForm(T->getEncoding());
  if (F.How == BaseTypeForm::Float && has(FeatFloat)) {
    Entry E;
    E.K = Kind::Float;
    E.Name = Name;
    E.Word = Size;
    return add(std::move(E));
  }
  // Complex and decimal floats: BTF has no kind for them. An INT of the
  // same size keeps the layouts of the structs that hold one. (Floats
  // without the float feature: an INT without encoding, as pahole without
  // --btf_gen_floats.)
  if (F.How == BaseTypeForm::Unsupported)
    warn("base type '" + Name + "' (" +
         dwarf::AttributeEncodingString(T->getEncoding()) +
         ") has no BTF kind; encoded as an INT of its size");
  return intType(Name, Size, F.IntEncoding);
}

void Converter::declTags(DINodeArray Annotations, uint32_t Target,
                         int32_t Component) {
  if (!has(FeatDeclTag) || !Annotations)
    return;
  for (const Metadata *A : Annotations->operands()) {
    auto *Pair = dyn_cast<MDNode>(A);
    if (!Pair || Pair->getNumOperands() != 2)
      continue;
    auto *Key = dyn_cast<MDString>(Pair->getOperand(0));
    auto *Value = dyn_cast<MDString>(Pair->getOperand(1));
    if (!Key || !Value || Key->getString() != "btf_decl_tag")
      continue;
    Entry E;
    E.K = Kind::DeclTag;
    E.Name = Value->getString();
    E.Word = Target;
    E.Component = Component;
    add(std::move(E));
  }
}

uint32_t Converter::convertDerived(const DIDerivedType *T) {
  unsigned Tag = T->getTag();
  switch (Tag) {
  case dwarf::DW_TAG_atomic_type:
  case dwarf::DW_TAG_LLVM_ptrauth_type:
    // BTF has no _Atomic; the BPF backend drops it too.
    return typeId(T->getBaseType());
  case dwarf::DW_TAG_pointer_type:
  case dwarf::DW_TAG_reference_type:
  case dwarf::DW_TAG_rvalue_reference_type: {
    uint32_t Id = reserve();
    TypeIds[T] = Id;
    uint32_t Target = typeId(T->getBaseType());
    // clang 19 hangs the btf_type_tag attributes of the pointee on the
    // pointer: for "int __a __b *p" the tags are [__a, __b] and the BTF
    // chain is PTR -> __b -> __a -> int (what the BPF backend and pahole
    // make of it).
    if (DINodeArray Annots = T->getAnnotations()) {
      for (const Metadata *A : Annots->operands()) {
        auto *Pair = dyn_cast<MDNode>(A);
        if (!Pair || Pair->getNumOperands() != 2)
          continue;
        auto *Key = dyn_cast<MDString>(Pair->getOperand(0));
        auto *Value = dyn_cast<MDString>(Pair->getOperand(1));
        if (!Key || !Value || Key->getString() != "btf_type_tag" ||
            !has(FeatTypeTag))
          continue;
        Entry E;
        E.K = Kind::TypeTag;
        E.Name = Value->getString();
        E.Word = Target;
        Target = add(std::move(E));
      }
    }
    Entry &E = entry(Id);
    E.K = Kind::Ptr;
    E.Word = Target;
    return Id;
  }
  case dwarf::DW_TAG_typedef:
  case dwarf::DW_TAG_const_type:
  case dwarf::DW_TAG_immutable_type:
  case dwarf::DW_TAG_volatile_type:
  case dwarf::DW_TAG_restrict_type: {
    uint32_t Id = reserve();
    TypeIds[T] = Id;
    uint32_t Target = typeId(T->getBaseType());
    Entry &E = entry(Id);
    E.Word = Target;
    if (Tag == dwarf::DW_TAG_typedef) {
      E.K = Kind::Typedef;
      E.Name = T->getName();
      declTags(T->getAnnotations(), Id, -1);
    } else {
      E.K = Tag == dwarf::DW_TAG_volatile_type   ? Kind::Volatile
            : Tag == dwarf::DW_TAG_restrict_type ? Kind::Restrict
                                                 : Kind::Const;
    }
    return Id;
  }
  default:
    warn("debug-info type '" + T->getName() + "' (" + dwarf::TagString(Tag) +
         ") has no BTF form; used as void");
    return 0;
  }
}

uint32_t Converter::convertComposite(const DICompositeType *T) {
  switch (T->getTag()) {
  case dwarf::DW_TAG_structure_type:
  case dwarf::DW_TAG_union_type:
  case dwarf::DW_TAG_class_type:
    return convertStruct(T);
  case dwarf::DW_TAG_enumeration_type:
    return convertEnum(T);
  case dwarf::DW_TAG_array_type:
    return convertArray(T);
  default:
    warn("debug-info type '" + T->getName() + "' (" +
         dwarf::TagString(T->getTag()) + ") has no BTF form; used as void");
    return 0;
  }
}

uint32_t Converter::convertStruct(const DICompositeType *T) {
  bool IsUnion = T->getTag() == dwarf::DW_TAG_union_type;
  uint32_t Id = reserve();
  TypeIds[T] = Id;
  if (T->isForwardDecl()) {
    Entry &E = entry(Id);
    E.K = Kind::Fwd;
    E.Name = T->getName();
    E.KindFlag = IsUnion;
    return Id;
  }
  // Data members only (C++ adds methods, static members and bases, which
  // pahole's type__for_each_data_member skips as well).
  SmallVector<const DIDerivedType *, 16> Members;
  for (const DINode *N : T->getElements())
    if (auto *D = dyn_cast<DIDerivedType>(N))
      if (D->getTag() == dwarf::DW_TAG_member && !D->isStaticMember())
        Members.push_back(D);
  if (Members.size() > MaxVlen) {
    warn("struct '" + T->getName() + "' has " + Twine(Members.size()) +
         " members, more than BTF can hold; encoded as a forward declaration");
    Entry &E = entry(Id);
    E.K = Kind::Fwd;
    E.Name = T->getName();
    E.KindFlag = IsUnion;
    return Id;
  }
  // Offsets are bit offsets from the start of the struct (the DWARF 5
  // DW_AT_data_bit_offset view, which BTF shares). With any bitfield the
  // kind flag is set and the bitfield size goes into the top byte, as
  // libbpf's btf__add_field() (used by pahole) does.
  bool KindFlag = false;
  std::vector<Elem> Elems;
  for (const DIDerivedType *D : Members) {
    Elem El;
    El.Name = D->getName();
    El.A = typeId(D->getBaseType());
    El.B = uint32_t(D->getOffsetInBits());
    if (D->isBitField()) {
      El.C = uint32_t(D->getSizeInBits());
      KindFlag = true;
    }
    Elems.push_back(El);
  }
  Entry &E = entry(Id);
  E.K = IsUnion ? Kind::Union : Kind::Struct;
  E.Name = T->getName();
  E.Word = uint32_t(T->getSizeInBits() / 8);
  E.KindFlag = KindFlag;
  E.Elems = std::move(Elems);
  declTags(T->getAnnotations(), Id, -1);
  for (size_t I = 0; I < Members.size(); ++I)
    declTags(Members[I]->getAnnotations(), Id, int32_t(I));
  return Id;
}

uint32_t Converter::convertEnum(const DICompositeType *T) {
  uint32_t Size = uint32_t(T->getSizeInBits() / 8);
  if (Size == 0)
    Size = 4; // a forward-declared enum, as pahole
  bool BaseSigned = false;
  if (auto *B = dyn_cast_or_null<DIBasicType>(T->getBaseType()))
    BaseSigned = B->getEncoding() == dwarf::DW_ATE_signed ||
                 B->getEncoding() == dwarf::DW_ATE_signed_char;
  bool Is64 = Size > 4 && has(FeatEnum64);
  Entry E;
  E.K = Is64 ? Kind::Enum64 : Kind::Enum;
  E.Name = T->getName();
  E.Word = Size;
  bool AnyNegative = false;
  for (const DINode *N : T->getElements()) {
    auto *En = dyn_cast<DIEnumerator>(N);
    if (!En)
      continue;
    const APInt &V = En->getValue();
    int64_t S = En->isUnsigned() ? int64_t(V.getZExtValue()) : V.getSExtValue();
    Elem El;
    El.Name = En->getName();
    El.Value = uint64_t(S);
    if (!En->isUnsigned() && S < 0)
      AnyNegative = true;
    if (!Is64 && Size > 4) // no enum64: pahole keeps the low 32 bits
      El.Value = uint32_t(S);
    E.Elems.push_back(El);
  }
  if (E.Elems.size() > MaxVlen) {
    warn("enum '" + T->getName() + "' has too many values for BTF; kept " +
         Twine(MaxVlen));
    E.Elems.resize(MaxVlen);
  }
  // A 4-byte ENUM is signed when a value is negative (libbpf's
  // btf__add_enum_value(), which pahole uses); an ENUM64 when its
  // underlying type is (pahole's is_signed_enum).
  if (Is64)
    E.KindFlag = BaseSigned;
  else
    E.KindFlag = Size <= 4 && AnyNegative;
  uint32_t Id = add(std::move(E));
  return Id;
}

uint32_t Converter::indexType() {
  // pahole 1.24 indexes arrays by the CU's "int", adding one if the CU has
  // none; it is the same INT either way.
  if (!IndexTypeId)
    IndexTypeId = intType("int", 4, BTFIntSigned);
  return IndexTypeId;
}

uint32_t Converter::convertArray(const DICompositeType *T) {
  uint32_t Id = reserve();
  TypeIds[T] = Id;
  // Over a GCC-built base, the array carries its element's qualifiers too:
  // GCC's DWARF says const -> array -> const -> char for "const char
  // name[]" where clang's says array -> const -> char (860 such arrays in
  // Debian's 6.1 vmlinux BTF). Both are the same C type; the base's form
  // lets a struct with such a member deduplicate against it (struct
  // filename's iname, and every struct that reaches it).
  SmallVector<Kind, 2> Hoisted;
  for (const DIType *Q = T->getBaseType(); Opts.QualifiedArrays;) {
    auto *D = dyn_cast_or_null<DIDerivedType>(Q);
    std::optional<Kind> K = D ? qualifierKind(D->getTag()) : std::nullopt;
    if (!K)
      break;
    Hoisted.push_back(*K);
    Q = D->getBaseType();
  }
  uint32_t Elem = typeId(T->getBaseType());
  SmallVector<uint32_t, 4> Counts;
  for (const DINode *N : T->getElements()) {
    auto *SR = dyn_cast<DISubrange>(N);
    if (!SR)
      continue;
    // A flexible array member has count -1 (or none); a VLA a variable:
    // both have no element count in BTF.
    uint32_t Count = 0;
    if (auto *CI = dyn_cast_if_present<ConstantInt *>(SR->getCount())) {
      int64_t C = CI->getSExtValue();
      Count = C > 0 ? uint32_t(std::min<int64_t>(C, UINT32_MAX)) : 0;
    } else if (!SR->getCount()) {
      auto *Up = dyn_cast_if_present<ConstantInt *>(SR->getUpperBound());
      auto *Lo = dyn_cast_if_present<ConstantInt *>(SR->getLowerBound());
      if (Up) {
        int64_t C = Up->getSExtValue() - (Lo ? Lo->getSExtValue() : 0) + 1;
        Count = C > 0 ? uint32_t(C) : 0;
      }
    }
    Counts.push_back(Count);
  }
  // One ARRAY of all the elements, as pahole encodes every kernel's BTF
  // (btf_encoder.c: array_type__nelems multiplies the dimensions, in
  // uint32_t). int a[2][3] is ARRAY(int)[6]. Nesting one ARRAY per
  // dimension would be closer to the C type, but then no struct with such
  // a member would ever deduplicate against a pahole-made base: the base
  // holds the flat form, and the module would carry private copies of
  // those base structs (found on block/kyber-iosched.c: struct
  // kyber_cpu_latency, utils/kernel-modules/).
  uint32_t Total = 1;
  for (uint32_t C : Counts)
    Total *= C;
  Entry E;
  E.K = Kind::Array;
  E.X = Elem;
  E.Y = indexType();
  E.Z = Total;
  describeQualifiedArray(Entries, Id, std::move(E), Hoisted);
  return Id;
}

uint32_t Converter::convertProto(const DISubroutineType *T,
                                 ArrayRef<const DILocalVariable *> Args) {
  // Not cached here when called for a FUNC: each FUNC gets its own
  // FUNC_PROTO with parameter names, as pahole does.
  uint32_t Id = reserve();
  if (Args.empty())
    TypeIds[T] = Id;
  DITypeRefArray Types = T->getTypeArray();
  uint32_t Ret = Types.size() ? typeId(Types[0]) : 0;
  std::vector<Elem> Params;
  for (unsigned I = 1; I < Types.size(); ++I) {
    Elem P;
    const DIType *PT = Types[I];
    if (!PT && I + 1 == Types.size()) { // the trailing null of "..."
      Params.push_back(P);
      break;
    }
    const DILocalVariable *V = I - 1 < Args.size() ? Args[I - 1] : nullptr;
    if (V) {
      P.Name = V->getName();
      // The parameter's declared type, as DWARF's formal_parameter has it.
      PT = V->getType();
    }
    P.A = typeId(PT);
    Params.push_back(P);
  }
  if (Params.size() > MaxVlen)
    Params.resize(MaxVlen);
  Entry &E = entry(Id);
  E.K = Kind::FuncProto;
  E.Word = Ret;
  E.Elems = std::move(Params);
  return Id;
}

//===----------------------------------------------------------------------===//
// Functions
//===----------------------------------------------------------------------===//

static const DIType *stripTypedefsAndQualifiers(const DIType *T) {
  while (auto *D = dyn_cast_or_null<DIDerivedType>(T)) {
    unsigned Tag = D->getTag();
    if (Tag != dwarf::DW_TAG_typedef && Tag != dwarf::DW_TAG_const_type &&
        Tag != dwarf::DW_TAG_volatile_type &&
        Tag != dwarf::DW_TAG_restrict_type && Tag != dwarf::DW_TAG_atomic_type)
      break;
    T = D->getBaseType();
  }
  return T;
}

/// True when the optimizer visibly changed \p F's signature from the one
/// the source declares (dead-argument elimination, argument promotion).
/// Only local functions can change; aggregates passed by value are split or
/// coerced by the ABI, so the argument count is compared only without them.
bool Converter::signatureChanged(const Function &F, const DISubroutineType *T) {
  if (!F.hasLocalLinkage())
    return false;
  DITypeRefArray Types = T->getTypeArray();
  if (!Types.size())
    return false;
  const DIType *Ret = stripTypedefsAndQualifiers(Types[0]);
  if (Ret && F.getReturnType()->isVoidTy() &&
      !isa<DICompositeType>(Ret)) // sret returns are void in IR
    return true;
  SmallVector<const DIType *, 8> Params;
  for (unsigned I = 1; I < Types.size(); ++I) {
    if (!Types[I])
      return false; // varargs
    Params.push_back(stripTypedefsAndQualifiers(Types[I]));
  }
  bool Aggregates = false;
  for (const DIType *P : Params)
    if (isa_and_nonnull<DICompositeType>(P) ||
        (isa_and_nonnull<DIBasicType>(P) &&
         cast<DIBasicType>(P)->getEncoding() == dwarf::DW_ATE_complex_float))
      Aggregates = true;
  if (Aggregates)
    return false;
  if (F.arg_size() != Params.size())
    return true;
  for (unsigned I = 0; I < Params.size(); ++I) {
    auto *D = dyn_cast_or_null<DIDerivedType>(Params[I]);
    if (D && D->getTag() == dwarf::DW_TAG_pointer_type &&
        !F.getArg(I)->getType()->isPointerTy())
      return true;
  }
  return false;
}

/// The names of functions listed in BTF_ID set8s (the kernel's kfunc sets,
/// emitted as module asm labels __BTF_ID__func__<name>__<n> in .BTF_ids).
void Converter::collectKfuncs() {
  StringRef Asm = M.getModuleInlineAsm();
  if (Asm.find("__BTF_ID__set8__") == StringRef::npos)
    return;
  constexpr StringLiteral Prefix = "__BTF_ID__func__";
  for (size_t Pos = Asm.find(Prefix); Pos != StringRef::npos;
       Pos = Asm.find(Prefix, Pos + 1)) {
    StringRef Rest = Asm.substr(Pos + Prefix.size());
    size_t End = Rest.find_first_not_of(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
    StringRef Label = Rest.take_front(End);
    // Strip the "__<counter>" suffix BTF_ID() appends.
    size_t Cut = Label.rfind("__");
    if (Cut != StringRef::npos && Cut > 0)
      Kfuncs.insert(Label.take_front(Cut));
  }
}

/// The parameter variables of \p SP: retained (optimized code keeps them in
/// retainedNodes) or described by debug records in the body (-O0).
static void collectArgs(const Function &F, const DISubprogram *SP,
                        SmallVectorImpl<const DILocalVariable *> &Args) {
  auto Note = [&](const DILocalVariable *V) {
    if (!V || !V->getArg() || V->getScope() != SP)
      return;
    unsigned I = V->getArg() - 1;
    if (Args.size() <= I)
      Args.resize(I + 1, nullptr);
    if (!Args[I])
      Args[I] = V;
  };
  for (const DINode *N : SP->getRetainedNodes())
    Note(dyn_cast<DILocalVariable>(N));
  for (const Instruction &I : instructions(F)) {
    if (auto *DVI = dyn_cast<DbgVariableIntrinsic>(&I))
      Note(DVI->getVariable());
    for (const DbgVariableRecord &DVR : filterDbgVars(I.getDbgRecordRange()))
      Note(DVR.getVariable());
  }
}

void Converter::convertFunctions() {
  if (has(FeatDeclTagKfuncs))
    collectKfuncs();
  // pahole 1.24 encodes a function when its DWARF is a definition, every
  // parameter has a name, and the object's symbol table has a function of
  // that name (the first CU to claim a name wins). At the end of the
  // optimization pipeline, the functions that will get a symbol are the
  // definitions that are not available_externally and that global DCE will
  // not remove. pahole matches by name: a function whose symbol is not
  // its source name gets no FUNC. That happens when GlobalOpt folds an
  // alias into its local aliasee: module_init(foo) makes `init_module` an
  // alias of the static foo, and the object then has a symbol init_module
  // but none named foo.
  auto HasSymbol = [](const GlobalValue &GV) {
    return !GV.isDeclaration() && !GV.hasAvailableExternallyLinkage() &&
           !GV.hasPrivateLinkage();
  };
  StringSet<> Symbols;
  for (const Function &F : M.functions())
    if (HasSymbol(F) && !F.isDefTriviallyDead())
      Symbols.insert(F.getName());
  for (const GlobalAlias &A : M.aliases())
    if (HasSymbol(A) && isa_and_nonnull<Function>(A.getAliaseeObject()))
      Symbols.insert(A.getName());
  StringSet<> Done;
  for (const Function &F : M.functions()) {
    if (!HasSymbol(F) || F.isDefTriviallyDead())
      continue;
    const DISubprogram *SP = F.getSubprogram();
    if (!SP || !SP->isDefinition() || SP->getName().empty() || !SP->getType())
      continue;
    if (!Symbols.count(SP->getName()))
      continue;
    const DISubroutineType *Ty = SP->getType();
    SmallVector<const DILocalVariable *, 8> Args;
    collectArgs(F, SP, Args);
    unsigned NumParams = 0;
    DITypeRefArray Types = Ty->getTypeArray();
    for (unsigned I = 1; I < Types.size(); ++I)
      if (Types[I])
        ++NumParams;
    bool Named = Args.size() >= NumParams;
    for (unsigned I = 0; Named && I < NumParams; ++I)
      Named = Args[I] && !Args[I]->getName().empty();
    if (!Named)
      continue;
    if (!has(FeatOptimizedFunc) && signatureChanged(F, Ty))
      continue;
    if (!Done.insert(SP->getName()).second)
      continue;
    uint32_t Proto = convertProto(Ty, Args);
    Entry E;
    E.K = Kind::Func;
    E.Name = SP->getName();
    E.Word = Proto;
    // pahole (all versions that matter here) marks every FUNC static.
    E.X = FuncStatic;
    uint32_t Id = add(std::move(E));
    ++NumFuncs;
    declTags(SP->getAnnotations(), Id, -1);
    for (unsigned I = 0; I < Args.size(); ++I)
      if (Args[I])
        declTags(Args[I]->getAnnotations(), Id, int32_t(I));
    if (Kfuncs.count(SP->getName()) && has(FeatDeclTag)) {
      Entry T;
      T.K = Kind::DeclTag;
      T.Name = "bpf_kfunc";
      T.Word = Id;
      add(std::move(T));
    }
  }
}

//===----------------------------------------------------------------------===//
// Variables
//===----------------------------------------------------------------------===//

/// The section codegen will put \p GV in, when it names none: an
/// approximation of TargetLoweringObjectFile's choice without -fdata-sections.
static StringRef implicitSection(const GlobalVariable &GV) {
  if (GV.isThreadLocal())
    return GV.getInitializer()->isNullValue() ? ".tbss" : ".tdata";
  if (GV.isConstant())
    return ".rodata";
  if (GV.getInitializer()->isNullValue())
    return ".bss";
  return ".data";
}

void Converter::convertVariables() {
  if (!has(FeatVar) && !has(FeatGlobalVar))
    return;
  struct SecInfo {
    uint32_t Var, Offset, Size;
  };
  struct Section {
    uint64_t End = 0;
    std::vector<SecInfo> Vars;
  };
  MapVector<StringRef, Section> Sections;
  for (const GlobalVariable &GV : M.globals()) {
    if (GV.isDeclaration() || !GV.hasInitializer() ||
        GV.hasAvailableExternallyLinkage())
      continue;
    // Global DCE, which runs after this pass, drops unused local globals.
    if (GV.hasLocalLinkage() && !GV.isConstantUsed())
      continue;
    StringRef Sec = GV.hasSection() ? GV.getSection() : implicitSection(GV);
    bool PerCPU = Sec == ".data..percpu";
    if (!(PerCPU && has(FeatVar)) && !has(FeatGlobalVar))
      continue;
    SmallVector<DIGlobalVariableExpression *, 1> GVEs;
    GV.getDebugInfo(GVEs);
    const DIGlobalVariable *DV = nullptr;
    for (DIGlobalVariableExpression *GVE : GVEs)
      if (GVE->getVariable() && GVE->getVariable()->isDefinition()) {
        DV = GVE->getVariable();
        break;
      }
    // The symbol's size and offset: codegen emits the globals of a section
    // in module order, each at its preferred alignment.
    uint64_t Size = DL.getTypeAllocSize(GV.getValueType());
    Section &S = Sections[Sec];
    uint64_t Offset = alignTo(S.End, DL.getPreferredAlign(&GV));
    S.End = Offset + Size;
    if (!DV || !DV->getType() || DV->getName().empty() || Size == 0)
      continue; // pahole skips zero-sized and nameless variables
    Entry E;
    E.K = Kind::Var;
    E.Name = DV->getName();
    E.Word = typeId(DV->getType());
    E.X = GV.hasLocalLinkage() ? VarStatic : VarGlobalAllocated;
    uint32_t Id = add(std::move(E));
    ++NumVars;
    declTags(DV->getAnnotations(), Id, -1);
    S.Vars.push_back({Id, uint32_t(Offset), uint32_t(Size)});
  }
  for (auto &[Name, S] : Sections) {
    if (S.Vars.empty())
      continue;
    llvm::stable_sort(S.Vars, [](const SecInfo &A, const SecInfo &B) {
      return A.Offset < B.Offset;
    });
    Entry E;
    E.K = Kind::Datasec;
    E.Name = Name;
    // pahole: the section size is where the last variable ends.
    E.Word = S.Vars.back().Offset + S.Vars.back().Size;
    for (const SecInfo &V : S.Vars) {
      Elem El;
      El.A = V.Var;
      El.B = V.Offset;
      El.C = V.Size;
      E.Elems.push_back(El);
    }
    if (E.Elems.size() > MaxVlen) {
      warn("section '" + Name + "' has more variables than BTF can hold");
      E.Elems.resize(MaxVlen);
    }
    add(std::move(E));
  }
}

//===----------------------------------------------------------------------===//
// Driver
//===----------------------------------------------------------------------===//

bool btfkit::hasTypeDebugInfo(const Module &M) {
  // -g gives FullDebug; -gline-tables-only and -gline-directives-only
  // describe no types.
  for (const DICompileUnit *CU : M.debug_compile_units())
    if (CU->getEmissionKind() == DICompileUnit::FullDebug)
      return true;
  return false;
}

Expected<EmitResult> Converter::run() {
  EmitResult R;
  DebugInfoFinder Finder;
  Finder.processModule(M);
  for (const DICompileUnit *CU : Finder.compile_units())
    if (R.Source.empty())
      R.Source = CU->getFilename().str();

  // Every type the compile units describe, in the order they are found
  // (pahole encodes all types of the CU's DWARF). A subprogram's own
  // subroutine type is not a type of the program: the FUNCs below get
  // prototypes with parameter names instead.
  for (const DIType *T : Finder.types()) {
    if (isa<DISubroutineType>(T))
      continue;
    // Members, bases and static members are parts of their struct.
    if (auto *D = dyn_cast<DIDerivedType>(T))
      if (D->getTag() == dwarf::DW_TAG_member ||
          D->getTag() == dwarf::DW_TAG_inheritance ||
          D->getTag() == dwarf::DW_TAG_friend ||
          D->getTag() == dwarf::DW_TAG_variable)
        continue;
    typeId(T);
  }
  // Types of the variables optimized code keeps in retainedNodes, which
  // DWARF describes even when no instruction refers to them.
  for (const DISubprogram *SP : Finder.subprograms())
    for (const DINode *N : SP->getRetainedNodes())
      if (auto *V = dyn_cast<DILocalVariable>(N))
        typeId(V->getType());

  convertFunctions();
  convertVariables();

  Builder B;
  if (Error E = addEncodedTypes(B, Entries, R.Source))
    return E;
  R.Blob = B.serialize();
  R.NumTypes = unsigned(Entries.size());
  R.NumFuncs = NumFuncs;
  R.NumVars = NumVars;
  R.Warnings = std::move(Warnings);
  return R;
}

Expected<EmitResult> btfkit::convertDebugInfo(const Module &M,
                                              const EmitOptions &Opts) {
  return Converter(M, Opts).run();
}
