// C++: classes with methods, static members, a namespace, references and a
// pointer to member (no BTF form).
namespace ns {
struct Base { int b; };
struct S : Base {
  int x;
  static int count;
  int get() const { return x; }
};
int S::count = 1;
} // namespace ns
int ns::S::*member_ptr = &ns::S::x;
int use_ref(ns::S &s, int &&r) { return s.get() + r + s.*member_ptr; }
