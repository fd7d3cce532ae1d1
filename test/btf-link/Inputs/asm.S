	.text
	.globl asm_func
asm_func:
	ret
