//===- Format.cpp - Spellings of on-disk values ---------------------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "btfkit/Format.h"

using namespace btfkit;

const char *btfkit::intEncodingName(uint32_t Enc) {
  switch (Enc) {
  case 0:
    return "(none)";
  case IntSigned:
    return "SIGNED";
  case IntChar:
    return "CHAR";
  case IntBool:
    return "BOOL";
  default:
    return "UNKN";
  }
}
