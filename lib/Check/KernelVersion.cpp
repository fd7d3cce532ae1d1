//===- KernelVersion.cpp - Which kernel's BTF rules -----------------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The table of rule changes. Each row was read in the kernel/bpf/btf.c of
// the releases btfkit was checked against (Debian's linux-source-6.1,
// -6.12 and -7.2; 6.6 through its commits) and placed at the release that
// brought it as the Source column says; docs/Validation.md prints it.
//
//===----------------------------------------------------------------------===//

#include "btfkit/KernelVersion.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/Process.h"

#include <sys/utsname.h>

using namespace btfkit;
using namespace llvm;

static const RuleChangeInfo Changes[] = {
    {RuleChange::PrintableSectionNames,
     {6, 9},
     "DATASEC names may hold any printable character",
     "commit bd70a8fb7ca4, in the BPF pull for 6.9; read in 6.12's btf.c"},
    {RuleChange::DistilledBase,
     {6, 11},
     "module BTF is parsed over its .BTF.base and relocated",
     "the distilled-base series (btf_relocate.c) of 6.11; read in 6.12's "
     "btf.c"},
    {RuleChange::TagKindFlag,
     {6, 15},
     "TYPE_TAG and DECL_TAG may carry the kind flag",
     "commit 53ee0d66d7a6, in the main BPF pull for 6.15; accepted by a "
     "6.18 kernel's BPF_BTF_LOAD; read in 7.2's btf.c"},
    {RuleChange::LayoutSection,
     {7, 0},
     "32-byte header with a layout section",
     "read in 7.2's btf.c, refused by a 6.18 kernel; the 7.x release is "
     "not pinned, 7.0 assumed"},
    {RuleChange::WideInfo,
     {7, 0},
     "24-bit vlen and 7-bit kind, no BTF_INFO_MASK",
     "read in 7.2's btf.c, refused by a 6.18 kernel; the 7.x release is "
     "not pinned, 7.0 assumed"},
    {RuleChange::AnyModifierOrder,
     {7, 0},
     "TYPE_TAGs may follow other modifiers",
     "read in 7.2's btf.c, refused by a 6.18 kernel; the 7.x release is "
     "not pinned, 7.0 assumed"},
};

ArrayRef<RuleChangeInfo> btfkit::ruleChanges() { return Changes; }

KernelVersion btfkit::firstWith(RuleChange C) {
  for (const RuleChangeInfo &I : Changes)
    if (I.Change == C)
      return I.Since;
  llvm_unreachable("a rule change missing from the table");
}

KernelRules::KernelRules(KernelVersion V) : V(V) {}

bool KernelRules::has(RuleChange C) const { return V >= firstWith(C); }

std::optional<KernelVersion> KernelVersion::parse(StringRef Text) {
  unsigned Major = 0, Minor = 0;
  StringRef Rest = Text;
  if (Rest.consumeInteger(10, Major) || !Rest.consume_front("."))
    return std::nullopt;
  if (Rest.empty() || !isDigit(Rest.front()) || Rest.consumeInteger(10, Minor))
    return std::nullopt;
  // What follows is the sublevel or a local version ("117",
  // "13+deb14-amd64", "-rc3").
  if (!Rest.empty() && Rest.front() != '.' && Rest.front() != '-' &&
      Rest.front() != '+')
    return std::nullopt;
  return KernelVersion(Major, Minor);
}

Expected<KernelVersion> KernelVersion::parseOption(StringRef Option,
                                                   StringRef Text) {
  std::optional<KernelVersion> V = parse(Text);
  if (!V)
    return createStringError(inconvertibleErrorCode(),
                             "%s: '%s' is not a kernel version (expected "
                             "MAJOR.MINOR, e.g. 6.12)",
                             Option.str().c_str(), Text.str().c_str());
  if (*V < oldest())
    return createStringError(
        inconvertibleErrorCode(),
        "%s: btfkit knows the BTF rules of Linux %s and later, not %s",
        Option.str().c_str(), oldest().str().c_str(), V->str().c_str());
  return *V;
}

Expected<std::optional<KernelVersion>> KernelVersion::fromToolOptions(
    StringRef Option, const std::optional<std::string> &Value, bool InKbuild) {
  if (Value)
    return parseOption(Option, *Value);
  if (std::optional<std::string> Env =
          sys::Process::GetEnv("BTFKIT_KERNEL_VERSION"))
    return parseOption("BTFKIT_KERNEL_VERSION", *Env);
  if (InKbuild)
    if (std::optional<std::string> Env = sys::Process::GetEnv("KERNELVERSION"))
      if (std::optional<KernelVersion> V = parse(*Env))
        // A tree older than any release btfkit knows gets the oldest rules
        // rather than a failed build.
        return *V < oldest() ? oldest() : *V;
  return std::nullopt;
}

std::optional<KernelVersion> KernelVersion::running() {
  struct utsname U;
  if (uname(&U) != 0)
    return std::nullopt;
  return parse(U.release);
}

KernelVersion KernelVersion::forTarget(StringRef TargetPath,
                                       StringRef Release) {
  std::optional<KernelVersion> R =
      TargetPath.starts_with("/sys/kernel/btf/") ? running() : parse(Release);
  if (!R)
    return newest();
  // A kernel older than any btfkit knows is judged by the oldest rules.
  return *R < oldest() ? oldest() : *R;
}

std::string KernelVersion::str() const {
  return std::to_string(Major) + "." + std::to_string(Minor);
}
