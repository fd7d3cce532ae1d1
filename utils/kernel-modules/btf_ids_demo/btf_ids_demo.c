// SPDX-License-Identifier: GPL-2.0
/* A module whose BTF_ID_LIST names one of its own types and one of the
 * kernel's, for utils/kernel-modules/kbuild-recipes.py: resolve_btfids must
 * write their ids in the module's BTF (split over its .BTF.base). */
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/btf_ids.h>

struct kr_priv {
	int count;
	struct task_struct *owner;
};

static struct kr_priv kr_state;

BTF_ID_LIST(kr_ids)
BTF_ID(struct, kr_priv)
BTF_ID(struct, task_struct)

noinline int kr_touch(struct kr_priv *p, struct task_struct *t)
{
	p->owner = t;
	return ++p->count;
}

static int __init kr_init(void)
{
	pr_info("btf_ids_demo: %d %u %u\n", kr_touch(&kr_state, current),
		kr_ids[0], kr_ids[1]);
	return 0;
}

static void __exit kr_exit(void)
{
}

module_init(kr_init);
module_exit(kr_exit);
MODULE_LICENSE("GPL");
