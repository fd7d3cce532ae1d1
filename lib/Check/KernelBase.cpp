//===- KernelBase.cpp - Is this file a kernel's BTF? ----------------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// A kernel's BTF reads on its own: its string table starts with the empty
// string and its types refer to its own ids only. Split BTF (a module's
// .BTF, as pahole, libbpf and btfkit write it) does not: its strings
// continue the base's, without a leading NUL, and its types refer to the
// base's ids. So "loads without a base" is what tells a vmlinux's BTF from
// a module's, for raw BTF and ELF files alike; an ELF with .BTF.base is a
// resilient module whatever its .BTF holds.
//
//===----------------------------------------------------------------------===//

#include "btfkit/KernelBase.h"

#include "btfkit/Decompress.h"
#include "btfkit/Error.h"
#include "btfkit/Reader.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

using namespace btfkit;
using namespace llvm;

/// Whether the .BTF of \p Contents reads without a base.
static bool readsOnItsOwn(const std::shared_ptr<const MemoryBuffer> &Contents) {
  LoadOptions LO;
  LO.UseEmbeddedBase = false;
  auto F = BTFFile::load(Contents, LO);
  if (!F) {
    consumeError(F.takeError());
    return false;
  }
  return true;
}

BTFFileKind
btfkit::classifyBTFFile(const std::shared_ptr<const MemoryBuffer> &Contents) {
  ArrayRef<uint8_t> Bytes = arrayRefFromStringRef(Contents->getBuffer());
  if (looksLikeELF(Bytes)) {
    auto What = inspectFile(*Contents);
    if (!What) {
      consumeError(What.takeError());
      return BTFFileKind::NotBTF;
    }
    if (What->HasBaseSection)
      return BTFFileKind::ResilientModule;
    if (!What->HasBTF)
      return BTFFileKind::NoBTF;
  } else if (!looksLikeRawBTF(Bytes)) {
    return BTFFileKind::NotBTF;
  }
  return readsOnItsOwn(Contents) ? BTFFileKind::Kernel : BTFFileKind::SplitBTF;
}

bool btfkit::isKernelBTFFile(
    const std::shared_ptr<const MemoryBuffer> &Contents) {
  return classifyBTFFile(Contents) == BTFFileKind::Kernel;
}

StringRef btfkit::describeBTFFileKind(BTFFileKind K) {
  switch (K) {
  case BTFFileKind::Kernel:
    return "a kernel's BTF";
  case BTFFileKind::ResilientModule:
    return "a kernel module (resilient split BTF: .BTF + .BTF.base)";
  case BTFFileKind::SplitBTF:
    return "split BTF (a module's .BTF, which needs its own base)";
  case BTFFileKind::NoBTF:
    return "an ELF file without a .BTF section";
  case BTFFileKind::NotBTF:
    return "neither BTF, an ELF file nor a kernel image";
  }
  return "";
}

/// What to name instead of a file that is not a kernel's BTF.
static constexpr const char *NameAKernel =
    "name the vmlinux of the kernel the module is built for (in a Kbuild "
    "build, the headers' vmlinux: $(objtree)/vmlinux), its raw BTF or boot "
    "image (/boot/vmlinuz-RELEASE), or "
    "/sys/kernel/btf/vmlinux for the running kernel";

Error btfkit::notAKernelBTF(StringRef Path, StringRef Option, Error Cause) {
  // Only a file that reads says what it is; one that does not is told by
  // the reader's own error (missing, unreadable, a broken ELF).
  auto Contents = readInput(Path);
  if (!Contents) {
    consumeError(Contents.takeError());
    return Cause;
  }
  // A kernel's file, or an ELF without .BTF (the readers say why: a
  // kernel built without CONFIG_DEBUG_INFO_BTF), is told by the reader.
  // Neither is a file the readers recognised as something else (a boot
  // image compressed in a way btfkit does not read).
  BTFFileKind K = classifyBTFFile(*Contents);
  if (K == BTFFileKind::Kernel || K == BTFFileKind::NoBTF ||
      (K == BTFFileKind::NotBTF && !isErrorKind(Cause, ErrorKind::NotBTF)))
    return Cause;
  // What the file is says more than the reader's complaint about it.
  consumeError(std::move(Cause));
  return makeError(Path,
                   Option +
                       " wants a kernel's (vmlinux) BTF, and this "
                       "is " +
                       describeBTFFileKind(K) + ": " + NameAKernel,
                   K == BTFFileKind::NotBTF ? ErrorKind::NotBTF
                                            : ErrorKind::Malformed);
}

Error btfkit::checkMadeOverBase(StringRef Module, StringRef BasePath,
                                const ForeignBaseReport &Report,
                                StringRef Option) {
  if (!Report.foreign())
    return Error::success();
  const ForeignFinding &First = Report.Findings.front();
  std::string Counts;
  for (ForeignMark M : AllForeignMarks)
    if (size_t N = Report.count(M))
      Counts += (Counts.empty() ? "" : ", ") + std::to_string(N) + " " +
                foreignMarkName(M).str();
  return makeError(Module,
                   "its .BTF was not made over " + BasePath +
                       " (another build's vmlinux: read over it, " +
                       First.Message + "; " + Counts +
                       "): name the vmlinux the module was built against "
                       "with " +
                       Option);
}

Error btfkit::notReadOverBase(StringRef BasePath, StringRef Option,
                              Error Cause) {
  return makeError(toString(std::move(Cause)),
                   "the module's .BTF does not read over " + BasePath +
                       ", so it was made over another base: name the "
                       "vmlinux the module was built against with " +
                       Option);
}

Error btfkit::checkClassicOverBase(
    const std::shared_ptr<const MemoryBuffer> &Contents, const BTF &Base,
    StringRef BasePath, StringRef Option) {
  ArrayRef<uint8_t> Bytes = arrayRefFromStringRef(Contents->getBuffer());
  bool IsELF = looksLikeELF(Bytes);
  if (IsELF) {
    auto What = inspectFile(*Contents);
    if (!What)
      return What.takeError();
    if (What->HasBaseSection || !What->HasBTF)
      return Error::success(); // not classic: the caller's own error or none
  }
  LoadOptions LO;
  LO.Base = &Base;
  LO.UseEmbeddedBase = false;
  auto F = BTFFile::load(Contents, LO);
  if (!F)
    return notReadOverBase(BasePath, Option, F.takeError());
  StringRef Module = Contents->getBufferIdentifier();
  std::string Skipped = "raw BTF input, no symbol table";
  std::optional<ModuleFunctions> Functions;
  if (IsELF)
    Functions = readModuleFunctions(Module, Bytes, Skipped);
  // Names and symbols only: a type no compiler writes (a FUNC used as a
  // type, a reference to a base VAR) is as much a malformed module as a
  // foreign reading, and the caller's own checks name it precisely.
  ForeignBaseReport R =
      checkForeignBase(F->btf(), Functions ? &*Functions : nullptr, Skipped);
  erase_if(R.Findings, [](const ForeignFinding &X) {
    return X.Mark == ForeignMark::BadType;
  });
  return checkMadeOverBase(Module, BasePath, R, Option);
}
