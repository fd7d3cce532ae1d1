//===- CheckResolve.cpp - The kernel's resolve pass -----------------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// btf_check_all_types: every type that refers to others is
// resolved to a sized type with an explicit stack of at most 32 entries;
// struct members, array elements and section entries are checked against
// the sizes found, and function prototypes are checked last. The kernel
// runs this pass only for BTF loaded with BPF_BTF_LOAD, not for vmlinux or
// module BTF, so its issues say what BPF programs could not use rather than
// what makes a module's BTF fail to load. Its rules are the same in every
// release btfkit knows (6.1 to 7.2: the loops took 32-bit counters with
// WideInfo, nothing else changed).
//
// The port keeps the kernel's algorithm, quirks included (the stack depth,
// the resolve modes that decide where a chain may stop, the section entry
// that is not re-checked after its VAR was resolved), because its verdict
// is what must be predicted. Two additions make it total: split BTF is
// resolved over its base, whose resolved ids and sizes are computed on
// demand (the kernel would have them from loading the base), and a type
// that failed is marked so that later types refer to it silently instead of
// reporting a bogus loop.
//
//===----------------------------------------------------------------------===//

#include "Checker.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"

#include <array>

using namespace btfkit;
using namespace btfkit::check;
using namespace llvm;

namespace {

enum VisitState : uint8_t { NotVisited, Visited, Resolved, Failed };

// What may end a chain being resolved (env_type_is_resolve_sink): set by
// the first PTR, STRUCT/UNION or ARRAY pushed.
enum class Mode { TBD, Ptr, StructOrArray };

// Results inside the pass, as the kernel's return codes.
constexpr int Ok = 0;
constexpr int ErrLogged = -22; // -EINVAL, issue recorded
constexpr int ErrDepth = -7;   // -E2BIG, stack full
constexpr int ErrLoop = -17;   // -EEXIST, type already on the stack
constexpr int ErrSilent = -1;  // refers to a type that failed before

struct Vertex {
  uint32_t Id = 0;
  uint32_t NextMember = 0;
};

// A member as check_member sees it: possibly with its type replaced by the
// type a modifier resolves to.
struct MemberRef {
  unsigned Index;
  Member M;
};

bool isStruct(const Type &T) { return T.isComposite(); }

// btf_type_needs_resolve.
bool needsResolve(const Type &T) {
  switch (T.kind()) {
  case Kind::Ptr:
  case Kind::Struct:
  case Kind::Union:
  case Kind::Array:
  case Kind::Var:
  case Kind::Func:
  case Kind::DeclTag:
  case Kind::Datasec:
    return true;
  default:
    return isKernelModifier(T);
  }
}

// btf_type_nosize: void, FWD, FUNC, FUNC_PROTO, DECL_TAG.
bool noSize(const Type &T) {
  return T.isVoid() || T.is(Kind::Fwd) || T.is(Kind::Func) ||
         T.is(Kind::FuncProto) || T.is(Kind::DeclTag);
}

// btf_type_has_size: the size word is a size.
bool hasSize(const Type &T) { return T.facts().Word == KindWord::Size; }

// btf_type_is_resolve_source_only: nothing may refer to these as a type.
bool sourceOnly(const Type &T) {
  return T.is(Kind::Var) || T.is(Kind::DeclTag) || T.is(Kind::Datasec);
}

// btf_type_int_is_regular: a whole u8/u16/u32/u64/u128, no bit offset.
bool intIsRegular(const Type &T) {
  uint32_t Data = T.intData();
  uint8_t Bits = intBits(Data);
  uint8_t Bytes = (Bits >> 3) + !!(Bits & 7);
  if ((Bits & 7) || intOffset(Data))
    return false;
  return Bytes == 1 || Bytes == 2 || Bytes == 4 || Bytes == 8 || Bytes == 16;
}

uint32_t roundUpBytes(uint32_t Bits) { return (Bits >> 3) + !!(Bits & 7); }

class Resolver {
public:
  explicit Resolver(Checker &C)
      : C(C), B(C.B), First(B.firstId()), States(B.numTypes(), NotVisited),
        RIds(B.numTypes(), 0), RSizes(B.numTypes(), 0) {}

