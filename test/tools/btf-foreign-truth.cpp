//===- btf-foreign-truth.cpp - Garbled verdicts against their ground truth ===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// btf-foreign-truth --own-base=VMLINUX --target=VMLINUX [--label=L]
//                   MODULE|DIR...
//
// A test-only driver. For each classic split BTF module (raw .BTF or .ko;
// a directory stands for its files), built against --own-base, it asks
// btfkit's judge (ModuleJudge::classic) for the verdict on --target, and
// for every module the target accepts it computes the ground truth the
// judge cannot see: the module's own types (its split read over its own
// base) against the kernel's reading (the same bytes read over the target,
// which is what /sys/kernel/btf/<module> holds: the kernel does not
// relocate classic BTF). Each reading is rendered type by type, names
// resolved and references written out structurally (a named struct,
// union, enum, typedef or forward by kind and name, anything else inline),
// so that it does not depend on the type ids. The readings differ when
// any split type renders differently. The judge must say "garbled" exactly
// for the modules whose readings differ.
//
// Prints one summary line (and each disagreement); exit status 1 on any
// disagreement, 2 on bad input (a module that is not valid over its own
// base).
//
//===----------------------------------------------------------------------===//

#include "btfkit/BaseIndex.h"
#include "btfkit/Reader.h"
#include "btfkit/ToolSupport.h"
#include "btfkit/Verdict.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>

using namespace btfkit;
using namespace llvm;

static cl::opt<std::string> OwnBase("own-base", cl::Required,
                                    cl::desc("The vmlinux BTF the modules "
                                             "were built against"));
static cl::opt<std::string> TargetBase("target", cl::Required,
                                       cl::desc("The kernel they are judged "
                                                "on"));
static cl::opt<std::string> Label("label", cl::desc("Names the pair in the "
                                                    "summary"));
static cl::list<std::string> Inputs(cl::Positional, cl::OneOrMore,
                                    cl::desc("<module or folder>..."));

static constexpr const char *Tool = "btf-foreign-truth";

namespace {

/// One reading of a split BTF, rendered without type ids.
class Renderer {
public:
  explicit Renderer(const BTF &B) : B(B) {}

  /// Every type of the split, in order.
  std::vector<std::string> renderSplit() const {
    std::vector<std::string> Out;
    for (uint32_t Id = B.firstId(); Id < B.endId(); ++Id)
      Out.push_back(render(Id, 0));
    return Out;
  }

private:
  std::string name(uint32_t Off) const { return B.str(Off).str(); }

  std::string ref(uint32_t Id, unsigned Depth) const {
    if (Id == 0)
      return "void";
    Type T = B.type(Id);
    std::string N = name(T.nameOff());
    if (!N.empty()) {
      switch (T.kind()) {
      case Kind::Struct:
        return "struct " + N;
      case Kind::Union:
        return "union " + N;
      case Kind::Enum:
      case Kind::Enum64:
        return "enum " + N;
      case Kind::Typedef:
        return "typedef " + N;
      case Kind::Fwd:
        return (T.kindFlag() ? "fwd union " : "fwd struct ") + N;
      default:
        break;
      }
    }
    if (Depth > 16)
      return "...";
    return render(Id, Depth + 1);
  }

