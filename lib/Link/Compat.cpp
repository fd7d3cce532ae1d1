//===- Compat.cpp - Which fragments may be merged together ----------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Fragments deduplicated against different bases refer to different type
// ids and were distilled from different kernels: merging them would give
// BTF that is wrong on every kernel. Fragments of a producer with another
// major version may mean other things by the same bytes. Both are refused,
// naming every source involved so the user knows which objects to rebuild.
//
//===----------------------------------------------------------------------===//

#include "LinkInternal.h"

#include "btfkit/Config.h"
#include "btfkit/Error.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

using namespace btfkit;
using namespace btfkit::link;
using namespace llvm;

std::string btfkit::linkProducer() { return "btfkit " BTFKIT_VERSION; }

/// "X.Y.Z" -> (X, Y); false when not a version.
static bool parseVersion(StringRef V, unsigned &Major, unsigned &Minor) {
  StringRef MajorS, Rest;
  std::tie(MajorS, Rest) = V.split('.');
  StringRef MinorS = Rest.split('.').first;
  return !MajorS.getAsInteger(10, Major) && !MinorS.getAsInteger(10, Minor);
}

bool btfkit::isCompatibleProducer(StringRef Producer) {
  if (!Producer.consume_front("btfkit "))
    return false;
  unsigned Ma, Mi, OurMa, OurMi;
  if (!parseVersion(Producer.trim(), Ma, Mi) ||
      !parseVersion(BTFKIT_VERSION, OurMa, OurMi))
    return false;
  // Semantic versioning: before 1.0 a minor release may change the format.
  return Ma == OurMa && (Ma != 0 || Mi == OurMi);
}

/// "a.c, b.c and 3 more" for a list of sources.
static std::string listSources(ArrayRef<std::string> S) {
  std::string Out;
  const size_t Shown = 6;
  for (size_t I = 0; I < S.size() && I < Shown; ++I)
    Out += (I ? ", " : "") + S[I];
  if (S.size() > Shown)
    Out += " and " + std::to_string(S.size() - Shown) + " more";
  return Out;
}

static std::string sourceOf(const LoadedFragment &F) {
  return F.View.Manifest.Source.empty()
             ? "<fragment at +0x" + utohexstr(F.View.Offset) + ">"
             : F.View.Manifest.Source;
}

Error link::checkFragmentSet(ArrayRef<LoadedFragment> Frags, StringRef Where,
                             const BaseFingerprint *Base, StringRef BasePath,
                             LinkReport &Report) {
  // Producer first: another producer's fingerprint may not mean the same.
  std::vector<std::string> Incompatible;
  for (const LoadedFragment &F : Frags)
    if (!isCompatibleProducer(F.View.Manifest.Producer))
      Incompatible.push_back(sourceOf(F) + " (by '" + F.View.Manifest.Producer +
                             "')");
  if (!Incompatible.empty())
    return makeError(Where, "fragments made by a producer incompatible with " +
                                linkProducer() + ": " +
                                listSources(Incompatible) +
                                "; rebuild those objects with this btfkit");

  // Group the sources by base fingerprint, in order of first appearance.
  std::vector<std::pair<BaseFingerprint, std::vector<std::string>>> Groups;
  for (const LoadedFragment &F : Frags) {
    const BaseFingerprint &FP = F.View.Manifest.Base;
    auto It = find_if(Groups, [&](const auto &G) { return G.first == FP; });
    if (It == Groups.end()) {
      Groups.push_back({FP, {}});
      It = std::prev(Groups.end());
    }
    It->second.push_back(sourceOf(F));
    if (F.Distilled && FP.empty())
      return makeError(F.Label, "has a distilled base but its manifest names "
                                "no base (base=none)");
  }
  if (Groups.size() > 1) {
    std::string Msg = "fragments made against different bases cannot be "
                      "merged (rebuild every object against one base):";
    for (const auto &G : Groups)
      Msg += "\n  base " + G.first.str() + ": " + listSources(G.second);
    return makeError(Where, Msg);
  }
  if (Base && !Groups.empty() && !Groups.front().first.empty()) {
    const BaseFingerprint &Given = *Base;
    if (Given != Groups.front().first)
      return makeError(Where, "the objects were built against base " +
                                  Groups.front().first.str() + ", but " +
                                  BasePath + " is " + Given.str() +
                                  ": name the base they were built against");
  }

  // Differing features are legal BTF, but a module's BTF then says
  // different things for different objects (say, per-CPU variables for
  // some only): worth a warning.
  for (const LoadedFragment &F : Frags)
    if (F.View.Manifest.Features != Frags.front().View.Manifest.Features) {
      Report.Warnings.push_back(
          (Where + ": objects were encoded with different BTF features: " +
           sourceOf(Frags.front()) + " with '" +
           Frags.front().View.Manifest.Features + "', " + sourceOf(F) +
           " with '" + F.View.Manifest.Features + "'")
              .str());
      break;
    }
  return Error::success();
}
