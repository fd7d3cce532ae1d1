// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
//
// Kernel structs embedded by value whose layout differs between flavours
// (a mutex and a wait queue under PREEMPT_RT) and a work item and timer.
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/timer.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

struct worker_state {
	struct mutex lock;
	struct work_struct work;
	struct timer_list timer;
	wait_queue_head_t waiters;
	unsigned int runs;
};

static struct worker_state state;

static void worker_run(struct work_struct *work)
{
	struct worker_state *s = container_of(work, struct worker_state, work);

	mutex_lock(&s->lock);
	s->runs++;
	mutex_unlock(&s->lock);
	wake_up(&s->waiters);
}

static void worker_tick(struct timer_list *t)
{
	schedule_work(&state.work);
}

static int __init worker_init(void)
{
	mutex_init(&state.lock);
	INIT_WORK(&state.work, worker_run);
	timer_setup(&state.timer, worker_tick, 0);
	init_waitqueue_head(&state.waiters);
	return 0;
}

static void __exit worker_exit(void)
{
	timer_shutdown_sync(&state.timer);
	cancel_work_sync(&state.work);
}

module_init(worker_init);
module_exit(worker_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("btfkit real-kernel suite: embedded kernel structs");
