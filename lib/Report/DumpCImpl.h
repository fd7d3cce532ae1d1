//===- DumpCImpl.h - Internals of the C header output -----------*- C++ -*-===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The pieces of dumpC(), private to lib/Report:
///
///  - CLayout (DumpCLayout.cpp): what a C compiler would make of a type's
///    size and alignment, computed the way libbpf does (btf__align_of,
///    btf__resolve_size) so that padding and packed decisions match
///    bpftool's output;
///  - CDumper: the ordering pass (DumpCOrder.cpp) that puts definitions in
///    an order C accepts, and the emitter (DumpCEmit.cpp for definitions,
///    DumpCDecl.cpp for declarators).
///
/// The algorithm follows libbpf's btf_dump.c (Linux 6.1, the one bpftool 7.1
/// uses) step by step, because its output order and its name suffixes
/// (`foo___2`) depend on the exact sequence of decisions; being
/// byte-identical to bpftool is what lets tests use it as an oracle.
/// Departures, all for inputs where libbpf would crash, loop or print a
/// header that does not compile, are marked "Unlike libbpf" in the code and
/// listed in docs/DumpC.md.
///
//===----------------------------------------------------------------------===//

#ifndef BTFKIT_LIB_REPORT_DUMPCIMPL_H
#define BTFKIT_LIB_REPORT_DUMPCIMPL_H

#include "btfkit/BTF.h"
#include "btfkit/Dump.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <unordered_map>
#include <vector>

namespace btfkit {
namespace dumpc {

/// Recursion through nested types (embedding chains, declarator chains) is
/// bounded so that crafted input cannot exhaust the stack. Real kernels
/// nest a few dozen levels deep.
constexpr unsigned MaxNesting = 1000;

/// Size and alignment of types as C sees them, by libbpf's rules.
class CLayout {
public:
  explicit CLayout(const BTF &B);

  /// The pointer size the BTF implies: the size of its `long` (searched
  /// from id 1 over the whole chain), or 8.
  unsigned pointerSize() const { return PtrSize; }
  /// btf__align_of(): natural alignment, 1 for types that must be packed,
  /// 0 when the type has no alignment (void, FWD, FUNC_PROTO, ...).
  unsigned alignOf(uint32_t Id);
  /// btf__resolve_size(): the byte size, or -1 when it has none.
  int64_t resolveSize(uint32_t Id) const;
  /// True when struct \p T cannot have its layout without
  /// `__attribute__((packed))`: a non-bitfield member off its alignment, or
  /// a size that is not a multiple of the alignment.
  bool isStructPacked(const Type &T);

private:
  unsigned computeAlign(uint32_t Id, unsigned Depth);

  const BTF &B;
  unsigned PtrSize = 8;
  // Memo of alignOf() per id; Unknown until computed, InProgress while a
  // struct's members are being looked at (a struct embedding itself).
  static constexpr uint8_t Unknown = 0xff, InProgress = 0xfe;
  std::vector<uint8_t> AlignMemo;
};

/// One run of the C output over one BTF.
class CDumper {
public:
  CDumper(const BTF &B, llvm::raw_ostream &OS, const DumpCOptions &Opts);

  /// Orders the definitions \p Roots need (ids, in this order), appending
  /// them to the emit queue. Fails on the first type C cannot declare.
  llvm::Error order(llvm::ArrayRef<uint32_t> Roots);
  /// Prints the queued definitions.
  llvm::Error emit();

private:
  enum OrderState : uint8_t { NotOrdered, Ordering, Ordered };
  enum EmitState : uint8_t { NotEmitted, Emitting, Emitted };
  struct TypeState {
    uint8_t Order : 2;
    uint8_t Emit : 2;
    uint8_t FwdEmitted : 1;
    uint8_t NameResolved : 1;
    /// Some other type refers to this one: an anonymous enum that nobody
    /// refers to is a top-level declaration of constants.
    uint8_t Referenced : 1;
    /// The name got a ___N suffix (kept in CachedNames).
    uint8_t Renamed : 1;
  };

