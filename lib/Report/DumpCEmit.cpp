//===- DumpCEmit.cpp - C definitions of BTF types -------------------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Prints the queued definitions, after libbpf's btf_dump_emit_type() and
// friends (Linux 6.1): before a definition, whatever its members need that
// is not complete yet gets a forward declaration; anonymous types are
// defined inline; struct layout is reproduced with bitfields, explicit
// padding fields (`long: 64;`, `int: 0;`) and `__attribute__((packed))`.
//
// Names: struct/union/enum tags share one namespace, typedefs and
// enumerators another; the second and later types of the same name get a
// `___N` suffix, in the order they are first printed.
//
//===----------------------------------------------------------------------===//

#include "DumpCImpl.h"

#include "btfkit/Error.h"

#include <algorithm>

using namespace btfkit;
using namespace btfkit::dumpc;
using namespace llvm;

static constexpr unsigned MaxIndent = 13; // as libbpf's tab prefix

raw_ostream &CDumper::indent(unsigned Lvl) {
  static const char Tabs[] = "\t\t\t\t\t\t\t\t\t\t\t\t\t";
  return OS << StringRef(Tabs, std::min(Lvl, MaxIndent));
}

int CDumper::fail(uint32_t Id, const Twine &Why) {
  if (FirstError.empty()) {
    FirstError = Why.str();
    FirstErrorId = Id;
  }
  return -1;
}

Error CDumper::takeError() {
  if (FirstError.empty())
    return Error::success();
  return makeError(B.name(),
                   "type id " + Twine(FirstErrorId) + ": " + FirstError);
}

Error CDumper::emit() {
  for (uint32_t Id : Queue)
    emitType(Id, /*ContId=*/0, 0);
  return takeError();
}

bool CDumper::isBlacklisted(const Type &T) const {
  // __builtin_va_list is the compiler's own; a typedef of it made by one
  // compiler does not compile with another.
  return T.nameOff() != 0 && T.name() == "__builtin_va_list";
}

void CDumper::emitType(uint32_t Id, uint32_t ContId, unsigned Depth) {
  TypeState &S = States[Id];
  if (S.Emit == Emitted)
    return;
  if (Depth > MaxNesting) {
    fail(Id, describeType(B.type(Id)) + " nests types more than " +
                 Twine(MaxNesting) + " levels deep");
    return;
  }
  Type T = B.type(Id);
  const bool TopLevel = ContId == 0;

  if (S.Emit == Emitting) {
    // Met again while its own dependencies are emitted: a forward
    // declaration is needed (and enough, the ordering pass made sure).
    if (S.FwdEmitted)
      return;
    if (T.isComposite()) {
      // A reference from inside the struct itself needs none.
      if (Id == ContId)
        return;
      if (T.nameOff() == 0) {
        fail(Id, describeType(T) + " is anonymous and refers back to itself");
        return;
      }
      emitStructFwd(Id, T);
      OS << ";\n\n";
      S.FwdEmitted = 1;
    } else if (T.is(Kind::Typedef)) {
      // The typedef serves as its own forward declaration; it can then be
      // used through pointers, not embedded.
      if (!isBlacklisted(T)) {
        emitTypedefDef(Id, T, 0);
        OS << ";\n\n";
      }
      S.FwdEmitted = 1;
    }
    return;
  }

  switch (T.kind()) {
  case Kind::Int:
    emitMissingAliases(Id);
    S.Emit = Emitted;
    break;
  case Kind::Enum:
  case Kind::Enum64:
    if (TopLevel) {
      emitEnumDef(Id, T, 0);
      OS << ";\n\n";
    }
    S.Emit = Emitted;
    break;
  case Kind::Ptr:
  case Kind::Volatile:
  case Kind::Const:
  case Kind::Restrict:
  case Kind::TypeTag:
    emitType(T.typeId(), ContId, Depth + 1);
    break;
  case Kind::Array:
    emitType(T.array().Type, ContId, Depth + 1);
    break;
  case Kind::Fwd:
    emitFwdDef(Id, T);
    OS << ";\n\n";
    S.Emit = Emitted;
    break;
  case Kind::Typedef:
    S.Emit = Emitting;
    emitType(T.typeId(), Id, Depth + 1);
    // Unless someone needed it as a forward declaration meanwhile (and so
    // it is printed already), print the typedef now.
    if (!States[Id].FwdEmitted && !isBlacklisted(T)) {
      emitTypedefDef(Id, T, 0);
      OS << ";\n\n";
    }
    States[Id].Emit = Emitted;
    break;
  case Kind::Struct:
  case Kind::Union:
    S.Emit = Emitting;
    // A definition prints all members (an anonymous one is defined inline),
    // so every type the members name must be declared first; a named
    // struct used elsewhere only needs its forward declaration.
    if (TopLevel || T.nameOff() == 0) {
      uint32_t NewCont = T.nameOff() == 0 ? ContId : Id;
      for (const Member &M : T.members())
        emitType(M.Type, NewCont, Depth + 1);
    } else if (!States[Id].FwdEmitted && Id != ContId) {
      emitStructFwd(Id, T);
      OS << ";\n\n";
      States[Id].FwdEmitted = 1;
    }
    if (TopLevel) {
      emitStructDef(Id, T, 0);
      OS << ";\n\n";
      States[Id].Emit = Emitted;
    } else {
      States[Id].Emit = NotEmitted;
    }
    break;
  case Kind::FuncProto:
    emitType(T.typeId(), ContId, Depth + 1);
    for (const Param &P : T.params())
      emitType(P.Type, ContId, Depth + 1);
    break;
  default:
    break;
  }
}

