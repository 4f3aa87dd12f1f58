/*
 * counter.S - the project's tiny test guest: a 512-byte x86 boot sector.
 *
 * SeaBIOS loads this sector from the first disk to guest-physical 0x7C00 and
 * jumps to it in 16-bit real mode.  The program then, forever:
 *
 *   1. stores a 32-bit counter (starting at 0) little-endian at the FIXED
 *      guest-physical address 0x00000500, so that a host tool can read it
 *      over QMP (`xp /1wu 0x500`, or `pmemsave 0x500 4 FILE`);
 *   2. prints the line "counter N\r\n" to COM1 (I/O port 0x3F8), N in
 *      decimal without leading zeros;
 *   3. sleeps until the next BIOS timer tick (IRQ0, ~18.2 Hz) with `sti; hlt`,
 *      so the virtual CPU is idle between lines;
 *   4. increments the counter and goes back to step 1.
 *
 * Built with --defsym DIRTY=1 (build/dirtier.img), step 3 instead writes
 * 512 KiB of RAM over and over until the tick: a guest whose memory a slow
 * migration cannot keep up with (it never converges on its own).
 *
 * The counter lives in guest RAM and in registers only, so it survives a live
 * migration: the destination continues with the next number.
 *
 * Build: see Makefile (GNU as --32, ld -Ttext 0x7C00, objcopy -O binary).
 * Syntax: GNU as, Intel syntax without register prefixes, 16-bit code.
 */

        .intel_syntax noprefix          /* Intel operand order: dst, src       */
        .code16                         /* real mode: 16-bit default operands  */

/* ---- constants ----------------------------------------------------------- */

        .set COUNTER_ADDR, 0x0500       /* where the host reads the counter    */
                                        /* (first free byte after the BDA;     */
                                        /* with DS=0 this is physical 0x500)   */
        .set BDA_TICKS,    0x046C       /* BIOS Data Area: dword tick count,   */
                                        /* incremented by the BIOS INT 08h     */
                                        /* (IRQ0) handler ~18.2 times/second   */
        .set COM1,         0x03F8       /* COM1 base I/O port                  */
        .set UART_THR,     COM1+0       /* transmit holding register (DLAB=0)  */
        .set UART_DLL,     COM1+0       /* divisor latch low byte (DLAB=1)     */
        .set UART_IER,     COM1+1       /* interrupt enable register (DLAB=0)  */
        .set UART_DLM,     COM1+1       /* divisor latch high byte (DLAB=1)    */
        .set UART_FCR,     COM1+2       /* FIFO control register (write)       */
        .set UART_LCR,     COM1+3       /* line control register               */
        .set UART_MCR,     COM1+4       /* modem control register              */
        .set UART_LSR,     COM1+5       /* line status register                */
        .set LSR_THRE,     0x20         /* LSR bit 5: THR empty, may write     */
        .set STACK_TOP,    0x7C00       /* stack grows down from below us      */

        .text                           /* everything goes in one section      */
        .globl start                    /* entry symbol for the linker         */

/* ---- entry: normalise the CPU state ---------------------------------------- */

start:
        cli                             /* no interrupts while SS:SP is unset  */
        xor ax, ax                      /* AX = 0                              */
        mov ds, ax                      /* DS = 0: data offsets = phys addrs   */
        mov es, ax                      /* ES = 0 (not used, but defined)      */
        mov ss, ax                      /* SS = 0 ...                          */
        mov sp, STACK_TOP               /* ... SP = 0x7C00: stack below code   */
        cld                             /* LODSB walks strings forwards        */
        ljmp 0, offset normalised       /* CS:IP = 0000:7Cxx (BIOS may have    */
                                        /* entered via 07C0:0000)              */
normalised:
        sti                             /* BIOS timer (IRQ0) may now run       */

/* ---- UART: 115200 baud, 8 data bits, no parity, 1 stop bit, FIFO on -------- */

        mov dx, UART_IER                /* port: interrupt enable register     */
        xor al, al                      /* 0 = no UART interrupts; we poll     */
        out dx, al                      /* write IER                           */
        mov dx, UART_LCR                /* port: line control register         */
        mov al, 0x80                    /* DLAB=1: expose the divisor latch    */
        out dx, al                      /* write LCR                           */
        mov dx, UART_DLL                /* port: divisor low byte              */
        mov al, 1                       /* divisor 1 = 115200 baud             */
        out dx, al                      /* write DLL                           */
        mov dx, UART_DLM                /* port: divisor high byte             */
        xor al, al                      /* high byte of divisor = 0            */
        out dx, al                      /* write DLM                           */
        mov dx, UART_LCR                /* port: line control register         */
        mov al, 0x03                    /* DLAB=0, 8 bits, no parity, 1 stop   */
        out dx, al                      /* write LCR (8N1)                     */
        mov dx, UART_FCR                /* port: FIFO control register         */
        mov al, 0xC7                    /* enable+clear RX/TX FIFOs, 14-byte   */
        out dx, al                      /* trigger; write FCR                  */
        mov dx, UART_MCR                /* port: modem control register        */
        mov al, 0x03                    /* DTR + RTS asserted, OUT2 off        */
        out dx, al                      /* write MCR                           */

/* ---- main loop ------------------------------------------------------------- */

        xor ecx, ecx                    /* ECX = counter value, starts at 0    */