  // Ordering (DumpCOrder.cpp).
  void markReferenced();
  int orderType(uint32_t Id, bool ThroughPtr, unsigned Depth);
  int orderReference(uint32_t Id, const Type &T, bool ThroughPtr,
                     unsigned Depth);

  // Definitions (DumpCEmit.cpp).
  void emitType(uint32_t Id, uint32_t ContId, unsigned Depth);
  void emitStructFwd(uint32_t Id, const Type &T);
  void emitStructDef(uint32_t Id, const Type &T, unsigned Lvl);
  void emitBitPadding(int64_t CurOff, int64_t NextOff, unsigned NextAlign,
                      bool InBitfield, unsigned Lvl);
  void emitPaddingRun(int64_t CurOff, int64_t NextOff, unsigned NextAlign,
                      bool InBitfield, unsigned Lvl);
  void emitEnumFwd(uint32_t Id);
  void emitEnumDef(uint32_t Id, const Type &T, unsigned Lvl);
  void emitEnumModeAttribute(const Type &T);
  void emitFwdDef(uint32_t Id, const Type &T);
  void emitTypedefDef(uint32_t Id, const Type &T, unsigned Lvl);
  void emitMissingAliases(uint32_t Id);
  bool isBlacklisted(const Type &T) const;

  // Declarators (DumpCDecl.cpp).
  struct DeclView {
    size_t Start; // index of the frame's first id in DeclStack
    size_t Cnt;   // ids of the frame still to print
  };
  void emitTypeDecl(uint32_t Id, llvm::StringRef FName, unsigned Lvl);
  void emitTypeChain(DeclView &Decls, llvm::StringRef FName, unsigned Lvl);
  void emitMods(DeclView &Decls);
  void dropMods(DeclView &Decls);
  void emitName(llvm::StringRef Name, bool LastWasPtr);

  // Names (DumpCEmit.cpp).
  size_t nameDups(llvm::StringMap<size_t> &Map, llvm::StringRef Name);
  llvm::StringRef resolveName(uint32_t Id, llvm::StringMap<size_t> &Map);
  llvm::StringRef typeName(uint32_t Id) { return resolveName(Id, TypeNames); }
  llvm::StringRef identName(uint32_t Id) { return resolveName(Id, IdentNames); }

  /// Records the first error about type \p Id (the emitter, like libbpf's,
  /// goes on printing what it can); order() and emit() return it. Returns
  /// -1 for the ordering walk's convenience.
  int fail(uint32_t Id, const llvm::Twine &Why);
  llvm::Error takeError();

  llvm::raw_ostream &indent(unsigned Lvl);

  const BTF &B;
  llvm::raw_ostream &OS;
  DumpCOptions Opts;
  CLayout Layout;
  std::vector<TypeState> States;
  /// For kinds libbpf keeps no ordering state for (pointers, arrays,
  /// modifiers, typedefs, function prototypes): the segment of the current
  /// walk path they are on, 0 when not on it. A segment is the part of the
  /// path since the last struct/union entered; meeting a type again in the
  /// same segment is a cycle no struct breaks, which C cannot spell.
  std::vector<uint32_t> PathSegment;
  uint32_t CurSegment = 1, LastSegment = 1;
  std::vector<uint32_t> Queue;
  std::vector<uint32_t> DeclStack;
  /// Names given a ___N suffix, by type id (node-based: the strings stay
  /// put while others are added).
  std::unordered_map<uint32_t, std::string> CachedNames;
  /// Occurrences of struct/union/enum tags, and of typedef and enumerator
  /// identifiers (C's two namespaces that matter here).
  llvm::StringMap<size_t> TypeNames, IdentNames;
  std::string FirstError;
  uint32_t FirstErrorId = 0;
  unsigned DeclDepth = 0;
};

} // namespace dumpc
} // namespace btfkit

#endif // BTFKIT_LIB_REPORT_DUMPCIMPL_H
