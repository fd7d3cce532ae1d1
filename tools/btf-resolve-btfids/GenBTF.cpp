//===- GenBTF.cpp - btf-resolve-btfids's Linux 7.x command lines ----------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Linux 7.x's scripts/gen-btf.sh runs, per module,
//
//   $RESOLVE_BTFIDS $RESOLVE_BTFIDS_FLAGS --btf_base vmlinux --btf X.BTF.1 X.ko
//   $RESOLVE_BTFIDS --patch_btfids X.BTF_ids X.ko
//
// (flags: --distill_base for external modules, --fatal_warnings with
// CONFIG_WERROR, --verbose with V=1). The first writes X.BTF, X.BTF.base
// and X.BTF_ids as the kernel's resolve_btfids does (ResolveBTFIds.h); the
// second copies X.BTF_ids into X.ko's .BTF_ids section, which must be as
// long. Neither needs the real tool.
//
//===----------------------------------------------------------------------===//

#include "GenBTF.h"

#include "btfkit/BTFIds.h"
#include "btfkit/Error.h"
#include "btfkit/KernelVersion.h"
#include "btfkit/Reader.h"
#include "btfkit/ResolveBTFIds.h"
#include "btfkit/ToolSupport.h"
#include "btfkit/Writer.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <string>

using namespace btfkit;
using namespace llvm;

static constexpr const char *Tool = "btf-resolve-btfids";

namespace {
struct GenBTFOptions {
  std::optional<std::string> BTFPath, BasePath, PatchPath, Object;
  bool DistillBase = false, FatalWarnings = false;
  unsigned Verbose = 0;
};

/// resolve_btfids's parse_options(): long options with "=" or a separate
/// value, -b and -v; options stop at the first non-option.
Expected<GenBTFOptions> parseGenBTF(ArrayRef<const char *> Args) {
  GenBTFOptions O;
  auto Value = [&](size_t &I, StringRef A, StringRef Long,
                   std::optional<std::string> &Into) -> Expected<bool> {
    if (A.consume_front(Long)) {
      if (A.consume_front("=")) {
        Into = A.str();
        return true;
      }
      if (!A.empty())
        return false;
      if (I + 1 >= Args.size())
        return createStringError(inconvertibleErrorCode(),
                                 Long + " needs a value");
      Into = Args[++I];
      return true;
    }
    return false;
  };
  for (size_t I = 0; I < Args.size(); ++I) {
    StringRef A = Args[I];
    if (A == "--distill_base") {
      O.DistillBase = true;
    } else if (A == "--fatal_warnings") {
      O.FatalWarnings = true;
    } else if (A == "-v" || A == "--verbose") {
      ++O.Verbose;
    } else if (A.starts_with("--kernel-version")) {
      // btfkit's own option, taken by every drop-in: no kernel rule applies
      // to resolving ids, but a bad value is still an error.
      std::string V = A.consume_front("--kernel-version=")
                          ? A.str()
                          : (I + 1 < Args.size() ? Args[++I] : "");
      if (auto K = KernelVersion::parseOption("--kernel-version", V); !K)
        return K.takeError();
    } else if (A.starts_with("-b")) {
      if (A.size() > 2)
        O.BasePath = A.drop_front(2).str();
      else if (I + 1 < Args.size())
        O.BasePath = Args[++I];
      else
        return createStringError(inconvertibleErrorCode(), "-b needs a value");
    } else if (A.starts_with("--")) {
      bool Taken = false;
      for (auto [Long, Into] :
           {std::pair<StringRef, std::optional<std::string> *>{"--btf_base",
                                                               &O.BasePath},
            {"--btf", &O.BTFPath},
            {"--patch_btfids", &O.PatchPath}}) {
        auto T = Value(I, A, Long, *Into);
        if (!T)
          return T.takeError();
        if ((Taken = *T))
          break;
      }
      if (!Taken)
        return createStringError(inconvertibleErrorCode(),
                                 "unknown option " + A + " (see --help)");
    } else {
      if (I + 1 != Args.size())
        return createStringError(inconvertibleErrorCode(),
                                 "one ELF object expected, got more after " +
                                     A + " (see --help)");
      O.Object = A.str();
    }
  }
  if (!O.Object)
    return createStringError(inconvertibleErrorCode(),
                             "no ELF object given (see --help)");
  return O;
}

/// resolve_btfids --patch_btfids: \p Blob's bytes over the section, which
/// must be exactly as long; nothing else in the file changes.
int patchBTFIds(StringRef BlobPath, StringRef Object) {
  auto Blob = mapFile(BlobPath);
  if (!Blob) {
    reportError(Tool, Blob.takeError());
    return 2;
  }
  auto Obj = mapFile(Object);
  if (!Obj) {
    reportError(Tool, Obj.takeError());
    return 2;
  }
  StringRef Image = (*Obj)->getBuffer();
  auto Sec =
      findELFSection(Object, arrayRefFromStringRef(Image), BTFIdsSectionName);
  if (!Sec) {
    reportError(Tool, Sec.takeError());
    return 2;
  }
  if (!*Sec) {
    reportError(Tool, makeError(Object, "no .BTF_ids section to patch with " +
                                            BlobPath));
    return 2;
  }
  StringRef Data = (*Blob)->getBuffer();
  if (Data.size() != (*Sec)->size()) {
    reportError(Tool, makeError(Object, ".BTF_ids is " + Twine((*Sec)->size()) +
                                            " bytes, " + BlobPath + " is " +
                                            Twine(Data.size()) +
                                            " bytes: they must be equal"));
    return 2;
  }
  std::vector<uint8_t> Out(Image.begin(), Image.end());
  size_t At = (*Sec)->data() - reinterpret_cast<const uint8_t *>(Image.data());
  std::copy(Data.begin(), Data.end(), Out.begin() + At);
  Obj->reset();
  if (Error E = writeFileAtomically(Object, Out)) {
    reportError(Tool, std::move(E));
    return 2;
  }
  return 0;
}

Error writeOutput(StringRef Object, StringRef Suffix, ArrayRef<uint8_t> Data,
                  unsigned Verbose) {
  std::string Path = (Object + Suffix).str();
  if (Verbose)
    outs() << Tool << ": writing " << Path << " (" << Data.size()
           << " bytes)\n";
  return writeFileAtomically(Path, Data);
}
} // namespace

