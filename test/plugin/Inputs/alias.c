/* Linux 6.1's module_init()/module_exit() in a module: the entry points
 * are aliases of static functions, kept by an addressable pointer. At -O2
 * GlobalOpt folds such an alias into its aliasee, so the object has a
 * symbol init_module and none named after the function. */
static int my_init(void) { return 0; }
int init_module(void) __attribute__((alias("my_init")));
static void *__attribute__((used)) keep_init = (void *)&init_module;
static void my_exit(void) {}
void cleanup_module(void) __attribute__((alias("my_exit")));
static void *__attribute__((used)) keep_exit = (void *)&cleanup_module;
/* A global function with an alias keeps its own symbol. */
int visible(int x) { return x * 2; }
int visible_alias(int x) __attribute__((alias("visible")));