  void run();

private:
  Type type(uint32_t Id) const { return B.type(Id); }
  bool own(uint32_t Id) const { return Id >= First; }

  // The resolve state (env_*).
  bool isSink(const Type &T) const;
  bool isResolved(uint32_t Id) const {
    return !own(Id) || States[Id - First] == Resolved;
  }
  int push(uint32_t Id);
  void setNextMember(uint32_t N) { Stack[Top - 1].NextMember = N; }
  void popResolved(uint32_t RId, uint32_t RSize);

  // Resolved ids and sizes (btf_resolved_type_id/_size), own or base.
  uint32_t resolvedId(uint32_t Id);
  uint32_t resolvedSize(uint32_t Id);
  uint32_t baseResolvedId(uint32_t Id);
  uint32_t baseArraySize(uint32_t Id);
  Type idResolve(uint32_t &Id) {
    Id = resolvedId(Id);
    return type(Id);
  }
  // btf_type_id_size: the sized type \p Id stands for, updating \p Id only
  // on success.
  bool typeIdSize(uint32_t &Id, uint32_t *Size, Type *Out = nullptr);

  int resolve(uint32_t Id);
  bool resolveValid(uint32_t Id);
  int dispatch();
  int modifierResolve(const Vertex &V);
  int ptrResolve(const Vertex &V);
  int varResolve(const Vertex &V);
  int arrayResolve(const Vertex &V);
  int structResolve(const Vertex &V);
  int datasecResolve(const Vertex &V);
  int funcResolve(const Vertex &V);
  int declTagResolve(const Vertex &V);
  int funcCheck(uint32_t Id);
  int funcProtoCheck(uint32_t Id);

  // check_member / check_kflag_member of the member's type.
  int checkMember(uint32_t SId, const MemberRef &MR, bool KFlag);
  int genericKflagMember(uint32_t SId, const MemberRef &MR);
  int plainMember(uint32_t SId, const MemberRef &MR);
  int intMember(uint32_t SId, const MemberRef &MR);
  int intKflagMember(uint32_t SId, const MemberRef &MR);
  int enumKflagMember(uint32_t SId, const MemberRef &MR);
  int floatMember(uint32_t SId, const MemberRef &MR);
  int modifierMember(uint32_t SId, const MemberRef &MR, bool KFlag);

  int fail(uint32_t Id, StringRef Rule, const Twine &Where = "",
           int Errno = EInval) {
    C.reportType(ValidationPhase::Resolve, Id, Rule, Where, Errno);
    return ErrLogged;
  }
  int failMember(uint32_t SId, const MemberRef &MR, StringRef Rule);
  int failEntry(uint32_t DId, unsigned I, const VarSecInfo &V, StringRef Rule);

  Checker &C;
  const BTF &B;
  const uint32_t First;
  std::vector<uint8_t> States;
  std::vector<uint32_t> RIds, RSizes;
  DenseMap<uint32_t, uint32_t> BaseIds, BaseSizes;
  std::array<Vertex, MaxResolveDepth> Stack;
  uint32_t Top = 0;
  Mode M = Mode::TBD;
};

} // namespace

bool Resolver::isSink(const Type &T) const {
  switch (M) {
  case Mode::TBD:
    return !needsResolve(T);
  case Mode::Ptr:
    return !isKernelModifier(T) && !T.is(Kind::Ptr);
  case Mode::StructOrArray:
    return !isKernelModifier(T) && !T.is(Kind::Array) && !isStruct(T);
  }
  return true;
}

