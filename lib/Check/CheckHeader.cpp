//===- CheckHeader.cpp - The kernel's header and section rules ------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// btf_parse_hdr, btf_check_sec_info, btf_parse_str_sec and the start of
// btf_parse_type_sec. BTF::parse has already refused what cannot be read at
// all (short data, bad magic or version, sections past the end, a
// misaligned layout section); what is left is the kernel's stricter layout:
// a header of the size the release knows (24 bytes; 32 with a layout
// section from LayoutSection on), no flags, the sections with nothing
// between, before or after them, and (before LayoutSection, or with the
// short header) the string section last.
//
//===----------------------------------------------------------------------===//

#include "Checker.h"

#include "llvm/ADT/SmallVector.h"

#include <algorithm>

using namespace btfkit;
using namespace btfkit::check;
using namespace llvm;

/// Whether btf_check_sec_info counts a layout section: the release knows
/// the long header, this blob has one, and its layout section is not empty.
static bool hasLayoutSection(const Checker &C) {
  const Header &H = C.B.header();
  return C.Rules.has(RuleChange::LayoutSection) &&
         H.HdrLen >= LayoutHeaderSize && H.LayoutLen;
}

void btfkit::check::checkHeader(Checker &C) {
  const BTF &B = C.B;
  const Header &H = B.header();
  const uint32_t Size = B.dataSize();

  // btf_parse() refuses larger user blobs with -E2BIG before reading them;
  // btf_parse_vmlinux/btf_parse_module have no such limit.
  if (C.Opts.ResolveTypes && Size > MaxBTFSize) {
    C.reportBlob(ValidationPhase::Header, "BTF is larger than BTF_MAX_SIZE",
                 Twine(Size) + " bytes, BPF_BTF_LOAD takes at most " +
                     Twine(MaxBTFSize),
                 E2Big, /*RefusedAtModuleLoad=*/false);
    if (C.stopped())
      return;
  }

  // Bytes beyond the header the kernel knows must be zero. BTF::parse
  // allowed a 32-byte header whose last two words place a layout section,
  // and made sure that bytes past those are zero.
  if (C.Rules.headerSize() < LayoutHeaderSize && H.HdrLen >= LayoutHeaderSize &&
      (H.LayoutOff || H.LayoutLen)) {
    C.reportBlob(ValidationPhase::Header, "Unsupported btf_header",
                 Twine(H.HdrLen) + "-byte header with a layout section at " +
                     Twine(H.LayoutOff) + ", " + Twine(H.LayoutLen) +
                     " bytes; " + C.kernelName() +
                     " knows only the 24-byte header",
                 E2Big);
    if (C.stopped())
      return;
  }
  if (H.Flags) {
    C.reportBlob(ValidationPhase::Header, "Unsupported flags",
                 "flags 0x" + Twine::utohexstr(H.Flags), ENotSupp);
    if (C.stopped())
      return;
  }
  if (!B.isSplit() && Size == H.HdrLen) {
    C.reportBlob(ValidationPhase::Header, "No data",
                 "the blob ends with its header");
    if (C.stopped())
      return;
  }

  // btf_check_sec_info: the type and string sections (and a non-empty
  // layout section, for a release that knows one), sorted by offset, must
  // tile the data after the header exactly.
  struct Sec {
    const char *Name;
    uint32_t Off, Len;
  };
  SmallVector<Sec, 3> Secs = {{"type", H.TypeOff, H.TypeLen},
                              {"string", H.StrOff, H.StrLen}};
  if (hasLayoutSection(C))
    Secs.push_back({"layout", H.LayoutOff, H.LayoutLen});
  std::sort(Secs.begin(), Secs.end(), [](const Sec &X, const Sec &Y) {
    return X.Off != Y.Off ? X.Off < Y.Off : X.Len < Y.Len;
  });
  const uint32_t Expected = Size - H.HdrLen;
  uint32_t Total = 0;
  for (const Sec &S : Secs) {
    std::string Where = std::string(S.Name) + " section at " +
                        std::to_string(S.Off) + ", " + std::to_string(S.Len) +
                        " bytes";
    if (Expected < S.Off) {
      C.reportBlob(ValidationPhase::Header, "Invalid section offset",
                   Where + ", past the " + Twine(Expected) +
                       " bytes after the header");
      return;
    }
    if (Total < S.Off) {
      C.reportBlob(ValidationPhase::Header, "Unsupported section found",
                   Where + ": " + Twine(S.Off - Total) +
                       " unaccounted bytes before it");
      return;
    }
    if (Total > S.Off) {
      C.reportBlob(ValidationPhase::Header, "Section overlap found", Where);
      return;
    }
    if (Expected - Total < S.Len) {
      C.reportBlob(ValidationPhase::Header, "Total section length too long",
                   Where);
      return;
    }
    Total += S.Len;
  }
  if (Expected != Total)
    C.reportBlob(ValidationPhase::Header, "Unsupported section found",
                 Twine(Expected - Total) + " bytes after the " +
                     (Secs.size() == 3 ? "type, string and layout sections"
                                       : "type and string sections"));
}

void btfkit::check::checkStrings(Checker &C) {
  const BTF &B = C.B;
  const Header &H = B.header();
  uint64_t End = uint64_t(H.HdrLen) + H.StrOff + H.StrLen;
  // With the long header (a release that knows it) a layout section may
  // come after the strings.
  bool MustEnd =
      !C.Rules.has(RuleChange::LayoutSection) || H.HdrLen < LayoutHeaderSize;
  if (MustEnd && End != B.dataSize()) {
    C.reportBlob(ValidationPhase::Strings, "String section is not at the end",
                 "it ends at byte " + Twine(End) + " of " +
                     Twine(B.dataSize()));
    if (C.stopped())
      return;
  }
  StringRef S = B.stringSection();
  // A split BTF may have no strings of its own.
  if (B.isSplit() && S.empty())
    return;
  if (S.empty())
    C.reportBlob(ValidationPhase::Strings, "Invalid string section",
                 "it is empty");
  else if (S.size() - 1 > MaxNameOffset)
    C.reportBlob(ValidationPhase::Strings, "Invalid string section",
                 Twine(S.size()) + " bytes, more than offsets can address");
  else if (S.back() != '\0')
    C.reportBlob(ValidationPhase::Strings, "Invalid string section",
                 "it does not end with a NUL byte");
  else if (!B.isSplit() && S.front() != '\0')
    C.reportBlob(ValidationPhase::Strings, "Invalid string section",
                 "a base BTF's strings must start with the empty string");
}

void btfkit::check::checkTypeSection(Checker &C) {
  // btf_parse_type_sec, run for BPF_BTF_LOAD only; vmlinux and module BTF
  // go straight to btf_check_all_metas.
  const Header &H = C.B.header();
  if (H.TypeOff & 3) {
    C.reportBlob(ValidationPhase::Header, "Unaligned type_off",
                 "type section at " + Twine(H.TypeOff), EInval,
                 /*RefusedAtModuleLoad=*/false);
    if (C.stopped())
      return;
  }
  if (!C.B.isSplit() && !H.TypeLen)
    C.reportBlob(ValidationPhase::Header, "No type found",
                 "the type section is empty", EInval,
                 /*RefusedAtModuleLoad=*/false);
}