  std::string render(uint32_t Id, unsigned Depth) const {
    Type T = B.type(Id);
    std::string S;
    raw_string_ostream OS(S);
    std::string N = name(T.nameOff());
    OS << kindName(T.rawKind()) << " '" << N << "'";
    switch (T.kind()) {
    case Kind::Int:
      OS << " size=" << T.size() << " enc=" << T.intEncoding()
         << " off=" << T.intOffset() << " bits=" << T.intBits();
      break;
    case Kind::Float:
      OS << " size=" << T.size();
      break;
    case Kind::Ptr:
    case Kind::Const:
    case Kind::Volatile:
    case Kind::Restrict:
    case Kind::Typedef:
    case Kind::TypeTag:
      OS << " -> " << ref(T.typeId(), Depth);
      break;
    case Kind::Array:
      OS << " [" << T.array().NElems << "] of " << ref(T.array().Type, Depth)
         << " index " << ref(T.array().IndexType, Depth);
      break;
    case Kind::Struct:
    case Kind::Union:
      OS << " size=" << T.size() << " {";
      for (const Member &M : T.members())
        OS << " '" << name(M.NameOff) << "': " << ref(M.Type, Depth) << " @"
           << T.memberBitOffset(M) << ":" << T.memberBitfieldSize(M) << ";";
      OS << " }";
      break;
    case Kind::Enum:
      OS << " size=" << T.size() << " signed=" << T.kindFlag() << " {";
      for (const EnumValue &E : T.enumValues())
        OS << " '" << name(E.NameOff) << "'=" << E.Val;
      OS << " }";
      break;
    case Kind::Enum64:
      OS << " size=" << T.size() << " signed=" << T.kindFlag() << " {";
      for (const Enum64Value &E : T.enum64Values())
        OS << " '" << name(E.NameOff)
           << "'=" << ((uint64_t(E.ValHi32) << 32) | E.ValLo32);
      OS << " }";
      break;
    case Kind::Fwd:
      OS << (T.kindFlag() ? " union" : " struct");
      break;
    case Kind::FuncProto:
      OS << " returns " << ref(T.typeId(), Depth) << " (";
      for (const Param &P : T.params())
        OS << " '" << name(P.NameOff) << "': " << ref(P.Type, Depth) << ";";
      OS << " )";
      break;
    case Kind::Func:
      OS << " linkage=" << T.vlen() << " " << ref(T.typeId(), Depth);
      break;
    case Kind::Var:
      OS << " linkage=" << T.varLinkage() << " " << ref(T.typeId(), Depth);
      break;
    case Kind::Datasec:
      OS << " size=" << T.size() << " {";
      for (const VarSecInfo &V : T.secInfos())
        OS << " " << ref(V.Type, Depth) << " @" << V.Offset << "+" << V.Size;
      OS << " }";
      break;
    case Kind::DeclTag: {
      Type To = B.type(T.typeId());
      OS << " on " << kindName(To.rawKind()) << " '" << name(To.nameOff())
         << "' component " << T.declTagComponent();
      break;
    }
    default:
      OS << " info=" << T.info() << " word=" << T.typeId();
      break;
    }
    return S;
  }

  const BTF &B;
};

struct Kernel {
  std::unique_ptr<BTF> B;
  std::unique_ptr<BaseIndex> Index;
};

Kernel loadKernel(StringRef Path) {
  auto B = loadBaseBTF(Path);
  if (!B) {
    reportError(Tool, B.takeError());
    exit(2);
  }
  Kernel K;
  K.B = std::move(*B);
  K.Index = std::make_unique<BaseIndex>(*K.B);
  return K;
}

/// Renders the split BTF of \p Contents read over \p Base into \p Out.
Error renderOver(std::shared_ptr<const MemoryBuffer> Contents, const BTF &Base,
                 std::vector<std::string> &Out) {
  LoadOptions LO;
  LO.UseEmbeddedBase = false;
  LO.Base = &Base;
  auto F = BTFFile::load(std::move(Contents), LO);
  if (!F)
    return F.takeError();
  Out = Renderer(F->btf()).renderSplit();
  return Error::success();
}

/// The module files: each input, or each regular file of an input folder,
/// in name order.
std::vector<std::string> moduleFiles() {
  std::vector<std::string> Files;
  for (const std::string &In : Inputs) {
    if (!sys::fs::is_directory(In)) {
      Files.push_back(In);
      continue;
    }
    std::vector<std::string> Dir;
    std::error_code EC;
    for (sys::fs::directory_iterator It(In, EC), End; It != End && !EC;
         It.increment(EC))
      if (sys::fs::is_regular_file(It->path()))
        Dir.push_back(It->path());
    if (EC) {
      reportError(Tool, createFileError(In, errorCodeToError(EC)));
      exit(2);
    }
    llvm::sort(Dir);
    Files.insert(Files.end(), Dir.begin(), Dir.end());
  }
  return Files;
}

} // namespace

