/*
 * bench.S - the migration benchmark guest: a boot sector plus a second stage.
 *
 * SeaBIOS loads the first sector of the disk to guest-physical 0x7C00 and
 * jumps to it in 16-bit real mode.  That sector (stage 1) loads the rest of
 * this program from the following sectors of the same disk to 0x7E00 (just
 * after itself) and jumps there.  Stage 2 then:
 *
 *   1. reads the BIOS memory map (INT 15h, EAX=0xE820) into a table;
 *   2. switches to 32-bit protected mode with PAE paging and writes ONE
 *      8-byte value into EVERY 4 KiB page of usable (type 1) RAM at or above
 *      1 MiB, including RAM above 4 GiB: the page's physical address | 1, as
 *      a little-endian qword (so the first dword of a page is the low half of
 *      its address | 1, the second dword the high half).  No page of guest
 *      RAM above 1 MiB is then a zero page, and no two pages are equal.
 *      Pages above 4 GiB are reached through a 2 MiB page-directory entry
 *      used as a movable window;
 *   3. returns to real mode (through a 16-bit protected-mode segment) and
 *      prints "filled K\r\n" to COM1, K = pages written, in decimal;
 *   4. reprograms PIT channel 0 from the BIOS's 18.2 Hz to ~1000 Hz;
 *   5. runs the loop of counter.S: store N at 0x500, print "counter N\r\n",
 *      `sti; hlt` until the BIOS tick (0x46C) changes, N += 1 - now about
 *      1000 lines per second.
 *
 * Memory used below 1 MiB (all of it usable RAM in the E820 map, none of it
 * in the range being filled):
 *
 *   0x00500           the counter (as in counter.S)
 *   ..0x07C00         stack, growing down
 *   0x07C00-0x07DFF   stage 1 (this sector)
 *   0x07E00-0x0FFFF   stage 2 (at most 65 sectors, so that it ends below
 *                     the page tables; the Makefile checks the size)
 *   0x10000-0x10FFF   PAE page-directory-pointer table (4 entries used)
 *   0x11000-0x11FFF   page directory for linear 0..1 GiB (2 entries used)
 *   0x12000-0x12BFF   copy of the E820 map (at most 128 entries of 24 bytes)
 *
 * Build: see Makefile (GNU as --32, ld -Ttext 0x7C00, objcopy -O binary).
 * Built with --defsym E820_DEBUG=1 (build/bench-e820.img) it also prints
 * each E820 entry as it reads it ("e820 BASE LENGTH TYPE ATTR", in hex).
 * Syntax: GNU as, Intel syntax without register prefixes, 16-bit code except
 * where .code32 says otherwise.
 */

        .intel_syntax noprefix          /* Intel operand order: dst, src       */
        .code16                         /* real mode: 16-bit default operands  */