next_line:
        mov dword ptr [COUNTER_ADDR], ecx  /* publish counter BEFORE printing  */

        mov si, offset msg_prefix       /* SI -> "counter "                    */
        call puts                       /* print it                            */
        mov eax, ecx                    /* EAX = value to print in decimal     */
        call putdec                     /* print the number                    */
        mov si, offset msg_eol          /* SI -> "\r\n"                        */
        call puts                       /* end the line                        */

.ifdef DIRTY
        /* The dirtier (built with --defsym DIRTY=1): instead of sleeping,
         * write 512 KiB of RAM (0x10000-0x8FFFF) over and over until the
         * next tick, faster than a slow migration can send it.          */
        mov bp, word ptr [BDA_TICKS]    /* snapshot low word of tick count     */
dirty_pass:
        push ecx                        /* the counter, while CX counts words  */
        push es
        mov eax, cr0                    /* flip CR0.WP and back: a TLB flush,  */
        xor eax, 0x10000                /* so that QEMU's TCG sees writes to   */
        mov cr0, eax                    /* pages it marked clean since (its    */
        xor eax, 0x10000                /* dirty log re-arms only on refill)   */
        mov cr0, eax
        mov ax, 0x5A5A                  /* not zero: QEMU must send the pages  */
        mov bx, 0x1000                  /* first 64 KiB segment (0x10000)      */
dirty_seg:
        mov es, bx
        xor di, di
        mov cx, 0x8000                  /* 32 K words = 64 KiB                 */
        cld
        rep stosw                       /* ES:DI = AX, CX times                */
        add bx, 0x1000                  /* next 64 KiB                         */
        cmp bx, 0x9000                  /* up to 0x8FFFF                       */
        jb dirty_seg
        pop es
        pop ecx
        cmp bp, word ptr [BDA_TICKS]    /* has the BIOS counted a new tick?    */
        je dirty_pass                   /* no: dirty it all again              */
        jmp ticked
.endif
        mov ax, word ptr [BDA_TICKS]    /* snapshot low word of tick count     */
wait_tick:
        cli                             /* close the check-then-sleep race     */
        cmp ax, word ptr [BDA_TICKS]    /* has the BIOS counted a new tick?    */
        jne ticked                      /* yes: time for the next line         */
        sti                             /* IF=1 takes effect after the next    */
        hlt                             /* insn, so an IRQ cannot slip in      */
                                        /* between: sleep until an interrupt   */
        jmp wait_tick                   /* woken by some IRQ: re-check ticks   */
ticked:
        sti                             /* interrupts back on                  */

        inc ecx                         /* counter += 1 (wraps at 2^32)        */
        jmp next_line                   /* store, print, sleep, forever        */

/* ---- puts: print the NUL-terminated string at DS:SI to COM1 -----------------
 * in:  SI = string.   clobbers: AL, SI (and DX inside putc).                  */

puts:
        lodsb                           /* AL = [DS:SI], SI += 1               */
        test al, al                     /* NUL terminator?                     */
        jz puts_done                    /* yes: finished                       */
        call putc                       /* no: send the byte                   */
        jmp puts                        /* and continue with the next one      */
puts_done:
        ret                             /* back to caller                      */

/* ---- putdec: print EAX as unsigned decimal, no leading zeros ----------------
 * Divides by 10 repeatedly, pushing the remainders (least significant digit
 * first), then pops and prints them (most significant first).
 * in:  EAX = value.   clobbers: EAX, EBX, EDX, DI (and DX inside putc).       */

putdec:
        mov ebx, 10                     /* divisor                             */
        xor di, di                      /* DI = number of digits pushed        */
putdec_div:
        xor edx, edx                    /* EDX:EAX = value (high half zero)    */
        div ebx                         /* EAX = value/10, EDX = value%10      */
        push dx                         /* save digit (0..9)                   */
        inc di                          /* one more digit                      */
        test eax, eax                   /* anything left?                      */
        jnz putdec_div                  /* yes: next digit ("0" prints once)   */
putdec_out:
        pop ax                          /* most significant remaining digit    */
        add al, '0'                     /* to ASCII                            */
        call putc                       /* send it                             */
        dec di                          /* one fewer to go                     */
        jnz putdec_out                  /* until all digits are printed        */
        ret                             /* back to caller                      */

/* ---- putc: send AL to COM1, waiting until the transmitter can take it -------
 * in:  AL = byte.   clobbers: DX.                                             */

putc:
        push ax                         /* keep the byte while we poll LSR     */
        mov dx, UART_LSR                /* port: line status register          */
putc_wait:
        in al, dx                       /* AL = LSR                            */
        test al, LSR_THRE               /* bit 5: holding register empty?      */
        jz putc_wait                    /* not yet: poll again                 */
        pop ax                          /* restore the byte                    */
        mov dx, UART_THR                /* port: transmit holding register     */
        out dx, al                      /* transmit                            */
        ret                             /* back to caller                      */

/* ---- data ------------------------------------------------------------------ */

msg_prefix:
        .asciz "counter "               /* line prefix, NUL-terminated         */
msg_eol:
        .asciz "\r\n"                   /* line end: CR LF, NUL-terminated     */

/* ---- boot signature ---------------------------------------------------------- */

        .org 510                        /* pad with zeros up to byte 510       */
                                        /* (as errors out if code exceeds it)  */
        .byte 0x55, 0xAA                /* BIOS boot-sector signature          */
