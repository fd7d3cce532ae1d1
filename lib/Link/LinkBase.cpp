//===- LinkBase.cpp - The base a module is linked over --------------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The base is never silently wrong. A named base must be a kernel's BTF
// (KernelBase.h says what it is otherwise). Unnamed, it is found where
// Kbuild's own BTF rule finds it, $(objtree)/vmlinux: Kbuild exports
// abs_objtree to every command of a build. And a module whose objects
// carry no base of their own (built without one, or encoded from DWARF)
// cannot do without one: its BTF would hold private copies of every kernel
// type it uses over an empty .BTF.base, which no kernel relates to its own
// types.
//
//===----------------------------------------------------------------------===//

#include "LinkInternal.h"

#include "btfkit/Error.h"
#include "btfkit/KernelBase.h"

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

Expected<std::unique_ptr<IndexedBase>>
link::loadLinkBase(const LinkOptions &Opts, std::string &BasePath,
                   raw_ostream &OS) {
  BasePath = Opts.BasePath;
  if (BasePath.empty()) {
    std::optional<std::string> K = kbuildVmlinux();
    if (Opts.NoBase || !K || !sys::fs::exists(*K))
      return nullptr;
    BasePath = *K;
    if (Opts.Verbose)
      OS << "base: " << BasePath << " (Kbuild's $(objtree)/vmlinux; no "
         << Opts.BaseOption << " given)\n";
  }
  auto B = IndexedBase::load(BasePath, baseIndexCacheDir(Opts.CacheDir));
  if (!B)
    return notAKernelBTF(BasePath, Opts.BasePath.empty()
                                       ? StringRef("$(objtree)/vmlinux")
                                       : StringRef(Opts.BaseOption),
                         B.takeError());
  return std::move(*B);
}

Error link::checkBaseGiven(StringRef InPath, const MergedModuleBTF &M,
                           const LinkOptions &Opts) {
  if (M.DistilledBase->numTypes() || !M.Split->numTypes())
    return Error::success();
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
