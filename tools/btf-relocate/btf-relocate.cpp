//===- btf-relocate.cpp - Relocate modules' BTF, predict kernel loads -----===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// btf-relocate MODULE... [--base-btf=TARGET]... [-o OUT | --output-dir=DIR]
//              [--distilled-base=FILE] [--built-against=VMLINUX]
//              [--kernel-version=X.Y] [--format=text|json] [--quiet]
// btf-relocate MODULE... --base-btf=TARGET... --report=DIR
//              [--built-against=VMLINUX] [--threads=N]
//
// For each MODULE (an ELF with .BTF + .BTF.base, an object the btfkit
// plugin compiled against a base, or raw split BTF over the
// --distilled-base file; .ko.xz, .ko.zst, .ko.gz read as they ship;
// folders searched for modules) does what the kernel does when it loads it
// on TARGET (default /sys/kernel/btf/vmlinux; raw BTF, a vmlinux or a
// vmlinuz): relocates the split BTF onto TARGET's BTF, and explains every
// distilled type that finds no match. A module with a .BTF but no .BTF.base
// (classic split BTF) is validated over TARGET as the kernel does instead,
// and when the kernel accepts it, checked for the marks of another build's
// vmlinux read as garbage (ForeignBase.h); or, with --built-against naming
// the kernel it was built for, distilled over that kernel and judged as if
// it had shipped resilient. With one TARGET, writes the relocated split BTF
// (raw) to OUT, or to DIR/<module name without extension>.btf for each
// module that relocates. With several, prints a module x kernel matrix of
// verdicts and writes nothing.
//
// The module-load checks are those of --kernel-version's release for every
// TARGET, else of each TARGET's own: the running kernel's for
// /sys/kernel/btf/vmlinux, the release a vmlinux or vmlinuz names, else the
// newest btfkit knows (KernelVersion.h).
//
// With --report=DIR, judges every module on every TARGET on all cores and
// writes DIR/report.json and DIR/index.html (CompatReport.h,
// docs/CompatReport.md), printing each kernel's counts.
//
// Exit status: 0 every module loads on every target (and none garbled), 1
// some does not or loads garbled, 2 bad input (unreadable or malformed
// files; nothing written for those modules; the report lists them).
//
//===----------------------------------------------------------------------===//

#include "btfkit/BaseIndex.h"
#include "btfkit/CompatReport.h"
#include "btfkit/Decompress.h"
#include "btfkit/Error.h"
#include "btfkit/Explain.h"
#include "btfkit/KernelBase.h"
#include "btfkit/KernelImage.h"
#include "btfkit/KernelVersion.h"
#include "btfkit/ModuleInput.h"
#include "btfkit/Reader.h"
#include "btfkit/Relocate.h"
#include "btfkit/ToolSupport.h"
#include "btfkit/Writer.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/WithColor.h"

#include <optional>

using namespace btfkit;
using namespace llvm;

static cl::OptionCategory Cat("btf-relocate options");
static cl::list<std::string> Modules(cl::Positional, cl::OneOrMore,
                                     cl::desc("<module>..."), cl::cat(Cat));
static cl::list<std::string> Targets(
    "base-btf", cl::value_desc("file"),
    cl::desc("Target kernel BTF (raw, vmlinux ELF or vmlinuz); may "
             "be given several times (default /sys/kernel/btf/vmlinux)"),
    cl::cat(Cat));
static cl::opt<std::string>
    Output("o", cl::value_desc("file"),
           cl::desc("Write the relocated split BTF of the one module here"),
           cl::cat(Cat));
static cl::opt<std::string>
    OutputDir("output-dir", cl::value_desc("dir"),
              cl::desc("Write DIR/<module>.btf for each module that "
                       "relocates"),
              cl::cat(Cat));
static cl::opt<std::string> DistilledBase(
    "distilled-base", cl::value_desc("file"),
    cl::desc("The distilled base raw split modules are split over"),
    cl::cat(Cat));
enum class Format { Text, JSON };
static cl::opt<Format> OutFormat(
    "format", cl::desc("Output format"), cl::init(Format::Text),
    cl::values(clEnumValN(Format::Text, "text", "explanations as text"),
               clEnumValN(Format::JSON, "json", "one JSON document")),
    cl::cat(Cat));
