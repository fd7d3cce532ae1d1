//===- btf-elf-edit.cpp - Drive the ELF section writers from tests --------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// btf-elf-edit IN -o OUT [--set NAME=FILE]... [--remove NAME]...
// btf-elf-edit --create -o OUT [--machine N] [--set NAME=FILE]...
//
// A test helper, not a user tool: calls rewriteELFSections() or
// createELFWithSections() (btfkit/Writer.h) with the given edits, applied
// as one call in the order given.
//
//===----------------------------------------------------------------------===//

#include "btfkit/Error.h"
#include "btfkit/ToolSupport.h"
#include "btfkit/Writer.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"

using namespace btfkit;
using namespace llvm;

static cl::opt<std::string> Input(cl::Positional, cl::desc("<input ELF>"));
static cl::opt<std::string> Output("o", cl::Required, cl::desc("output"),
                                   cl::value_desc("file"));
static cl::opt<bool> Create("create", cl::desc("write a new object, no input"));
static cl::opt<unsigned> Machine("machine", cl::init(62),
                                 cl::desc("e_machine of --create"));
static cl::list<std::string> Set("set", cl::desc("add or replace a section"),
                                 cl::value_desc("name=file"));
static cl::list<std::string> Remove("remove", cl::desc("remove a section"),
                                    cl::value_desc("name"));

static constexpr const char *Tool = "btf-elf-edit";

int main(int argc, char **argv) {
  InitLLVM X(argc, argv);
  cl::ParseCommandLineOptions(argc, argv, "edit ELF sections (test helper)\n");

  // Keep the command-line order across both options.
  std::vector<std::pair<unsigned, SectionEdit>> Ordered;
  for (unsigned I = 0; I < Set.size(); ++I) {
    auto [Name, File] = StringRef(Set[I]).split('=');
    auto Buf = MemoryBuffer::getFile(File, /*IsText=*/false,
                                     /*RequiresNullTerminator=*/false);
    if (!Buf) {
      reportError(Tool,
                  makeError(File, "cannot open: " + Buf.getError().message()));
      return 1;
    }
    StringRef B = (*Buf)->getBuffer();
    Ordered.push_back({Set.getPosition(I),
                       {Name.str(), std::vector<uint8_t>(B.begin(), B.end())}});
  }
  for (unsigned I = 0; I < Remove.size(); ++I)
    Ordered.push_back({Remove.getPosition(I), {Remove[I], std::nullopt}});
  llvm::sort(Ordered,
             [](const auto &A, const auto &B) { return A.first < B.first; });
  std::vector<SectionEdit> Edits;
  for (auto &P : Ordered)
    Edits.push_back(std::move(P.second));

  Error E = Error::success();
  if (Create) {
    E = createELFWithSections(Output, Edits, uint16_t(Machine));
  } else if (Input.empty()) {
    E = makeError(Tool, "an input file or --create is required");
  } else {
    E = rewriteELFSections(Input, Output, Edits);
  }
  if (E) {
    reportError(Tool, std::move(E));
    return 1;
  }
  return 0;
}