bool isGenBTFCommandLine(ArrayRef<const char *> Args) {
  for (size_t I = 0; I < Args.size(); ++I) {
    StringRef A = Args[I];
    if (A == "--btf" || A.starts_with("--btf=") || A == "--patch_btfids" ||
        A.starts_with("--patch_btfids="))
      return true;
    if (A == "-b" || A == "--btf_base" || A == "--kernel-version")
      ++I; // and its value
    else if (!A.starts_with("-"))
      break; // options stop at the object
  }
  return false;
}

int runGenBTF(ArrayRef<const char *> Args) {
  auto O = parseGenBTF(Args);
  if (!O) {
    reportError(Tool, O.takeError());
    return 2;
  }
  if (O->PatchPath)
    return patchBTFIds(*O->PatchPath, *O->Object);

  std::unique_ptr<BTF> Base;
  if (O->BasePath) {
    auto B = loadBaseBTF(*O->BasePath);
    if (!B) {
      reportError(Tool, B.takeError());
      return 2;
    }
    Base = std::move(*B);
  }
  LoadOptions LO;
  LO.Base = Base.get();
  auto In = BTFFile::load(*O->BTFPath, LO);
  if (!In) {
    reportError(Tool, In.takeError());
    return 2;
  }
  auto Obj = mapFile(*O->Object);
  if (!Obj) {
    reportError(Tool, Obj.takeError());
    return 2;
  }
  ArrayRef<uint8_t> Image = arrayRefFromStringRef((*Obj)->getBuffer());
  if (!looksLikeELF(Image)) {
    reportError(Tool, makeError(*O->Object, "not an ELF file (resolve_btfids "
                                            "resolves the BTF ids of a linked "
                                            "object or module)"));
    return 2;
  }
  auto R = resolveModuleBTFIds(*O->Object, Image, In->btf(), O->DistillBase);
  if (!R) {
    reportError(Tool, R.takeError());
    return 2;
  }
  // dump_raw_btf_ids(), then dump_raw_btf() of the split and the base.
  Error E = Error::success();
  if (R->Ids)
    E = writeOutput(*O->Object, ".BTF_ids", *R->Ids, O->Verbose);
  if (!E)
    E = writeOutput(*O->Object, ".BTF", R->Split, O->Verbose);
  if (!E && R->Base)
    E = writeOutput(*O->Object, ".BTF.base", *R->Base, O->Verbose);
  if (E) {
    reportError(Tool, std::move(E));
    return 2;
  }
  for (const std::string &W : R->Warnings)
    reportWarning(Tool, W);
  if (O->FatalWarnings && !R->Warnings.empty()) {
    reportError(
        Tool, createStringError(inconvertibleErrorCode(),
                                *O->Object + ": " + Twine(R->Warnings.size()) +
                                    " warning(s), fatal (--fatal_warnings)"));
    return 1;
  }
  return 0;
}

void printHelp(StringRef Name) {
  outs() << "OVERVIEW: resolve_btfids for modules with distilled or sorted BTF "
            "(RESOLVE_BTFIDS="
         << Name << ")\n\n"
         << R"(USAGE (Linux 7.x, scripts/gen-btf.sh; done by btfkit itself):
  btf-resolve-btfids [--distill_base] [--fatal_warnings] [-v|--verbose]
                     [-b|--btf_base VMLINUX] --btf X.BTF.1 X.ko
      Reads the detached split BTF X.BTF.1 (over VMLINUX), distills its base
      with --distill_base, sorts its types by name, resolves X.ko's BTF_ID()
      symbols, and writes X.ko.BTF, X.ko.BTF.base (with --distill_base) and
      X.ko.BTF_ids (when X.ko has a .BTF_ids section), byte for byte what
      the kernel's resolve_btfids writes. Exit 1 on warnings with
      --fatal_warnings (the files are written, as the real tool does).
  btf-resolve-btfids --patch_btfids X.BTF_ids X.ko
      Copies X.BTF_ids over X.ko's .BTF_ids section (sizes must match).

USAGE (Linux 6.1 - 6.12, Makefile.modfinal; runs the real tool):
  btf-resolve-btfids [-v] -b VMLINUX X.ko
      For a module with a .BTF.base (written by btf-link, ld.lld-btf or
      btf-pahole), runs the real resolve_btfids with that distilled base in
      place of VMLINUX, so that the ids are those of the module's own BTF;
      any other file goes to the real tool unchanged. The real tool:
      $BTFKIT_RESOLVE_BTFIDS, else tools/bpf/resolve_btfids/resolve_btfids
      next to VMLINUX.

OPTIONS (btfkit's own):
  --kernel-version=X.Y   accepted as by the other drop-ins; no kernel rule
                         applies to resolving ids
  --help                 this text
)";
}
