//===- Fragment.cpp - Per-object BTF fragments ----------------------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "btfkit/Fragment.h"
#include "btfkit/Builder.h"
#include "btfkit/Error.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/SwapByteOrder.h"
#include "llvm/Support/xxhash.h"

#include <cstring>

using namespace btfkit;
using namespace llvm;

StringRef btfkit::blobRoleName(BlobRole R) {
  switch (R) {
  case BlobRole::DistilledBase:
    return "distilled-base";
  case BlobRole::Types:
    return "types";
  case BlobRole::EmbeddedTags:
    return "embedded-tags";
  }
  return "unknown";
}

static std::optional<BlobRole> parseRole(StringRef S) {
  for (BlobRole R :
       {BlobRole::DistilledBase, BlobRole::Types, BlobRole::EmbeddedTags})
    if (S == blobRoleName(R))
      return R;
  return std::nullopt;
}

std::string BaseFingerprint::str() const {
  if (empty())
    return "none";
  return ("xxh3:" + toHex(Hash, /*LowerCase=*/true) +
          ":types=" + Twine(NumTypes) + ":strlen=" + Twine(StrLen))
      .str();
}

Expected<BaseFingerprint> BaseFingerprint::parse(StringRef S) {
  BaseFingerprint F;
  if (S == "none")
    return F;
  SmallVector<StringRef, 4> Parts;
  S.split(Parts, ':');
  std::string Bytes;
  if (Parts.size() != 4 || Parts[0] != "xxh3" || Parts[1].size() != 32 ||
      !tryGetFromHex(Parts[1], Bytes) || !Parts[2].consume_front("types=") ||
      Parts[2].getAsInteger(10, F.NumTypes) ||
      !Parts[3].consume_front("strlen=") || Parts[3].getAsInteger(10, F.StrLen))
    return createStringError(inconvertibleErrorCode(),
                             "malformed base fingerprint '" + S + "'");
  std::memcpy(F.Hash.data(), Bytes.data(), F.Hash.size());
  return F;
}

BaseFingerprint btfkit::fingerprintBTF(const BTF &Base) {
  // Two 64-bit hashes, of the type and of the string section: the same
  // base loaded from raw BTF, a vmlinux ELF or sysfs gives the same value,
  // and no copy of several megabytes is needed to hash them together.
  BaseFingerprint F;
  uint64_t H1 = xxh3_64bits(Base.typeSection());
  uint64_t H2 = xxh3_64bits(arrayRefFromStringRef(Base.stringSection()));
  for (unsigned I = 0; I < 8; ++I) {
    F.Hash[I] = uint8_t(H1 >> (56 - 8 * I));
    F.Hash[8 + I] = uint8_t(H2 >> (56 - 8 * I));
  }
  F.NumTypes = Base.numTypes();
  F.StrLen = uint32_t(Base.stringSection().size());
  return F;
}

uint64_t btfkit::btfBlobSize(ArrayRef<uint8_t> Data) {
  if (Data.size() < ClassicHeaderSize)
    return 0;
  bool Swap;
  if (Data[0] == 0x9f && Data[1] == 0xeb)
    Swap = !sys::IsLittleEndianHost;
  else if (Data[0] == 0xeb && Data[1] == 0x9f)
    Swap = sys::IsLittleEndianHost;
  else
    return 0;
  auto Word = [&](unsigned Off) {
    uint32_t V;
    std::memcpy(&V, Data.data() + Off, 4);
    return Swap ? sys::getSwappedBytes(V) : V;
  };
  uint64_t HdrLen = Word(4);
  if (HdrLen < ClassicHeaderSize || HdrLen > Data.size())
    return 0;
  uint64_t End =
      std::max(uint64_t(Word(8)) + Word(12), uint64_t(Word(16)) + Word(20));
  if (HdrLen >= LayoutHeaderSize)
    End = std::max(End, uint64_t(Word(24)) + Word(28));
  return HdrLen + End;
}

/// A blob's bytes padded with zeros to a multiple of 4.
static void appendPadded(std::vector<uint8_t> &Out, ArrayRef<uint8_t> Blob) {
  Out.insert(Out.end(), Blob.begin(), Blob.end());
  Out.resize(alignTo(Out.size(), 4), 0);
}

