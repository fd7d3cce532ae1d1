//===- EncodeSymbols.cpp - Prototypes, functions, variables, sections -----===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// pahole 1.24's rules for FUNC_PROTO, FUNC, VAR and DATASEC. Which
// functions and variables get one is the walkers' business (it depends on
// what the source says about symbols); how they are written is this.
//
//===----------------------------------------------------------------------===//

#include "btfkit/EncodePolicy.h"

#include "llvm/ADT/STLExtras.h"

using namespace btfkit;
using namespace llvm;

void TypeEncoder::encodeProto(uint32_t Id, uint32_t Ret,
                              ArrayRef<ParamFacts> Params, EncodeWarning Warn) {
  std::vector<EncodedElem> Elems;
  Elems.reserve(Params.size());
  for (const ParamFacts &P : Params) {
    EncodedElem El;
    // "...": a nameless parameter of type void, as in the kernel's BTF.
    if (!P.Unspecified) {
      El.Name = P.Name.str();
      El.Type = P.Type;
    }
    Elems.push_back(std::move(El));
  }
  if (Elems.size() > MaxVlen) {
    Warn("prototype with " + Twine(Elems.size()) +
         " parameters, more than BTF can hold; truncated");
    Elems.resize(MaxVlen);
  }
  EncodedType &E = at(Id);
  E.TypeKind = Kind::FuncProto;
  E.Type = Ret;
  E.Elems = std::move(Elems);
}

uint32_t TypeEncoder::encodeFunc(const FuncFacts &F) {
  EncodedType E;
  E.TypeKind = Kind::Func;
  E.Name = F.Name.str();
  E.Type = F.Proto;
  // pahole (all versions that matter here) marks every FUNC static.
  E.Linkage = FuncStatic;
  uint32_t Id = add(std::move(E));
  ++NumFuncs;
  addDeclTags(Id, -1, F.DeclTags);
  for (size_t I = 0; I < F.ParamDeclTags.size(); ++I)
    addDeclTags(Id, int32_t(I), F.ParamDeclTags[I]);
  // The tag the verifier looks for on kfuncs (pahole's decl_tag_kfuncs).
  if (F.InKfuncSet && has(FeatDeclTagKfuncs)) {
    static constexpr StringLiteral KfuncTag = "bpf_kfunc";
    addDeclTags(Id, -1, ArrayRef<StringRef>(KfuncTag));
  }
  return Id;
}

uint32_t TypeEncoder::encodeVar(const VarFacts &F) {
  EncodedType E;
  E.TypeKind = Kind::Var;
  E.Name = F.Name.str();
  E.Type = F.Type;
  E.Linkage = F.External ? VarGlobalAllocated : VarStatic;
  uint32_t Id = add(std::move(E));
  ++NumVars;
  addDeclTags(Id, -1, F.DeclTags);
  return Id;
}

void TypeEncoder::encodeDatasec(StringRef Name, std::vector<SectionVar> Vars,
                                EncodeWarning Warn) {
  if (Vars.empty())
    return;
  llvm::stable_sort(Vars, [](const SectionVar &A, const SectionVar &B) {
    return A.Offset < B.Offset;
  });
  EncodedType E;
  E.TypeKind = Kind::Datasec;
  E.Name = Name.str();
  // pahole: the section size is where the last variable ends.
  E.Size = uint32_t(Vars.back().Offset + Vars.back().Size);
  for (const SectionVar &V : Vars) {
    EncodedElem El;
    El.Type = V.Var;
    El.Offset = uint32_t(V.Offset);
    El.Size = uint32_t(V.Size);
    E.Elems.push_back(std::move(El));
  }
  if (E.Elems.size() > MaxVlen) {
    Warn("section '" + Name + "' has more variables than BTF can hold");
    E.Elems.resize(MaxVlen);
  }
  add(std::move(E));
}