int Resolver::push(uint32_t Id) {
  if (Top == MaxResolveDepth)
    return ErrDepth;
  if (own(Id) && States[Id - First] == Failed)
    return ErrSilent;
  if (!own(Id) || States[Id - First] != NotVisited)
    return ErrLoop;
  States[Id - First] = Visited;
  Stack[Top++] = Vertex{Id, 0};
  if (M == Mode::TBD) {
    Type T = type(Id);
    if (T.is(Kind::Ptr))
      M = Mode::Ptr;
    else if (isStruct(T) || T.is(Kind::Array))
      M = Mode::StructOrArray;
  }
  return Ok;
}

void Resolver::popResolved(uint32_t RId, uint32_t RSize) {
  uint32_t Local = Stack[--Top].Id - First;
  RIds[Local] = RId;
  RSizes[Local] = RSize;
  States[Local] = Resolved;
}

uint32_t Resolver::resolvedId(uint32_t Id) {
  return own(Id) ? RIds[Id - First] : baseResolvedId(Id);
}

uint32_t Resolver::resolvedSize(uint32_t Id) {
  if (own(Id))
    return RSizes[Id - First];
  return type(Id).is(Kind::Array) ? baseArraySize(Id) : 0;
}

// What the kernel would have recorded had it resolved the (valid) base:
// modifiers, PTR, VAR and ARRAY resolve to the first type past the
// modifiers they name, FUNC and DECL_TAG to their type, the rest to 0.
uint32_t Resolver::baseResolvedId(uint32_t Id) {
  auto It = BaseIds.find(Id);
  if (It != BaseIds.end())
    return It->second;
  Type T = type(Id);
  uint32_t Result = 0;
  if (T.is(Kind::Func) || T.is(Kind::DeclTag)) {
    Result = T.typeId();
  } else if (isKernelModifier(T) || T.is(Kind::Ptr) || T.is(Kind::Var) ||
             T.is(Kind::Array)) {
    // BTF::parse has made sure modifier chains end.
    SmallVector<uint32_t, 8> Chain{Id};
    uint32_t Next = T.is(Kind::Array) ? T.array().Type : T.typeId();
    while (isKernelModifier(type(Next))) {
      auto Known = BaseIds.find(Next);
      if (Known != BaseIds.end()) {
        Next = Known->second;
        break;
      }
      Chain.push_back(Next);
      Next = type(Next).typeId();
    }
    Result = Next;
    // Every modifier on the way resolves to the same type.
    for (uint32_t Link : Chain)
      BaseIds[Link] = Result;
  }
  BaseIds[Id] = Result;
  return Result;
}

// The resolved size of base array \p Id: its element's size times its
// length, 0 when that overflows (the kernel would have refused the base).
uint32_t Resolver::baseArraySize(uint32_t Id) {
  SmallVector<uint32_t, 8> Arrays;
  uint32_t Cur = Id;
  uint64_t Size = 0;
  while (true) {
    auto Known = BaseSizes.find(Cur);
    if (Known != BaseSizes.end()) {
      Size = Known->second;
      break;
    }
    Type T = type(Cur);
    if (T.is(Kind::Array)) {
      Arrays.push_back(Cur);
      Cur = baseResolvedId(Cur);
      continue;
    }
    Size = hasSize(T) ? T.size() : T.is(Kind::Ptr) ? C.Opts.PointerSize : 0;
    break;
  }
  for (auto I = Arrays.rbegin(); I != Arrays.rend(); ++I) {
    Size *= type(*I).array().NElems;
    if (Size > UINT32_MAX)
      Size = 0;
    BaseSizes[*I] = uint32_t(Size);
  }
  return uint32_t(Size);
}

bool Resolver::typeIdSize(uint32_t &Id, uint32_t *Size, Type *Out) {
  uint32_t SizeId = Id;
  Type T = type(SizeId);
  uint32_t S = 0;
  if (noSize(T))
    return false;
  if (hasSize(T)) {
    S = T.size();
  } else if (T.is(Kind::Array)) {
    S = resolvedSize(SizeId);
  } else if (T.is(Kind::Ptr)) {
    S = C.Opts.PointerSize;
  } else {
    if (!isKernelModifier(T) && !T.is(Kind::Var))
      return false;
    SizeId = resolvedId(SizeId);
    T = type(SizeId);
    if (noSize(T))
      return false;
    if (hasSize(T))
      S = T.size();
    else if (T.is(Kind::Array))
      S = resolvedSize(SizeId);
    else if (T.is(Kind::Ptr))
      S = C.Opts.PointerSize;
    else
      return false;
  }
  Id = SizeId;
  if (Size)
    *Size = S;
  if (Out)
    *Out = T;
  return true;
}