int main(int argc, char **argv) {
  InitLLVM X(argc, argv);
  cl::ParseCommandLineOptions(argc, argv, "garbled verdicts vs truth\n");
  Kernel Own = loadKernel(OwnBase), Target = loadKernel(TargetBase);

  unsigned Modules = 0, Resilient = 0, Refused = 0, Accepted = 0;
  unsigned Garbled = 0, Differ = 0, Agree = 0, Bad = 0;
  // Garbled modules by mark: with the mark, and with that mark alone.
  constexpr unsigned NumMarks = std::size(AllForeignMarks);
  unsigned WithMark[NumMarks] = {}, OnlyMark[NumMarks] = {};
  for (const std::string &Path : moduleFiles()) {
    ++Modules;
    auto Contents = mapFile(Path);
    if (!Contents) {
      reportError(Tool, Contents.takeError());
      ++Bad;
      continue;
    }
    auto What = inspectFile(**Contents);
    if (!What) {
      reportError(Tool, What.takeError());
      ++Bad;
      continue;
    }
    if (What->HasBaseSection) {
      ++Resilient;
      continue;
    }
    ModuleJudge Judge = ModuleJudge::classic(Path, *Contents);
    auto V = Judge.on(TargetBase, *Target.B, *Target.Index);
    if (!V) {
      reportError(Tool, V.takeError());
      ++Bad;
      continue;
    }
    if (!V->loads()) {
      ++Refused;
      continue;
    }
    ++Accepted;
    std::vector<std::string> A, B;
    if (Error E = renderOver(*Contents, *Own.B, A)) {
      reportError(Tool, std::move(E));
      ++Bad;
      continue;
    }
    if (Error E = renderOver(*Contents, *Target.B, B)) {
      reportError(Tool, std::move(E));
      ++Bad;
      continue;
    }
    bool Differs = A != B;
    Differ += Differs;
    Garbled += V->garbled();
    if (V->garbled()) {
      unsigned Kinds = 0, Last = 0;
      for (unsigned M = 0; M < NumMarks; ++M)
        if (V->Foreign->count(AllForeignMarks[M])) {
          ++WithMark[M];
          ++Kinds;
          Last = M;
        }
      OnlyMark[Last] += Kinds == 1;
    }
    if (Differs == V->garbled()) {
      ++Agree;
      continue;
    }
    outs() << "DISAGREE " << Path << ": btfkit says "
           << (V->garbled() ? "garbled" : "not garbled") << ", the readings "
           << (Differs ? "differ" : "are the same") << '\n';
    for (size_t I = 0; I < A.size(); ++I)
      if (A[I] != B[I]) {
        outs() << "  own:    " << A[I].substr(0, 300)
               << "\n  target: " << B[I].substr(0, 300) << '\n';
        break;
      }
  }
  outs() << (Label.empty() ? sys::path::filename(TargetBase) : StringRef(Label))
         << ": " << Modules << " modules";
  if (Resilient)
    outs() << " (" << Resilient << " resilient, skipped)";
  outs() << ": " << Refused << " refused, " << Accepted
         << " accepted: " << Garbled << " garbled, " << Accepted - Garbled
         << " not garbled; readings differ for " << Differ << "; agreement "
         << Agree << "/" << Accepted;
  if (Bad)
    outs() << "; " << Bad << " bad input";
  outs() << '\n';
  if (Garbled) {
    outs() << "  garbled modules by mark:";
    for (unsigned M = 0; M < NumMarks; ++M)
      outs() << (M ? "," : "") << " " << foreignMarkName(AllForeignMarks[M])
             << " " << WithMark[M] << " (alone " << OnlyMark[M] << ")";
    outs() << '\n';
  }
  return Bad ? 2 : Agree != Accepted ? 1 : 0;
}