std::vector<uint8_t> btfkit::serializeFragment(const FragmentManifest &M,
                                               ArrayRef<uint8_t> DistilledBase,
                                               ArrayRef<uint8_t> Types,
                                               ArrayRef<uint8_t> EmbeddedTags) {
  std::vector<std::pair<BlobRole, ArrayRef<uint8_t>>> Blobs;
  if (!DistilledBase.empty())
    Blobs.push_back({BlobRole::DistilledBase, DistilledBase});
  if (!Types.empty())
    Blobs.push_back({BlobRole::Types, Types});
  if (!EmbeddedTags.empty())
    Blobs.push_back({BlobRole::EmbeddedTags, EmbeddedTags});

  // The manifest is a BTF blob without types: its strings, in a fixed order,
  // carry the facts; readers look them up by key and ignore unknown keys.
  Builder MB;
  MB.addString(FragmentMarker);
  MB.addString("version=" + std::to_string(M.Version));
  MB.addString("producer=" + M.Producer);
  MB.addString("compiler=" + M.Compiler);
  MB.addString("source=" + M.Source);
  MB.addString("features=" + M.Features);
  MB.addString("base=" + M.Base.str());
  for (const std::string &U : M.Units)
    MB.addString("unit=" + U);
  std::string Roles = "blobs=";
  for (size_t I = 0; I < Blobs.size(); ++I)
    Roles += (I ? "," : "") + blobRoleName(Blobs[I].first).str();
  MB.addString(Roles);

  std::vector<uint8_t> Out;
  appendPadded(Out, MB.serialize());
  for (auto &[Role, Blob] : Blobs)
    appendPadded(Out, Blob);
  return Out;
}

/// Reads the manifest blob at \p Data (already known to be BTF).
static Error readManifest(ArrayRef<uint8_t> Data, const Twine &Where,
                          FragmentManifest &M) {
  auto BOrErr = BTF::parse(Data, nullptr, Where.str());
  if (!BOrErr)
    return BOrErr.takeError();
  const BTF &B = **BOrErr;
  StringRef Tab = B.stringSection();
  SmallVector<StringRef, 12> Strs;
  for (size_t Pos = 1; Pos < Tab.size();) {
    StringRef S(Tab.data() + Pos);
    Strs.push_back(S);
    Pos += S.size() + 1;
  }
  if (B.numTypes() != 0 || Strs.empty() || Strs[0] != FragmentMarker)
    return makeError(Where, "not a btfkit fragment manifest (expected a BTF "
                            "blob without types whose first string is '" +
                                Twine(FragmentMarker) + "')");
  bool SawVersion = false, SawBlobs = false;
  for (StringRef S : ArrayRef(Strs).drop_front()) {
    auto [Key, Value] = S.split('=');
    if (Key == "version") {
      if (Value.getAsInteger(10, M.Version))
        return makeError(Where, "bad manifest version '" + Value + "'");
      if (M.Version != FragmentFormatVersion)
        return makeError(Where, "fragment format version " + Value +
                                    " is not supported (this btfkit reads " +
                                    Twine(FragmentFormatVersion) + ")");
      SawVersion = true;
    } else if (Key == "producer") {
      M.Producer = Value.str();
    } else if (Key == "compiler") {
      M.Compiler = Value.str();
    } else if (Key == "source") {
      M.Source = Value.str();
    } else if (Key == "unit") {
      M.Units.push_back(Value.str());
    } else if (Key == "features") {
      M.Features = Value.str();
    } else if (Key == "base") {
      auto F = BaseFingerprint::parse(Value);
      if (!F)
        return makeError(Where, toString(F.takeError()));
      M.Base = *F;
    } else if (Key == "blobs") {
      SawBlobs = true;
      SmallVector<StringRef, 4> Names;
      Value.split(Names, ',', -1, /*KeepEmpty=*/false);
      for (StringRef N : Names) {
        std::optional<BlobRole> R = parseRole(N);
        if (!R)
          return makeError(Where, "unknown blob role '" + N + "'");
        if (is_contained(M.Roles, *R))
          return makeError(Where, "blob role '" + N + "' listed twice");
        M.Roles.push_back(*R);
      }
    }
  }
  if (!SawVersion || !SawBlobs)
    return makeError(Where, "manifest lacks the 'version' or 'blobs' key");
  if (is_contained(M.Roles, BlobRole::DistilledBase) &&
      !is_contained(M.Roles, BlobRole::Types))
    return makeError(Where, "has a distilled base but no types blob");
  return Error::success();
}

