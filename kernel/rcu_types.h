/* struct rcu_head alone, for structures that embed one (struct ptdesc). */
#ifndef PTLAB_RCU_TYPES_H
#define PTLAB_RCU_TYPES_H

struct rcu_head {
	struct rcu_head *next;
	void (*func)(struct rcu_head *head);
};

#endif
