//===- Builder.cpp - Making new BTF ---------------------------------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "btfkit/Builder.h"
#include "btfkit/TypeWalk.h"
#include "btfkit/Writer.h"

#include <cstring>

using namespace btfkit;
using namespace llvm;

Builder::Builder(const BTF *Base)
    : Base(Base), FirstId(Base ? Base->endId() : 1),
      StrBegin(Base ? Base->strEnd() : 0) {
  // A base's string table starts with the empty string at offset 0; a split
  // one starts empty and "" maps to offset 0 of the chain (libbpf does the
  // same).
  if (!Base)
    Strings.push_back('\0');
}

void Builder::setEmitLayout(bool Emit, ArrayRef<KindLayout> Extra) {
  EmitLayout = Emit;
  ExtraLayouts.assign(Extra.begin(), Extra.end());
}

uint32_t Builder::addString(StringRef S) {
  if (S.empty())
    return 0;
  if (ReuseBase && Base) {
    if (!BaseIndexed) {
      // Walk every table of the chain, lowest first, so that the lowest
      // offset of a repeated string wins.
      std::vector<const BTF *> Chain;
      for (const BTF *B = Base; B; B = B->base())
        Chain.push_back(B);
      for (auto It = Chain.rbegin(); It != Chain.rend(); ++It) {
        StringRef Tab = (*It)->stringSection();
        for (size_t Pos = 0; Pos < Tab.size();) {
          StringRef Str(Tab.data() + Pos);
          if (!Str.empty())
            BaseStrIndex.try_emplace(Str, (*It)->strBegin() + uint32_t(Pos));
          Pos += Str.size() + 1;
        }
      }
      BaseIndexed = true;
    }
    auto It = BaseStrIndex.find(S);
    if (It != BaseStrIndex.end())
      return It->second;
  }
  auto [It, Inserted] =
      StrIndex.try_emplace(S, StrBegin + uint32_t(Strings.size()));
  if (Inserted) {
    Strings.append(S.data(), S.size());
    Strings.push_back('\0');
  }
  return It->second;
}

StringRef Builder::string(uint32_t Off) const {
  if (Off < StrBegin)
    return Base->str(Off);
  return StringRef(Strings.c_str() + (Off - StrBegin));
}

uint32_t Builder::begin(Kind K, StringRef Name, uint32_t SizeOrType,
                        bool KindFlag, uint32_t Vlen) {
  uint32_t NameOff = addString(Name);
  Starts.push_back(uint32_t(Words.size()));
  Words.push_back(NameOff);
  Words.push_back(makeInfo(K, Vlen, KindFlag));
  Words.push_back(SizeOrType);
  return nextId() - 1;
}

void Builder::bumpVlen() {
  assert(!Starts.empty() && "no type to add an element to");
  uint32_t &Info = Words[Starts.back() + 1];
  Info = (Info & ~0xffffffu) | ((infoVlen(Info) + 1) & 0xffffff);
}

uint32_t Builder::addInt(StringRef Name, uint32_t ByteSize, uint32_t Encoding,
                         uint32_t BitOffset, uint32_t Bits) {
  uint32_t Id = begin(Kind::Int, Name, ByteSize);
  Words.push_back(makeIntData(Encoding, BitOffset, Bits ? Bits : ByteSize * 8));
  return Id;
}

uint32_t Builder::addFloat(StringRef Name, uint32_t ByteSize) {
  return begin(Kind::Float, Name, ByteSize);
}

uint32_t Builder::addPtr(uint32_t Target) {
  return begin(Kind::Ptr, "", Target);
}

uint32_t Builder::addArray(uint32_t Elem, uint32_t Index, uint32_t NElems) {
  uint32_t Id = begin(Kind::Array, "", 0);
  Words.push_back(Elem);
  Words.push_back(Index);
  Words.push_back(NElems);
  return Id;
}

uint32_t Builder::addStruct(StringRef Name, uint32_t Size, bool KindFlag) {
  return begin(Kind::Struct, Name, Size, KindFlag);
}

uint32_t Builder::addUnion(StringRef Name, uint32_t Size, bool KindFlag) {
  return begin(Kind::Union, Name, Size, KindFlag);
}

void Builder::addMember(StringRef Name, uint32_t Type, uint32_t BitOffset,
                        uint32_t BitfieldSize) {
  uint32_t NameOff = addString(Name);
  Words.push_back(NameOff);
  Words.push_back(Type);
  Words.push_back((BitfieldSize << 24) | BitOffset);
  bumpVlen();
}

uint32_t Builder::addEnum(StringRef Name, uint32_t Size, bool Signed) {
  return begin(Kind::Enum, Name, Size, Signed);
}

void Builder::addEnumValue(StringRef Name, int64_t Value) {
  uint32_t NameOff = addString(Name);
  Words.push_back(NameOff);
  Words.push_back(uint32_t(Value));
  bumpVlen();
}

