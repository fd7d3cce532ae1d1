//===- fuzz-fragment.cpp - libFuzzer target over the fragment readers -----===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Each input is the contents of a .BTF.btfkit section: one fragment or
// several concatenated, as `ld -r` leaves them (docs/FragmentFormat.md).
// It goes to the fragment walker and the loaders the tools use on an
// object (parseFragments, loadFragmentTypes, BTFFile::load's views and
// inspectFile on an ELF object holding the section), and to the link
// step's merge, without a base and over the fixed base
// (utils/fuzz/base.btf): manifests, producers and fingerprints checked,
// distilled bases united or relocated, DATASECs rebuilt, deduplicated,
// distilled. Whatever parses is validated, dumped and judged as a module.
//
//===----------------------------------------------------------------------===//

#include "FuzzSupport.h"

#include "btfkit/Fragment.h"
#include "btfkit/Reader.h"

using namespace btfkit;
using namespace btfkit::fuzz;
using namespace llvm;

static void exerciseViews(ArrayRef<uint8_t> Section) {
  auto Views = parseFragments(Section, "fuzz.o:.BTF.btfkit");
  if (!Views) {
    consumeError(Views.takeError());
    return;
  }
  for (const FragmentView &V : *Views) {
    std::unique_ptr<BTF> Dist;
    if (!V.DistilledBase.empty()) {
      auto D = BTF::parse(V.DistilledBase, nullptr, "fuzz[distilled-base]");
      if (!D) {
        consumeError(D.takeError());
        continue;
      }
      Dist = std::move(*D);
      exerciseBTF(*Dist);
    }
    auto T = BTF::parse(V.Types, Dist.get(), "fuzz[types]");
    if (!T) {
      consumeError(T.takeError());
      continue;
    }
    exerciseBTF(**T);
    exerciseModule(**T);
    auto Tags = BTF::parse(V.EmbeddedTags, T->get(), "fuzz[embedded-tags]");
    if (Tags)
      exerciseBTF(**Tags);
    else
      consumeError(Tags.takeError());
  }
}

static void loadTypes(ArrayRef<uint8_t> Section, const BTF *Base,
                      bool UseDistilledBase) {
  std::unique_ptr<BTF> Dist;
  auto T = loadFragmentTypes(Section, "fuzz.o:.BTF.btfkit", Base,
                             UseDistilledBase, Dist, nullptr);
  if (!T) {
    consumeError(T.takeError());
    return;
  }
  exerciseBTF(**T);
  exerciseModule(**T);
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  ArrayRef<uint8_t> Section(Data, Size);
  exerciseViews(Section);
  loadTypes(Section, nullptr, /*UseDistilledBase=*/true);
  loadTypes(Section, &fuzzBase(), /*UseDistilledBase=*/false);
  // With the per-CPU section the merge rebuilds DATASECs for.
  static const uint8_t PerCPU[16] = {};
  std::vector<uint8_t> Image =
      wrapInELF({{FragmentSectionName, Section}, {".data..percpu", PerCPU}});
  exerciseFile(Image,
               {BTFSectionName, BTFBaseSectionName, FragmentEmbeddedTagsView});
  exerciseMerge(Image, nullptr, /*DwarfFallback=*/false);
  exerciseMerge(Image, &fuzzIndexedBase(), /*DwarfFallback=*/false);
  return 0;
}
