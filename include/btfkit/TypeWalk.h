//===- btfkit/TypeWalk.h - The references and names of a type ---*- C++ -*-===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The one place that knows which words of a type record are type ids and
/// which are string offsets: for each part a record can have (Format.h),
/// its fields of either sort; which parts each kind's records have is
/// BTFKinds.def's. Every algorithm (reader checks, validation,
/// dedup, distill, relocate, copying between BTFs) walks records through
/// these functions, so a kind added to the table is walked without more.
///
/// The slot visitors work on raw record words so that a copied record can be
/// rewritten in place (ids remapped, strings moved).
///
//===----------------------------------------------------------------------===//

#ifndef BTFKIT_TYPEWALK_H
#define BTFKIT_TYPEWALK_H

#include "btfkit/BTF.h"

#include "llvm/ADT/STLFunctionalExtras.h"

#include <type_traits>

namespace btfkit {

/// The type-id and string-offset fields of each part a record can have
/// (BTFKinds.def names the parts of each kind): types() and names() call
/// \p Fn on them in field order, for a part \p P const or not (\p Fn
/// takes a uint32_t reference of the same constness). Parts without
/// either (INT's word, VarInfo, DeclTagInfo) keep PartSlots' none.
struct NoSlots {
  template <typename P, typename FnT> static void types(P &, FnT &) {}
  template <typename P, typename FnT> static void names(P &, FnT &) {}
};
template <typename PartT> struct PartSlots : NoSlots {};
template <> struct PartSlots<ArrayInfo> : NoSlots {
  template <typename P, typename FnT> static void types(P &A, FnT &Fn) {
    Fn(A.Type); // element type first, then index type
    Fn(A.IndexType);
  }
};
/// Parts whose fields Type and NameOff are the slots (as they have them).
template <bool HasType, bool HasName> struct TypeAndNameFields {
  template <typename P, typename FnT> static void types(P &E, FnT &Fn) {
    if constexpr (HasType)
      Fn(E.Type);
  }
  template <typename P, typename FnT> static void names(P &E, FnT &Fn) {
    if constexpr (HasName)
      Fn(E.NameOff);
  }
};
template <> struct PartSlots<Member> : TypeAndNameFields<true, true> {};
template <> struct PartSlots<Param> : TypeAndNameFields<true, true> {};
template <> struct PartSlots<VarSecInfo> : TypeAndNameFields<true, false> {};
template <> struct PartSlots<EnumValue> : TypeAndNameFields<false, true> {};
template <> struct PartSlots<Enum64Value> : TypeAndNameFields<false, true> {};

namespace detail {
/// The slots of one kind's record at \p Rec: with \p Types, its type slots
/// in record order (the third word when it is a type id, the Info part's,
/// then the elements') to \p TypeFn; with \p Names, the name slots of its
/// parts in record order to \p NameFn (the record's own name is the
/// callers').
template <bool Types, bool Names, KindWord Word, typename InfoT, typename ElemT,
          typename RecT, typename TypeFnT, typename NameFnT>
inline void visitKindSlots(RecT *Rec, TypeFnT &TypeFn, NameFnT &NameFn) {
  constexpr bool IsConst = std::is_const_v<RecT>;
  auto Visit = [&](auto &Part) {
    using P = std::remove_const_t<std::remove_reference_t<decltype(Part)>>;
    if constexpr (Types)
      PartSlots<P>::types(Part, TypeFn);
    if constexpr (Names)
      PartSlots<P>::names(Part, NameFn);
  };
  if constexpr (Types && Word == KindWord::Type)
    TypeFn(Rec->SizeOrType);
  if constexpr (!std::is_same_v<InfoT, NoData>)
    Visit(*reinterpret_cast<std::conditional_t<IsConst, const InfoT, InfoT> *>(
        Rec + 1));
  if constexpr (!std::is_same_v<ElemT, NoData>) {
    auto *E =
        reinterpret_cast<std::conditional_t<IsConst, const ElemT, ElemT> *>(
            Rec + 1);
    for (uint32_t I = 0, N = infoVlen(Rec->Info); I < N; ++I)
      Visit(E[I]);
  }
}

template <bool Types, bool Names, typename RecT, typename TypeFnT,
          typename NameFnT>
inline void visitSlots(RecT *Rec, TypeFnT &TypeFn, NameFnT &NameFn) {
  switch (Kind(infoKind(Rec->Info))) {
#define BTF_KIND(Id, Value, Name, Word, Info, Elem, Traits)                    \
  case Kind::Id:                                                               \
    visitKindSlots<Types, Names, KindWord::Word, Info, Elem>(Rec, TypeFn,      \
                                                             NameFn);          \
    return;
#include "btfkit/BTFKinds.def"
  default: // unknown kinds are opaque
    return;
  }
}

/// The visitor of the sort not asked for.
struct IgnoreSlot {
  void operator()(const uint32_t &) const {}
};
} // namespace detail

/// Inline forms of the slot visitors below, for hot loops (the reader's
/// structural checks run once per record of every file loaded). \p Rec
/// points to CommonType or const CommonType; \p Fn takes a uint32_t
/// reference of the same constness.
template <typename RecT, typename FnT>
inline void visitTypeSlots(RecT *Rec, FnT &&Fn) {
  detail::IgnoreSlot None;
  detail::visitSlots</*Types=*/true, /*Names=*/false>(Rec, Fn, None);
}
template <typename RecT, typename FnT>
inline void visitNameSlots(RecT *Rec, FnT &&Fn) {
  detail::IgnoreSlot None;
  Fn(Rec->NameOff);
  detail::visitSlots</*Types=*/false, /*Names=*/true>(Rec, None, Fn);
}
/// Both at once, in one dispatch on the kind: \p TypeFn gets the type slots
/// and \p NameFn the name slots, each sort in record order.
template <typename RecT, typename TypeFnT, typename NameFnT>
inline void visitSlots(RecT *Rec, TypeFnT &&TypeFn, NameFnT &&NameFn) {
  NameFn(Rec->NameOff);
  detail::visitSlots</*Types=*/true, /*Names=*/true>(Rec, TypeFn, NameFn);
}

/// Calls \p Fn on every type-id word of the record at \p Rec, in record
/// order (for ARRAY: element type, then index type).
void forEachTypeSlot(CommonType *Rec, llvm::function_ref<void(uint32_t &)> Fn);
/// Calls \p Fn on every string-offset word of the record at \p Rec: the
/// type's name, then member / enumerator / parameter names.
void forEachNameSlot(CommonType *Rec, llvm::function_ref<void(uint32_t &)> Fn);

/// Read-only forms over a Type view.
void forEachTypeRef(const Type &T, llvm::function_ref<void(uint32_t)> Fn);
void forEachNameRef(const Type &T, llvm::function_ref<void(uint32_t)> Fn);

/// Follows TYPEDEF and modifiers (CONST, VOLATILE, RESTRICT, TYPE_TAG) from
/// \p Id to the first other type. The chain must be loop-free (BTF
/// guarantees it).
Type skipModsAndTypedefs(const BTF &B, uint32_t Id);

} // namespace btfkit

#endif // BTFKIT_TYPEWALK_H
