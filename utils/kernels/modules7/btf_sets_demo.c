// SPDX-License-Identifier: GPL-2.0
/* BTF_ID() lists, a set and a kfunc set8 in a module, for the Linux 7.x
 * pipeline test (utils/kernels/kbuild7.py): resolve_btfids resolves them
 * over the distilled, name-sorted BTF and sorts the sets; two names are
 * left unresolved on purpose (a kernel type no type of the module uses,
 * and a type that does not exist). */
#include <linux/module.h>
#include <linux/btf.h>
#include <linux/btf_ids.h>
#include <linux/sched.h>

struct sets_demo_item {
	int a;
	long b;
	struct task_struct *owner;
};

noinline struct sets_demo_item *sets_demo_make(int a)
{
	static struct sets_demo_item it;

	it.a = a;
	it.owner = current;
	return &it;
}
EXPORT_SYMBOL_GPL(sets_demo_make);

BTF_ID_LIST(sets_demo_list)
BTF_ID(struct, sk_buff)
BTF_ID(struct, sets_demo_item)
BTF_ID(struct, task_struct)
BTF_ID(func, sets_demo_make)
BTF_ID(struct, no_such_struct_here)

BTF_SET_START(sets_demo_set)
BTF_ID(struct, task_struct)
BTF_ID(struct, sets_demo_item)
BTF_ID(struct, sk_buff)
BTF_SET_END(sets_demo_set)

BTF_KFUNCS_START(sets_demo_kfuncs)
BTF_ID_FLAGS(func, sets_demo_make, KF_RET_NULL)
BTF_KFUNCS_END(sets_demo_kfuncs)

static int __init sets_demo_init(void)
{
	pr_info("btf_sets_demo: %u %u %u\n", sets_demo_list[1],
		sets_demo_set.ids[0], sets_demo_make(1)->a);
	return 0;
}

static void __exit sets_demo_exit(void)
{
}

module_init(sets_demo_init);
module_exit(sets_demo_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("BTF_ID lists and sets for btfkit's 7.x pipeline test");
