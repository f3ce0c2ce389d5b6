/*
 * echo.c - chapter 4's default guest: a line editor on COM1. It reads what is typed
 * through the UART's receive interrupt (it never polls for input), echoes each key,
 * erases with backspace, and answers each line. The line "exit" halts the machine.
 * The command line chooses the interrupt controllers: irq=pic (the default) or irq=apic.
 */
#include <intc.h>
#include <multiboot.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uart.h>

#define LINE_MAX 72
#define KEY_BS   0x08 /* backspace, as a terminal sends it with ^H */
#define KEY_DEL  0x7f /* backspace, as most terminals send it */

/*
 * Reads one line into @p line (at most LINE_MAX bytes, then NUL), echoing as it goes.
 * A line ends at CR or LF; an LF right after a CR ends nothing, so CRLF counts once.
 */
static void read_line(char *line)
{
    static int last_was_cr;
    int len = 0;

    for (;;) {
        int c = uart_getc();

        if (c == '\n' && last_was_cr) {
            last_was_cr = 0;
            continue;
        }
        last_was_cr = c == '\r';
        if (c == '\r' || c == '\n') {
            uart_puts("\r\n");
            line[len] = '\0';
            return;
        }
        if (c == KEY_BS || c == KEY_DEL) {
            if (len > 0) {
                len--;
                uart_puts("\b \b"); /* back, blank out, back again */
            }
        } else if (c >= ' ' && c < KEY_DEL && len < LINE_MAX) {
            line[len++] = (char)c;
            uart_putc((char)c);
        }
    }
}

int main(uint32_t magic, const struct multiboot_info *mbi)
{
    enum intc_mode mode = intc_mode_from_cmdline(mbi);
    char line[LINE_MAX + 1];

    (void)magic;
    irq_init();
    intc_init(mode);
    uart_init(115200);
    irq_enable();
    printf("echo: talking on COM1, interrupts through the %s\n", intc_mode_name(mode));
    uart_puts("stepvm echo: type a line, or exit to stop.\r\n");
    for (;;) {
        uart_puts("> ");
        read_line(line);
        if (strcmp(line, "exit") == 0)
            break;
        uart_puts("you said: ");
        uart_puts(line);
        uart_puts("\r\n");
    }
    uart_puts("bye\r\n");
    uart_flush();
    printf("echo: bye\n");
    halt(); /* a demo, not a test: the VMM ends with status 0 */
}
