//===- Features.cpp - pahole's --btf_features, for the encoders
//-------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "btfkit/Encode.h"
#include "btfkit/Error.h"

#include "llvm/ADT/SmallVector.h"

using namespace btfkit;
using namespace llvm;

namespace {
struct FeatureName {
  const char *Name;
  unsigned Bit;
};
} // namespace

// pahole's spelling (btf_features in pahole.c), in bit order.
static const FeatureName Names[] = {
    {"var", FeatVar},
    {"global_var", FeatGlobalVar},
    {"float", FeatFloat},
    {"decl_tag", FeatDeclTag},
    {"type_tag", FeatTypeTag},
    {"enum64", FeatEnum64},
    {"consistent_func", FeatConsistentFunc},
    {"optimized_func", FeatOptimizedFunc},
    {"decl_tag_kfuncs", FeatDeclTagKfuncs},
    {"reproducible_build", FeatReproducibleBuild},
};

Expected<unsigned> btfkit::parseFeatures(StringRef List, StringRef Option) {
  unsigned Set = 0;
  SmallVector<StringRef, 12> Items;
  List.split(Items, ',', -1, /*KeepEmpty=*/false);
  for (StringRef Item : Items) {
    Item = Item.trim();
    bool Remove = Item.consume_front("-");
    unsigned Bits = 0;
    if (Item == "default")
      Bits = DefaultFeatures;
    else if (Item == "all")
      Bits = AllFeatures;
    else if (Item == "none")
      Bits = AllFeatures, Remove = true;
    for (const FeatureName &F : Names)
      if (Item == F.Name)
        Bits = F.Bit;
    if (!Bits) {
      std::string Known;
      for (const FeatureName &F : Names)
        Known += (Known.empty() ? "" : ", ") + std::string(F.Name);
      return makeError(Option, "unknown BTF feature '" + Item + "' (known: " +
                                   Known + "; and default, all, none)");
    }
    Set = Remove ? (Set & ~Bits) : (Set | Bits);
  }
  return Set;
}

std::string btfkit::featuresString(unsigned Features) {
  std::string S;
  for (const FeatureName &F : Names)
    if (Features & F.Bit)
      S += (S.empty() ? "" : ",") + std::string(F.Name);
  return S;
}
