//===- Explain.cpp - Relocation verdicts users can act on -----------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The kernel says only "distilled base BTF type 'device' [5] is not mapped
// to base BTF id" and then "failed to validate module [m] BTF: -22". These
// renderings add what a user needs to act: every type that fails, what the
// target has under that name, the sizes, and which of the module's structs
// embed the type (the layout that no longer fits).
//
//===----------------------------------------------------------------------===//

#include "btfkit/Explain.h"

#include "btfkit/ModuleInput.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Path.h"

using namespace btfkit;
using namespace llvm;

static std::string describe(Kind K, StringRef Name, uint32_t Size,
                            bool KindFlag, uint32_t Enc) {
  std::string S;
  raw_string_ostream OS(S);
  OS << kindName(unsigned(K)) << " '" << Name << "'";
  switch (K) {
  case Kind::Fwd:
    OS << (KindFlag ? " (union)" : " (struct)");
    break;
  case Kind::Int:
    OS << " size=" << Size << " encoding=" << intEncodingName(Enc);
    break;
  default:
    OS << " size=" << Size;
    break;
  }
  return S;
}

static std::string describeCandidate(const RelocCandidate &C, StringRef Name) {
  return describe(C.K, Name, C.Size, C.KindFlag, C.IntEncoding) + " [" +
         std::to_string(C.Id) + "]";
}

static std::string describeDistilled(const RelocFailure &F) {
  return "[" + std::to_string(F.DistilledId) + "] " +
         describe(F.K, F.Name, F.Size, F.KindFlag, F.IntEncoding);
}

static std::string candidateList(const RelocFailure &F, size_t Max = 4) {
  std::string S;
  for (size_t I = 0; I < F.Candidates.size() && I < Max; ++I)
    S += (I ? ", " : "") + describeCandidate(F.Candidates[I], F.Name);
  if (F.Candidates.size() > Max)
    S += ", and " + std::to_string(F.Candidates.size() - Max) + " more";
  return S;
}

static std::string embedderList(const RelocFailure &F, size_t Max = 3) {
  std::string S;
  for (size_t I = 0; I < F.EmbeddedBy.size() && I < Max; ++I)
    S += (I ? ", " : "") + F.EmbeddedBy[I];
  if (F.EmbeddedBy.size() > Max)
    S += " and " + std::to_string(F.EmbeddedBy.size() - Max) + " more";
  return S;
}

std::string btfkit::explainFailure(const RelocFailure &F, StringRef Target) {
  std::string S;
  raw_string_ostream OS(S);
  switch (F.Reason) {
  case RelocFailureKind::NoSuchName:
    OS << "no such type: " << Target
       << " has no INT, FLOAT, ENUM, FWD, STRUCT or UNION named '" << F.Name
       << "'";
    break;
  case RelocFailureKind::KindMismatch:
    OS << "kind mismatch: " << Target << " has only " << candidateList(F);
    break;
  case RelocFailureKind::EncodingMismatch:
    OS << "encoding mismatch: " << Target << " has " << candidateList(F);
    break;
  case RelocFailureKind::SizeMismatch:
    OS << "size mismatch: " << F.Size << " bytes here, " << Target << " has "
       << candidateList(F);
    if (F.Embedded && F.K != Kind::Int && F.K != Kind::Float &&
        F.K != Kind::Enum)
      OS << "; sizes must agree because it is embedded by value in "
         << (F.EmbeddedBy.empty() ? std::string("a split struct or union")
                                  : embedderList(F));
    else if (F.Candidates.size() > 1 &&
             (F.K == Kind::Struct || F.K == Kind::Union))
      OS << "; with several of that name the kernel picks by size";
    break;
  case RelocFailureKind::Ambiguous:
    OS << "ambiguous: " << F.Candidates.size() << " types of " << Target
       << " match by name and size (" << candidateList(F)
       << "); the kernel cannot choose";
    break;
  }
  return S;
}

std::string btfkit::kernelMessage(const RelocFailure &F) {
  if (F.Reason == RelocFailureKind::Ambiguous && F.Candidates.size() >= 2)
    return "distilled base BTF type '" + F.Name + "' [" +
           std::to_string(F.DistilledId) + "], size " +
           std::to_string(F.Candidates[1].Size) +
           " has multiple candidates of the same size (ids [" +
           std::to_string(F.Candidates[1].Id) + ", " +
           std::to_string(F.Candidates[0].Id) + "]) in base BTF";
  return "distilled base BTF type '" + F.Name + "' [" +
         std::to_string(F.DistilledId) + "] is not mapped to base BTF id";
}

static std::string refusalLine(const ValidationIssue &I) {
  return I.Message + " (" + std::to_string(I.Errno) + ")";
}

