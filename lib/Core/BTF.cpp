//===- BTF.cpp - Loading and indexing a BTF blob --------------------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The structural checks here are those libbpf's btf__new() makes before it
// hands out a type (btf_parse_hdr, btf_parse_str_sec, btf_parse_type_sec,
// btf_sanity_check), plus a loop check on reference chains, so that no later
// code can read out of bounds or loop forever. The kernel's semantic rules
// live in lib/Check.
//
//===----------------------------------------------------------------------===//

#include "btfkit/BTF.h"
#include "btfkit/Error.h"
#include "btfkit/TypeWalk.h"

#include "llvm/Support/Endian.h"
#include "llvm/Support/SwapByteOrder.h"

#include <algorithm>
#include <cstring>

using namespace btfkit;
using namespace llvm;

StringRef Type::name() const {
  return isVoid() ? StringRef() : Owner->str(Rec->NameOff);
}

ArrayRef<uint8_t> Type::bytes() const {
  if (isVoid())
    return {};
  const BTF &B = *Owner;
  uint32_t Off = B.typeOffset(Id);
  uint32_t End = Id + 1 < B.endId() ? B.typeOffset(Id + 1)
                                    : uint32_t(B.typeSection().size());
  return B.typeSection().slice(Off, End - Off);
}

std::string btfkit::describeType(const Type &T) {
  if (T.isVoid())
    return "void";
  std::string S = std::string(kindName(T.rawKind())) + " '";
  StringRef N = T.name();
  S += N.empty() ? "(anon)" : N.str();
  return S + "'";
}

BTF::~BTF() = default;

const BTF &BTF::root() const {
  const BTF *B = this;
  while (B->Base)
    B = B->Base;
  return *B;
}

Type BTF::type(uint32_t Id) const {
  assert(Id < endId() && "type id out of range");
  if (Id == 0)
    return Type();
  if (Id < FirstId)
    return Base->type(Id);
  return Type(this, Id,
              reinterpret_cast<const CommonType *>(Types.data() +
                                                   Offsets[Id - FirstId]));
}

StringRef BTF::str(uint32_t Off) const {
  assert(Off < strEnd() && "string offset out of range");
  if (Off < StrBegin)
    return Base->str(Off);
  // The section ends in NUL (checked at load), so strlen stays inside it.
  return StringRef(Strings.data() + (Off - StrBegin));
}

Error BTF::typeError(uint32_t Id, const Twine &Msg) const {
  return makeError(Name, "type id " + Twine(Id) + ": " + Msg);
}

Expected<std::unique_ptr<BTF>> BTF::parse(ArrayRef<uint8_t> Data,
                                          const BTF *Base, std::string Name,
                                          std::shared_ptr<const void> Keep) {
  std::unique_ptr<BTF> B(new BTF());
  B->Name = std::move(Name);
  B->Base = Base;
  B->KeepAlive = std::move(Keep);
  if (Error E = B->load(Data))
    return E;
  return B;
}

Expected<std::unique_ptr<BTF>> BTF::parseOwned(std::vector<uint8_t> Data,
                                               const BTF *Base,
                                               std::string Name) {
  auto Holder = std::make_shared<std::vector<uint8_t>>(std::move(Data));
  ArrayRef<uint8_t> Bytes(*Holder);
  return parse(Bytes, Base, std::move(Name), std::move(Holder));
}

static uint32_t readWord(const uint8_t *P, bool Swap) {
  uint32_t V;
  std::memcpy(&V, P, 4);
  return Swap ? sys::getSwappedBytes(V) : V;
}

