//===- KernelNames.cpp - Kernels named as users know them -----------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// A user names kernels by release ("6.12.117+deb13-amd64"), not by file:
// distributions ship every kernel's vmlinux under the same name, so file
// names alone would give several kernels one name. The release is used
// when the file tells it and no other kernel of the list has it; else the
// shortest tail of the path no other kernel's shares, after the release.
//
//===----------------------------------------------------------------------===//

#include "btfkit/CompatReport.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Path.h"

using namespace btfkit;
using namespace llvm;

std::vector<std::string> btfkit::kernelNames(ArrayRef<const KernelBTF *> Ks) {
  auto Tail = [](StringRef Path, size_t N) {
    SmallVector<StringRef, 8> Parts;
    for (auto I = sys::path::begin(Path), E = sys::path::end(Path); I != E; ++I)
      Parts.push_back(*I);
    N = std::min(N, Parts.size());
    std::string S;
    for (size_t I = Parts.size() - N; I < Parts.size(); ++I) {
      if (!S.empty() && !StringRef(S).ends_with("/"))
        S += '/';
      S += Parts[I].str();
    }
    return S;
  };
  StringMap<unsigned> Releases;
  for (const KernelBTF *K : Ks)
    if (!K->Release.empty())
      ++Releases[K->Release];
  std::vector<std::string> Names;
  for (size_t I = 0; I < Ks.size(); ++I) {
    const KernelBTF &K = *Ks[I];
    if (!K.Release.empty() && Releases[K.Release] == 1) {
      Names.push_back(K.Release);
      continue;
    }
    std::string Name;
    for (size_t N = 1; N <= 64; ++N) {
      Name = Tail(K.Path, N);
      bool Shared = false;
      for (size_t J = 0; J < Ks.size(); ++J)
        Shared |= J != I && Tail(Ks[J]->Path, N) == Name;
      if (!Shared || Name == K.Path)
        break;
    }
    Names.push_back(K.Release.empty() ? Name : K.Release + " (" + Name + ")");
  }
  // The same file twice: numbered.
  StringMap<unsigned> Seen;
  for (std::string &N : Names)
    if (unsigned C = Seen[N]++)
      N += " #" + utostr(C + 1);
  return Names;
}