int Resolver::failMember(uint32_t SId, const MemberRef &MR, StringRef Rule) {
  // The kernel's member line: "\tname type_id=T [bitfield_size=N ]
  // bits_offset=O".
  const Member &Mem = MR.M;
  std::string W = "member #" + std::to_string(MR.Index) + " " +
                  C.quotedName(Mem.NameOff) +
                  " type_id=" + std::to_string(Mem.Type);
  if (type(SId).kindFlag())
    W += " bitfield_size=" + std::to_string(memberBitfieldSize(Mem.Offset)) +
         " bits_offset=" + std::to_string(memberBitOffset(Mem.Offset));
  else
    W += " bits_offset=" + std::to_string(Mem.Offset);
  return fail(SId, Rule, W);
}

int Resolver::failEntry(uint32_t DId, unsigned I, const VarSecInfo &V,
                        StringRef Rule) {
  return fail(DId, Rule,
              "entry #" + Twine(I) + " type_id=" + Twine(V.Type) +
                  " offset=" + Twine(V.Offset) + " size=" + Twine(V.Size));
}

int Resolver::dispatch() {
  const Vertex V = Stack[Top - 1];
  switch (type(V.Id).kind()) {
  case Kind::Ptr:
    return ptrResolve(V);
  case Kind::Array:
    return arrayResolve(V);
  case Kind::Struct:
  case Kind::Union:
    return structResolve(V);
  case Kind::Var:
    return varResolve(V);
  case Kind::Datasec:
    return datasecResolve(V);
  case Kind::Func:
    return funcResolve(V);
  case Kind::DeclTag:
    return declTagResolve(V);
  default:
    if (isKernelModifier(type(V.Id)))
      return modifierResolve(V);
    return fail(V.Id, "Unsupported resolve");
  }
}

int Resolver::modifierResolve(const Vertex &V) {
  uint32_t NextId = type(V.Id).typeId();
  Type Next = type(NextId);
  if (sourceOnly(Next))
    return fail(V.Id, "Invalid type_id");
  if (!isSink(Next) && !isResolved(NextId))
    return push(NextId);
  // Record the sized type this stands for; "typedef void new_void" and
  // "const void" are fine, as are FWD and FUNC_PROTO targets.
  if (!typeIdSize(NextId, nullptr)) {
    if (isResolved(NextId))
      Next = idResolve(NextId);
    if (!Next.isVoid() && !Next.is(Kind::Fwd) && !Next.is(Kind::FuncProto))
      return fail(V.Id, "Invalid type_id");
  }
  popResolved(NextId, 0);
  return Ok;
}

int Resolver::ptrResolve(const Vertex &V) {
  uint32_t NextId = type(V.Id).typeId();
  Type Next = type(NextId);
  if (sourceOnly(Next))
    return fail(V.Id, "Invalid type_id");
  if (!isSink(Next) && !isResolved(NextId))
    return push(NextId);
  // A modifier resolved while resolving a struct or array may have stopped
  // at a pointer; continue from there so it cannot lead back here.
  if (isKernelModifier(Next)) {
    uint32_t RId = NextId;
    Type R = idResolve(RId);
    if (R.is(Kind::Ptr) && !isSink(R) && !isResolved(RId))
      return push(RId);
  }
  if (!typeIdSize(NextId, nullptr)) {
    if (isResolved(NextId))
      Next = idResolve(NextId);
    if (!Next.isVoid() && !Next.is(Kind::Fwd) && !Next.is(Kind::FuncProto))
      return fail(V.Id, "Invalid type_id");
  }
  popResolved(NextId, 0);
  return Ok;
}