void CDumper::emitStructFwd(uint32_t Id, const Type &T) {
  OS << (T.is(Kind::Struct) ? "struct" : "union") << (T.nameOff() ? " " : "")
     << typeName(Id);
}

void CDumper::emitStructDef(uint32_t Id, const Type &T, unsigned Lvl) {
  const bool IsStruct = T.is(Kind::Struct);
  const unsigned Align = Layout.alignOf(Id);
  // Unlike libbpf, which checks structs only, a union whose size is not a
  // multiple of its members' alignment (a union of packed structs) is
  // packed too: unpacked, C would round its size up.
  const bool Packed =
      (IsStruct || !Opts.BpftoolCompat) && Layout.isStructPacked(T);
  const bool ExplicitPadding = Packed && !Opts.BpftoolCompat;

  OS << (IsStruct ? "struct" : "union") << (T.nameOff() ? " " : "")
     << typeName(Id) << " {";

  int64_t Off = 0;
  bool PrevBitfield = false;
  for (const Member &M : T.members()) {
    StringRef FName = M.NameOff ? B.str(M.NameOff) : StringRef();
    int64_t MSize = T.memberBitfieldSize(M);
    int64_t MOff = T.memberBitOffset(M);
    unsigned MAlign = Packed ? 1 : (M.Type ? Layout.alignOf(M.Type) : 0);
    // Unlike libbpf: in a packed struct the compiler does not align
    // padding bitfields either, so every bit of padding is spelled out as
    // within a run of bitfields.
    bool InBitfield = (PrevBitfield && MSize != 0) || ExplicitPadding;

    emitBitPadding(Off, MOff, MAlign, InBitfield, Lvl + 1);
    OS << '\n';
    indent(Lvl + 1);
    emitTypeDecl(M.Type, FName, Lvl + 1);
    if (MSize) {
      OS << ": " << MSize;
      Off = MOff + MSize;
      PrevBitfield = true;
    } else {
      MSize = std::max<int64_t>(0, Layout.resolveSize(M.Type));
      Off = MOff + MSize * 8;
      PrevBitfield = false;
    }
    OS << ';';
  }

  // Pad up to the size (unions are as large as their largest member).
  if (IsStruct)
    emitBitPadding(Off, int64_t(T.size()) * 8, Align, ExplicitPadding, Lvl + 1);

  // An empty struct stays on one line: `struct empty {}`.
  if (T.vlen() || T.size()) {
    OS << '\n';
    indent(Lvl) << '}';
  } else {
    OS << '}';
  }
  if (Packed)
    OS << " __attribute__((packed))";
}

// Up to this many bits of padding are spelled with libbpf's unnamed
// bitfields (at most 2048 `long: 64;` lines); beyond, a char array keeps
// the output of absurd sizes (a 512 MiB struct with no members) bounded.
static constexpr int64_t MaxBitfieldPadding = int64_t(1) << 17;

