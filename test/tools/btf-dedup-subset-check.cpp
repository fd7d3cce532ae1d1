//===- btf-dedup-subset-check.cpp - The three ways to index a base -------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// btf-dedup-subset-check --base-btf=BASE SPLIT... [--closure]
//
// Test oracle for the compiler plugin's restricted dedup index: for each
// SPLIT (raw BTF or ELF, split over BASE) deduplicates it over the full
// index of BASE (DedupBase::create) and over the index restricted to it
// (DedupBase::createFor) and over the full index saved and loaded again
// (DedupBase::save, DedupBase::load: the base index cache's form), and
// requires byte-identical results. With
// --closure, each SPLIT is first turned into what a translation unit looks
// like to the plugin: copies of every base type its types reach, followed
// by its own types, all split over BASE and none shared with it, so that
// deduplication has to find every one of those copies in the base again.
// Prints one line per input; exit status 1 when any result differs.
//
//===----------------------------------------------------------------------===//

#include "btfkit/Builder.h"
#include "btfkit/Dedup.h"
#include "btfkit/Reader.h"
#include "btfkit/ToolSupport.h"
#include "btfkit/TypeWalk.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

using namespace btfkit;
using namespace llvm;

static cl::list<std::string> Inputs(cl::Positional, cl::OneOrMore,
                                    cl::desc("<split>..."));
static cl::opt<std::string> BaseBTF("base-btf", cl::Required,
                                    cl::value_desc("file"));
static cl::opt<bool> Closure("closure",
                             cl::desc("Copy the base types each input reaches "
                                      "into it first"));

static constexpr const char *Tool = "btf-dedup-subset-check";

/// \p S with copies of the base types it reaches, all split over its base.
static Expected<std::unique_ptr<BTF>> withClosure(const BTF &S) {
  const BTF &Base = *S.base();
  uint32_t BaseEnd = Base.endId();
  std::vector<uint32_t> NewId(BaseEnd, 0);
  std::vector<uint32_t> Order, Stack;
  auto Visit = [&](uint32_t Id) {
    if (Id && Id < BaseEnd && !NewId[Id]) {
      NewId[Id] = 1; // seen
      Stack.push_back(Id);
    }
  };
  for (uint32_t Id = S.firstId(); Id < S.endId(); ++Id)
    forEachTypeRef(S.type(Id), Visit);
  while (!Stack.empty()) {
    uint32_t Id = Stack.back();
    Stack.pop_back();
    Order.push_back(Id);
    forEachTypeRef(Base.type(Id), Visit);
  }
  std::sort(Order.begin(), Order.end());
  uint32_t Next = BaseEnd;
  for (uint32_t Id : Order)
    NewId[Id] = Next++;
  uint32_t OwnShift = Next - S.firstId();
  auto Map = [&](uint32_t Id) {
    if (Id == 0)
      return 0u;
    return Id < BaseEnd ? NewId[Id] : Id + OwnShift;
  };
  Builder B(&Base);
  for (uint32_t Id : Order)
    B.addCopy(Base.type(Id), Map);
  for (uint32_t Id = S.firstId(); Id < S.endId(); ++Id)
    B.addCopy(S.type(Id), Map);
  return B.build(S.name().str() + " (with its base closure)");
}

int main(int argc, char **argv) {
  InitLLVM X(argc, argv);
  cl::ParseCommandLineOptions(argc, argv,
                              "createFor() vs create() vs save() + load()\n");
  auto Base = loadBaseBTF(BaseBTF);
  if (!Base) {
    reportError(Tool, Base.takeError());
    return 2;
  }
  auto Full = DedupBase::create(**Base);
  std::vector<uint8_t> Saved = Full->save();
  auto Loaded = DedupBase::load(**Base, Saved, "saved index");
  if (!Loaded) {
    reportError(Tool, Loaded.takeError());
    return 2;
  }
  int Status = 0;
  for (const std::string &In : Inputs) {
    LoadOptions LO;
    LO.Base = Base->get();
    auto F = BTFFile::load(In, LO);
    if (!F) {
      reportError(Tool, F.takeError());
      return 2;
    }
    const BTF *S = &F->btf();
    std::unique_ptr<BTF> Expanded;
    if (Closure) {
      auto E = withClosure(*S);
      if (!E) {
        reportError(Tool, E.takeError());
        return 2;
      }
      Expanded = std::move(*E);
      S = Expanded.get();
    }
    auto Sub = DedupBase::createFor(**Base, *S);
    auto A = dedupToBlob(*S, {}, Full.get());
    auto B = dedupToBlob(*S, {}, Sub.get());
    auto C = dedupToBlob(*S, {}, Loaded->get());
    if (!A || !B || !C) {
      Error E =
          joinErrors(joinErrors(A.takeError(), B.takeError()), C.takeError());
      reportError(Tool, std::move(E));
      return 2;
    }
    auto Out = BTF::parse(*A, Base->get(), "result");
    if (!Out) {
      reportError(Tool, Out.takeError());
      return 2;
    }
    bool Same = *A == *B && *A == *C;
    Status |= !Same;
    outs() << In << ": " << S->numTypes() << " types -> " << (*Out)->numTypes()
           << ": " << (Same ? "same" : "DIFFERENT") << "\n";
  }
  return Status;
}
