//===- CompatReportJSON.cpp - report.json ---------------------------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The layout is docs/CompatReport.md's, field by field; a change to it is a
// new CompatReportVersion. Keys come in a fixed order, one module a line,
// so that two reports diff line by line.
//
//===----------------------------------------------------------------------===//

#include "btfkit/CompatReport.h"
#include "btfkit/Config.h"

#include "llvm/Support/JSON.h"

using namespace btfkit;
using namespace llvm;

static void stringOrNull(json::OStream &J, StringRef Key, StringRef S) {
  if (S.empty())
    J.attribute(Key, nullptr);
  else
    J.attribute(Key, S);
}

static void printCause(const CompatCause &C, json::OStream &J) {
  J.object([&] {
    J.attribute("summary", C.Summary);
    J.attribute("reason", C.Reason);
    if (!C.Kind.empty()) {
      J.attribute("kind", C.Kind);
      J.attribute("name", C.Name);
      if (C.Size)
        J.attribute("size", *C.Size);
      J.attributeArray("kernel_sizes", [&] {
        for (uint32_t S : C.KernelSizes)
          J.value(S);
      });
    }
    J.attribute("count", C.Modules.size());
    J.attribute("sole", C.Sole);
    J.attributeArray("modules", [&] {
      for (uint32_t M : C.Modules)
        J.value(M);
    });
  });
}

static void printKernel(const CompatKernel &K, json::OStream &J) {
  J.object([&] {
    J.attribute("name", K.Name);
    stringOrNull(J, "release", K.Release);
    stringOrNull(J, "version", K.Version);
    J.attribute("path", K.Path);
    J.attribute("origin", K.Origin);
    J.attribute("types", K.Types);
    J.attributeObject("counts", [&] {
      J.attribute("loads", K.Loads);
      J.attribute("refused", K.Refused);
      J.attribute("garbled", K.Garbled);
    });
    J.attributeArray("causes", [&] {
      for (const CompatCause &C : K.Causes)
        printCause(C, J);
    });
  });
}

static void printPair(const CompatPair &P, json::OStream &J) {
  J.object([&] {
    J.attribute("verdict", verdictClassName(P.Class));
    if (P.Class == VerdictClass::Loads)
      return;
    J.attribute("kernel_message", P.KernelMessage);
    J.attributeArray("causes", [&] {
      for (uint32_t C : P.Causes)
        J.value(C);
    });
    J.attributeArray("explanations", [&] {
      for (const std::string &E : P.Explanations)
        J.value(E);
    });
  });
}

void btfkit::printCompatReportJSON(const CompatReport &R, raw_ostream &OS) {
  // Objects are written compact, one a line: the kernels, then each module.
  auto Compact = [&](auto Print) {
    json::OStream J(OS);
    Print(J);
  };
  OS << "{\n\"format\": \"btfkit-compat-report\",\n\"version\": "
     << CompatReportVersion << ",\n\"generator\": ";
  Compact([&](json::OStream &J) { J.value("btfkit " BTFKIT_VERSION); });
  OS << ",\n\"built_against\": ";
  Compact([&](json::OStream &J) {
    if (R.BuiltAgainstName.empty()) {
      J.value(nullptr);
      return;
    }
    J.object([&] {
      J.attribute("name", R.BuiltAgainstName);
      J.attribute("path", R.BuiltAgainstPath);
    });
  });
  OS << ",\n\"summary\": ";
  Compact([&](json::OStream &J) {
    J.object([&] {
      J.attribute("modules", R.Modules.size());
      J.attribute("judged", R.Judged);
      J.attribute("unjudged", R.Unjudged);
      J.attribute("kernels", R.Kernels.size());
      J.attribute("all_load", R.allLoad());
    });
  });
  OS << ",\n\"kernels\": [";
  for (size_t I = 0; I < R.Kernels.size(); ++I) {
    OS << (I ? ",\n" : "\n");
    Compact([&](json::OStream &J) { printKernel(R.Kernels[I], J); });
  }
  OS << "\n],\n\"modules\": [";
  for (size_t I = 0; I < R.Modules.size(); ++I) {
    const CompatModule &M = R.Modules[I];
    OS << (I ? ",\n" : "\n");
    Compact([&](json::OStream &J) {
      J.object([&] {
        J.attribute("name", M.Name);
        J.attribute("path", M.Path);
        if (!M.Error.empty()) {
          J.attribute("form", nullptr);
          J.attribute("error", M.Error);
          return;
        }
        J.attribute("form", moduleFormName(M.Form));
        J.attributeArray("verdicts", [&] {
          for (const CompatPair &P : M.Pairs)
            printPair(P, J);
        });
      });
    });
  }
  OS << "\n]\n}\n";
}