/* ---- constants ----------------------------------------------------------- */

        .set COUNTER_ADDR, 0x0500       /* where the host reads the counter    */
        .set BDA_TICKS,    0x046C       /* BIOS Data Area: dword tick count,   */
                                        /* incremented by the BIOS INT 08h     */
                                        /* (IRQ0) handler on every IRQ0        */
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

        .set STAGE2_ADDR,  0x7E00       /* stage 2 goes right after stage 1    */

        .set PIT_CH0,      0x40         /* PIT channel 0 data port (IRQ0)      */
        .set PIT_CMD,      0x43         /* PIT mode/command register           */
        .set PIT_DIVISOR,  1193         /* 1193182 Hz / 1193 = 1000.15 Hz      */

        .set PORT_A20,     0x92         /* "fast A20" system control port A    */

        .set PDPT,         0x10000      /* PAE page-directory-pointer table    */
        .set PD0,          0x11000      /* page directory for linear 0..1 GiB  */
        .set E820_TABLE,   0x12000      /* our copy of the E820 map            */
        .set E820_SEG,     0x1200       /* ... as a real-mode segment (off 0)  */
        .set E820_MAX,     128          /* entries that fit below 0x12C00      */
        .set E820_SIZE,    24           /* bytes per entry (ACPI 3.0 format)   */
        .set SMAP,         0x534D4150   /* 'SMAP': E820 signature in EDX/EAX   */

        .set LOW_LIMIT,    0x100000     /* fill only RAM at or above 1 MiB     */
        .set WINDOW,       0x200000     /* linear address of the 2 MiB window  */
                                        /* (page-directory entry 1 of PD0)     */
        .set PDE_LARGE,    0x83         /* PDE bits: present, writable, 2 MiB  */
                                        /* page (PS) - PS needs no CR4.PSE     */
                                        /* under PAE                           */

        /* GDT selectors (see gdt below) */
        .set SEL_CODE32,   0x08         /* 32-bit code, base 0, limit 4 GiB    */
        .set SEL_DATA32,   0x10         /* 32-bit data, base 0, limit 4 GiB    */
        .set SEL_CODE16,   0x18         /* 16-bit code, base 0, limit 64 KiB   */
        .set SEL_DATA16,   0x20         /* 16-bit data, base 0, limit 64 KiB   */

        .set CR0_PE,       0x00000001   /* CR0 bit 0: protected mode           */
        .set CR0_PG,       0x80000000   /* CR0 bit 31: paging                  */
        .set CR4_PAE,      0x00000020   /* CR4 bit 5: physical address ext.    */

        .text                           /* everything goes in one section      */
        .globl start                    /* entry symbol for the linker         */

/* ============================================================================
 * Stage 1: the boot sector (0x7C00-0x7DFF)
 * ========================================================================== */

/* ---- entry: normalise the CPU state ---------------------------------------- */

start:
        cli                             /* no interrupts while SS:SP is unset  */
        xor ax, ax                      /* AX = 0                              */
        mov ds, ax                      /* DS = 0: data offsets = phys addrs   */
        mov es, ax                      /* ES = 0 (INT 13h buffer segment)     */
        mov ss, ax                      /* SS = 0 ...                          */
        mov sp, STACK_TOP               /* ... SP = 0x7C00: stack below code   */
        cld                             /* LODSB walks strings forwards        */
        ljmp 0, offset normalised       /* CS:IP = 0000:7Cxx (BIOS may have    */
                                        /* entered via 07C0:0000)              */
normalised:
        sti                             /* BIOS timer (IRQ0) may now run       */
        mov byte ptr [boot_drive], dl   /* the BIOS passes our drive in DL     */

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

/* ---- load stage 2: INT 13h AH=42h (extended read, LBA) ----------------------
 * Reads STAGE2_SECTORS sectors from LBA 1 (the sector after this one) of the
 * boot drive to 0000:7E00, as described by the disk address packet `dap`.    */

        mov ah, 0x42                    /* function: extended read             */
        mov dl, byte ptr [boot_drive]   /* drive the BIOS booted us from       */
        mov si, offset dap              /* DS:SI -> disk address packet        */
        int 0x13                        /* CF=1 on error, AH = status          */
        jc load_failed                  /* the read failed: report and stop    */
        jmp stage2                      /* stage 2 is in memory: run it        */

load_failed:
        mov si, offset msg_load_failed  /* SI -> "disk read failed\r\n"        */
        call puts                       /* say so on COM1                      */
halt_forever:
        cli                             /* nothing can wake us ...             */
        hlt                             /* ... but an NMI,                     */
        jmp halt_forever                /* after which we halt again           */

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

/* ---- stage 1 data ------------------------------------------------------------ */

boot_drive:
        .byte 0                         /* BIOS drive number (from DL)         */

        .balign 4                       /* (the BIOS does not need it; tidy)   */
dap:                                    /* INT 13h AH=42h disk address packet: */
        .byte 0x10                      /*   packet size: 16 bytes             */
        .byte 0                         /*   reserved, 0                       */
        .word STAGE2_SECTORS            /*   sectors to read (defined below)   */
        .word STAGE2_ADDR               /*   buffer offset ...                 */
        .word 0                         /*   ... and segment: 0000:7E00        */
        .quad 1                         /*   first sector: LBA 1               */