Error BTF::parseHeader(ArrayRef<uint8_t> Data) {
  if (Data.size() < ClassicHeaderSize)
    return makeError(Name, "truncated BTF: " + Twine(Data.size()) +
                               " bytes, smaller than the 24-byte header");
  uint16_t Magic;
  std::memcpy(&Magic, Data.data(), 2);
  if (Magic == BTFMagic)
    Swapped = false;
  else if (Magic == sys::getSwappedBytes(BTFMagic))
    Swapped = true;
  else
    return makeError(Name, "bad BTF magic 0x" + Twine::utohexstr(Magic) +
                               " (expected 0xeb9f)");
  const uint8_t *P = Data.data();
  Hdr.Magic = BTFMagic;
  Hdr.Version = P[2];
  Hdr.Flags = P[3];
  Hdr.HdrLen = readWord(P + 4, Swapped);
  if (Hdr.HdrLen < ClassicHeaderSize || Hdr.HdrLen > Data.size())
    return makeError(Name, "invalid header length " + Twine(Hdr.HdrLen) +
                               " (file has " + Twine(Data.size()) + " bytes)");
  Hdr.TypeOff = readWord(P + 8, Swapped);
  Hdr.TypeLen = readWord(P + 12, Swapped);
  Hdr.StrOff = readWord(P + 16, Swapped);
  Hdr.StrLen = readWord(P + 20, Swapped);
  if (Hdr.HdrLen >= LayoutHeaderSize) {
    Hdr.LayoutOff = readWord(P + 24, Swapped);
    Hdr.LayoutLen = readWord(P + 28, Swapped);
  }
  if (Hdr.Version != BTFVersion)
    return makeError(Name, "unsupported BTF version " +
                               Twine(unsigned(Hdr.Version)));
  // A longer header than we know must be zero beyond what we read (the
  // kernel's btf_check_sec_info rule), or we would misread it.
  uint32_t Known =
      Hdr.HdrLen >= LayoutHeaderSize ? LayoutHeaderSize : ClassicHeaderSize;
  for (uint32_t I = Known; I < Hdr.HdrLen; ++I)
    if (P[I])
      return makeError(Name, "unsupported BTF header: " + Twine(Hdr.HdrLen) +
                                 "-byte header with non-zero byte at offset " +
                                 Twine(I));
  uint64_t Left = Data.size() - Hdr.HdrLen;
  auto CheckSection = [&](const char *What, uint32_t Off,
                          uint32_t Len) -> Error {
    if (uint64_t(Off) + Len > Left)
      return makeError(Name, Twine(What) + " section [" + Twine(Off) + ", " +
                                 Twine(uint64_t(Off) + Len) +
                                 ") runs past the end of the data (" +
                                 Twine(Left) + " bytes after the header)");
    return Error::success();
  };
  if (Error E = CheckSection("type", Hdr.TypeOff, Hdr.TypeLen))
    return E;
  if (Error E = CheckSection("string", Hdr.StrOff, Hdr.StrLen))
    return E;
  if (Hdr.TypeOff % 4)
    return makeError(Name, "type section offset " + Twine(Hdr.TypeOff) +
                               " is not 4-byte aligned");
  if (Hdr.TypeLen % 4)
    return makeError(Name, "type section length " + Twine(Hdr.TypeLen) +
                               " is not a multiple of 4");
  if (Hdr.HdrLen >= LayoutHeaderSize && Hdr.LayoutLen) {
    if (Error E = CheckSection("layout", Hdr.LayoutOff, Hdr.LayoutLen))
      return E;
    if (Hdr.LayoutOff % 4 || Hdr.LayoutLen % sizeof(KindLayout))
      return makeError(Name, "misaligned layout section (offset " +
                                 Twine(Hdr.LayoutOff) + ", length " +
                                 Twine(Hdr.LayoutLen) + ")");
  }
  auto Overlap = [](uint32_t AOff, uint32_t ALen, uint32_t BOff,
                    uint32_t BLen) {
    return ALen && BLen && uint64_t(AOff) < uint64_t(BOff) + BLen &&
           uint64_t(BOff) < uint64_t(AOff) + ALen;
  };
  if (Overlap(Hdr.TypeOff, Hdr.TypeLen, Hdr.StrOff, Hdr.StrLen) ||
      Overlap(Hdr.TypeOff, Hdr.TypeLen, Hdr.LayoutOff, Hdr.LayoutLen) ||
      Overlap(Hdr.StrOff, Hdr.StrLen, Hdr.LayoutOff, Hdr.LayoutLen))
    return makeError(Name, "type, string and layout sections overlap");
  return Error::success();
}

namespace {
/// knownKindLayout() as a table, for the per-record loop.
struct KnownLayoutTable {
  KindLayout Layouts[128] = {};
  bool IsKnown[128] = {};
};

const KnownLayoutTable &knownLayoutTable() {
  static const KnownLayoutTable Table = [] {
    KnownLayoutTable T;
    for (unsigned K = 0; K < 128; ++K)
      T.IsKnown[K] = knownKindLayout(K, T.Layouts[K]);
    return T;
  }();
  return Table;
}

} // namespace

