//===- DumpCOrder.cpp - An order of C definitions that compiles -----------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// A depth-first walk from each requested type that queues the named
// definitions (struct, union, enum, typedef, fwd) it depends on before the
// type itself, after libbpf's btf_dump_order_type() (Linux 6.1).
//
// The walk tells *strong* dependencies (the definition must be complete
// first: an embedded struct, or anything reached through an anonymous type,
// which C defines inline) from *weak* ones (a forward declaration is
// enough: a named struct reached through a pointer). It returns 1 for a
// strong link, 0 for a weak one, -1 on error. A named struct met again
// while it is being ordered is fine through a pointer (a forward declaration
// breaks the cycle) and an error otherwise: a struct that embeds itself by
// value has no C declaration.
//
// Unlike libbpf, which keeps no state for pointers, arrays, modifiers,
// typedefs and function prototypes and so recurses forever on a function
// type that returns a pointer to itself, such kinds are marked while on the
// current path, and meeting one again with no struct in between (a struct
// on the way breaks the cycle, or is itself reported) is an error. Nesting
// is bounded.
//
//===----------------------------------------------------------------------===//

#include "DumpCImpl.h"

#include "btfkit/Error.h"

using namespace btfkit;
using namespace btfkit::dumpc;
using namespace llvm;

CDumper::CDumper(const BTF &B, raw_ostream &OS, const DumpCOptions &Opts)
    : B(B), OS(OS), Opts(Opts), Layout(B), States(B.endId()),
      PathSegment(B.endId()) {
  // Void needs no definition.
  States[0].Order = Ordered;
  States[0].Emit = Emitted;
  markReferenced();
}

void CDumper::markReferenced() {
  // Over the whole chain: a base type is referenced by the types of its
  // split BTF too.
  for (uint32_t Id = 1, End = B.endId(); Id < End; ++Id) {
    Type T = B.type(Id);
    switch (T.kind()) {
    case Kind::Volatile:
    case Kind::Const:
    case Kind::Restrict:
    case Kind::Ptr:
    case Kind::Typedef:
    case Kind::Func:
    case Kind::Var:
    case Kind::DeclTag:
    case Kind::TypeTag:
      States[T.typeId()].Referenced = 1;
      break;
    case Kind::Array:
      States[T.array().IndexType].Referenced = 1;
      States[T.array().Type].Referenced = 1;
      break;
    case Kind::Struct:
    case Kind::Union:
      for (const Member &M : T.members())
        States[M.Type].Referenced = 1;
      break;
    case Kind::FuncProto:
      // libbpf marks the parameters only, not the return type.
      for (const Param &P : T.params())
        States[P.Type].Referenced = 1;
      break;
    case Kind::Datasec:
      for (const VarSecInfo &V : T.secInfos())
        States[V.Type].Referenced = 1;
      break;
    default:
      break;
    }
  }
}

Error CDumper::order(ArrayRef<uint32_t> Roots) {
  for (uint32_t Id : Roots)
    if (orderType(Id, /*ThroughPtr=*/false, 0) < 0)
      return takeError();
  return Error::success();
}

int CDumper::orderType(uint32_t Id, bool ThroughPtr, unsigned Depth) {
  // Ordered types are complete: "strong", which lets typedefs of them be
  // emitted.
  if (States[Id].Order == Ordered)
    return 1;
  Type T = B.type(Id);
  if (States[Id].Order == Ordering) {
    if (T.isComposite() && ThroughPtr && T.nameOff() != 0)
      return 0; // a pointer cycle, broken by a forward declaration
    return fail(Id, describeType(T) +
                        (T.nameOff() ? " contains itself by value, directly or "
                                       "through the types it embeds"
                                     : " is anonymous and refers back to "
                                       "itself") +
                        ": no order of C definitions can declare it");
  }
  if (Depth > MaxNesting)
    return fail(Id, describeType(T) + " nests types more than " +
                        Twine(MaxNesting) + " levels deep");

  switch (T.kind()) {
  case Kind::Int:
  case Kind::Float:
    States[Id].Order = Ordered;
    return 0;

  case Kind::Func:
  case Kind::Var:
  case Kind::Datasec:
  case Kind::DeclTag:
    // Not emitted as C types (as bpftool).
    States[Id].Order = Ordered;
    return 0;

  case Kind::Struct:
  case Kind::Union: {
    // Part of a strong link only when embedded (no pointer on the way) or
    // anonymous (then it is defined inline wherever it is used).
    if (ThroughPtr && T.nameOff() != 0)
      return 0;
    States[Id].Order = Ordering;
    uint32_t OuterSegment = CurSegment;
    CurSegment = ++LastSegment;
    for (const Member &M : T.members())
      if (orderType(M.Type, false, Depth + 1) < 0)
        return -1;
    CurSegment = OuterSegment;
    if (T.nameOff() != 0)
      Queue.push_back(Id);
    States[Id].Order = Ordered;
    return 1;
  }

  case Kind::Enum:
  case Kind::Enum64:
  case Kind::Fwd:
    // Named enums are top-level declarations, and so are anonymous ones no
    // type refers to (they declare constants); other anonymous enums are
    // defined inline where used.
    if (T.nameOff() != 0 || !States[Id].Referenced)
      Queue.push_back(Id);
    States[Id].Order = Ordered;
    return 1;

  default:
    break;
  }

  // The remaining kinds are ways to reach definitions, not definitions.
  if (T.rawKind() > MaxKnownKind || T.kind() == Kind::Unknown)
    return fail(Id, "kind " + Twine(T.rawKind()) + " has no C declaration");
  uint32_t Outer = PathSegment[Id];
  if (Outer == CurSegment)
    return fail(Id, describeType(T) +
                        " refers back to itself through a function type: C "
                        "cannot declare it");
  PathSegment[Id] = CurSegment;
  int R = orderReference(Id, T, ThroughPtr, Depth);
  PathSegment[Id] = Outer;
  return R;
}

int CDumper::orderReference(uint32_t Id, const Type &T, bool ThroughPtr,
                            unsigned Depth) {
  switch (T.kind()) {
  case Kind::Ptr: {
    int R = orderType(T.typeId(), true, Depth + 1);
    // Whatever is behind a pointer, the pointer itself is complete.
    States[Id].Order = Ordered;
    return R;
  }
  case Kind::Array:
    return orderType(T.array().Type, false, Depth + 1);

  case Kind::Typedef: {
    int Strong = orderType(T.typeId(), ThroughPtr, Depth + 1);
    if (Strong < 0)
      return Strong;
    // Like a struct: through a pointer, a typedef of something that only
    // needs a forward declaration can wait.
    if (ThroughPtr && !Strong)
      return 0;
    // A typedef is always a named definition.
    Queue.push_back(Id);
    States[Id].Order = Ordered;
    return 1;
  }

  case Kind::Volatile:
  case Kind::Const:
  case Kind::Restrict:
  case Kind::TypeTag:
    return orderType(T.typeId(), ThroughPtr, Depth + 1);

  case Kind::FuncProto: {
    int R = orderType(T.typeId(), ThroughPtr, Depth + 1);
    if (R < 0)
      return R;
    bool Strong = R > 0;
    for (const Param &P : T.params()) {
      R = orderType(P.Type, ThroughPtr, Depth + 1);
      if (R < 0)
        return R;
      Strong |= R > 0;
    }
    return Strong;
  }

  default:
    return fail(Id, "kind " + Twine(T.rawKind()) + " has no C declaration");
  }
}