static cl::opt<std::string> BuiltAgainst(
    "built-against", cl::value_desc("vmlinux"),
    cl::desc("The kernel classic modules (no .BTF.base) were built against: "
             "judge them as if shipped resilient, distilled over it"),
    cl::cat(Cat));
static cl::opt<std::string>
    ReportDir("report", cl::value_desc("dir"),
              cl::desc("Write DIR/report.json and DIR/index.html: every "
                       "module on every target"),
              cl::cat(Cat));
static cl::opt<unsigned>
    Threads("threads", cl::value_desc("n"), cl::init(0),
            cl::desc("Worker threads of --report (default: every core)"),
            cl::cat(Cat));
static cl::opt<std::string> KernelVersionOpt(
    "kernel-version", cl::value_desc("X.Y"),
    cl::desc("Judge every target by this Linux release's rules (default: "
             "each target's own, as far as it tells; else the newest known)"),
    cl::cat(Cat));
static cl::opt<bool> Quiet("quiet",
                           cl::desc("Print nothing; report by exit status"),
                           cl::cat(Cat));

static constexpr const char *Tool = "btf-relocate";

namespace {

struct Target {
  /// The kernel's BTF, its file and the release the file tells.
  KernelBTF K;
  /// Its name in the matrix and the JSON (kernelNames()).
  std::string Name;
  KernelVersion Kernel;
  std::unique_ptr<BaseIndex> Index; // built on first use
  const std::string &path() const { return K.Path; }
  const BTF &btf() const { return *K.B; }
  const BaseIndex &index() {
    if (!Index)
      Index = std::make_unique<BaseIndex>(*K.B);
    return *Index;
  }
};

/// Loads the kernel of \p Path (a target or the built-against kernel,
/// named by \p Option in errors), judged by \p Kernel's rules if given.
Expected<Target> loadTarget(StringRef Path, StringRef Option,
                            std::optional<KernelVersion> Kernel) {
  auto K = loadKernelBTF(Path);
  if (!K)
    return notAKernelBTF(Path, Option, K.takeError());
  Target T;
  T.K = std::move(*K);
  T.K.Path = Path.str();
  T.Kernel = KernelVersion::orForTarget(Kernel, Path, T.K.Release);
  return T;
}

/// One module's verdicts, one per target.
struct ModuleResult {
  std::vector<ModuleVerdict> Verdicts;
  /// The module, which the verdicts were judged on; its bytes were read
  /// once for every look at it (a pipe reads only once).
  std::optional<ModuleInput> Input;
  bool Bad = false;
};

ModuleResult checkModule(StringRef Path, std::vector<Target> &Ts,
                         const ModuleInputOptions &MO) {
  ModuleResult MR;
  auto Contents = readInput(Path);
  if (!Contents) {
    reportError(Tool, Contents.takeError());
    MR.Bad = true;
    return MR;
  }
  // A kernel's BTF read as a module would be judged as split BTF over the
  // target, nonsense: the user meant it as a target.
  if (isKernelBTFFile(*Contents)) {
    reportError(Tool, makeError(Path, "is a kernel's BTF (a vmlinux), not a "
                                      "module: to judge modules on it, name "
                                      "it as a target with --base-btf=" +
                                          Path));
    MR.Bad = true;
    return MR;
  }
  auto In = ModuleInput::load(std::move(*Contents), MO);
  if (!In) {
    reportError(Tool, In.takeError());
    MR.Bad = true;
    return MR;
  }
  MR.Input = std::move(*In);
  for (Target &T : Ts) {
    RelocateOptions RO;
    RO.Name = (Path + " relocated onto " + T.path()).str();
    RO.BuildOutput = Ts.size() == 1 && (!Output.empty() || !OutputDir.empty());
    auto V = MR.Input->on(T.path(), T.btf(), T.index(), T.Kernel, RO);
    if (!V) {
      reportError(Tool, V.takeError());
      MR.Bad = true;
      return MR;
    }
    MR.Verdicts.push_back(std::move(*V));
  }
  return MR;
}

std::string outputPathFor(StringRef Module) {
  if (!Output.empty())
    return Output;
  SmallString<256> P(OutputDir);
  sys::path::append(P, moduleNameOf(Module) + ".btf");
  return std::string(P);
}

void printMatrix(const std::vector<std::string> &Mods,
                 const std::vector<ModuleResult> &Results,
                 const std::vector<Target> &Ts, raw_ostream &OS) {
  // Columns are named by the kernels' releases, else short unique paths
  // (kernelNames()); cells are padded to the widest of the column.
  std::vector<std::vector<std::string>> Cells(Mods.size() + 1);
  Cells[0].push_back("module");
  for (const Target &T : Ts)
    Cells[0].push_back(T.Name);
  for (size_t I = 0; I < Mods.size(); ++I) {
    Cells[I + 1].push_back(Mods[I]);
    for (size_t K = 0; K < Ts.size(); ++K)
      Cells[I + 1].push_back(
          Results[I].Bad ? "bad input" : verdictCell(Results[I].Verdicts[K]));
  }
  std::vector<size_t> W(Ts.size() + 1, 0);
  for (const auto &Row : Cells)
    for (size_t C = 0; C < Row.size(); ++C)
      W[C] = std::max(W[C], Row[C].size());
  for (const auto &Row : Cells) {
    for (size_t C = 0; C < Row.size(); ++C) {
      if (C + 1 == Row.size())
        OS << Row[C];
      else
        OS << left_justify(Row[C], W[C]) << "  ";
    }
    OS << '\n';
  }
}

/// One module's verdicts in a line: on how many kernels it loads, and which
/// refuse it or read it as garbage.
struct ModuleSummary {
  size_t Loads = 0;
  std::vector<std::string> Refused, Garbled;
};

ModuleSummary summarize(const ModuleResult &MR, const std::vector<Target> &Ts) {
  ModuleSummary S;
  for (size_t K = 0; K < MR.Verdicts.size(); ++K)
    switch (classifyVerdict(MR.Verdicts[K])) {
    case VerdictClass::Loads:
      ++S.Loads;
      break;
    case VerdictClass::Refused:
      S.Refused.push_back(Ts[K].Name);
      break;
    case VerdictClass::Garbled:
      S.Garbled.push_back(Ts[K].Name);
      break;
    }
  return S;
}

void printSummaries(const std::vector<std::string> &Mods,
                    const std::vector<ModuleResult> &Results,
                    const std::vector<Target> &Ts, raw_ostream &OS) {
  for (size_t I = 0; I < Mods.size(); ++I) {
    OS << Mods[I] << ": ";
    if (Results[I].Bad) {
      OS << "bad input, not judged (the error above says why)\n";
      continue;
    }
    ModuleSummary S = summarize(Results[I], Ts);
    OS << "loads on " << S.Loads << " of " << Ts.size() << " kernels";
    if (!S.Refused.empty())
      OS << "; refused by " << join(S.Refused, ", ");
    if (!S.Garbled.empty())
      OS << "; read as garbage by " << join(S.Garbled, ", ");
    OS << '\n';
  }
}

/// Whether \p A and \p B name the same file.
bool sameFile(StringRef A, StringRef B) {
  bool Same = false;
  return !sys::fs::equivalent(A, B, Same) && Same;
}

/// --report: every module on every target, on all cores.
int runReport(std::vector<std::string> TargetPaths,
              std::optional<KernelVersion> Kernel) {
  CompatReportOptions O;
  O.Kernel = Kernel;
  O.Modules.assign(Modules.begin(), Modules.end());
  O.Kernels = std::move(TargetPaths);
  O.BuiltAgainst = BuiltAgainst;
  O.DistilledBase = DistilledBase;
  O.Threads = Threads;
  auto R = buildCompatReport(O);
  if (!R) {
    reportError(Tool, R.takeError());
    return 2;
  }
  for (const CompatModule &M : R->Modules)
    if (!M.Error.empty())
      reportError(Tool, createStringError(inconvertibleErrorCode(), M.Error));
  if (Error E = writeCompatReport(*R, ReportDir)) {
    reportError(Tool, std::move(E));
    return 2;
  }
  if (!Quiet) {
    for (const CompatKernel &K : R->Kernels) {
      outs() << K.Name << ": " << K.Loads << " load, " << K.Refused
             << " refused, " << K.Garbled << " garbled";
      if (!K.Causes.empty())
        outs() << "; first cause: " << K.Causes.front().Summary << " ("
               << K.Causes.front().Modules.size()
               << (K.Causes.front().Modules.size() == 1 ? " module)"
                                                        : " modules)");
      outs() << '\n';
    }
    SmallString<256> Page(ReportDir);
    sys::path::append(Page, "index.html");
    outs() << R->Judged << " modules judged on " << R->Kernels.size()
           << " kernels";
    if (R->Unjudged)
      outs() << ", " << R->Unjudged << " not (bad input)";
    outs() << "; report: " << Page << '\n';
  }
  return R->Unjudged ? 2 : R->allLoad() ? 0 : 1;
}

} // namespace