msg_load_failed:
        .asciz "disk read failed\r\n"   /* stage 2 could not be loaded         */

/* ---- boot signature ---------------------------------------------------------- */

        .org 510                        /* pad with zeros up to byte 510       */
                                        /* (as errors out if code exceeds it)  */
        .byte 0x55, 0xAA                /* BIOS boot-sector signature          */

/* ============================================================================
 * Stage 2 (0x7E00-...), loaded by stage 1.  Still real mode, DS=ES=SS=0.
 * ========================================================================== */

stage2:

/* ---- read the E820 memory map into E820_TABLE --------------------------------
 * Each INT 15h EAX=E820h call returns one entry at ES:DI and, in EBX, the
 * value for the next call (0 after the last entry).  An entry is base (qword),
 * length (qword), type (dword; 1 = usable RAM) and, if the BIOS returns 24
 * bytes, ACPI 3.0 extended attributes (dword; bit 0 clear = ignore the
 * entry).  We preset the attributes to 1 so that a 20-byte answer counts as
 * "valid".  Entries are kept in ES:DI order; `e820_end` ends up as the
 * physical address just past the last one.                                   */

        mov ax, E820_SEG                /* ES:DI -> E820_TABLE (0x1200:0000)   */
        mov es, ax
        xor di, di                      /* DI = offset of the next entry       */
        xor ebx, ebx                    /* EBX = 0: start with the first entry */
e820_next:
        mov dword ptr es:[di+20], 1     /* preset ACPI 3.0 attributes: valid   */
        mov eax, 0xE820                 /* function: query system address map  */
        mov edx, SMAP                   /* signature 'SMAP'                    */
        mov ecx, E820_SIZE              /* buffer size: 24 bytes               */
        int 0x15                        /* CF=1: error / past the last entry   */
        jc e820_done                    /* (some BIOSes end the list this way) */
        cmp eax, SMAP                   /* a BIOS that knows E820 answers      */
        jne e820_done                   /* with 'SMAP' in EAX                  */
        cmp ecx, 20                     /* shorter than base+length+type?      */
        jb e820_skip                    /* then it is no entry: skip it        */
.ifdef E820_DEBUG
        call print_e820_entry           /* debug build: show what we got       */
.endif
        add di, E820_SIZE               /* keep the entry                      */
        cmp di, E820_MAX*E820_SIZE      /* table full?                         */
        jae e820_done                   /* yes: ignore the rest                */
e820_skip:
        test ebx, ebx                   /* EBX = 0: that was the last entry    */
        jnz e820_next                   /* otherwise ask for the next one      */
e820_done:
        xor ax, ax                      /* ES = 0 again                        */
        mov es, ax
        movzx eax, di                   /* bytes of table filled in            */
        add eax, E820_TABLE             /* physical end of the table           */
        mov dword ptr [e820_end], eax   /* for the 32-bit fill loop            */

/* ---- build the PAE page tables ----------------------------------------------
 *   PDPT[0]    -> PD0, which maps linear 0..1 GiB; PDPT[1..3] not present.
 *   PD0[0]     =  2 MiB page at physical 0: identity map of everything below
 *                 2 MiB (our code, stack, data, tables, the BDA).
 *   PD0[1]     =  the window: a 2 MiB page at linear WINDOW (2 MiB) that
 *                 the fill loop points at each 2 MiB of RAM in turn.
 *   PD0[2..]   not present.
 * First zero both tables (8 KiB at 0x10000), then set the three entries.   */

        push es                         /* (ES is 0; keep it)                  */
        mov ax, PDPT >> 4               /* ES = 0x1000: ES:0 = PDPT, ES:1000h  */
        mov es, ax                      /* = PD0                               */
        xor di, di                      /* from 0x10000 ...                    */
        xor eax, eax                    /* ... store zeros ...                 */
        mov cx, 0x2000 / 4              /* ... 8 KiB = 2048 dwords             */
        rep stosd                       /* ES:DI = EAX, CX times               */
        pop es                          /* ES = 0                              */
        /* The tables are above 64 KiB, beyond DS=0: reach them via FS.       */
        mov ax, PDPT >> 4               /* FS = 0x1000                         */
        mov fs, ax
        mov dword ptr fs:[0], PD0 | 1   /* PDPT[0] = PD0, present (in PAE a    */
                                        /* PDPTE has no R/W or U/S bits)       */
        mov dword ptr fs:[PD0-PDPT], PDE_LARGE  /* PD0[0] = 0..2 MiB, 2 MiB page */
                                        /* (PD0[1], the window, is set later)  */