/// "12 mid-string-name, 3 not-a-symbol": the findings by mark.
static std::string markCounts(const ForeignBaseReport &R) {
  std::string S;
  for (ForeignMark M : AllForeignMarks)
    if (size_t N = R.count(M))
      S += (S.empty() ? "" : ", ") + std::to_string(N) + " " +
           foreignMarkName(M).str();
  return S;
}

/// "1 name", "3 types".
static std::string counted(size_t N, StringRef What) {
  return std::to_string(N) + " " + What.str() + (N == 1 ? "" : "s");
}

/// "its 23 names, 7 functions and 16 types": what the checks looked at.
static std::string checkedWhat(const ForeignBaseReport &R) {
  std::string S = "its " + counted(R.NamesChecked, "name");
  if (R.SymbolsSkipped.empty())
    S += ", " + counted(R.FunctionsChecked, "function");
  return S + " and " + counted(R.TypesChecked, "type");
}

std::string btfkit::verdictCell(const ModuleVerdict &V) {
  if (V.garbled())
    return "garbled: " + markCounts(*V.Foreign);
  if (V.loads())
    return "yes";
  if (!V.Refusal.empty())
    return "no: invalid BTF: " + V.Refusal.front().Rule;
  if (!V.Reloc)
    return "no";
  const RelocFailure *F = V.Reloc->kernelFailure();
  std::string S = "no: " + F->Name + " (" + relocFailureKindName(F->Reason);
  if (V.Reloc->Failures.size() > 1)
    S += ", +" + std::to_string(V.Reloc->Failures.size() - 1) + " more";
  return S + ")";
}

/// Findings printed per mark before "and N more".
static constexpr size_t ShownFindings = 3;

static void printGarbledText(const ModuleVerdict &V, raw_ostream &OS,
                             bool Brief) {
  const ForeignBaseReport &R = *V.Foreign;
  OS << V.Module << ": loads on " << V.Target
     << ", but its BTF is not this kernel's: classic split BTF made over "
        "another build's vmlinux, read as garbage ("
     << markCounts(R) << ")\n";
  if (Brief)
    return;
  for (ForeignMark M : AllForeignMarks) {
    size_t Shown = 0;
    for (const ForeignFinding &F : R.Findings)
      if (F.Mark == M && Shown++ < ShownFindings)
        OS << "  " << F.Message << '\n';
    if (Shown > ShownFindings)
      OS << "  ... and " << Shown - ShownFindings << " more "
         << foreignMarkName(M) << '\n';
  }
  OS << "  checked " << checkedWhat(R);
  if (!R.SymbolsSkipped.empty())
    OS << "; function symbols not checked: " << R.SymbolsSkipped;
  OS << '\n';
}

void btfkit::printVerdictText(const ModuleVerdict &V, raw_ostream &OS,
                              bool Brief) {
  if (V.garbled())
    return printGarbledText(V, OS, Brief);
  if (V.loads()) {
    OS << V.Module << ": loads on " << V.Target;
    if (V.Resilient && V.Reloc && V.Reloc->Split)
      OS << " (relocated, " << V.Reloc->Split->numTypes() << " types)";
    else if (V.Resilient)
      OS << " (relocates)";
    else {
      OS << " (classic split BTF, valid over it; no marks of another "
            "build's vmlinux in "
         << checkedWhat(*V.Foreign);
      if (!V.Foreign->SymbolsSkipped.empty())
        OS << "; function symbols not checked: " << V.Foreign->SymbolsSkipped;
      OS << ')';
    }
    OS << '\n';
    return;
  }
  if (!V.Refusal.empty()) {
    OS << V.Module << ": refused by " << V.Target << ": "
       << (V.Resilient ? "invalid BTF" : "classic split BTF (no .BTF.base)")
       << " by Linux " << V.Kernel.str() << "'s rules"
       << ", the kernel logs \"" << kernelLogLine(V) << "\"\n";
    if (Brief)
      return;
    for (const ValidationIssue &I : V.Refusal)
      OS << "  " << refusalLine(I) << '\n';
    return;
  }
  const RelocateResult &R = *V.Reloc;
  OS << V.Module << ": does not relocate onto " << V.Target << ": "
     << R.Failures.size() << " distilled type"
     << (R.Failures.size() == 1 ? "" : "s") << " unmatched\n";
  if (Brief)
    return;
  for (const RelocFailure &F : R.Failures) {
    OS << "  " << describeDistilled(F) << ": "
       << explainFailure(F, sys::path::filename(V.Target)) << '\n';
  }
  if (const RelocFailure *K = R.kernelFailure())
    OS << "  the kernel logs: " << kernelMessage(*K)
       << "; failed to validate module [" << V.KernelName << "] BTF: -22\n";
}

std::string btfkit::jsonText(StringRef S) {
  return json::isUTF8(S) ? S.str() : json::fixUTF8(S);
}