int Resolver::varResolve(const Vertex &V) {
  uint32_t NextId = type(V.Id).typeId();
  Type Next = type(NextId);
  if (sourceOnly(Next))
    return fail(V.Id, "Invalid type_id");
  if (!isSink(Next) && !isResolved(NextId))
    return push(NextId);
  if (isKernelModifier(Next)) {
    uint32_t RId = NextId;
    Type R = idResolve(RId);
    if (R.is(Kind::Ptr) && !isSink(R) && !isResolved(RId))
      return push(RId);
  }
  // A variable must have a size: no FWD, no void.
  if (!typeIdSize(NextId, nullptr))
    return fail(V.Id, "Invalid type_id");
  popResolved(NextId, 0);
  return Ok;
}

int Resolver::arrayResolve(const Vertex &V) {
  const ArrayInfo &A = type(V.Id).array();
  uint32_t IndexId = A.IndexType;
  Type Index = type(IndexId);
  if (noSize(Index) || sourceOnly(Index))
    return fail(V.Id, "Invalid index");
  if (!isSink(Index) && !isResolved(IndexId))
    return push(IndexId);
  Type Sized;
  if (!typeIdSize(IndexId, nullptr, &Sized) || !Sized.is(Kind::Int) ||
      !intIsRegular(Sized))
    return fail(V.Id, "Invalid index");

  uint32_t ElemId = A.Type;
  Type Elem = type(ElemId);
  if (noSize(Elem) || sourceOnly(Elem))
    return fail(V.Id, "Invalid elem");
  if (!isSink(Elem) && !isResolved(ElemId))
    return push(ElemId);
  uint32_t ElemSize = 0;
  if (!typeIdSize(ElemId, &ElemSize, &Sized))
    return fail(V.Id, "Invalid elem");
  if (Sized.is(Kind::Int) && !intIsRegular(Sized))
    return fail(V.Id, "Invalid array of int");
  if (A.NElems && ElemSize > UINT32_MAX / A.NElems)
    return fail(V.Id, "Array size overflows U32_MAX");
  popResolved(ElemId, ElemSize * A.NElems);
  return Ok;
}

int Resolver::structResolve(const Vertex &V) {
  Type S = type(V.Id);
  ArrayRef<Member> Members = S.members();
  // Back from resolving the previous member's type: check it now.
  if (V.NextMember) {
    const Member &Last = Members[V.NextMember - 1];
    if (!isResolved(Last.Type))
      return ErrSilent;
    if (int Err = checkMember(V.Id, {V.NextMember - 1, Last}, S.kindFlag()))
      return Err;
  }
  for (uint32_t I = V.NextMember; I < Members.size(); ++I) {
    const Member &Mem = Members[I];
    Type MT = type(Mem.Type);
    if (noSize(MT) || sourceOnly(MT))
      return failMember(V.Id, {I, Mem}, "Invalid member");
    if (!isSink(MT) && !isResolved(Mem.Type)) {
      setNextMember(I + 1);
      return push(Mem.Type);
    }
    if (int Err = checkMember(V.Id, {I, Mem}, S.kindFlag()))
      return Err;
  }
  popResolved(0, 0);
  return Ok;
}

int Resolver::datasecResolve(const Vertex &V) {
  Type D = type(V.Id);
  ArrayRef<VarSecInfo> Infos = D.secInfos();
  M = Mode::TBD;
  for (uint32_t I = V.NextMember; I < Infos.size(); ++I) {
    const VarSecInfo &E = Infos[I];
    Type Var = type(E.Type);
    if (!Var.is(Kind::Var))
      return failEntry(V.Id, I, E, "Not a VAR kind member");
    if (!isSink(Var) && !isResolved(E.Type)) {
      // Like the kernel, the entry is not looked at again afterwards.
      setNextMember(I + 1);
      return push(E.Type);
    }
    uint32_t TId = Var.typeId(), TSize = 0;
    if (!typeIdSize(TId, &TSize))
      return failEntry(V.Id, I, E, "Invalid type");
    if (E.Size < TSize)
      return failEntry(V.Id, I, E, "Invalid size");
  }
  popResolved(0, 0);
  return Ok;
}

