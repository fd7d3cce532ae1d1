/* Types shared by the CUs of the pahole test. */
struct opaque;
typedef unsigned int u32;
enum color { RED, GREEN, BLUE };
struct node {
	struct node *next;
	struct opaque *priv;
	u32 flags : 3, mode : 5;
	union {
		long l;
		char c[8];
	};
	int (*cb)(struct node *, enum color);
};
struct list {
	struct node *head;
	const volatile u32 count;
	struct node arr[2];
};