static void candidatesJSON(const RelocFailure &F, json::OStream &J) {
  J.attributeArray("candidates", [&] {
    for (const RelocCandidate &C : F.Candidates)
      J.object([&] {
        J.attribute("id", C.Id);
        J.attribute("kind", kindName(unsigned(C.K)));
        if (C.K != Kind::Fwd)
          J.attribute("size", C.Size);
        if (C.K == Kind::Fwd)
          J.attribute("union", C.KindFlag);
        if (C.K == Kind::Int)
          J.attribute("encoding", intEncodingName(C.IntEncoding));
      });
  });
}

/// Findings listed in JSON; "evidence_count" has them all.
static constexpr size_t ListedFindings = 16;

static void foreignJSON(const ForeignBaseReport &R, json::OStream &J) {
  J.attributeObject("checked", [&] {
    J.attribute("names", int64_t(R.NamesChecked));
    if (R.SymbolsSkipped.empty())
      J.attribute("functions", int64_t(R.FunctionsChecked));
    J.attribute("types", int64_t(R.TypesChecked));
  });
  if (!R.SymbolsSkipped.empty())
    J.attribute("symbols_not_checked", R.SymbolsSkipped);
  J.attribute("evidence_count", int64_t(R.Findings.size()));
  J.attributeArray("evidence", [&] {
    for (size_t I = 0; I < R.Findings.size() && I < ListedFindings; ++I)
      J.object([&] {
        const ForeignFinding &F = R.Findings[I];
        J.attribute("type_id", F.TypeId);
        J.attribute("mark", foreignMarkName(F.Mark));
        J.attribute("message", jsonText(F.Message));
      });
  });
}

void btfkit::printVerdictJSON(const ModuleVerdict &V, json::OStream &J,
                              StringRef KernelName) {
  // Every field is always there but the classic-only ones (docs/
  // Relocation.md lists them, in this order): readers need not guess.
  J.object([&] {
    J.attribute("module", jsonText(V.Module));
    J.attribute("target", jsonText(V.Target));
    if (!KernelName.empty())
      J.attribute("kernel", jsonText(KernelName));
    J.attribute("form", V.Resilient ? "resilient" : "classic");
    J.attribute("loads", V.loads());
    J.attribute("verdict", verdictClassName(classifyVerdict(V)));
    J.attribute("kernel_rules", V.Kernel.str());
    J.attribute("types", V.Types);
    std::string Log = kernelLogLine(V);
    if (Log.empty())
      J.attribute("kernel_message", nullptr);
    else
      J.attribute("kernel_message", jsonText(Log));
    if (V.Foreign) {
      J.attribute("garbled", V.garbled());
      foreignJSON(*V.Foreign, J);
    }
    J.attributeArray("failures", [&] {
      if (!V.Reloc)
        return;
      for (const RelocFailure &F : V.Reloc->Failures)
        J.object([&] {
          J.attribute("id", F.DistilledId);
          J.attribute("kind", kindName(unsigned(F.K)));
          J.attribute("name", jsonText(F.Name));
          if (F.K != Kind::Fwd)
            J.attribute("size", F.Size);
          if (F.K == Kind::Int)
            J.attribute("encoding", intEncodingName(F.IntEncoding));
          J.attribute("reason", relocFailureKindName(F.Reason));
          J.attribute("kernel_reports", F.KernelReports);
          J.attribute("embedded", F.Embedded);
          if (!F.EmbeddedBy.empty())
            J.attributeArray("embedded_by", [&] {
              for (const std::string &P : F.EmbeddedBy)
                J.value(jsonText(P));
            });
          candidatesJSON(F, J);
          J.attribute("explanation", jsonText(explainFailure(
                                         F, sys::path::filename(V.Target))));
        });
    });
    J.attributeArray("invalid", [&] {
      for (const ValidationIssue &I : V.Refusal)
        J.object([&] {
          J.attribute("type_id", I.TypeId);
          J.attribute("rule", jsonText(I.Rule));
          J.attribute("message", jsonText(I.Message));
          J.attribute("errno", I.Errno);
        });
    });
  });
}

std::string btfkit::failureLine(const RelocFailure &F, StringRef Target) {
  return describeDistilled(F) + ": " + explainFailure(F, Target);
}

std::string btfkit::explainRefusal(const ValidationIssue &I) {
  return refusalLine(I);
}

std::string btfkit::kernelLogLine(const ModuleVerdict &V) {
  if (V.loads())
    return "";
  if (!V.Refusal.empty())
    return "failed to validate module [" + V.KernelName +
           "] BTF: " + std::to_string(V.Refusal.front().Errno);
  if (V.Reloc)
    if (const RelocFailure *K = V.Reloc->kernelFailure())
      return kernelMessage(*K);
  return "";
}