/// Skips the zero bytes that section alignment puts between fragments.
static uint64_t skipPadding(ArrayRef<uint8_t> Section, uint64_t Pos) {
  while (Pos < Section.size() && Section[Pos] == 0)
    ++Pos;
  return Pos;
}

Expected<std::vector<FragmentView>>
btfkit::parseFragments(ArrayRef<uint8_t> Section, StringRef Source) {
  std::vector<FragmentView> Out;
  uint64_t Pos = skipPadding(Section, 0);
  auto At = [&](uint64_t Off) {
    return (Source + "+0x" + Twine::utohexstr(Off)).str();
  };
  // Reads the blob at Pos and advances past it.
  auto NextBlob = [&](StringRef What) -> Expected<ArrayRef<uint8_t>> {
    Pos = skipPadding(Section, Pos);
    if (Pos >= Section.size())
      return makeError(At(Pos),
                       "truncated fragment: the " + What + " blob is missing");
    ArrayRef<uint8_t> Rest = Section.drop_front(Pos);
    uint64_t Size = btfBlobSize(Rest);
    if (Size == 0)
      return makeError(At(Pos), "expected the BTF header of the " + What +
                                    " blob (magic 0xeb9f)");
    if (Size > Rest.size())
      return makeError(At(Pos), "the " + What + " blob claims " + Twine(Size) +
                                    " bytes, only " + Twine(Rest.size()) +
                                    " remain");
    Pos += Size;
    return Rest.take_front(Size);
  };

  while (Pos < Section.size()) {
    FragmentView V;
    V.Offset = Pos;
    auto Manifest = NextBlob("manifest");
    if (!Manifest)
      return Manifest.takeError();
    if (Error E = readManifest(*Manifest, At(V.Offset), V.Manifest))
      return E;
    for (BlobRole R : V.Manifest.Roles) {
      auto Blob = NextBlob(blobRoleName(R));
      if (!Blob)
        return Blob.takeError();
      switch (R) {
      case BlobRole::DistilledBase:
        V.DistilledBase = *Blob;
        break;
      case BlobRole::Types:
        V.Types = *Blob;
        break;
      case BlobRole::EmbeddedTags:
        V.EmbeddedTags = *Blob;
        break;
      }
    }
    Out.push_back(std::move(V));
    Pos = skipPadding(Section, Pos);
  }
  if (Out.empty())
    return makeError(Source, "empty fragment section");
  return Out;
}

Expected<FragmentView> btfkit::parseSingleFragment(ArrayRef<uint8_t> Section,
                                                   StringRef Label) {
  auto Frags = parseFragments(Section, Label);
  if (!Frags)
    return Frags.takeError();
  if (Frags->size() != 1)
    return makeError(Label, "holds " + Twine(Frags->size()) +
                                " btfkit fragments (objects combined by a "
                                "partial link); merge them with the link "
                                "step to read them as one BTF");
  return std::move(Frags->front());
}

Expected<std::unique_ptr<BTF>>
btfkit::loadFragmentTypes(ArrayRef<uint8_t> Section, StringRef Label,
                          const BTF *Base, bool UseDistilledBase,
                          std::unique_ptr<BTF> &DistilledBase,
                          std::shared_ptr<const void> KeepAlive) {
  auto Frag = parseSingleFragment(Section, Label);
  if (!Frag)
    return Frag.takeError();
  const FragmentView &V = *Frag;
  if (V.Types.empty())
    return makeError(Label, "the fragment has no types blob");
  const BTF *Over = nullptr;
  if (!V.DistilledBase.empty()) {
    if (Base) {
      // The ids continue the distilled base's, not Base's: reading them
      // over Base needs relocation (Relocate.h), which is not Core's job.
      return makeError(Label, "the fragment's types are split over its "
                              "distilled base, not over " +
                                  Base->name() +
                              "; relocate them onto it first (btf-relocate "
                              "--base-btf=" +
                                  Base->name() + ")");
    } else if (UseDistilledBase) {
      auto DB = BTF::parse(V.DistilledBase, nullptr,
                           (Label + "[distilled-base]").str(), KeepAlive);
      if (!DB)
        return DB.takeError();
      DistilledBase = std::move(*DB);
      Over = DistilledBase.get();
    } else {
      return makeError(Label, "the fragment's types are split over its "
                              "distilled base; name a base to read them");
    }
  }
  return BTF::parse(V.Types, Over, (Label + "[types]").str(), KeepAlive);
}