/* ---- enable A20 -------------------------------------------------------------
 * SeaBIOS boots with A20 on already; make sure, or every odd MiB would alias
 * the even one below it.  Port 0x92 bit 1 = A20; bit 0 would reset the CPU. */

        in al, PORT_A20                 /* AL = system control port A          */
        or al, 0x02                     /* bit 1: A20 gate on                  */
        and al, 0xFE                    /* bit 0: never write 1 (fast reset)   */
        out PORT_A20, al                /* write it back                       */

/* ---- into 32-bit protected mode with PAE paging ------------------------------
 * Interrupts stay off until we are back in real mode: the IDT register still
 * holds the real-mode interrupt vector table, which protected mode cannot
 * use.  (Timer ticks in the meantime are lost; nothing needs them.)          */

        cli                             /* no interrupts in protected mode     */
        movzx esp, sp                   /* ESP = SP: the 32-bit stack pointer  */
                                        /* must have no stray high bits        */
        lgdt [gdt_desc]                 /* load our GDT                        */
        mov eax, cr4                    /* CR4.PAE = 1: 64-bit page-table      */
        or eax, CR4_PAE                 /* entries, 36+-bit physical addresses */
        mov cr4, eax
        mov eax, PDPT                   /* CR3 = PDPT (32-byte aligned)        */
        mov cr3, eax
        mov eax, cr0                    /* CR0.PE = 1: protected mode          */
        or eax, CR0_PE
        mov cr0, eax
        ljmp SEL_CODE32, offset pm32    /* load CS with the 32-bit code        */
                                        /* segment; flushes the prefetch queue */
        .code32
pm32:
        mov ax, SEL_DATA32              /* flat 4 GiB data segments            */
        mov ds, ax
        mov es, ax
        mov fs, ax
        mov gs, ax
        mov ss, ax                      /* SS:ESP = same stack as before       */
        mov eax, cr0                    /* CR0.PG = 1: paging on.  The code    */
        or eax, CR0_PG                  /* runs from the identity-mapped first */
        mov cr0, eax                    /* 2 MiB, so EIP stays valid           */

/* ---- the fill -------------------------------------------------------------
 * For each E820 entry of type 1 (usable) with the ACPI 3.0 "valid" bit:
 *   start = max(base, 1 MiB) rounded up to 4 KiB,
 *   end   = (base + length) rounded down to 4 KiB,
 * and then, 2 MiB window by 2 MiB window from start to end:
 *   PD0[1] = the 2 MiB-aligned physical block holding `start`; invlpg;
 *   for each 4 KiB page in [start, min(end, block end)):
 *       qword at the page = its physical address | 1.
 * 64-bit addresses are register pairs (high:low); `end` is kept in memory.
 * EBP counts the pages written.                                              */

        xor ebp, ebp                    /* EBP = pages written so far          */
        mov esi, E820_TABLE             /* ESI -> first entry                  */