int Resolver::funcResolve(const Vertex &V) {
  if (int Err = funcCheck(V.Id))
    return Err;
  popResolved(type(V.Id).typeId(), 0);
  return Ok;
}

int Resolver::declTagResolve(const Vertex &V) {
  Type T = type(V.Id);
  uint32_t NextId = T.typeId();
  Type Next = type(NextId);
  // Tags go on functions, structs and unions, variables and typedefs.
  if (!(Next.is(Kind::Func) || isStruct(Next) || Next.is(Kind::Var) ||
        Next.is(Kind::Typedef)))
    return fail(V.Id, "Invalid type_id");
  if (!isSink(Next) && !isResolved(NextId))
    return push(NextId);
  int32_t Idx = T.declTagComponent();
  if (Idx != -1) {
    if (Next.is(Kind::Var) || Next.is(Kind::Typedef))
      return fail(V.Id, "Invalid component_idx");
    uint32_t Vlen = isStruct(Next) ? Next.vlen() : type(Next.typeId()).vlen();
    if (uint32_t(Idx) >= Vlen)
      return fail(V.Id, "Invalid component_idx",
                  "component_idx=" + Twine(Idx) + " vlen=" + Twine(Vlen));
  }
  popResolved(NextId, 0);
  return Ok;
}

int Resolver::funcCheck(uint32_t Id) {
  Type Proto = type(type(Id).typeId());
  if (!Proto.is(Kind::FuncProto))
    return fail(Id, "Invalid type_id");
  // A function's parameters are named (a vararg has neither name nor type).
  ArrayRef<Param> Params = Proto.params();
  for (uint32_t I = 0; I < Params.size(); ++I)
    if (!Params[I].NameOff && Params[I].Type)
      return fail(Id, ("Invalid arg#" + Twine(I + 1)).str());
  return Ok;
}

int Resolver::funcProtoCheck(uint32_t Id) {
  Type T = type(Id);
  if (uint32_t RetId = T.typeId()) {
    Type Ret = type(RetId);
    if (sourceOnly(Ret))
      return fail(Id, "Invalid return type");
    if (needsResolve(Ret) && !isResolved(RetId))
      if (int Err = resolve(RetId))
        return Err;
    if (!typeIdSize(RetId, nullptr))
      return fail(Id, "Invalid return type");
  }
  ArrayRef<Param> Params = T.params();
  uint32_t N = Params.size();
  if (!N)
    return Ok;
  // Only the last parameter can be the vararg: no name, no type.
  if (!Params[N - 1].Type) {
    if (Params[N - 1].NameOff)
      return fail(Id, ("Invalid arg#" + Twine(N)).str());
    --N;
  }
  for (uint32_t I = 0; I < N; ++I) {
    std::string Rule = ("Invalid arg#" + Twine(I + 1)).str();
    uint32_t ArgId = Params[I].Type;
    Type Arg = type(ArgId);
    if (sourceOnly(Arg))
      return fail(Id, Rule);
    uint32_t NameOff = Params[I].NameOff;
    if (NameOff && (!C.nameOffsetValid(NameOff) || !C.nameValid(NameOff)))
      return fail(Id, Rule, "name " + C.quotedName(NameOff));
    if (needsResolve(Arg) && !isResolved(ArgId))
      if (int Err = resolve(ArgId))
        return Err;
    if (!typeIdSize(ArgId, nullptr))
      return fail(Id, Rule);
  }
  return Ok;
}

