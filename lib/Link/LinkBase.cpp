//===- LinkBase.cpp - The base a module is linked over --------------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The base is never silently wrong. A named base must be a kernel's BTF
// (KernelBase.h says what it is otherwise). A module whose objects carry no
// base of their own (built without one, or encoded from DWARF) cannot do
// without one: its BTF would hold private copies of every kernel type it
// uses over an empty .BTF.base, which no kernel relates to its own types.
// Such a module, and only such a module, takes the base unnamed from where
// Kbuild's own BTF rule finds it, $(objtree)/vmlinux (Kbuild exports
// abs_objtree to every command of a build); objects that carry a base are
// merged over their distilled bases as before, not checked against a
// vmlinux nobody named.
//
//===----------------------------------------------------------------------===//

#include "LinkInternal.h"

#include "btfkit/Error.h"
#include "btfkit/KernelBase.h"
#include "btfkit/KernelImage.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"

using namespace btfkit;
using namespace btfkit::link;
using namespace llvm;

std::optional<std::string> btfkit::kbuildVmlinux() {
  auto ObjTree = sys::Process::GetEnv("abs_objtree");
  if (!ObjTree || ObjTree->empty())
    return std::nullopt;
  SmallString<256> P(*ObjTree);
  sys::path::append(P, "vmlinux");
  return std::string(P);
}

/// Loads \p Path as the link's base, named \p Option in errors: a
/// kernel's BTF as the readers take it (indexed once, through the cache),
/// else a kernel image (a bzImage such as /boot/vmlinuz-*, a compressed
/// vmlinux), whose BTF is indexed as it is taken out.
static Expected<std::unique_ptr<IndexedBase>>
loadBase(StringRef Path, StringRef Option, const LinkOptions &Opts) {
  auto B = IndexedBase::load(Path, baseIndexCacheDir(Opts.CacheDir));
  if (B)
    return std::move(*B);
  auto K = loadKernelBTF(Path);
  if (!K) {
    consumeError(K.takeError());
    return notAKernelBTF(Path, Option, B.takeError());
  }
  consumeError(B.takeError());
  return IndexedBase::fromBTF(std::move(K->B));
}

Expected<std::unique_ptr<IndexedBase>>
link::loadLinkBase(const LinkOptions &Opts) {
  if (Opts.BasePath.empty())
    return nullptr;
  return loadBase(Opts.BasePath, Opts.BaseOption, Opts);
}

bool link::needsBase(const MergedModuleBTF &M) {
  return !M.DistilledBase->numTypes() && M.Split->numTypes();
}

Expected<std::unique_ptr<IndexedBase>>
link::loadKbuildBase(const LinkOptions &Opts, raw_ostream &OS) {
  std::optional<std::string> K = kbuildVmlinux();
  if (Opts.NoBase || !K || !sys::fs::exists(*K))
    return nullptr;
  if (Opts.Verbose)
    OS << "base: " << *K << " (Kbuild's $(objtree)/vmlinux; no "
       << Opts.BaseOption << " given)\n";
  return loadBase(*K, "$(objtree)/vmlinux", Opts);
}

Error link::noBaseError(StringRef InPath, const MergedModuleBTF &M,
                        const LinkOptions &Opts) {
  std::string Where;
  if (std::optional<std::string> K = kbuildVmlinux())
    Where = " (Kbuild's $(objtree)/vmlinux, " + *K + ", does not exist)";
  return makeError(InPath,
                   "no base BTF" + Where +
                       ": its objects carry none (built without one, or "
                       "encoded from DWARF), so its .BTF would hold private "
                       "copies of the " +
                       std::to_string(M.Split->numTypes()) +
                       " types it uses, kernel types included, over an empty "
                       ".BTF.base; name the vmlinux of the kernel it is built "
                       "for with " +
                       Opts.BaseOption +
                       "=VMLINUX (in a Kbuild build, the headers' vmlinux)" +
                       (Opts.BaseOption == "--base"
                            ? ", or --no-base for an object that is not a "
                              "kernel module"
                            : ""));
}
