//===- IntNames.cpp - Following a base's spelling of C integer types ------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// clang's DWARF says "unsigned long", GCC's "long unsigned int"; the kernel
// matches a distilled INT by name, size and encoding, so a module's INTs must
// use the spelling of the base they will be deduplicated against. Both
// spellings are keyword multisets of the same C type, which is what the
// canonical key captures.
//
//===----------------------------------------------------------------------===//

#include "btfkit/Encode.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/Twine.h"

using namespace btfkit;
using namespace llvm;

std::string btfkit::canonicalIntName(StringRef Name) {
  SmallVector<StringRef, 4> Words;
  Name.split(Words, ' ', -1, /*KeepEmpty=*/false);
  unsigned Longs = 0, Shorts = 0, Ints = 0, Chars = 0, Int128 = 0;
  bool Signed = false, Unsigned = false;
  for (StringRef W : Words) {
    if (W == "long")
      ++Longs;
    else if (W == "short")
      ++Shorts;
    else if (W == "int")
      ++Ints;
    else if (W == "char")
      ++Chars;
    else if (W == "__int128")
      ++Int128;
    else if (W == "signed")
      Signed = true;
    else if (W == "unsigned")
      Unsigned = true;
    else
      return "";
  }
  if (Words.empty() || (Signed && Unsigned) || Ints > 1 || Chars > 1 ||
      Int128 > 1 || Shorts > 1 || Longs > 2 || (Shorts && Longs) ||
      (Chars && (Ints || Shorts || Longs || Int128)) ||
      (Int128 && (Ints || Shorts || Longs)))
    return "";
  std::string Sign = Unsigned ? "u" : "";
  if (Chars) // plain char is a type of its own, unlike plain int
    return (Unsigned ? "u" : Signed ? "s" : "") + std::string("char");
  if (Int128)
    return Sign + "int128";
  if (Shorts)
    return Sign + "short";
  if (Longs == 2)
    return Sign + "llong";
  if (Longs == 1)
    return Sign + "long";
  return Sign + "int";
}

static std::string indexKey(StringRef Canon, uint32_t Size, uint32_t Enc) {
  return (Canon + "/" + Twine(Size) + "/" + Twine(Enc)).str();
}

StringRef IntNameMap::lookup(StringRef Name, uint32_t ByteSize,
                             uint32_t Encoding) {
  if (!Indexed) {
    // Only the base's own types: a base is not split. The lowest id wins,
    // which is the one libbpf's and the kernel's matching find first.
    auto Add = [&](uint32_t Id) {
      if (Id == 0 || !Base.hasId(Id))
        return;
      Type T = Base.type(Id);
      if (!T.is(Kind::Int))
        return;
      std::string Canon = canonicalIntName(T.name());
      if (!Canon.empty())
        Index.try_emplace(indexKey(Canon, T.size(), T.intEncoding()),
                          T.name().str());
    };
    if (!IntIds.empty())
      for (uint32_t Id : IntIds)
        Add(Id);
    else
      for (uint32_t Id = Base.firstId(); Id < Base.endId(); ++Id)
        Add(Id);
    Indexed = true;
  }
  std::string Canon = canonicalIntName(Name);
  if (Canon.empty())
    return "";
  auto It = Index.find(indexKey(Canon, ByteSize, Encoding));
  if (It == Index.end() || It->second == Name)
    return "";
  return It->second;
}