int Resolver::checkMember(uint32_t SId, const MemberRef &MR, bool KFlag) {
  Type MT = type(MR.M.Type);
  switch (MT.kind()) {
  case Kind::Int:
    return KFlag ? intKflagMember(SId, MR) : intMember(SId, MR);
  case Kind::Enum:
  case Kind::Enum64:
    return KFlag ? enumKflagMember(SId, MR) : plainMember(SId, MR);
  case Kind::Ptr:
  case Kind::Array:
  case Kind::Struct:
  case Kind::Union:
  case Kind::Float:
    return KFlag ? genericKflagMember(SId, MR) : plainMember(SId, MR);
  default:
    if (isKernelModifier(MT))
      return modifierMember(SId, MR, KFlag);
    return fail(SId, KFlag ? "Unsupported check_kflag_member"
                           : "Unsupported check_member");
  }
}

// btf_generic_check_kflag_member: no bitfields of these; the offset is
// then a plain bit offset.
int Resolver::genericKflagMember(uint32_t SId, const MemberRef &MR) {
  if (memberBitfieldSize(MR.M.Offset))
    return failMember(SId, MR, "Invalid member bitfield_size");
  return plainMember(SId, MR);
}

// The non-kind-flag check_member of PTR, ARRAY, STRUCT/UNION, ENUM and
// FLOAT: byte aligned (FLOAT: aligned to its size up to a pointer's) and
// inside the struct.
int Resolver::plainMember(uint32_t SId, const MemberRef &MR) {
  Type S = type(SId), MT = type(MR.M.Type);
  uint32_t Off = MR.M.Offset, Bytes = Off >> 3, SSize = S.size();
  if (MT.is(Kind::Float)) {
    uint64_t Align = std::min<uint64_t>(C.Opts.PointerSize, MT.size()) * 8;
    if (Align && Off % Align)
      return failMember(SId, MR, "Member is not properly aligned");
    if (uint64_t(Bytes) + MT.size() > SSize)
      return failMember(SId, MR, "Member exceeds struct_size");
    return Ok;
  }
  if (Off & 7)
    return failMember(SId, MR, "Member is not byte aligned");
  uint32_t MSize = 0;
  if (MT.is(Kind::Ptr)) {
    MSize = C.Opts.PointerSize;
  } else if (MT.is(Kind::Array)) {
    uint32_t AId = MR.M.Type;
    typeIdSize(AId, &MSize);
  } else {
    MSize = MT.size();
  }
  // Unsigned like the kernel's; the meta pass has kept Bytes <= SSize.
  if (SSize - Bytes < MSize)
    return failMember(SId, MR, "Member exceeds struct_size");
  return Ok;
}

int Resolver::intMember(uint32_t SId, const MemberRef &MR) {
  uint32_t Data = type(MR.M.Type).intData(), SSize = type(SId).size();
  uint32_t Off = MR.M.Offset;
  if (UINT32_MAX - Off < intOffset(Data))
    return failMember(SId, MR, "bits_offset exceeds U32_MAX");
  Off += intOffset(Data);
  uint32_t Bytes = Off >> 3, CopyBits = intBits(Data) + (Off & 7);
  if (CopyBits > 128)
    return failMember(SId, MR, "nr_copy_bits exceeds 128");
  if (SSize < Bytes || SSize - Bytes < roundUpBytes(CopyBits))
    return failMember(SId, MR, "Member exceeds struct_size");
  return Ok;
}

int Resolver::intKflagMember(uint32_t SId, const MemberRef &MR) {
  Type MT = type(MR.M.Type);
  if (!intIsRegular(MT))
    return failMember(SId, MR, "Invalid member base type");
  uint32_t SSize = type(SId).size();
  uint32_t Bits = memberBitfieldSize(MR.M.Offset);
  uint32_t Off = memberBitOffset(MR.M.Offset);
  uint32_t IntBits = intBits(MT.intData());
  if (!Bits) {
    // Not a bitfield: the member starts on a byte.
    if (Off & 7)
      return failMember(SId, MR, "Invalid member offset");
    Bits = IntBits;
  } else if (Bits > IntBits) {
    return failMember(SId, MR, "Invalid member bitfield_size");
  }
  uint32_t Bytes = Off >> 3, CopyBits = Bits + (Off & 7);
  if (CopyBits > 128)
    return failMember(SId, MR, "nr_copy_bits exceeds 128");
  if (SSize < Bytes || SSize - Bytes < roundUpBytes(CopyBits))
    return failMember(SId, MR, "Member exceeds struct_size");
  return Ok;
}