/// What one pass over the records learns for the checks that follow.
struct BTF::RecordScan {
  uint32_t MaxNameOff = 0; // the largest string offset used
  uint32_t MaxTypeId = 0;  // the largest type id referred to
  /// The chain records (see isChainKind) that refer to themselves or to a
  /// later own chain record. A reference loop runs through chain records
  /// only and has at least one such edge, so walks from these find every
  /// loop; without any, there is none.
  std::vector<uint32_t> ForwardChains;
  /// While indexing: for each forward chain record, the id it refers to.
  std::vector<uint32_t> ForwardTargets;
};

static bool isChainKind(RecordRef R);

// Folds one record into \p S (called by indexTypes() as it steps over the
// record, so the type section is read once).
static void scanRecord(const CommonType *Rec, uint32_t Id,
                       BTF::RecordScan &S) {
  // Every record starts with its name, whatever its kind.
  S.MaxNameOff = std::max(S.MaxNameOff, Rec->NameOff);
  if (infoKind(Rec->Info) > MaxKnownKind)
    return; // Stepped over via the layout section; contents opaque.
  bool HasSlot = false;
  uint32_t First = 0;
  visitSlots(
      Rec,
      [&](uint32_t T) {
        S.MaxTypeId = std::max(S.MaxTypeId, T);
        if (!HasSlot)
          First = T;
        HasSlot = true;
      },
      [&](uint32_t N) { S.MaxNameOff = std::max(S.MaxNameOff, N); });
  // A chain record's first type slot is where its chain goes next (ARRAY:
  // the element type). Whether the target is a chain record too is known
  // only once every record is indexed: see indexTypes().
  if (HasSlot && First >= Id && isChainKind(RecordRef(Rec))) {
    S.ForwardChains.push_back(Id);
    S.ForwardTargets.push_back(First);
  }
}

Expected<std::unique_ptr<BTF>>
BTF::parseIndexed(ArrayRef<uint8_t> Data, ArrayRef<uint32_t> Offsets,
                  std::string Name, std::shared_ptr<const void> Keep) {
  std::unique_ptr<BTF> B(new BTF());
  B->Name = std::move(Name);
  B->KeepAlive = std::move(Keep);
  if (Error E = B->loadSections(Data))
    return E;
  if (!B->OwnedWords.empty())
    return makeError(B->Name, "cannot use a saved type index: the BTF is "
                              "not in host byte order or not aligned");
  // Ascending offsets inside the section keep every record's first word
  // readable whatever the index says; that the records are the ones
  // indexed is the caller's to know.
  const uint64_t Len = B->Types.size();
  if (uint64_t(Offsets.size()) * sizeof(CommonType) > Len ||
      (!Offsets.empty() && Offsets.front() != 0))
    return makeError(B->Name, "saved type index does not fit the BTF: " +
                                  Twine(Offsets.size()) + " types in " +
                                  Twine(Len) + " bytes");
  for (size_t I = 1; I < Offsets.size(); ++I)
    if (Offsets[I] < Offsets[I - 1] + sizeof(CommonType) ||
        Offsets[I] > Len - sizeof(CommonType) || Offsets[I] % 4)
      return makeError(B->Name, "saved type index does not fit the BTF at "
                                "type id " +
                                    Twine(I + 1));
  B->Offsets = Offsets;
  return B;
}

Error BTF::load(ArrayRef<uint8_t> Data) {
  if (Error E = loadSections(Data))
    return E;
  // checkReferences() and checkLoops() find the first bad record and say
  // what is wrong with it; a quick scan made while indexing tells whether
  // there can be anything to find, which for real input there hardly ever
  // is. (The two walks cost more than the rest of a load: parse-bench.)
  RecordScan Scan;
  if (Error E = indexTypes(Scan))
    return E;
  if (Scan.MaxNameOff >= strEnd() || Scan.MaxTypeId >= endId())
    if (Error E = checkReferences())
      return E;
  if (!Scan.ForwardChains.empty())
    return checkLoops(Scan.ForwardChains);
  return Error::success();
}