void CDumper::emitBitPadding(int64_t CurOff, int64_t NextOff,
                             unsigned NextAlign, bool InBitfield,
                             unsigned Lvl) {
  if (NextOff - CurOff <= MaxBitfieldPadding) {
    emitPaddingRun(CurOff, NextOff, NextAlign, InBitfield, Lvl);
    return;
  }
  // Unlike libbpf: whole bytes as an array of char (alignment 1, so it
  // changes nothing else), the ragged ends as bitfields.
  int64_t From = (CurOff + 7) / 8 * 8, To = NextOff / 8 * 8;
  emitPaddingRun(CurOff, From, 1, InBitfield, Lvl);
  OS << '\n';
  indent(Lvl) << "char __btfkit_pad_" << From / 8 << '[' << (To - From) / 8
              << "];";
  emitPaddingRun(To, NextOff, NextAlign, false, Lvl);
}

void CDumper::emitPaddingRun(int64_t CurOff, int64_t NextOff,
                             unsigned NextAlign, bool InBitfield,
                             unsigned Lvl) {
  struct PadType {
    const char *Name;
    int64_t Bits;
  };
  const PadType Pads[] = {{"long", int64_t(Layout.pointerSize()) * 8},
                          {"int", 32},
                          {"short", 16},
                          {"char", 8}};
  if (CurOff >= NextOff)
    return; // no gap (or members overlap)

  auto RoundUp = [](int64_t X, int64_t Y) {
    return Y ? (X + Y - 1) / Y * Y : X;
  };

  // Find the largest of long, int, short, char whose natural alignment
  // lands inside the gap: the compiler aligns the next field to it on its
  // own, so only the rest needs explicit filling.
  int64_t NewOff = 0, PadBits = 0;
  const char *PadName = nullptr;
  for (const PadType &P : Pads) {
    PadBits = P.Bits;
    PadName = P.Name;
    NewOff = RoundUp(CurOff, PadBits);
    if (NewOff <= NextOff)
      break;
  }

  if (NewOff > CurOff && NewOff <= NextOff) {
    // An explicit `<type>: 0;` is needed when the next field sits right at
    // that boundary but is less aligned (the compiler would not move it
    // there), or when the rest would otherwise fit the hole entirely; inside
    // a run of bitfields the bit count is spelled out.
    if (InBitfield ||
        (NewOff == NextOff &&
         RoundUp(CurOff, int64_t(NextAlign) * 8) != NewOff) ||
        (NewOff != NextOff && NextOff - NewOff <= NewOff - CurOff)) {
      OS << '\n';
      indent(Lvl) << PadName << ": " << (InBitfield ? NewOff - CurOff : 0)
                  << ';';
    }
    CurOff = NewOff;
  }

  // From an aligned offset, fill with whole `<type>: <bits>;` fields; the
  // last, partial one with the smallest type that holds it.
  while (CurOff != NextOff) {
    int64_t Bits = std::min(NextOff - CurOff, PadBits);
    if (Bits == PadBits) {
      OS << '\n';
      indent(Lvl) << PadName << ": " << PadBits << ';';
      CurOff += Bits;
      continue;
    }
    for (auto It = std::rbegin(Pads); It != std::rend(Pads); ++It) {
      if (It->Bits < Bits)
        continue;
      OS << '\n';
      indent(Lvl) << It->Name << ": " << Bits << ';';
      CurOff += Bits;
      break;
    }
  }
}

void CDumper::emitMissingAliases(uint32_t Id) {
  // GCC's typedefs of its internal __PolyN_t types (Arm SIMD) name types
  // no other compiler knows; alias them to standard ones.
  static const char *const Missing[][2] = {
      {"__Poly8_t", "unsigned char"},
      {"__Poly16_t", "unsigned short"},
      {"__Poly64_t", "unsigned long long"},
      {"__Poly128_t", "unsigned __int128"},
  };
  StringRef Name = typeName(Id);
  for (const auto &M : Missing)
    if (Name == M[0]) {
      OS << "typedef " << M[1] << ' ' << Name << ";\n\n";
      break;
    }
}

void CDumper::emitEnumFwd(uint32_t Id) { OS << "enum " << typeName(Id); }

