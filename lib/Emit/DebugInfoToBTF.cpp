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
// This file only walks: it reads what the metadata says of each type and
// hands it to the encoding policy (btfkit/EncodePolicy.h), which holds the
// rules of every kind for this walker and the link step's DWARF walker
// alike. What stays here is what only IR can tell: which functions and
// variables will get symbols, and where codegen will place variables.
//
// Types get their id when first reached and are filled in afterwards, so
// recursion through pointers, members and prototypes needs no fix-ups; the
// records are handed to a Builder in id order at the end.
//
//===----------------------------------------------------------------------===//

#include "btfkit/Builder.h"
#include "btfkit/Emit.h"
#include "btfkit/EncodePolicy.h"
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

#include <optional>

using namespace btfkit;
using namespace llvm;

namespace {

/// Walks the module's debug info and hands each type's facts to the
/// encoding policy (EncodePolicy.h), which builds the records.
class Converter {
public:
  Converter(const Module &M, const EncodeOptions &Opts)
      : M(M), DL(M.getDataLayout()), IntNames(intNames(Opts)),
        Enc(Opts, IntNames ? &*IntNames : nullptr) {}

  Expected<EmitResult> run();

private:
  bool has(unsigned F) const { return Enc.has(F); }
  void warn(const Twine &Msg) { Warnings.push_back(Msg.str()); }
  /// The policy's warnings (a lambda, so that the EncodeWarning made of it
  /// lives as long as the call it is passed to).
  auto warner() {
    return [this](const Twine &Msg) { warn(Msg); };
  }

  uint32_t typeId(const DIType *T);
  uint32_t convertDerived(const DIDerivedType *T);
  uint32_t convertComposite(const DICompositeType *T);
  uint32_t convertStruct(const DICompositeType *T);
  uint32_t convertEnum(const DICompositeType *T);
  uint32_t convertArray(const DICompositeType *T);
  uint32_t convertProto(const DISubroutineType *T,
                        ArrayRef<const DILocalVariable *> Args);

  void convertFunctions();
  bool signatureChanged(const Function &F, const DISubroutineType *Ty);
  void collectKfuncs();
  void convertVariables();

  static std::optional<IntNameMap> intNames(const EncodeOptions &Opts) {
    if (!Opts.NamingBase)
      return std::nullopt;
    return IntNameMap(*Opts.NamingBase, Opts.NamingBaseInts);
  }

  const Module &M;
  const DataLayout &DL;
  std::optional<IntNameMap> IntNames;
  TypeEncoder Enc;
  DenseMap<const DIType *, uint32_t> TypeIds;
  std::vector<std::string> Warnings;
  StringSet<> Kfuncs;
};

} // namespace

/// The values of \p Annotations' \p Key entries ("btf_decl_tag",
/// "btf_type_tag"), in order.
static TagValues annotations(DINodeArray Annotations, StringRef Key) {
  TagValues Values;
  if (!Annotations)
    return Values;
  for (const Metadata *A : Annotations->operands()) {
    auto *Pair = dyn_cast<MDNode>(A);
    if (!Pair || Pair->getNumOperands() != 2)
      continue;
    auto *K = dyn_cast<MDString>(Pair->getOperand(0));
    auto *V = dyn_cast<MDString>(Pair->getOperand(1));
    if (K && V && K->getString() == Key)
      Values.push_back(V->getString());
  }
  return Values;
}

static TagValues declTags(DINodeArray Annotations) {
  return annotations(Annotations, "btf_decl_tag");
}

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
    Id =
        Enc.encodeBaseType(B->getName(), uint32_t((B->getSizeInBits() + 7) / 8),
                           B->getEncoding(), warner());
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
    uint32_t Id = Enc.reserve();
    TypeIds[T] = Id;
    uint32_t Target = typeId(T->getBaseType());
    Enc.encodePointer(Id, Target,
                      annotations(T->getAnnotations(), "btf_type_tag"));
    return Id;
  }
  case dwarf::DW_TAG_typedef:
  case dwarf::DW_TAG_const_type:
  case dwarf::DW_TAG_immutable_type:
  case dwarf::DW_TAG_volatile_type:
  case dwarf::DW_TAG_restrict_type: {
    uint32_t Id = Enc.reserve();
    TypeIds[T] = Id;
    uint32_t Target = typeId(T->getBaseType());
    if (Tag == dwarf::DW_TAG_typedef)
      Enc.encodeTypedef(Id, T->getName(), Target,
                        declTags(T->getAnnotations()));
    else
      Enc.encodeQualifier(Id, Tag, Target);
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
  uint32_t Id = Enc.reserve();
  TypeIds[T] = Id;
  // Data members only (C++ adds methods, static members and bases, which
  // pahole's type__for_each_data_member skips as well).
  SmallVector<const DIDerivedType *, 16> Members;
  if (!T->isForwardDecl())
    for (const DINode *N : T->getElements())
      if (auto *D = dyn_cast<DIDerivedType>(N))
        if (D->getTag() == dwarf::DW_TAG_member && !D->isStaticMember())
          Members.push_back(D);
  CompositeFacts F;
  F.Name = T->getName();
  F.IsUnion = T->getTag() == dwarf::DW_TAG_union_type;
  F.Declaration = T->isForwardDecl();
  F.ByteSize = uint32_t(T->getSizeInBits() / 8);
  F.NumMembers = Members.size();
  F.DeclTags = declTags(T->getAnnotations());
  // Offsets are bit offsets from the start of the struct, as BTF has them.
  Enc.encodeComposite(
      Id, F,
      [&](size_t I) {
        const DIDerivedType *D = Members[I];
        MemberFacts MF;
        MF.Name = D->getName();
        MF.Type = typeId(D->getBaseType());
        MF.BitOffset = D->getOffsetInBits();
        if (D->isBitField())
          MF.BitfieldSize = uint32_t(D->getSizeInBits());
        MF.DeclTags = declTags(D->getAnnotations());
        return MF;
      },
      warner());
  return Id;
}

