#include "common.h"
enum big { HUGE = 0xfffffffffULL };
struct wrapper {
	struct list l;
	enum big b;
	struct { int x, y; } anon_pos;
};
struct wrapper w;