void CDumper::emitEnumDef(uint32_t Id, const Type &T, unsigned Lvl) {
  OS << "enum" << (T.nameOff() ? " " : "") << typeName(Id);
  if (!T.vlen())
    return;
  OS << " {";
  const bool Signed = T.kindFlag();
  // Enumerators share the identifier namespace with typedefs.
  auto EmitOne = [&](uint32_t NameOff) {
    StringRef Name = B.str(NameOff);
    size_t Dups = nameDups(IdentNames, Name);
    OS << '\n';
    indent(Lvl + 1) << Name;
    if (Dups > 1)
      OS << "___" << Dups;
    OS << " = ";
  };
  if (T.is(Kind::Enum)) {
    for (const EnumValue &V : T.enumValues()) {
      EmitOne(V.NameOff);
      if (Signed)
        OS << int64_t(V.Val);
      else
        OS << uint64_t(uint32_t(V.Val));
      OS << ',';
    }
  } else {
    for (const Enum64Value &V : T.enum64Values()) {
      EmitOne(V.NameOff);
      uint64_t Val = uint64_t(V.ValHi32) << 32 | V.ValLo32;
      if (Signed)
        OS << int64_t(Val) << "LL";
      else
        OS << Val << "ULL";
      OS << ',';
    }
  }
  OS << '\n';
  indent(Lvl) << '}';
  if (!Opts.BpftoolCompat)
    emitEnumModeAttribute(T);
}

void CDumper::emitEnumModeAttribute(const Type &T) {
  // C makes an enum as large as an int unless a value needs more; BTF
  // records other sizes too (packed enums, 64-bit ones whose values are
  // small). libbpf >= 1.2 forces them with the mode attribute.
  if (T.size() == 1) {
    OS << " __attribute__((mode(byte)))";
    return;
  }
  if (T.size() != 8 || Layout.pointerSize() != 8)
    return;
  bool NeedsWord = true;
  if (T.is(Kind::Enum64)) {
    // Unlike libbpf, which looks only for a non-zero upper half (and so
    // misses small negative values of signed enums): word mode is needed
    // unless some value already makes C pick a 64-bit type, i.e. one
    // outside both int and unsigned int, or a negative value next to one
    // above INT_MAX.
    bool Negative = false, AboveIntMax = false;
    for (const Enum64Value &V : T.enum64Values()) {
      uint64_t U = uint64_t(V.ValHi32) << 32 | V.ValLo32;
      if (T.kindFlag()) {
        int64_t S = int64_t(U);
        if (S < INT32_MIN || S > int64_t(UINT32_MAX))
          NeedsWord = false;
        Negative |= S < 0;
        AboveIntMax |= S > INT32_MAX;
      } else {
        if (U > UINT32_MAX)
          NeedsWord = false;
        AboveIntMax |= U > uint64_t(INT32_MAX);
      }
    }
    if (Negative && AboveIntMax)
      NeedsWord = false;
  }
  if (NeedsWord)
    OS << " __attribute__((mode(word)))";
}

void CDumper::emitFwdDef(uint32_t Id, const Type &T) {
  OS << (T.kindFlag() ? "union " : "struct ") << typeName(Id);
}

void CDumper::emitTypedefDef(uint32_t Id, const Type &T, unsigned Lvl) {
  StringRef Name = identName(Id);
  // Old GCC emits __gnuc_va_list as a typedef of void; the compiler's own
  // type is meant.
  if (T.typeId() == 0 && Name == "__gnuc_va_list") {
    OS << "typedef __builtin_va_list __gnuc_va_list";
    return;
  }
  OS << "typedef ";
  emitTypeDecl(T.typeId(), Name, Lvl);
}

size_t CDumper::nameDups(StringMap<size_t> &Map, StringRef Name) {
  return ++Map[Name];
}

StringRef CDumper::resolveName(uint32_t Id, StringMap<size_t> &Map) {
  Type T = B.type(Id);
  if (T.nameOff() == 0)
    return "";
  StringRef Orig = T.name();
  TypeState &S = States[Id];
  if (S.NameResolved)
    return S.Renamed ? StringRef(CachedNames[Id]) : Orig;
  S.NameResolved = 1;
  // Forward declarations never clash with their definitions.
  if (T.is(Kind::Fwd) || (T.is(Kind::Enum) && T.vlen() == 0))
    return Orig;
  size_t Dups = nameDups(Map, Orig);
  if (Dups <= 1)
    return Orig;
  S.Renamed = 1;
  std::string &Cached = CachedNames[Id];
  Cached = (Orig + "___" + Twine(Dups)).str();
  return Cached;
}
