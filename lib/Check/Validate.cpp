//===- Validate.cpp - The kernel's BTF rules ------------------------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Runs the passes of the kernel's BTF verifier, by the rules of the release
// the options name, in its order and words the issues as it does. The kernel
// stops at the first failure; with StopAtFirst unset we go on, but a pass that
// relies on an earlier one (resolution relies on every record being sound, as
// in btf_parse) runs only when that one passed, so that the extra issues are
// real ones.
//
//===----------------------------------------------------------------------===//

#include "Checker.h"
#include "btfkit/Error.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

using namespace btfkit;
using namespace btfkit::check;
using namespace llvm;

// Names longer than this are cut in messages (the kernel allows 512).
static constexpr size_t MaxShownName = 80;

std::string Checker::quotedName(uint32_t Off) const {
  if (Off == 0)
    return "'(anon)'";
  if (!B.hasStr(Off))
    return "'(invalid-name-offset)'";
  StringRef N = B.str(Off);
  std::string S = "'";
  for (size_t I = 0; I < N.size() && I < MaxShownName; ++I) {
    unsigned char Ch = N[I];
    if (Ch == '\\' || Ch == '\'' || !isPrint(Ch)) {
      S += "\\x";
      S += hexdigit(Ch >> 4, /*LowerCase=*/true);
      S += hexdigit(Ch & 15, /*LowerCase=*/true);
    } else {
      S += char(Ch);
    }
  }
  if (N.size() > MaxShownName)
    S += "...";
  return S + "'";
}

std::string Checker::describe(uint32_t Id) const {
  std::string S = "[" + std::to_string(Id) + "] ";
  if (Id == 0)
    return S + "void";
  Type T = B.type(Id);
  unsigned K = T.rawKind();
  if (K <= MaxKnownKind)
    S += kindName(K);
  else
    S += "KIND" + std::to_string(K);
  return S + " " + quotedName(T.nameOff());
}

void Checker::reportBlob(ValidationPhase Phase, StringRef Rule,
                         const Twine &Detail, int Errno,
                         bool RefusedAtModuleLoad) {
  ValidationIssue I;
  I.Rule = Rule.str();
  I.Phase = Phase;
  I.Errno = Errno;
  I.RefusedAtModuleLoad = RefusedAtModuleLoad;
  std::string D = Detail.str();
  I.Message = (Phase == ValidationPhase::Strings ? "string section: "
                                                 : "BTF header: ") +
              I.Rule + (D.empty() ? "" : " (" + D + ")");
  Issues.push_back(std::move(I));
}

void Checker::reportType(ValidationPhase Phase, uint32_t Id, StringRef Rule,
                         const Twine &Where, int Errno, const Twine &Detail) {
  ValidationIssue I;
  I.TypeId = Id;
  I.Rule = Rule.str();
  I.Phase = Phase;
  I.Errno = Errno;
  I.RefusedAtModuleLoad = Phase != ValidationPhase::Resolve;
  std::string W = Where.str();
  std::string D = Detail.str();
  I.Message = describe(Id) + (W.empty() ? "" : " " + W) + " " + I.Rule +
              (D.empty() ? "" : " (" + D + ")");
  Issues.push_back(std::move(I));
}

void Checker::reportBare(uint32_t Id, StringRef Rule) {
  ValidationIssue I;
  I.TypeId = Id;
  I.Rule = Rule.str();
  I.Phase = ValidationPhase::Meta;
  I.Message = "[" + std::to_string(Id) + "] " + I.Rule;
  Issues.push_back(std::move(I));
}

// The kernel's isalpha() (lib/ctype.c) also takes the Latin-1 letters:
// 0xc0-0xff except the multiplication and division signs.
static bool kernelIsAlpha(unsigned char C) {
  return isAlpha(C) || (C >= 0xc0 && C != 0xd7 && C != 0xf7);
}

// The kernel's isprint(): ASCII 0x20-0x7e and Latin-1 0xa0-0xff.
static bool kernelIsPrint(unsigned char C) {
  return (C >= 0x20 && C < 0x7f) || C >= 0xa0;
}

bool Checker::sectionNameValid(uint32_t Off) const {
  if (!Rules.has(RuleChange::PrintableSectionNames))
    return nameValid(Off);
  StringRef N = B.str(Off);
  return !N.empty() && N.size() <= KsymNameLen && all_of(N, kernelIsPrint);
}

bool Checker::nameValid(uint32_t Off) const {
  StringRef N = B.str(Off);
  if (N.empty() || N.size() > KsymNameLen)
    return false;
  auto Ok = [](unsigned char C, bool First) {
    return C == '_' || C == '.' || kernelIsAlpha(C) || (!First && isDigit(C));
  };
  if (!Ok(N[0], true))
    return false;
  for (size_t I = 1; I < N.size(); ++I)
    if (!Ok(N[I], false))
      return false;
  return true;
}

static bool passFailed(const Checker &C, size_t Before) {
  return C.Issues.size() != Before;
}

std::vector<ValidationIssue> btfkit::validate(const BTF &B,
                                              const ValidateOptions &Opts) {
  Checker C(B, Opts);
  checkHeader(C);
  if (C.stopped())
    return std::move(C.Issues);
  checkStrings(C);
  if (C.stopped())
    return std::move(C.Issues);
  if (Opts.ResolveTypes) {
    checkTypeSection(C);
    if (C.stopped())
      return std::move(C.Issues);
  }
  size_t Before = C.Issues.size();
  checkMetas(C);
  if (C.stopped() || passFailed(C, Before))
    return std::move(C.Issues);
  if (Opts.ResolveTypes) {
    checkAllTypes(C);
    if (C.stopped())
      return std::move(C.Issues);
  }
  checkTypeTags(C);
  return std::move(C.Issues);
}

Error btfkit::checkValid(const BTF &B, KernelVersion Kernel) {
  ValidateOptions VO;
  VO.Kernel = Kernel;
  std::vector<ValidationIssue> Issues = validate(B, VO);
  if (Issues.empty())
    return Error::success();
  return makeError(B.name(), Issues.front().Message);
}

std::vector<ValidationIssue> btfkit::moduleLoadIssues(const BTF &B,
                                                      KernelVersion Kernel) {
  ValidateOptions VO;
  VO.StopAtFirst = true;
  VO.ResolveTypes = false;
  VO.Kernel = Kernel;
  std::vector<ValidationIssue> Out;
  for (ValidationIssue &I : validate(B, VO))
    if (I.RefusedAtModuleLoad)
      Out.push_back(std::move(I));
  return Out;
}