Error BTF::loadSections(ArrayRef<uint8_t> Data) {
  if (Data.size() > UINT32_MAX)
    return makeError(Name, "BTF of " + Twine(Data.size()) +
                               " bytes is larger than 4 GiB");
  DataSize = uint32_t(Data.size());
  if (Error E = parseHeader(Data))
    return E;
  const uint8_t *Body = Data.data() + Hdr.HdrLen;
  // An empty layout section may claim any offset (the header check only
  // bounds a non-empty one): it is never read, and never added to a pointer.
  const uint32_t LayoutAt = Hdr.LayoutLen ? Hdr.LayoutOff : 0;
  // Records are read as 32-bit words in place; foreign-endian or misaligned
  // input is copied (and swapped) into words we own.
  bool Aligned = (reinterpret_cast<uintptr_t>(Body + Hdr.TypeOff) % 4) == 0 &&
                 (reinterpret_cast<uintptr_t>(Body + LayoutAt) % 4) == 0;
  if (Swapped || !Aligned) {
    size_t Bytes = Data.size() - Hdr.HdrLen;
    OwnedWords.assign((Bytes + 3) / 4, 0);
    if (Bytes) // memcpy from or to null is undefined even for 0 bytes
      std::memcpy(OwnedWords.data(), Body, Bytes);
    Body = reinterpret_cast<const uint8_t *>(OwnedWords.data());
    if (Swapped) {
      // Every record of every known kind is a sequence of 32-bit words, and
      // kinds described by a layout section are too (sizes are multiples of
      // 4), so the type section swaps word by word. Layout entries hold one
      // 16-bit field.
      uint32_t *W = OwnedWords.data() + Hdr.TypeOff / 4;
      for (uint32_t I = 0; I < Hdr.TypeLen / 4; ++I)
        W[I] = sys::getSwappedBytes(W[I]);
      auto *L = reinterpret_cast<KindLayout *>(
          reinterpret_cast<uint8_t *>(OwnedWords.data()) + LayoutAt);
      for (uint32_t I = 0; I < Hdr.LayoutLen / sizeof(KindLayout); ++I)
        L[I].Flags = sys::getSwappedBytes(L[I].Flags);
    }
  }
  Types = ArrayRef<uint8_t>(Body + Hdr.TypeOff, Hdr.TypeLen);
  Strings = StringRef(reinterpret_cast<const char *>(Body) + Hdr.StrOff,
                      Hdr.StrLen);
  if (Hdr.HdrLen >= LayoutHeaderSize)
    Layouts = ArrayRef<KindLayout>(
        reinterpret_cast<const KindLayout *>(Body + LayoutAt),
        Hdr.LayoutLen / sizeof(KindLayout));

  if (Base) {
    FirstId = Base->endId();
    StrBegin = Base->strEnd();
  }
  // String table: a base's starts with the empty string; every table ends in
  // NUL so that any in-range offset reads a terminated string.
  if (!Base && (Strings.empty() || Strings.front() != '\0'))
    return makeError(Name, "string section does not start with a NUL byte "
                           "(split BTF? then its base is needed, e.g. "
                           "--base-btf)");
  if (!Strings.empty() && Strings.back() != '\0')
    return makeError(Name, "string section is not NUL-terminated");
  return Error::success();
}

