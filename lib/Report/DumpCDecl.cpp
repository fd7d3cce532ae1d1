//===- DumpCDecl.cpp - C declarators of BTF type chains -------------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Turns a chain of BTF types into a C declaration of a name, after libbpf's
// btf_dump_emit_type_decl() / btf_dump_emit_type_chain() (Linux 6.1).
//
// BTF lists a declaration from the outside in (`typedef const int *
// const *arr[10]` is typedef -> array -> ptr -> const -> ptr -> const ->
// int) while C spells it inside out. The chain is pushed on a stack up to
// its terminal type (int, struct, enum, typedef, ...) and printed from the
// top: the terminal type with the qualifiers that precede it, then
// pointers with the qualifiers that follow them; arrays and function
// prototypes wrap the rest of the chain in parentheses around the name.
//
// The stack is shared by nested declarations (a parameter of a function
// pointer, a member of an inline anonymous struct); each declaration works
// on its own frame, addressed by index so that nested pushes may grow the
// stack. Unlike libbpf, chains and nesting are bounded, and a kind that has
// no place in a declarator is reported instead of printed as nothing.
//
//===----------------------------------------------------------------------===//

#include "DumpCImpl.h"

using namespace btfkit;
using namespace btfkit::dumpc;
using namespace llvm;

void CDumper::emitTypeDecl(uint32_t Id, StringRef FName, unsigned Lvl) {
  if (DeclDepth > MaxNesting) {
    fail(Id, describeType(B.type(Id)) + " nests declarations more than " +
                 Twine(MaxNesting) + " levels deep");
    return;
  }
  const size_t Start = DeclStack.size();
  for (;;) {
    DeclStack.push_back(Id);
    if (Id == 0)
      break;
    if (DeclStack.size() - Start > MaxNesting) {
      fail(Id, describeType(B.type(Id)) +
                   " is part of a declarator chain that does not end");
      DeclStack.resize(Start);
      return;
    }
    Type T = B.type(Id);
    bool Terminal = false;
    switch (T.kind()) {
    case Kind::Ptr:
    case Kind::Volatile:
    case Kind::Const:
    case Kind::Restrict:
    case Kind::FuncProto:
    case Kind::TypeTag:
      Id = T.typeId();
      break;
    case Kind::Array:
      Id = T.array().Type;
      break;
    case Kind::Int:
    case Kind::Enum:
    case Kind::Enum64:
    case Kind::Fwd:
    case Kind::Struct:
    case Kind::Union:
    case Kind::Typedef:
    case Kind::Float:
      Terminal = true;
      break;
    default:
      fail(Id, describeType(T) + " cannot be part of a C type declaration");
      Terminal = true;
      break;
    }
    if (Terminal)
      break;
  }
  DeclView View{Start, DeclStack.size() - Start};
  ++DeclDepth;
  emitTypeChain(View, FName, Lvl);
  --DeclDepth;
  DeclStack.resize(Start);
}

void CDumper::emitMods(DeclView &Decls) {
  while (Decls.Cnt) {
    switch (B.type(DeclStack[Decls.Start + Decls.Cnt - 1]).kind()) {
    case Kind::Volatile:
      OS << "volatile ";
      break;
    case Kind::Const:
      OS << "const ";
      break;
    case Kind::Restrict:
      OS << "restrict ";
      break;
    default:
      return;
    }
    --Decls.Cnt;
  }
}

void CDumper::dropMods(DeclView &Decls) {
  while (Decls.Cnt &&
         B.type(DeclStack[Decls.Start + Decls.Cnt - 1]).isModifier())
    --Decls.Cnt;
}

void CDumper::emitName(StringRef Name, bool LastWasPtr) {
  if (!Name.empty() && !LastWasPtr)
    OS << ' ';
  OS << Name;
}