int main(int argc, char **argv) {
  InitLLVM X(argc, argv);
  cl::HideUnrelatedOptions(Cat);
  cl::ParseCommandLineOptions(argc, argv,
                              "relocate modules' split BTF onto a kernel's "
                              "BTF and predict whether it loads\n");
  if (!Output.empty() && !OutputDir.empty()) {
    reportError(Tool, makeError("-o", "cannot be combined with --output-dir"));
    return 2;
  }
  if (!Output.empty() && Modules.size() != 1) {
    reportError(Tool, makeError("-o", "takes one module; use --output-dir "
                                      "for several"));
    return 2;
  }
  auto Kernel = kernelVersionOption(KernelVersionOpt);
  if (!Kernel) {
    reportError(Tool, Kernel.takeError());
    return 2;
  }
  std::vector<std::string> TargetPaths(Targets.begin(), Targets.end());
  bool HostKernel = TargetPaths.empty();
  if (HostKernel)
    TargetPaths.push_back(SysfsVmlinux);
  if (!ReportDir.empty()) {
    if (!Output.empty() || !OutputDir.empty()) {
      reportError(Tool, makeError("--report", "writes report.json and "
                                              "index.html only; drop "
                                              "-o/--output-dir"));
      return 2;
    }
    if (HostKernel && !Quiet)
      WithColor::note(errs(), Tool)
          << "no --base-btf given: judging on the running kernel's BTF, "
          << SysfsVmlinux << "; name kernels with --base-btf=FILE\n";
    return runReport(std::move(TargetPaths), *Kernel);
  }
  if (TargetPaths.size() > 1 && (!Output.empty() || !OutputDir.empty())) {
    reportError(Tool, makeError("--base-btf", "several targets print a "
                                              "matrix and write nothing; "
                                              "drop -o/--output-dir"));
    return 2;
  }

  std::vector<Target> Ts;
  for (const std::string &P : TargetPaths) {
    auto T = loadTarget(P, "--base-btf", *Kernel);
    if (!T) {
      reportError(Tool, T.takeError());
      return 2;
    }
    Ts.push_back(std::move(*T));
  }
  {
    std::vector<const KernelBTF *> Ks;
    for (const Target &T : Ts)
      Ks.push_back(&T.K);
    std::vector<std::string> Names = kernelNames(Ks);
    for (size_t I = 0; I < Ts.size(); ++I)
      Ts[I].Name = std::move(Names[I]);
  }
  // The host's kernel is rarely the one a module is meant for: say so.
  if (HostKernel && !Quiet)
    WithColor::note(errs(), Tool)
        << "no --base-btf given: judging on the running kernel, "
        << (Ts.front().K.Release.empty() ? std::string("of unknown release")
                                         : "Linux " + Ts.front().K.Release)
        << " (" << SysfsVmlinux << "); name kernels with --base-btf=FILE\n";
  std::unique_ptr<BTF> DistBase;
  if (!DistilledBase.empty()) {
    auto B = loadBaseBTF(DistilledBase);
    if (!B) {
      reportError(Tool, B.takeError());
      return 2;
    }
    DistBase = std::move(*B);
  }
  ModuleInputOptions MO;
  MO.DistilledBase = DistBase.get();
  Target Own; // the built-against kernel, when no target is
  if (!BuiltAgainst.empty()) {
    Target *BA = nullptr;
    for (Target &T : Ts)
      if (!BA && sameFile(T.path(), BuiltAgainst))
        BA = &T;
    if (!BA) {
      auto T = loadTarget(BuiltAgainst, "--built-against", *Kernel);
      if (!T) {
        reportError(Tool, T.takeError());
        return 2;
      }
      Own = std::move(*T);
      BA = &Own;
    }
    MO.BuiltAgainst = &BA->btf();
    MO.BuiltAgainstIndex = &BA->index();
    MO.BuiltAgainstName = BuiltAgainst;
    MO.BuiltAgainstKernel = BA->Kernel;
  }
  if (!OutputDir.empty())
    if (std::error_code EC = sys::fs::create_directories(OutputDir)) {
      reportError(Tool, makeError(OutputDir, "cannot create: " + EC.message()));
      return 2;
    }

  auto Found =
      findModuleFiles(std::vector<std::string>(Modules.begin(), Modules.end()));
  if (!Found) {
    reportError(Tool, Found.takeError());
    return 2;
  }
  std::vector<std::string> Mods = std::move(*Found);
  std::vector<ModuleResult> Results;
  bool AnyBad = false, AnyFail = false;
  for (const std::string &M : Mods) {
    Results.push_back(checkModule(M, Ts, MO));
    ModuleResult &MR = Results.back();
    AnyBad |= MR.Bad;
    for (const ModuleVerdict &V : MR.Verdicts)
      AnyFail |= classifyVerdict(V) != VerdictClass::Loads;
    if (MR.Bad || Ts.size() != 1 || (Output.empty() && OutputDir.empty()))
      continue;
    const ModuleVerdict &V = MR.Verdicts.front();
    if (!V.loads())
      continue;
    // The bytes the kernel shows in /sys/kernel/btf/<module>, header
    // included (withModuleHeader()).
    std::vector<uint8_t> Blob;
    if (V.Reloc) {
      Blob = serializeBTF(*V.Reloc->Split);
      if (const BTF *Own = MR.Input->resilientSplit())
        Blob = withModuleHeader(std::move(Blob), Own->header());
    } else {
      // Classic split BTF that is valid over the target: it is already
      // the module's BTF on that kernel, garbled or not (it is what the
      // kernel holds); write its .BTF as is.
      LoadOptions LO;
      LO.Base = &Ts.front().btf();
      LO.UseEmbeddedBase = false;
      auto F = BTFFile::load(MR.Input->contents(), LO);
      if (!F) {
        reportError(Tool, F.takeError());
        AnyBad = true;
        continue;
      }
      Blob = withModuleHeader(serializeBTF(F->btf()), F->btf().header());
    }
    if (Error E = writeFileAtomically(outputPathFor(M), Blob)) {
      reportError(Tool, std::move(E));
      AnyBad = true;
    }
  }

  if (!Quiet) {
    if (OutFormat == Format::JSON) {
      json::OStream J(outs(), 2);
      J.object([&] {
        J.attributeArray("targets", [&] {
          for (const Target &T : Ts)
            J.value(jsonText(T.path()));
        });
        J.attributeArray("kernels", [&] {
          for (const Target &T : Ts)
            J.object([&] {
              J.attribute("name", jsonText(T.Name));
              J.attribute("path", jsonText(T.path()));
              if (T.K.Release.empty())
                J.attribute("release", nullptr);
              else
                J.attribute("release", jsonText(T.K.Release));
              J.attribute("origin", T.K.Origin);
              J.attribute("kernel_rules", T.Kernel.str());
              J.attribute("types", T.btf().numTypes());
            });
        });
        J.attributeArray("results", [&] {
          for (const ModuleResult &MR : Results)
            for (size_t K = 0; K < MR.Verdicts.size(); ++K)
              printVerdictJSON(MR.Verdicts[K], J, Ts[K].Name);
        });
        J.attributeArray("modules", [&] {
          for (size_t I = 0; I < Mods.size(); ++I) {
            if (Results[I].Bad)
              continue;
            ModuleSummary S = summarize(Results[I], Ts);
            J.object([&] {
              J.attribute("module", jsonText(Mods[I]));
              J.attribute("loads", int64_t(S.Loads));
              J.attribute("kernels", int64_t(Ts.size()));
              J.attributeArray("refused_by", [&] {
                for (const std::string &N : S.Refused)
                  J.value(jsonText(N));
              });
              J.attributeArray("garbled_on", [&] {
                for (const std::string &N : S.Garbled)
                  J.value(jsonText(N));
              });
            });
          }
        });
        J.attributeArray("bad_input", [&] {
          for (size_t I = 0; I < Mods.size(); ++I)
            if (Results[I].Bad)
              J.value(jsonText(Mods[I]));
        });
      });
      outs() << '\n';
    } else if (Ts.size() > 1) {
      printMatrix(Mods, Results, Ts, outs());
      outs() << '\n';
      printSummaries(Mods, Results, Ts, outs());
    } else {
      for (const ModuleResult &MR : Results)
        for (const ModuleVerdict &V : MR.Verdicts)
          printVerdictText(V, outs());
    }
  }
  return AnyBad ? 2 : AnyFail ? 1 : 0;
}