uint32_t Converter::convertEnum(const DICompositeType *T) {
  EnumFacts F;
  F.Name = T->getName();
  F.ByteSize = uint32_t(T->getSizeInBits() / 8);
  bool BaseSigned = false;
  if (auto *B = dyn_cast_or_null<DIBasicType>(T->getBaseType()))
    BaseSigned = B->getEncoding() == dwarf::DW_ATE_signed ||
                 B->getEncoding() == dwarf::DW_ATE_signed_char;
  F.BaseSigned = BaseSigned;
  for (const DINode *N : T->getElements()) {
    auto *En = dyn_cast<DIEnumerator>(N);
    if (!En)
      continue;
    const APInt &V = En->getValue();
    EnumeratorFacts EF;
    EF.Name = En->getName();
    EF.Unsigned = En->isUnsigned();
    EF.Value = EF.Unsigned ? V.getZExtValue() : uint64_t(V.getSExtValue());
    F.Values.push_back(EF);
  }
  uint32_t Id = Enc.reserve();
  Enc.encodeEnum(Id, F, warner());
  return Id;
}

uint32_t Converter::convertArray(const DICompositeType *T) {
  uint32_t Id = Enc.reserve();
  TypeIds[T] = Id;
  ArrayFacts F;
  // Bounded: nothing in the metadata's form forbids a cycle.
  for (const DIType *Q = T->getBaseType(); F.ElemQualifiers.size() < 64;) {
    auto *D = dyn_cast_or_null<DIDerivedType>(Q);
    std::optional<Kind> K = D ? qualifierKind(D->getTag()) : std::nullopt;
    if (!K)
      break;
    F.ElemQualifiers.push_back(*K);
    Q = D->getBaseType();
  }
  F.ElemType = typeId(T->getBaseType());
  for (const DINode *N : T->getElements()) {
    auto *SR = dyn_cast<DISubrange>(N);
    if (!SR)
      continue;
    // A flexible array member has count -1 (or none); a VLA a variable:
    // both have no element count.
    int64_t Count = 0;
    if (auto *CI = dyn_cast_if_present<ConstantInt *>(SR->getCount())) {
      Count = CI->getSExtValue();
    } else if (!SR->getCount()) {
      auto *Up = dyn_cast_if_present<ConstantInt *>(SR->getUpperBound());
      auto *Lo = dyn_cast_if_present<ConstantInt *>(SR->getLowerBound());
      if (Up)
        Count = Up->getSExtValue() - (Lo ? Lo->getSExtValue() : 0) + 1;
    }
    F.Counts.push_back(Count);
  }
  Enc.encodeArray(Id, F);
  return Id;
}

uint32_t Converter::convertProto(const DISubroutineType *T,
                                 ArrayRef<const DILocalVariable *> Args) {
  // Not cached here when called for a FUNC: each FUNC gets its own
  // FUNC_PROTO with parameter names, as pahole does.
  uint32_t Id = Enc.reserve();
  if (Args.empty())
    TypeIds[T] = Id;
  DITypeRefArray Types = T->getTypeArray();
  uint32_t Ret = Types.size() ? typeId(Types[0]) : 0;
  SmallVector<ParamFacts, 8> Params;
  for (unsigned I = 1; I < Types.size(); ++I) {
    ParamFacts P;
    const DIType *PT = Types[I];
    if (!PT && I + 1 == Types.size()) { // the trailing null of "..."
      P.Unspecified = true;
      Params.push_back(P);
      break;
    }
    const DILocalVariable *V = I - 1 < Args.size() ? Args[I - 1] : nullptr;
    if (V) {
      P.Name = V->getName();
      // The parameter's declared type, as DWARF's formal_parameter has it.
      PT = V->getType();
    }
    P.Type = typeId(PT);
    Params.push_back(P);
  }
  Enc.encodeProto(Id, Ret, Params, warner());
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
    if (!Enc.claimFunc(SP->getName()))
      continue;
    FuncFacts FF;
    FF.Name = SP->getName();
    FF.Proto = convertProto(Ty, Args);
    FF.DeclTags = declTags(SP->getAnnotations());
    for (const DILocalVariable *A : Args)
      FF.ParamDeclTags.push_back(A ? declTags(A->getAnnotations())
                                   : TagValues());
    FF.InKfuncSet = Kfuncs.count(SP->getName());
    Enc.encodeFunc(FF);
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
  struct Section {
    uint64_t End = 0;
    std::vector<SectionVar> Vars;
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
    VarFacts VF;
    VF.Name = DV->getName();
    VF.Type = typeId(DV->getType());
    VF.External = !GV.hasLocalLinkage();
    VF.DeclTags = declTags(DV->getAnnotations());
    uint32_t Id = Enc.encodeVar(VF);
    S.Vars.push_back({Id, Offset, Size});
  }
  for (auto &[Name, S] : Sections)
    Enc.encodeDatasec(Name, std::move(S.Vars), warner());
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
  if (Error E = Enc.build(B, R.Source))
    return E;
  R.Blob = B.serialize();
  R.NumTypes = unsigned(Enc.types().size());
  R.NumFuncs = Enc.numFuncs();
  R.NumVars = Enc.numVars();
  R.Warnings = std::move(Warnings);
  return R;
}

Expected<EmitResult> btfkit::convertDebugInfo(const Module &M,
                                              const EncodeOptions &Opts) {
  return Converter(M, Opts).run();
}