void CDumper::emitTypeChain(DeclView &Decls, StringRef FName, unsigned Lvl) {
  // Whether the last thing printed was a `*`: then neither another `*` nor
  // the name needs a space (`int ***p`). True at the start for a lone
  // pointer inside a function pointer's parentheses: `(*fn)`.
  bool LastWasPtr = true;
  while (Decls.Cnt) {
    uint32_t Id = DeclStack[Decls.Start + --Decls.Cnt];
    if (Id == 0) {
      emitMods(Decls);
      OS << "void";
      LastWasPtr = false;
      continue;
    }
    Type T = B.type(Id);
    Kind K = T.kind();
    switch (K) {
    case Kind::Int:
    case Kind::Float:
      emitMods(Decls);
      OS << T.name();
      break;
    case Kind::Struct:
    case Kind::Union:
      emitMods(Decls);
      // Anonymous ones are defined right here.
      if (T.nameOff() == 0)
        emitStructDef(Id, T, Lvl);
      else
        emitStructFwd(Id, T);
      break;
    case Kind::Enum:
    case Kind::Enum64:
      emitMods(Decls);
      if (T.nameOff() == 0)
        emitEnumDef(Id, T, Lvl);
      else
        emitEnumFwd(Id);
      break;
    case Kind::Fwd:
      emitMods(Decls);
      emitFwdDef(Id, T);
      break;
    case Kind::Typedef:
      emitMods(Decls);
      OS << identName(Id);
      break;
    case Kind::Ptr:
      OS << (LastWasPtr ? "*" : " *");
      break;
    case Kind::Volatile:
      OS << " volatile";
      break;
    case Kind::Const:
      OS << " const";
      break;
    case Kind::Restrict:
      OS << " restrict";
      break;
    case Kind::TypeTag:
      emitMods(Decls);
      // A kind flag makes the tag a plain attribute (libbpf >= 1.5).
      if (T.kindFlag())
        OS << " __attribute__((" << T.name() << "))";
      else
        OS << " __attribute__((btf_type_tag(\"" << T.name() << "\")))";
      break;
    case Kind::Array: {
      // GCC puts the element's qualifiers on the array too (GCC bug 8354);
      // they mean nothing there.
      dropMods(Decls);
      uint32_t NElems = T.array().NElems;
      if (Decls.Cnt == 0) {
        emitName(FName, LastWasPtr);
        OS << '[' << NElems << ']';
        return;
      }
      bool MultiDim =
          B.type(DeclStack[Decls.Start + Decls.Cnt - 1]).is(Kind::Array);
      if (!FName.empty() && !LastWasPtr)
        OS << ' ';
      // No parentheses between the dimensions of one array.
      if (!MultiDim)
        OS << '(';
      emitTypeChain(Decls, FName, Lvl);
      if (!MultiDim)
        OS << ')';
      OS << '[' << NElems << ']';
      return;
    }
    case Kind::FuncProto: {
      // GCC marks noreturn function pointers volatile; C has no use for it.
      dropMods(Decls);
      if (Decls.Cnt) {
        OS << " (";
        emitTypeChain(Decls, FName, Lvl);
        OS << ')';
      } else {
        emitName(FName, LastWasPtr);
      }
      OS << '(';
      ArrayRef<Param> Params = T.params();
      // No parameters, or clang's single void one: `(void)`.
      if (Params.empty() || (Params.size() == 1 && Params[0].Type == 0)) {
        OS << "void)";
        return;
      }
      for (size_t I = 0; I < Params.size(); ++I) {
        if (I > 0)
          OS << ", ";
        // A trailing void parameter means varargs.
        if (I == Params.size() - 1 && Params[I].Type == 0) {
          OS << "...";
          break;
        }
        StringRef PName =
            Params[I].NameOff ? B.str(Params[I].NameOff) : StringRef();
        emitTypeDecl(Params[I].Type, PName, Lvl);
      }
      OS << ')';
      return;
    }
    default:
      return; // reported when the chain was pushed
    }
    LastWasPtr = K == Kind::Ptr;
  }
  emitName(FName, LastWasPtr);
}
