struct point { int x, y; };
int get(struct point *p);
int use(void) { struct point p = {1, 2}; return get(&p); }