// btf_enum_check_kflag_member, used for ENUM64 too: the kernel measures the
// bitfield against an int's 32 bits whatever the enum's size.
int Resolver::enumKflagMember(uint32_t SId, const MemberRef &MR) {
  uint32_t Off = memberBitOffset(MR.M.Offset);
  uint32_t Bits = memberBitfieldSize(MR.M.Offset);
  if (!Bits) {
    if (Off & 7)
      return failMember(SId, MR, "Member is not byte aligned");
    Bits = 32;
  } else if (Bits > 32) {
    return failMember(SId, MR, "Invalid member bitfield_size");
  }
  if (type(SId).size() < roundUpBytes(Off + Bits))
    return failMember(SId, MR, "Member exceeds struct_size");
  return Ok;
}

// btf_modifier_check_member: check as the type the modifier resolves to.
int Resolver::modifierMember(uint32_t SId, const MemberRef &MR, bool KFlag) {
  uint32_t RId = MR.M.Type;
  if (!typeIdSize(RId, nullptr))
    return failMember(SId, MR, "Invalid member");
  MemberRef Resolved = MR;
  Resolved.M.Type = RId;
  return checkMember(SId, Resolved, KFlag);
}

bool Resolver::resolveValid(uint32_t Id) {
  if (!isResolved(Id))
    return false;
  Type T = type(Id);
  if (isStruct(T) || T.is(Kind::Datasec))
    return !resolvedId(Id) && !resolvedSize(Id);
  if (T.is(Kind::DeclTag) || T.is(Kind::Func))
    return resolvedId(Id) && !resolvedSize(Id);
  if (isKernelModifier(T) || T.is(Kind::Ptr) || T.is(Kind::Var)) {
    uint32_t RId = Id;
    Type R = idResolve(RId);
    return !isKernelModifier(R) && !R.is(Kind::Var) && !R.is(Kind::Datasec);
  }
  if (T.is(Kind::Array)) {
    uint32_t ElemId = T.array().Type, ElemSize = 0;
    Type Elem;
    if (!typeIdSize(ElemId, &ElemSize, &Elem))
      return false;
    return !isKernelModifier(Elem) &&
           T.array().NElems * ElemSize == resolvedSize(Id);
  }
  return false;
}

int Resolver::resolve(uint32_t Id) {
  M = Mode::TBD;
  int Err = push(Id);
  while (!Err && Top)
    Err = dispatch();
  if (Err == ErrDepth)
    fail(Id, "Exceeded max resolving depth:32", "", E2Big);
  else if (Err == ErrLoop)
    fail(Id, "Loop detected", "", -17 /* -EEXIST */);
  if (!Err && !resolveValid(Id))
    Err = fail(Id, "Invalid resolve state");
  if (Err) {
    // What was on the stack failed with this type: later types that refer
    // to it fail silently instead of reporting a loop.
    for (uint32_t I = 0; I < Top; ++I)
      States[Stack[I].Id - First] = Failed;
    if (own(Id) && States[Id - First] != Resolved)
      States[Id - First] = Failed;
    Top = 0;
  }
  return Err;
}

void Resolver::run() {
  for (uint32_t Id = First, End = B.endId(); Id < End; ++Id) {
    Type T = type(Id);
    if (needsResolve(T) && !isResolved(Id)) {
      resolve(Id);
      if (C.stopped())
        return;
    }
    if (T.is(Kind::FuncProto)) {
      funcProtoCheck(Id);
      if (C.stopped())
        return;
    }
  }
}

void btfkit::check::checkAllTypes(Checker &C) { Resolver(C).run(); }