Error BTF::indexTypes(RecordScan &Scan) {
  // Sized from a cheap lower bound: the smallest record is 12 bytes.
  std::vector<uint32_t> &Offsets = OwnedOffsets;
  Offsets.reserve(Types.size() / 16);
  const KnownLayoutTable &Known = knownLayoutTable();
  uint32_t Off = 0;
  const uint32_t Len = uint32_t(Types.size());
  while (Off < Len) {
    uint32_t Id = FirstId + uint32_t(Offsets.size());
    if (Len - Off < sizeof(CommonType))
      return typeError(Id, "truncated type record at offset " + Twine(Off) +
                               " of the type section");
    auto *Rec = reinterpret_cast<const CommonType *>(Types.data() + Off);
    unsigned K = infoKind(Rec->Info);
    KindLayout L = Known.Layouts[K];
    if (!Known.IsKnown[K]) {
      if (K >= Layouts.size())
        return typeError(Id, "unknown kind " + Twine(K) +
                                 " and no layout section describes it");
      L = Layouts[K];
    }
    uint64_t RecSize = sizeof(CommonType) + uint64_t(L.InfoSize) +
                       uint64_t(infoVlen(Rec->Info)) * L.ElemSize;
    if (RecSize % 4)
      return typeError(Id, "record size " + Twine(RecSize) +
                               " of kind " + Twine(K) +
                               " is not a multiple of 4");
    if (RecSize > Len - Off)
      return typeError(Id, Twine(kindName(K)) + " record of " +
                               Twine(RecSize) + " bytes (vlen " +
                               Twine(infoVlen(Rec->Info)) +
                               ") runs past the end of the type section");
    Offsets.push_back(Off);
    scanRecord(Rec, Id, Scan);
    Off += uint32_t(RecSize);
  }
  if (uint64_t(FirstId) + Offsets.size() > 0x80000000ull)
    return makeError(Name, "too many types");
  this->Offsets = Offsets;
  // Keep the forward chain records whose target is a chain record too.
  // Out-of-range targets are checkReferences()'s to report, before loops.
  size_t Kept = 0;
  for (size_t I = 0; I < Scan.ForwardChains.size(); ++I) {
    uint32_t Target = Scan.ForwardTargets[I];
    if (Target - FirstId < Offsets.size() &&
        isChainKind(RecordRef(reinterpret_cast<const CommonType *>(
            Types.data() + Offsets[Target - FirstId]))))
      Scan.ForwardChains[Kept++] = Scan.ForwardChains[I];
  }
  Scan.ForwardChains.resize(Kept);
  return Error::success();
}

Error BTF::checkReferences() const {
  const uint32_t End = endId(), StrLimit = strEnd();
  for (uint32_t Id = FirstId; Id < End; ++Id) {
    Type T = type(Id);
    if (T.rawKind() > MaxKnownKind) {
      // Stepped over via the layout section; only the name is known.
      if (T.nameOff() >= StrLimit)
        return typeError(Id, Twine(kindName(T.rawKind())) +
                                 " has string offset " + Twine(T.nameOff()) +
                                 " past the string table (" + Twine(StrLimit) +
                                 " bytes)");
      continue;
    }
    Error Err = Error::success();
    forEachNameRef(T, [&](uint32_t Off) {
      if (Off >= StrLimit && !Err)
        Err = typeError(Id, Twine(kindName(T.rawKind())) + " has string offset " +
                                Twine(Off) + " past the string table (" +
                                Twine(StrLimit) + " bytes)");
    });
    if (Err)
      return Err;
    forEachTypeRef(T, [&](uint32_t Ref) {
      if (Ref >= End && !Err)
        Err = typeError(Id, describeType(T) + " refers to type id " +
                                Twine(Ref) + ", past the last id " +
                                Twine(End - 1));
    });
    if (Err)
      return Err;
  }
  return Error::success();
}

// Kinds whose one outgoing reference must end somewhere else: a cycle among
// them has no meaning (the kernel reports "Loop detected").
static bool isChainKind(RecordRef R) { return R.facts().has(KindFacts::Chain); }

static uint32_t chainNext(const Type &T) {
  return T.is(Kind::Array) ? T.array().Type : T.typeId();
}

Error BTF::checkLoops(ArrayRef<uint32_t> Starts) const {
  // Colour walk over own ids: 0 unseen, 1 on the current path, 2 finished.
  // Chains leave this BTF only downwards (into the base), which was checked
  // when the base was loaded. Every loop holds one of \p Starts.
  std::vector<uint8_t> State(Offsets.size(), 0);
  std::vector<uint32_t> Path;
  for (uint32_t Start : Starts) {
    uint32_t Id = Start;
    while (Id >= FirstId && State[Id - FirstId] == 0) {
      Type T = type(Id);
      if (T.rawKind() > MaxKnownKind || !isChainKind(T))
        break;
      State[Id - FirstId] = 1;
      Path.push_back(Id);
      Id = chainNext(T);
    }
    if (Id >= FirstId && State[Id - FirstId] == 1)
      return typeError(Id, "Loop detected: " + describeType(type(Id)) +
                               " refers back to itself through " +
                               Twine(Path.size()) + " type(s)");
    for (uint32_t P : Path)
      State[P - FirstId] = 2;
    Path.clear();
  }
  return Error::success();
}