fill_entry:
        cmp esi, dword ptr [e820_end]   /* past the last entry?                */
        jae fill_done                   /* yes: every range is filled          */
        cmp dword ptr [esi+16], 1       /* type 1 = usable RAM?                */
        jne fill_next_entry             /* no (reserved, ACPI, ...): skip      */
        test byte ptr [esi+20], 1       /* ACPI 3.0 attributes: valid?         */
        jz fill_next_entry              /* no: the BIOS says ignore it         */

        mov eax, dword ptr [esi]        /* EDX:EAX = base                      */
        mov edx, dword ptr [esi+4]
        mov ebx, eax                    /* ECX:EBX = base + length = end       */
        mov ecx, edx
        add ebx, dword ptr [esi+8]
        adc ecx, dword ptr [esi+12]
        and ebx, 0xFFFFF000             /* end rounded down to a page          */
        mov dword ptr [end_lo], ebx     /* keep end in memory: the registers   */
        mov dword ptr [end_hi], ecx     /* are needed below                    */

        test edx, edx                   /* base >= 4 GiB: above 1 MiB anyway   */
        jnz 1f
        cmp eax, LOW_LIMIT              /* base below 1 MiB?                   */
        jae 1f
        mov eax, LOW_LIMIT              /* yes: start at 1 MiB                 */
1:
        add eax, 0xFFF                  /* start rounded up to a page          */
        adc edx, 0                      /* (carry into the high half)          */
        and eax, 0xFFFFF000

fill_chunk:                             /* EDX:EAX = start of what is left     */
        cmp edx, dword ptr [end_hi]     /* 64-bit compare start : end          */
        jb 2f                           /* high half smaller: start < end      */
        ja fill_next_entry              /* high half larger: nothing left      */
        cmp eax, dword ptr [end_lo]     /* high halves equal: compare low      */
        jae fill_next_entry             /* start >= end: this entry is done    */
2:
        /* Point the window at the 2 MiB block that holds `start`.  Nothing
         * touches the window while the PDE is half written; invlpg then
         * drops the TLB entry of the old block.                              */
        mov ebx, eax                    /* EBX = start & ~(2 MiB - 1) | flags  */
        and ebx, 0xFFE00000
        or ebx, PDE_LARGE
        mov dword ptr [PD0+8+4], edx    /* PD0[1] high half: address bits 32+  */
        mov dword ptr [PD0+8], ebx      /* PD0[1] low half: bits 21..31, flags */
        invlpg [WINDOW]                 /* drop the old window's translation   */

        /* ECX:EBX = end of this chunk = min(end, end of the 2 MiB block).   */
        mov ebx, eax                    /* block end = (start | 2 MiB-1) + 1   */
        or ebx, 0x1FFFFF
        mov ecx, edx
        add ebx, 1
        adc ecx, 0                      /* (a block can end at 4 GiB: carry)   */
        cmp ecx, dword ptr [end_hi]     /* block end : end, 64-bit             */
        jb 3f                           /* block end < end: keep block end     */
        ja 4f                           /* block end > end: use end            */
        cmp ebx, dword ptr [end_lo]
        jbe 3f                          /* block end <= end: keep block end    */
4:
        mov ebx, dword ptr [end_lo]     /* the range ends inside this block    */
        mov ecx, dword ptr [end_hi]
3:
        push ecx                        /* the chunk end is where the next     */
        push ebx                        /* chunk starts                        */

        sub ebx, eax                    /* chunk length (< 2 MiB, so the low   */
        shr ebx, 12                     /* halves suffice) / 4 KiB = pages,    */
                                        /* at least 1 (start < end, both page  */
                                        /* aligned, start < block end)         */
        add ebp, ebx                    /* count them                          */
        mov edi, eax                    /* EDI = linear address of the page:   */
        and edi, 0x1FFFFF               /* its offset in the block ...         */
        add edi, WINDOW                 /* ... seen through the window         */
        or eax, 1                       /* EDX:EAX = value: address | 1        */
fill_page:
        mov dword ptr [edi], eax        /* low half: physical address | 1      */
        mov dword ptr [edi+4], edx      /* high half (0 below 4 GiB)           */
        add edi, 0x1000                 /* next page through the window ...    */
        add eax, 0x1000                 /* ... and its address (never carries: */
                                        /* the block is inside one 4 GiB)      */
        dec ebx                         /* one page fewer to go                */
        jnz fill_page                   /* until the chunk is done             */

        pop eax                         /* EDX:EAX = chunk end = new start     */
        pop edx
        jmp fill_chunk                  /* next 2 MiB block of this range      */

