//===- BTFOptions.cpp - ld.lld-btf's command line, split from lld's ------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "BTFOptions.h"

#include "btfkit/KernelVersion.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Process.h"

using namespace llvm;

namespace btfkit {

static Error usageError(const Twine &Msg) {
  return createStringError(inconvertibleErrorCode(), Msg);
}

/// lld's options that begin with "-o" (ld.lld-19 --help): lld's option
/// table takes the longest matching name, so "-omagic" or "-oformat=binary"
/// are those options, not "-o" joined to a file name.
static bool isLongOptionStartingWithO(StringRef A) {
  static const char *const Names[] = {
      "oformat",         "omagic",     "opt-remarks", "optimize-bb-jumps",
      "orphan-handling", "out-implib", "output"};
  StringRef Rest = A.drop_front(); // the "-"
  return any_of(Names, [&](const char *N) { return Rest.starts_with(N); });
}

/// Records what lld's own arguments say about the output. Only the
/// arguments that lld reads as -o or -r count; the values of lld's other
/// options never begin with "-o" or equal "-r" in practice (a file named
/// "-r" would have to be written "./-r" anyway).
static void noteLldArg(LdCommandLine &CL, int &I, int Argc,
                       const char *const *Argv) {
  StringRef A = Argv[I];
  if (A == "-r" || A == "--relocatable" || A == "-relocatable" || A == "-i") {
    CL.Relocatable = true;
  } else if (A == "-o" || A == "--output" || A == "-output") {
    if (I + 1 < Argc) {
      CL.LldArgs.push_back(Argv[I]);
      CL.Output = Argv[++I];
      CL.LldArgs.push_back(Argv[I]);
      return;
    }
  } else if (A.consume_front("--output=") || A.consume_front("-output=")) {
    CL.Output = A.str();
  } else if (A.starts_with("-o") && A.size() > 2 &&
             !isLongOptionStartingWithO(A)) {
    CL.Output = A.drop_front(2).str();
  }
  CL.LldArgs.push_back(Argv[I]);
}

Expected<LdCommandLine> parseLdCommandLine(int Argc, const char *const *Argv) {
  LdCommandLine CL;
  CL.LldArgs.push_back(Argc > 0 ? Argv[0] : "ld.lld-btf");
  CL.Link.BaseOption = "--btf-base";
  // Objects without a fragment (GCC-built, assembly) are encoded from
  // DWARF unless told otherwise; one line names them unless that route was
  // asked for by name.
  CL.Link.DwarfFallback = CL.Link.AnnounceDwarfUnits = true;
  bool HaveBase = false, HaveFatal = false;
  std::optional<std::string> KernelVersionArg;
  for (int I = 1; I < Argc; ++I) {
    StringRef A = Argv[I];
    // "--btf-x" and "-btf-x", as lld accepts either dash count.
    StringRef Opt = A;
    if (!(Opt.consume_front("--btf-") || Opt.consume_front("-btf-"))) {
      noteLldArg(CL, I, Argc, Argv);
      continue;
    }
    auto [Name, Joined] = Opt.split('=');
    bool HasJoined = Opt.contains('=');
    auto Value = [&]() -> Expected<std::string> {
      if (HasJoined)
        return Joined.str();
      if (I + 1 < Argc)
        return std::string(Argv[++I]);
      return usageError("option '" + A + "' needs a value");
    };
    auto NoValue = [&]() -> Error {
      if (HasJoined)
        return usageError("option '--btf-" + Name + "' takes no value");
      return Error::success();
    };
    if (Name == "base" || Name == "base-btf") {
      auto V = Value();
      if (!V)
        return V.takeError();
      CL.Link.BasePath = *V;
      HaveBase = true;
    } else if (Name == "check-against") {
      auto V = Value();
      if (!V)
        return V.takeError();
      CL.Link.CheckAgainst.push_back(*V);
    } else if (Name == "merge") {
      auto V = Value();
      if (!V)
        return V.takeError();
      if (*V == "auto")
        CL.Merge = MergeMode::Auto;
      else if (*V == "always")
        CL.Merge = MergeMode::Always;
      else if (*V == "never")
        CL.Merge = MergeMode::Never;
      else
        return usageError("option '--btf-merge' takes auto, always or never, "
                          "not '" +
                          *V + "'");
    } else if (Name == "kernel-version") {
      auto V = Value();
      if (!V)
        return V.takeError();
      KernelVersionArg = *V;
    } else if (Name == "fatal-warnings") {
      if (Error E = NoValue())
        return E;
      CL.Link.FatalWarnings = HaveFatal = true;
    } else if (Name == "no-missing-warning") {
      if (Error E = NoValue())
        return E;
      CL.Link.NoMissingWarning = true;
    } else if (Name == "dwarf-fallback") {
      if (Error E = NoValue())
        return E;
      CL.Link.DwarfFallback = true;
      CL.Link.AnnounceDwarfUnits = false;
    } else if (Name == "no-dwarf-fallback") {
      if (Error E = NoValue())
        return E;
      CL.Link.DwarfFallback = false;
    } else if (Name == "verbose" || Name == "v") {
      if (Error E = NoValue())
        return E;
      CL.Link.Verbose = true;
    } else {
      return usageError(
          "unknown btfkit option '" + A +
          "' (btfkit's are --btf-base=, --btf-check-against=, --btf-merge=, "
          "--btf-kernel-version=, --btf-fatal-warnings, "
          "--btf-no-missing-warning, --btf-[no-]dwarf-fallback, "
          "--btf-verbose)");
    }
  }

  if (!HaveBase)
    if (auto Env = sys::Process::GetEnv("BTFKIT_BASE"))
      CL.Link.BasePath = *Env;
  if (auto Env = sys::Process::GetEnv("BTFKIT_CHECK_AGAINST")) {
    SmallVector<StringRef, 4> Ks;
    StringRef(*Env).split(Ks, ':', -1, /*KeepEmpty=*/false);
    for (StringRef K : Ks)
      CL.Link.CheckAgainst.push_back(K.str());
  }
  if (!HaveFatal)
    if (auto Env = sys::Process::GetEnv("BTFKIT_FATAL_WARNINGS"))
      CL.Link.FatalWarnings = !Env->empty() && *Env != "0";
  auto Kernel =
      KernelVersion::fromToolOptions("--btf-kernel-version", KernelVersionArg,
                                     /*InKbuild=*/true);
  if (!Kernel)
    return Kernel.takeError();
  CL.Link.Kernel = *Kernel;
  return CL;
}

bool wantsLinkStep(const LdCommandLine &CL) {
  switch (CL.Merge) {
  case MergeMode::Never:
    return false;
  case MergeMode::Always:
    return true;
  case MergeMode::Auto:
    // A partial link is an intermediate (a Kbuild composite object, or a
    // module's objects before modpost) unless it is the module itself:
    // Kbuild's modfinal writes the .ko with `ld -r`. Merging an
    // intermediate would leave its .BTF/.BTF.base to be concatenated with
    // others' in the next link. A final link's output is final.
    return !CL.Relocatable || StringRef(CL.Output).ends_with(".ko");
  }
  return false;
}

void printBTFOptionsHelp(raw_ostream &OS) {
  // After lld's own --help: what ld.lld-btf adds (docs/LinkStep.md).
  OS << R"(
btfkit OPTIONS (ld.lld-btf; each also as -btf-NAME, values joined or next):
  --btf-base=FILE           The kernel BTF the objects were built against
                            (vmlinux ELF, raw BTF); default $BTFKIT_BASE, else
                            Kbuild's $(objtree)/vmlinux if it exists
  --btf-check-against=FILE  Check the module's BTF relocates onto this kernel
                            (repeatable; also $BTFKIT_CHECK_AGAINST=K1:K2)
  --btf-merge=auto|always|never
                            When the link step runs (auto: final links and
                            partial links to *.ko)
  --btf-kernel-version=X.Y  Check by this Linux release's rules (default
                            $BTFKIT_KERNEL_VERSION, else Kbuild's KERNELVERSION)
  --btf-fatal-warnings      Warnings and failed checks fail the link (also
                            $BTFKIT_FATAL_WARNINGS=1)
  --btf-no-missing-warning  No warning for compile units without a fragment
  --btf-dwarf-fallback      Encode objects without a fragment from DWARF
  --btf-verbose, --btf-v    Print a summary and every verdict
)";
}

} // namespace btfkit
