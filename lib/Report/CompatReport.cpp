//===- CompatReport.cpp - Every module on every kernel --------------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Two phases on one thread pool. First the kernels: each read (a vmlinuz
// decompressed), parsed and indexed once, all at once. Then the modules,
// handed out one at a time to every worker: each is read, decompressed,
// distilled when classic and judged on every kernel within one task, and
// only its verdicts are kept, so memory holds the kernels and one module a
// worker. The causes are gathered afterwards, in module order, so that the
// report does not depend on which worker judged what.
//
//===----------------------------------------------------------------------===//

#include "btfkit/CompatReport.h"
#include "btfkit/Decompress.h"
#include "btfkit/Error.h"
#include "btfkit/Explain.h"
#include "btfkit/KernelImage.h"
#include "btfkit/OutputFile.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ThreadPool.h"
#include "llvm/Support/Threading.h"

#include <atomic>
#include <map>

using namespace btfkit;
using namespace llvm;

bool CompatReport::allLoad() const {
  for (const CompatKernel &K : Kernels)
    if (K.Refused || K.Garbled)
      return false;
  return true;
}

namespace {

/// A kernel read and indexed, or why not.
struct KernelSlot {
  std::string Path;
  std::optional<KernelBTF> K;
  std::unique_ptr<BaseIndex> Index;
  Error Err = Error::success();
  /// Another slot reads the same file (the built-against kernel among the
  /// targets).
  int SameAs = -1;
};

/// One cause of one verdict, before the kernel's causes are gathered.
struct PairCause {
  std::string Summary, Reason, Kind, Name;
  std::optional<uint32_t> Size;
  std::vector<uint32_t> KernelSizes;
};

/// A module's verdicts with their causes, as one worker found them.
struct JudgedModule {
  CompatModule M;
  std::vector<std::vector<PairCause>> Causes; // per kernel
};

/// "struct spinlock", "union (fwd) foo", "enum e", "int": how C names the
/// distilled type.
std::string typeLabel(Kind K, StringRef Name, bool KindFlag) {
  switch (K) {
  case Kind::Struct:
    return ("struct " + Name).str();
  case Kind::Union:
    return ("union " + Name).str();
  case Kind::Enum:
  case Kind::Enum64:
    return ("enum " + Name).str();
  case Kind::Fwd:
    return ((KindFlag ? "union " : "struct ") + Name).str();
  default:
    return Name.str();
  }
}

/// The sizes the kernel's candidates have, ascending, each once.
std::vector<uint32_t> candidateSizes(const RelocFailure &F) {
  std::vector<uint32_t> S;
  for (const RelocCandidate &C : F.Candidates)
    if (C.K != Kind::Fwd)
      S.push_back(C.Size);
  llvm::sort(S);
  S.erase(std::unique(S.begin(), S.end()), S.end());
  return S;
}

PairCause causeOf(const RelocFailure &F) {
  PairCause C;
  C.Reason = relocFailureKindName(F.Reason);
  C.Kind = kindName(unsigned(F.K));
  C.Name = F.Name;
  if (F.K != Kind::Fwd)
    C.Size = F.Size;
  C.KernelSizes = candidateSizes(F);
  std::string Label = typeLabel(F.K, F.Name, F.KindFlag);
  std::string Sizes =
      join(map_range(C.KernelSizes, [](uint32_t S) { return utostr(S); }), "/");
  switch (F.Reason) {
  case RelocFailureKind::NoSuchName:
    C.Summary = "no " + Label;
    break;
  case RelocFailureKind::KindMismatch: {
    std::vector<std::string> Kinds;
    for (const RelocCandidate &K : F.Candidates)
      Kinds.push_back(StringRef(kindName(unsigned(K.K))).lower());
    llvm::sort(Kinds);
    Kinds.erase(std::unique(Kinds.begin(), Kinds.end()), Kinds.end());
    C.Summary = Label + " vs " + join(Kinds, "/");
    break;
  }
  case RelocFailureKind::SizeMismatch:
    C.Summary = Label + " " + utostr(F.Size) + " vs " + Sizes + " bytes";
    break;
  case RelocFailureKind::EncodingMismatch: {
    std::vector<std::string> Encodings;
    for (const RelocCandidate &K : F.Candidates)
      Encodings.push_back(intEncodingName(K.IntEncoding));
    llvm::sort(Encodings);
    Encodings.erase(std::unique(Encodings.begin(), Encodings.end()),
                    Encodings.end());
    C.Summary = Label + " " + intEncodingName(F.IntEncoding) + " vs " +
                join(Encodings, "/");
    break;
  }
  case RelocFailureKind::Ambiguous:
    C.Summary = Label + ": " + utostr(F.Candidates.size()) + " candidates of " +
                utostr(F.Size) + " bytes";
    break;
  }
  return C;
}

/// The pair's class, causes, log line and explanations from \p V, the
/// verdict on the kernel named \p Kernel. \p AsBuilt: \p V is the verdict
/// of the kernel the module was built for, standing for every kernel's.
CompatPair pairOf(const ModuleVerdict &V, StringRef Kernel, bool AsBuilt,
                  std::vector<PairCause> &Causes) {
  CompatPair P;
  P.Class = classifyVerdict(V);
  if (P.Class == VerdictClass::Loads)
    return P;
  P.KernelMessage = kernelLogLine(V);
  if (P.Class == VerdictClass::Garbled) {
    // The kernel logs nothing; the evidence is what btf-relocate prints
    // under its verdict.
    PairCause C;
    C.Reason = "garbled";
    C.Summary = AsBuilt ? "classic BTF not " + V.Target + "'s"
                        : "classic BTF of another build";
    Causes.push_back(std::move(C));
    std::string Text;
    raw_string_ostream OS(Text);
    printVerdictText(V, OS);
    SmallVector<StringRef, 8> Lines;
    StringRef(Text).split(Lines, '\n', -1, /*KeepEmpty=*/false);
    for (StringRef L : Lines)
      if (L.starts_with("  "))
        P.Explanations.push_back(L.trim().str());
    return P;
  }
  if (!V.Refusal.empty()) {
    for (const ValidationIssue &I : V.Refusal) {
      PairCause C;
      C.Reason = AsBuilt ? "as-built" : "invalid";
      C.Summary = AsBuilt ? "classic BTF refused by " + V.Target + ": " + I.Rule
                          : "invalid BTF: " + I.Rule;
      if (llvm::none_of(Causes, [&](const PairCause &O) {
            return O.Summary == C.Summary;
          }))
        Causes.push_back(std::move(C));
      P.Explanations.push_back(
          AsBuilt
              ? "its classic BTF is not valid over " + V.Target +
                    ", the kernel it was built against: " + explainRefusal(I)
              : explainRefusal(I));
    }
    return P;
  }
  if (V.Reloc)
    for (const RelocFailure &F : V.Reloc->Failures) {
      Causes.push_back(causeOf(F));
      P.Explanations.push_back(failureLine(F, Kernel));
    }
  return P;
}

/// Whether \p A and \p B name the same file.
bool sameFile(StringRef A, StringRef B) {
  bool Same = false;
  return !sys::fs::equivalent(A, B, Same) && Same;
}

struct Judging {
  std::vector<const KernelBTF *> Kernels;
  std::vector<const BaseIndex *> Indexes;
  /// The release whose rules judge each kernel.
  std::vector<KernelVersion> Rules;
  std::vector<std::string> Names;
  ModuleInputOptions ModOpts;
};

JudgedModule judgeModule(const std::string &Path, const Judging &J) {
  JudgedModule R;
  CompatModule &M = R.M;
  M.Path = Path;
  M.Name = moduleNameOf(Path).str();
  auto Fail = [&](Error E) {
    M.Error = toString(std::move(E));
    M.Pairs.clear();
    R.Causes.clear();
    return std::move(R);
  };
  auto Contents = readInput(Path);
  if (!Contents)
    return Fail(Contents.takeError());
  auto In = ModuleInput::load(std::move(*Contents), J.ModOpts);
  if (!In)
    return Fail(In.takeError());
  M.Form = In->form();
  RelocateOptions RO;
  RO.BuildOutput = false;
  R.Causes.resize(J.Kernels.size());
  for (size_t K = 0; K < J.Kernels.size(); ++K) {
    auto V =
        In->on(J.Names[K], *J.Kernels[K]->B, *J.Indexes[K], J.Rules[K], RO);
    if (!V)
      return Fail(V.takeError());
    M.Pairs.push_back(
        pairOf(*V, J.Names[K], In->asBuilt() != nullptr, R.Causes[K]));
  }
  return R;
}

/// Gathers the verdicts' causes into each kernel's ranked list.
void gatherCauses(CompatReport &R,
                  std::vector<std::vector<std::vector<PairCause>>> &Causes) {
  for (size_t K = 0; K < R.Kernels.size(); ++K) {
    CompatKernel &CK = R.Kernels[K];
    StringMap<uint32_t> Index;
    for (size_t M = 0; M < R.Modules.size(); ++M) {
      if (!R.Modules[M].Error.empty())
        continue;
      CompatPair &P = R.Modules[M].Pairs[K];
      for (PairCause &C : Causes[M][K]) {
        auto [It, New] = Index.try_emplace(C.Summary, CK.Causes.size());
        if (New) {
          CompatCause CC;
          CC.Summary = C.Summary;
          CC.Reason = std::move(C.Reason);
          CC.Kind = std::move(C.Kind);
          CC.Name = std::move(C.Name);
          CC.Size = C.Size;
          CC.KernelSizes = std::move(C.KernelSizes);
          CK.Causes.push_back(std::move(CC));
        }
        CompatCause &CC = CK.Causes[It->second];
        // A type can fail twice in one module (two distilled types of the
        // same name): the module counts once.
        if (CC.Modules.empty() || CC.Modules.back() != M)
          CC.Modules.push_back(uint32_t(M));
        if (llvm::find(P.Causes, It->second) == P.Causes.end())
          P.Causes.push_back(It->second);
      }
      if (P.Causes.size() == 1)
        ++CK.Causes[P.Causes.front()].Sole;
    }
    // Rank, then renumber the pairs' references.
    std::vector<uint32_t> Order(CK.Causes.size());
    for (uint32_t I = 0; I < Order.size(); ++I)
      Order[I] = I;
    llvm::stable_sort(Order, [&](uint32_t A, uint32_t B) {
      const CompatCause &CA = CK.Causes[A], &CB = CK.Causes[B];
      if (CA.Modules.size() != CB.Modules.size())
        return CA.Modules.size() > CB.Modules.size();
      return CA.Summary < CB.Summary;
    });
    std::vector<uint32_t> Rank(Order.size());
    std::vector<CompatCause> Ranked;
    for (uint32_t I = 0; I < Order.size(); ++I) {
      Rank[Order[I]] = I;
      Ranked.push_back(std::move(CK.Causes[Order[I]]));
    }
    CK.Causes = std::move(Ranked);
    for (CompatModule &M : R.Modules)
      if (M.Error.empty())
        for (uint32_t &C : M.Pairs[K].Causes)
          C = Rank[C];
  }
}

} // namespace