fill_next_entry:
        add esi, E820_SIZE              /* next E820 entry                     */
        jmp fill_entry

fill_done:
        mov dword ptr [pages_filled], ebp  /* for real mode to print           */

/* ---- back to real mode --------------------------------------------------------
 * Paging off (the code is identity-mapped, so EIP stays valid), PAE off,
 * then a far jump into a 16-bit code segment, 16-bit data segments with
 * 64 KiB limits (real mode keeps the limits it finds in the segment caches),
 * PE off, and a far jump that reloads CS with a real-mode segment.           */

        mov eax, cr0                    /* CR0.PG = 0: paging off              */
        and eax, ~CR0_PG & 0xFFFFFFFF
        mov cr0, eax
        mov eax, cr4                    /* CR4.PAE = 0 (as the BIOS had it)    */
        and eax, ~CR4_PAE & 0xFFFFFFFF
        mov cr4, eax
        xor eax, eax                    /* CR3 = 0: no stale table pointer     */
        mov cr3, eax
        ljmp SEL_CODE16, offset pm16    /* 16-bit protected-mode code          */

        .code16
pm16:
        mov ax, SEL_DATA16              /* 64 KiB data segments, base 0        */
        mov ds, ax
        mov es, ax
        mov fs, ax
        mov gs, ax
        mov ss, ax
        mov eax, cr0                    /* CR0.PE = 0: real mode               */
        and eax, ~CR0_PE & 0xFFFFFFFF
        mov cr0, eax
        ljmp 0, offset rm16             /* CS = 0 (a real-mode segment)        */
rm16:
        xor ax, ax                      /* all data segments 0 again, as at    */
        mov ds, ax                      /* the start                           */
        mov es, ax
        mov fs, ax
        mov gs, ax
        mov ss, ax                      /* SS:SP = 0000:SP, the same stack     */
        sti                             /* the IVT is back: interrupts on      */

/* ---- report: "filled K\r\n" ---------------------------------------------------- */

        mov si, offset msg_filled       /* SI -> "filled "                     */
        call puts                       /* print it                            */
        mov eax, dword ptr [pages_filled]  /* EAX = pages written              */
        call putdec                     /* print the number                    */
        mov si, offset msg_eol          /* SI -> "\r\n"                        */
        call puts                       /* end the line                        */

/* ---- PIT channel 0: ~1000 Hz instead of 18.2 Hz ----------------------------------
 * Mode 2 (rate generator), binary, divisor low byte then high byte.  The BIOS
 * INT 08h handler keeps incrementing the tick count at 0x46C on each IRQ0, now
 * about 1000 times a second.  (It also wraps the count at "midnight", 0x1800B0
 * ticks, which now comes every 26 minutes; the loop only looks for a change.) */

        cli                             /* no IRQ0 between the two bytes       */
        mov al, 0x34                    /* channel 0, lobyte/hibyte, mode 2,   */
        out PIT_CMD, al                 /* binary                              */
        mov al, PIT_DIVISOR & 0xFF      /* divisor low byte                    */
        out PIT_CH0, al
        mov al, PIT_DIVISOR >> 8        /* divisor high byte: starts counting  */
        out PIT_CH0, al
        sti                             /* timer interrupts back on            */

/* ---- main loop (as in counter.S) ------------------------------------------------ */

        xor ecx, ecx                    /* ECX = counter value, starts at 0    */

next_line:
        mov dword ptr [COUNTER_ADDR], ecx  /* publish counter BEFORE printing  */

        mov si, offset msg_prefix       /* SI -> "counter "                    */
        call puts                       /* print it                            */
        mov eax, ecx                    /* EAX = value to print in decimal     */
        call putdec                     /* print the number                    */
        mov si, offset msg_eol          /* SI -> "\r\n"                        */
        call puts                       /* end the line                        */

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