uint32_t Builder::addEnum64(StringRef Name, uint32_t Size, bool Signed) {
  return begin(Kind::Enum64, Name, Size, Signed);
}

void Builder::addEnum64Value(StringRef Name, uint64_t Value) {
  uint32_t NameOff = addString(Name);
  Words.push_back(NameOff);
  Words.push_back(uint32_t(Value));
  Words.push_back(uint32_t(Value >> 32));
  bumpVlen();
}

uint32_t Builder::addFwd(StringRef Name, bool IsUnion) {
  return begin(Kind::Fwd, Name, 0, IsUnion);
}

uint32_t Builder::addTypedef(StringRef Name, uint32_t Target) {
  return begin(Kind::Typedef, Name, Target);
}

uint32_t Builder::addModifier(Kind K, uint32_t Target) {
  assert((K == Kind::Const || K == Kind::Volatile || K == Kind::Restrict) &&
         "not a modifier kind");
  return begin(K, "", Target);
}

uint32_t Builder::addTypeTag(StringRef Value, uint32_t Target) {
  return begin(Kind::TypeTag, Value, Target);
}

uint32_t Builder::addFunc(StringRef Name, uint32_t Proto, FuncLinkage L) {
  return begin(Kind::Func, Name, Proto, false, L);
}

uint32_t Builder::addFuncProto(uint32_t Ret) {
  return begin(Kind::FuncProto, "", Ret);
}

void Builder::addParam(StringRef Name, uint32_t Type) {
  uint32_t NameOff = addString(Name);
  Words.push_back(NameOff);
  Words.push_back(Type);
  bumpVlen();
}

uint32_t Builder::addVar(StringRef Name, uint32_t Type, VarLinkage L) {
  uint32_t Id = begin(Kind::Var, Name, Type);
  Words.push_back(L);
  return Id;
}

uint32_t Builder::addDatasec(StringRef Name, uint32_t Size) {
  return begin(Kind::Datasec, Name, Size);
}

void Builder::addSecInfo(uint32_t Var, uint32_t Offset, uint32_t Size) {
  Words.push_back(Var);
  Words.push_back(Offset);
  Words.push_back(Size);
  bumpVlen();
}

uint32_t Builder::addDeclTag(StringRef Value, uint32_t Target,
                             int32_t ComponentIdx) {
  uint32_t Id = begin(Kind::DeclTag, Value, Target);
  Words.push_back(uint32_t(ComponentIdx));
  return Id;
}

uint32_t Builder::addRaw(ArrayRef<uint32_t> Rec) {
  assert(Rec.size() >= 3 && "a record has at least the common part");
  Starts.push_back(uint32_t(Words.size()));
  Words.insert(Words.end(), Rec.begin(), Rec.end());
  return nextId() - 1;
}

uint32_t Builder::addCopy(const Type &T,
                          function_ref<uint32_t(uint32_t)> MapId) {
  ArrayRef<uint8_t> Bytes = T.bytes();
  size_t N = Bytes.size() / 4;
  Starts.push_back(uint32_t(Words.size()));
  size_t At = Words.size();
  Words.resize(At + N);
  std::memcpy(Words.data() + At, Bytes.data(), Bytes.size());
  auto *Rec = reinterpret_cast<CommonType *>(Words.data() + At);
  forEachTypeSlot(Rec, [&](uint32_t &Id) { Id = MapId(Id); });
  const BTF &From = T.btf();
  // addString() touches only the string table: Rec stays valid meanwhile.
  forEachNameSlot(Rec, [&](uint32_t &Off) { Off = addString(From.str(Off)); });
  return nextId() - 1;
}

MutableArrayRef<uint32_t> Builder::recordWords(uint32_t Id) {
  assert(Id >= FirstId && Id < nextId() && "not a type of this builder");
  size_t Idx = Id - FirstId;
  size_t Begin = Starts[Idx];
  size_t End = Idx + 1 < Starts.size() ? Starts[Idx + 1] : Words.size();
  return MutableArrayRef<uint32_t>(Words.data() + Begin, End - Begin);
}

std::vector<uint8_t> Builder::serialize() const {
  std::optional<ArrayRef<KindLayout>> LayoutSection;
  std::vector<KindLayout> Layouts;
  if (EmitLayout) {
    for (unsigned K = 0; K <= MaxKnownKind; ++K) {
      KindLayout L = {0, 0, 0};
      knownKindLayout(K, L);
      Layouts.push_back(L);
    }
    Layouts.insert(Layouts.end(), ExtraLayouts.begin(), ExtraLayouts.end());
    LayoutSection = Layouts;
  }
  return assembleBTF(
      ArrayRef<uint8_t>(reinterpret_cast<const uint8_t *>(Words.data()),
                        Words.size() * 4),
      Strings, LayoutSection);
}

Expected<std::unique_ptr<BTF>> Builder::build(std::string Name) const {
  return BTF::parseOwned(serialize(), Base, std::move(Name));
}