Expected<CompatReport>
btfkit::buildCompatReport(const CompatReportOptions &Opts) {
  if (Opts.Kernels.empty())
    return makeError("--report", "no kernel to report on");
  auto Files = findModuleFiles(Opts.Modules);
  if (!Files)
    return Files.takeError();

  DefaultThreadPool Pool(hardware_concurrency(Opts.Threads));

  // Phase 1: the kernels, the built-against one (unless it is one of them)
  // last.
  std::vector<KernelSlot> Slots(Opts.Kernels.size());
  for (size_t I = 0; I < Opts.Kernels.size(); ++I)
    Slots[I].Path = Opts.Kernels[I];
  int BuiltAgainst = -1;
  if (!Opts.BuiltAgainst.empty()) {
    for (size_t I = 0; I < Slots.size() && BuiltAgainst < 0; ++I)
      if (sameFile(Slots[I].Path, Opts.BuiltAgainst))
        BuiltAgainst = int(I);
    if (BuiltAgainst < 0) {
      BuiltAgainst = int(Slots.size());
      Slots.emplace_back();
      Slots.back().Path = Opts.BuiltAgainst;
    }
  }
  for (KernelSlot &S : Slots)
    Pool.async([&S] {
      auto K = loadKernelBTF(S.Path);
      if (!K) {
        S.Err = K.takeError();
        return;
      }
      S.K = std::move(*K);
      S.Index = std::make_unique<BaseIndex>(*S.K->B);
    });
  std::unique_ptr<BTF> DistBase;
  Error DistErr = Error::success();
  if (!Opts.DistilledBase.empty())
    Pool.async([&] {
      auto B = loadBaseBTF(Opts.DistilledBase);
      if (!B)
        DistErr = B.takeError();
      else
        DistBase = std::move(*B);
    });
  Pool.wait();
  for (KernelSlot &S : Slots)
    if (S.Err)
      return std::move(S.Err);
  if (DistErr)
    return DistErr;

  CompatReport R;
  Judging J;
  auto RulesOf = [&](const KernelSlot &S) {
    return KernelVersion::orForTarget(Opts.Kernel, S.Path, S.K->Release);
  };
  for (size_t I = 0; I < Opts.Kernels.size(); ++I) {
    J.Kernels.push_back(&*Slots[I].K);
    J.Indexes.push_back(Slots[I].Index.get());
    J.Rules.push_back(RulesOf(Slots[I]));
  }
  {
    std::vector<const KernelBTF *> All = J.Kernels;
    if (BuiltAgainst == int(Opts.Kernels.size()))
      All.push_back(&*Slots.back().K);
    J.Names = kernelNames(All);
  }
  if (BuiltAgainst >= 0) {
    R.BuiltAgainstPath = Opts.BuiltAgainst;
    R.BuiltAgainstName = J.Names[BuiltAgainst];
    J.ModOpts.BuiltAgainst = Slots[BuiltAgainst].K->B.get();
    J.ModOpts.BuiltAgainstIndex = Slots[BuiltAgainst].Index.get();
    J.ModOpts.BuiltAgainstName = R.BuiltAgainstName;
    J.ModOpts.BuiltAgainstKernel = RulesOf(Slots[BuiltAgainst]);
  }
  J.Names.resize(Opts.Kernels.size());
  J.ModOpts.DistilledBase = DistBase.get();
  for (size_t I = 0; I < Opts.Kernels.size(); ++I) {
    const KernelBTF &K = *J.Kernels[I];
    CompatKernel CK;
    CK.Path = K.Path;
    CK.Name = J.Names[I];
    CK.Release = K.Release;
    CK.Version = K.Version;
    CK.Origin = K.Origin;
    CK.Types = K.B->numTypes();
    R.Kernels.push_back(std::move(CK));
  }

  // Phase 2: the modules, one at a time to whichever worker is free.
  std::vector<JudgedModule> Judged(Files->size());
  std::atomic<size_t> Next{0};
  unsigned Workers = Pool.getMaxConcurrency();
  for (unsigned W = 0; W < Workers; ++W)
    Pool.async([&] {
      for (size_t I; (I = Next++) < Files->size();)
        Judged[I] = judgeModule((*Files)[I], J);
    });
  Pool.wait();

  std::vector<std::vector<std::vector<PairCause>>> Causes;
  for (JudgedModule &JM : Judged) {
    if (JM.M.Error.empty())
      ++R.Judged;
    else
      ++R.Unjudged;
    R.Modules.push_back(std::move(JM.M));
    Causes.push_back(std::move(JM.Causes));
  }
  for (CompatModule &M : R.Modules)
    for (size_t K = 0; K < M.Pairs.size(); ++K) {
      CompatKernel &CK = R.Kernels[K];
      switch (M.Pairs[K].Class) {
      case VerdictClass::Loads:
        ++CK.Loads;
        break;
      case VerdictClass::Refused:
        ++CK.Refused;
        break;
      case VerdictClass::Garbled:
        ++CK.Garbled;
        break;
      }
    }
  gatherCauses(R, Causes);
  return R;
}

Error btfkit::writeCompatReport(const CompatReport &R, StringRef Dir) {
  if (std::error_code EC = sys::fs::create_directories(Dir))
    return makeError(Dir, "cannot create: " + EC.message(), ErrorKind::IO);
  std::string JSON, HTML;
  {
    raw_string_ostream OS(JSON);
    printCompatReportJSON(R, OS);
  }
  {
    raw_string_ostream OS(HTML);
    printCompatReportHTML(R, OS);
  }
  SmallString<256> JSONPath(Dir), HTMLPath(Dir);
  sys::path::append(JSONPath, "report.json");
  sys::path::append(HTMLPath, "index.html");
  OutputSet Out;
  if (Error E = Out.add(JSONPath, arrayRefFromStringRef(JSON)))
    return E;
  if (Error E = Out.add(HTMLPath, arrayRefFromStringRef(HTML)))
    return E;
  return Out.commit();
}