.ifdef E820_DEBUG
/* ---- print_e820_entry (debug build only) ---------------------------------------
 * Prints "e820 BBBBBBBBBBBBBBBB LLLLLLLLLLLLLLLL TTTTTTTT AAAAAAAA\r\n" for the
 * entry at ES:DI (base, length, type, attributes; hex, 24 bytes).
 * in:  ES:DI = entry.   preserves all registers but flags.                   */

print_e820_entry:
        pushad                          /* EBX (the E820 continuation) and DI  */
        mov si, offset msg_e820         /* SI -> "e820"                        */
        call puts
        mov bp, 4                       /* BP = offset of the high dword of    */
pe_qwords:                              /* base (+4), then of length (+12)     */
        mov al, ' '
        call putc
        mov eax, dword ptr es:[di+bp]   /* high dword of the qword             */
        call puthex32
        mov eax, dword ptr es:[di+bp-4] /* low dword of the qword              */
        call puthex32
        add bp, 8                       /* next qword                          */
        cmp bp, 12                      /* done both (base at +0, len at +8)?  */
        jbe pe_qwords
        mov al, ' '
        call putc
        mov eax, dword ptr es:[di+16]   /* type                                */
        call puthex32
        mov al, ' '
        call putc
        mov eax, dword ptr es:[di+20]   /* ACPI 3.0 attributes                 */
        call puthex32
        mov si, offset msg_eol          /* SI -> "\r\n"                        */
        call puts
        popad
        ret

/* ---- puthex32: print EAX as 8 hex digits --------------------------------------
 * in:  EAX = value.   clobbers: EAX, CX (and DX inside putc).                 */

puthex32:
        mov cx, 8                       /* 8 nibbles, most significant first   */
ph_digit:
        rol eax, 4                      /* next nibble into the low 4 bits     */
        push eax
        and al, 0x0F                    /* AL = nibble 0..15                   */
        add al, '0'                     /* '0'..'9' ...                        */
        cmp al, '9'
        jbe ph_out
        add al, 'A' - '9' - 1           /* ... or 'A'..'F'                     */
ph_out:
        call putc
        pop eax
        dec cx
        jnz ph_digit
        ret

msg_e820:
        .asciz "e820"                   /* debug line prefix                   */
.endif

/* ---- stage 2 data ---------------------------------------------------------------- */

        .balign 8                       /* GDT entries on an 8-byte boundary   */
gdt:
        .quad 0                         /* 0x00: the mandatory null descriptor */
        .quad 0x00CF9A000000FFFF        /* 0x08: code, 32-bit, base 0, 4 GiB   */
        .quad 0x00CF92000000FFFF        /* 0x10: data, 32-bit, base 0, 4 GiB   */
        .quad 0x00009A000000FFFF        /* 0x18: code, 16-bit, base 0, 64 KiB  */
        .quad 0x000092000000FFFF        /* 0x20: data, 16-bit, base 0, 64 KiB  */
gdt_end:
gdt_desc:                               /* operand of LGDT:                    */
        .word gdt_end - gdt - 1         /*   limit (bytes - 1)                 */
        .long gdt                       /*   linear base                       */

        .balign 4
e820_end:
        .long 0                         /* phys. address past the last entry   */
end_lo:
        .long 0                         /* end of the range being filled, low  */
end_hi:
        .long 0                         /* ... and high half                   */
pages_filled:
        .long 0                         /* K, for "filled K"                   */

msg_filled:
        .asciz "filled "                /* report prefix, NUL-terminated       */
msg_prefix:
        .asciz "counter "               /* line prefix, NUL-terminated         */
msg_eol:
        .asciz "\r\n"                   /* line end: CR LF, NUL-terminated     */

        .balign 512, 0                  /* stage 2 ends on a sector boundary   */
stage2_end:

/* Sectors stage 1 loads.  The Makefile refuses a program longer than
 * 0x10000 - 0x7C00 bytes (1 + 65 sectors), so stage 2 never reaches the
 * page tables at 0x10000.                                               */
        .set STAGE2_SECTORS, (stage2_end - stage2) / 512
