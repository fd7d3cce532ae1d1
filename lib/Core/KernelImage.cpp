//===- KernelImage.cpp - A kernel's BTF, as kernels ship ------------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The x86 boot protocol (Documentation/arch/x86/boot.rst) puts the setup
// header at 0x1f1: setup_sects at 0x1f1, "HdrS" at 0x202, the protocol
// version at 0x206, the offset of the version string (less 0x200) at 0x20e,
// and, from 2.08 on, payload_offset and payload_length at 0x248 and 0x24c,
// counted from the end of the setup sectors. The payload is the compressed
// vmlinux (an ELF, stripped of symbols but not of .BTF, which is allocated)
// followed by its decompressed size as a 32-bit little-endian number
// (arch/x86/boot/compressed/Makefile: size_append).
//
//===----------------------------------------------------------------------===//

#include "btfkit/KernelImage.h"
#include "btfkit/Decompress.h"
#include "btfkit/Error.h"
#include "btfkit/Reader.h"
#include "btfkit/ToolSupport.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Endian.h"

#include <cstring>
#include <sys/utsname.h>

using namespace btfkit;
using namespace llvm;
using support::endian::read16le;
using support::endian::read32le;

std::optional<BootImagePayload>
btfkit::findBootImagePayload(ArrayRef<uint8_t> Image) {
  if (Image.size() < 0x250 || std::memcmp(Image.data() + 0x202, "HdrS", 4))
    return std::nullopt;
  if (read16le(Image.data() + 0x206) < 0x208)
    return std::nullopt; // no payload fields before protocol 2.08
  uint64_t SetupSects = Image[0x1f1] ? Image[0x1f1] : 4;
  uint64_t Offset = (SetupSects + 1) * 512 + read32le(Image.data() + 0x248);
  uint64_t Length = read32le(Image.data() + 0x24c);
  if (Length < 4 || Offset > Image.size() || Length > Image.size() - Offset)
    return std::nullopt;
  BootImagePayload P;
  P.Data = Image.slice(Offset, Length);
  P.Size = read32le(P.Data.data() + Length - 4);
  // The version string: NUL-terminated, inside the setup sectors.
  uint64_t VersionAt = uint64_t(read16le(Image.data() + 0x20e)) + 0x200;
  if (read16le(Image.data() + 0x20e) && VersionAt < Image.size()) {
    StringRef Rest = toStringRef(Image.drop_front(VersionAt));
    P.Version = Rest.take_until([](char C) { return C == '\0'; }).str();
  }
  return P;
}

StringRef btfkit::releaseOf(StringRef Version) {
  return Version.trim().take_until([](char C) { return isspace(C); });
}

std::string btfkit::findLinuxBanner(ArrayRef<uint8_t> Image) {
  // The banner lives in .rodata; search there when the ELF has one.
  ArrayRef<uint8_t> Where = Image;
  if (auto RO = findELFSection("vmlinux", Image, ".rodata");
      RO && *RO && !(*RO)->empty())
    Where = **RO;
  else if (!RO)
    consumeError(RO.takeError());
  StringRef Text = toStringRef(Where);
  constexpr StringLiteral Prefix = "Linux version ";
  for (size_t At = Text.find(Prefix); At != StringRef::npos;
       At = Text.find(Prefix, At + 1)) {
    StringRef Rest = Text.drop_front(At + Prefix.size());
    // linux_banner's release; the printf formats of other banners start
    // with "%s".
    if (Rest.empty() || !isdigit(Rest[0]))
      continue;
    return Rest.take_until([](char C) { return C == '\0' || C == '\n'; }).str();
  }
  return "";
}

/// The running kernel's release, for its sysfs BTF.
static std::string runningRelease() {
  struct utsname U;
  if (::uname(&U) != 0)
    return "";
  return U.release;
}

Expected<KernelBTF> btfkit::loadKernelBTF(StringRef Path) {
  KernelBTF K;
  K.Path = Path.str();
  auto Contents = mapFile(Path);
  if (!Contents)
    return Contents.takeError();
  // What the bytes are owned by, and the bytes: the file, then what
  // decompressing it or its boot image's payload gave.
  std::shared_ptr<const MemoryBuffer> Owner = *Contents;
  ArrayRef<uint8_t> Data = arrayRefFromStringRef(Owner->getBuffer());
  std::string Whole;
  if (Compression C = detectCompression(Data); C != Compression::None) {
    auto Out = decompress(Data, C, Path);
    if (!Out)
      return Out.takeError();
    Owner = std::move(*Out);
    Data = arrayRefFromStringRef(Owner->getBuffer());
    Whole = std::string(", ") + compressionName(C) + "-compressed";
  }
  if (auto Payload = findBootImagePayload(Data)) {
    K.Version = Payload->Version;
    Compression C = detectCompression(Payload->Data);
    if (looksLikeELF(Payload->Data)) {
      K.Origin = "bzImage, uncompressed";
      Data = Payload->Data;
    } else if (C == Compression::None) {
      return makeError(Path, "a bzImage whose payload is neither an ELF nor "
                             "in a compressed format btfkit knows");
    } else {
      auto Out = decompress(Payload->Data, C, Path, Payload->Size);
      if (!Out)
        return Out.takeError();
      Owner = std::move(*Out);
      Data = arrayRefFromStringRef(Owner->getBuffer());
      K.Origin = std::string("bzImage, ") + compressionName(C);
    }
    if (!looksLikeELF(Data))
      return makeError(Path, "the bzImage's payload is not an ELF vmlinux");
  }

  std::unique_ptr<BTF> B;
  if (looksLikeRawBTF(Data)) {
    if (K.Origin.empty())
      K.Origin = "raw BTF";
    auto Parsed = BTF::parse(Data, nullptr, K.Path, Owner);
    if (!Parsed)
      return Parsed.takeError();
    B = std::move(*Parsed);
    if (Path == SysfsVmlinux)
      K.Version = runningRelease();
  } else if (looksLikeELF(Data)) {
    if (K.Origin.empty())
      K.Origin = "vmlinux ELF";
    auto Sec = findELFSection(Path, Data, BTFSectionName);
    if (!Sec)
      return Sec.takeError();
    if (!*Sec)
      return makeError(Path,
                       "no .BTF section: the kernel was built without "
                       "CONFIG_DEBUG_INFO_BTF",
                       ErrorKind::NoSection);
    std::string Name = K.Path + ":" + BTFSectionName;
    if (Owner == *Contents) {
      auto Parsed = BTF::parse(**Sec, nullptr, Name, Owner);
      if (!Parsed)
        return Parsed.takeError();
      B = std::move(*Parsed);
    } else {
      // A decompressed image is ten times its BTF: keep only the BTF.
      auto Parsed = BTF::parseOwned(
          std::vector<uint8_t>((*Sec)->begin(), (*Sec)->end()), nullptr, Name);
      if (!Parsed)
        return Parsed.takeError();
      B = std::move(*Parsed);
    }
    if (K.Version.empty())
      K.Version = findLinuxBanner(Data);
  } else {
    return makeError(Path,
                     "neither raw BTF, an ELF vmlinux nor a bzImage" + Whole,
                     ErrorKind::NotBTF);
  }
  if (!K.Origin.empty())
    K.Origin += Whole;
  K.Release = releaseOf(K.Version).str();
  K.B = std::move(B);
  return K;
}
